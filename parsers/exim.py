"""Exim main log: Envelope -> Delivery | MessageInfo | MessageOutcome | None.

Every line about a message starts with its id, old style ``1rABCD-000123-AB``
or 4.97+ ``1rABCD-00000000XY-ABCD``, then a flag or a message-level text:

* ``<=`` arrival: sender, ``S=`` size, ``id=`` Message-ID, ``R=`` the message
  a bounce reports on (``<= <> R=parent-id``), ``for a b`` recipients
  (``+received_recipients``) -> :class:`MessageInfo`;
* ``=>`` ``->`` ``>>`` delivered (first, further, cutthrough) -> ``sent``;
  ``*>`` delivery suppressed (``-N``) -> ``suppressed``;
* ``**`` failed -> ``bounced``, or ``expired`` when Exim gave up because the
  retry time ran out (``retry timeout exceeded``, ``have been failing for a
  long time``);
* ``==`` deferred -> ``deferred``;
* ``Completed`` (done: forget), ``removed by`` / ``cancelled by`` (operator),
  ``cancelled by timeout_frozen_after`` (expired), ``Frozen ...`` (frozen)
  -> :class:`MessageOutcome`. The per-queue-run notice ``Message is frozen``
  repeats what the ``Frozen`` line already said and is skipped.

The layout after the flag is Exim's (deliver.c): the address, its parents in
angle brackets, then ``KEY=value`` fields in a fixed order whose presence
depends on ``log_selector`` (``F=<>`` ``Q=`` ``P=<>`` ``R=`` ``T=`` ``S=``
``H=host [ip]:port`` ``I=[ip]:port`` ``X=`` ``CV=`` ``DN="..."`` ``A=``
``C="..."`` ``QT=`` ``DT=`` and bare flags ``K`` ``L`` ``PRDR``), then for
failures and deferrals ``defer (errno)``, the error text and ``: message``.
The fields are scanned left to right by hand, quoted values with their
backslash escapes, so an unknown field is skipped rather than misread and the
scan stays linear whatever the line holds.

Exim writes non-ASCII bytes as octal escapes (``\\320\\237``); reasons get them
back as UTF-8 (parsers/escapes.py) so rules can match non-English replies.
Multi-line replies keep a literal ``\\n``; parsers/smtp.py folds it.
"""

from __future__ import annotations

import re

from .escapes import unescape
from .address import normalize_address, strip_angle
from .records import Delivery, Envelope, MessageInfo, MessageOutcome, Record, Relay
from .smtp import parse_reply

MTA = "exim"
PROGRAMS = frozenset({"exim", "exim4"})

_ID = re.compile(r"([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) ")
_KEY = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,15})=")
# The fast path of _scan: a run of plain fields one space apart, read by one
# findall instead of a Python step per character class. Every token here is
# read exactly as _scan's loop reads it (quoted values without backslashes,
# <angle> values, plain values not ending in ":" (those end the fields), the
# H= host with its (helo) and [ip]:port parts, upper-case bare flags); the
# first thing that is not " token" is taken whole as the rest (last group),
# which the loop then reads. Possessive quantifiers keep it linear.
_H_VALUE = r"(?:\([^)]*+\)(?= |\Z)|[^ (][^ ]*+(?<!:))(?: (?:\([^)]*+\)(?= |\Z)|\[[^ ]*+(?<!:)))*+(?! [(\[])"
_FIELD = (r"H=(" + _H_VALUE + r")|(?!H=)([A-Za-z][A-Za-z0-9_]{0,15})=(?:\"([^\"\\]*+)\"|<([^>]*+)>|"
          r"((?:[^ \"<][^ ]*+)?+(?<!:))(?= |\Z))|[A-Z][A-Z0-9_]*+(?= |\Z)")
_FIELD_RUN = re.compile(r" (?:" + _FIELD + r")|((?s:.+))")
# The usual H= value, "name [ip]:port", read without _host's token loop (which
# gives the same Relay for it).
_PLAIN_HOST = re.compile(r"([^ (\[][^ ]*) \[([^\] ]*)\](?::(\d{1,5}))?")
_DURATION = re.compile(r"(?:(\d{1,6})w)?(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,9}(?:\.\d{1,6})?)s)?")

SENT_FLAGS = {"=>": "sent", "->": "sent", ">>": "sent", "*>": "suppressed"}
# "** addr: retry timeout exceeded" and the all-hosts variant: the address
# failed because its retry time ran out, not because a host said no.
_EXPIRY_MARKERS = ("retry timeout exceeded", "have been failing for a long time",
                   "has been failing for a long time")


def claims(program: str) -> bool:
    """``exim`` (the main log, and syslog's default ``syslog_processname``), ``exim4``."""
    return program in PROGRAMS


def parse(env: Envelope) -> Record | None:
    msg = env.message
    m = _ID.match(msg)
    if m is None:
        return None
    qid = m[1]
    body = msg[m.end():]
    flag = body[:2]
    if body[2:3] == " ":
        if flag in SENT_FLAGS:
            return _delivery(qid, SENT_FLAGS[flag], body[3:])
        if flag == "**":
            return _delivery(qid, "bounced", body[3:])
        if flag == "==":
            return _delivery(qid, "deferred", body[3:])
        if flag == "<=":
            return _arrival(qid, body[3:])
    return _message_line(qid, body)


# -- per-message lines ---------------------------------------------------------
def _message_line(qid: str, body: str) -> Record | None:
    if body.startswith("Completed"):
        return MessageOutcome(MTA, qid, None)
    if body.startswith(("Frozen", "frozen by ")):
        return MessageOutcome(MTA, qid, "frozen", reason=unescape(body))
    if body.startswith("removed by "):
        return MessageOutcome(MTA, qid, "removed", reason=body)
    if body.startswith("cancelled by "):
        if body.startswith("cancelled by timeout_frozen_after"):
            return MessageOutcome(MTA, qid, "expired", reason=body)
        if body.startswith("cancelled by system filter"):
            return MessageOutcome(MTA, qid, "bounced", reason=unescape(body))
        return MessageOutcome(MTA, qid, "removed", reason=body)  # exim -Mg: given up by the operator
    return None


def _arrival(qid: str, body: str) -> MessageInfo:
    sp = body.find(" ")
    sender = body if sp < 0 else body[:sp]
    f = _scan(body, len(body) if sp < 0 else sp + 1, arrival=True)
    size = f.fields.get("S")
    parent = f.fields.get("R") if sender == "<>" else None
    return MessageInfo(
        MTA, qid, sender=strip_angle(sender),
        size=int(size) if size and size.isdigit() else None,
        message_id=strip_angle(f.fields["id"]) if f.fields.get("id") else None,
        nrcpt=len(f.recipients) if f.recipients else None,
        bounce_of=parent if parent and _ID.match(parent + " ") else None)


# -- delivery lines --------------------------------------------------------------
def _delivery(qid: str, status: str, body: str) -> Delivery:
    addr, parents, pos, tail = split_address(body)
    if parents and "@" not in addr and parents[0].startswith(addr + "@"):
        # local deliveries name the local part, then the address: "userx <userx@example.org>"
        addr = parents.pop(0)
    if tail is None:
        f = _scan(body, pos)
    else:
        f = _Fields()
        f.tail = tail
    fields = f.fields
    relay = f.relay
    reply = None
    if status == "sent" or status == "suppressed":
        reason = unescape(fields.get("C", ""))
    else:
        error, tail = f.error, f.tail
        reason = unescape(error + ": " + tail if error and tail else error or tail)
        if status == "bounced" and any(mk in reason for mk in _EXPIRY_MARKERS):
            status = "expired"
        if relay is None:
            relay = _reason_host(reason)
        if reason:
            reply = parse_reply(reason)
    sender = fields.get("F")
    size = fields.get("S")
    return Delivery(
        mta=MTA, queue_id=qid, recipient=normalize_address(addr), status=status, reason=reason,
        orig_recipient=normalize_address(parents[-1]) if parents else None,
        relay=relay, delay=duration(fields.get("QT") or fields.get("DT")), reply=reply,
        sender=strip_angle(sender) if sender is not None else None,
        size=int(size) if size and size.isdigit() else None)


def _reason_host(reason: str) -> Relay | None:
    """Exim before 4.8x named the host inside the reason, not in ``H=``:
    ``SMTP error from remote mail server after RCPT TO:<a>: host mx [ip]: 550 ...``."""
    i = reason.find(": host ", 0, 400)
    if i < 0:
        return None
    lb = reason.find(" [", i + 7, i + 300)
    rb = reason.find("]", lb) if lb > 0 else -1
    if rb < 0 or " " in reason[i + 7:lb]:
        return None
    return Relay(reason[i + 7:lb], reason[lb + 2:rb])


def split_address(body: str, note_allowed: bool = True) -> tuple[str, list[str], int, str | None]:
    """``a@b <p@q> R=...`` -> (``a@b``, [``p@q``], index of ``R=``, None).

    The address ends at the first space that is followed by a parent
    (``<``), a field (``KEY=``), ``defer (`` or ``routing``/``transporting``
    (deferrals without a router), or ``:`` (the failure message). Pipe and
    file addresses (``|/usr/bin/x arg <a@b>``) keep their spaces. An address
    followed directly by ``: text`` (``** a@b: retry timeout exceeded``)
    returns that text as the fourth item."""
    n = len(body)
    close = -1  # the nearest ")" found so far: each is searched for once, so hostile lines stay linear
    j = body.find(" ")
    while j >= 0:
        if body[j - 1] == ":" and j > 1:
            return body[: j - 1], [], n, body[j + 1:]
        nxt = body[j + 1: j + 2]
        if nxt == "(" and note_allowed:  # "addr (the address it came from)": file, pipe, reply, rewritten
            if close < j:
                close = body.find(")", j)
            end = close
            if end < 0:
                note_allowed = False  # no ")" anywhere after
            elif end + 1 == n or body[end + 1] == " ":
                note = body[j + 2:end]
                addr, parents, i, tail = split_address(body[:j] + body[end + 1:], False)
                if not parents and "@" in note and " " not in note:
                    parents = [note.split(", ")[-1]]
                return addr, parents, i + (end + 1 - j) if tail is None else n, tail
        if (nxt in ("<", ":") or _KEY.match(body, j + 1) is not None
                or body.startswith(("defer (", "routing ", "transporting "), j + 1)):
            break
        j = body.find(" ", j + 1)
    if j < 0:
        if body.endswith(":"):
            return body[:-1], [], n, ""
        return body, [], n, None
    addr = body[:j]
    parents = []
    i = j + 1
    while i < n and body[i] == "<":
        end = body.find(">", i)
        if end < 0:
            break
        parents.append(body[i + 1:end])
        i = end + 1
        if body.startswith(": ", i) or body.startswith(":", i) and i + 1 == n:
            return addr, parents, n, body[i + 2:]
        if i < n and body[i] == " ":
            i += 1
    return addr, parents, i, None


class _Fields:
    """What :func:`_scan` found: ``KEY=value`` fields, the host, the error
    text (after ``defer (errno):`` or before ``: message``), the message."""

    __slots__ = ("fields", "relay", "error", "tail", "recipients")

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.relay: Relay | None = None
        self.error = ""
        self.tail = ""
        self.recipients: list[str] = []


def _scan(s: str, i: int, arrival: bool = False) -> _Fields:
    out = _Fields()
    fields = out.fields
    n = len(s)
    start = i if s[i:i + 1] == " " else i - 1 if i > 0 and s[i - 1] == " " else -1
    if start >= 0:
        i = n
        for host, key, quoted, angle, plain, rest in _FIELD_RUN.findall(s, start):
            if key:
                fields[key] = quoted or angle or plain
            elif host:
                if arrival:
                    continue
                hm = _PLAIN_HOST.fullmatch(host)
                if hm is None:
                    _host(host, 0, out, arrival)
                else:
                    port = hm[3]
                    out.relay = Relay(hm[1].rstrip("*"), hm[2], int(port) if port else None)
            elif rest:
                i = n - len(rest)
    key_match = _KEY.match
    find = s.find
    while i < n:
        c = s[i]
        if c == " ":
            i += 1
            continue
        m = key_match(s, i)
        if m is not None:
            key = m[1]
            i = m.end()
            v = s[i] if i < n else ""
            if key == "H":
                i = _host(s, i, out, arrival)
                if i < 0:
                    return out
            elif v == '"':
                end = _quoted_end(s, i)
                fields[key] = _unquote(s[i + 1:end])
                i = end + 1
            elif v == "<":
                end = find(">", i)
                end = n - 1 if end < 0 else end
                fields[key] = s[i + 1:end]
                i = end + 1
            else:
                j = find(" ", i)
                j = n if j < 0 else j
                if s[j - 1] == ":" and j > i:  # "T=remote_smtp: SMTP error ..." (Exim before 4.9x)
                    fields[key] = s[i:j - 1]
                    out.tail = s[j + 1:]
                    return out
                fields[key] = s[i:j]
                i = j
            continue
        if c == ":":  # ": message" (or " : message" since Exim 4.9x)
            out.tail = s[i + 2:] if s.startswith(": ", i) else s[i + 1:]
            return out
        if c == "d" and s.startswith("defer (", i):
            i = _defer(s, i, out)
            continue
        if c == "f" and arrival and s.startswith("for ", i):
            out.recipients = [strip_angle(r) for r in s[i + 4:].split()]
            return out
        # a bare flag (K, L, PRDR, TFO*, DS, routing) or an unknown word
        j = find(" ", i)
        j = n if j < 0 else j
        if s[j - 1] == ":" and j < n:
            out.tail = s[j + 1:]
            return out
        i = j
    return out


def _defer(s: str, i: int, out: _Fields) -> int:
    """``defer (errno)[: strerror][ H=host [ip]][: message]`` -> index after
    the part consumed. A positive errno has its strerror text first."""
    close = s.find(")", i)
    if close < 0:
        return len(s)
    errno = s[i + 7:close]
    i = close + 1
    if not s.startswith(": ", i):
        return i
    positive = not errno.startswith("-") and errno != "0"
    if not positive:
        out.tail = s[i + 2:]
        return len(s)
    h = s.find(" H=", i)
    c = s.find(": ", i + 2)
    ends = [p for p in (h, c) if p >= 0]
    end = min(ends) if ends else len(s)
    out.error = s[i + 2:end]
    return end


def _host(s: str, i: int, out: _Fields, arrival: bool) -> int:
    """``H=name [ip]:port*``, ``H=name (helo) [ip]:port``, ``H=(helo) [ip]``,
    ``H=[ip]``; -1 when a ``: message`` follows (it is then in ``out.tail``)."""
    n = len(s)
    name = ip = None
    port = None
    first = True
    while i < n and (first or s[i] in "(["):
        first = False
        if s[i] == "(":  # the HELO name, which may hold spaces
            end = s.find(")", i)
            j = n if end < 0 else end + 1
        else:
            j = s.find(" ", i)
            j = n if j < 0 else j
        tok = s[i:j]
        ends_fields = tok.endswith(":")
        if ends_fields:
            tok = tok[:-1]
        if tok.startswith("["):
            rb = tok.find("]")
            ip = tok[1:rb] if rb > 0 else tok[1:]
            rest = tok[rb + 1:] if rb > 0 else ""
            if rest.startswith(":"):
                digits = rest[1:].rstrip("*")
                port = int(digits) if digits.isdigit() else None
        elif not tok.startswith("("):
            name = tok.rstrip("*")
        if ends_fields:
            out.tail = s[j + 1:]
            i = -1
            break
        i = j + 1 if j < n else n
    if not arrival:
        out.relay = Relay(name, ip, port)
    return i


def _quoted_end(s: str, i: int) -> int:
    """Index of the quote closing the one at ``i`` (backslash escapes skipped)."""
    j = s.find('"', i + 1)
    while j > 0:
        k = j  # a quote preceded by an odd number of backslashes is escaped
        while s[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:
            return j
        j = s.find('"', j + 1)
    return len(s)


def _unquote(v: str) -> str:
    if "\\" not in v:
        return v
    return v.replace('\\"', '"').replace("\\\\", "\\")


# -- values --------------------------------------------------------------------
_DURATIONS: dict[str, float | None] = {}  # QT= values repeat a lot ("1s", "2m3s")


def duration(value: str | None) -> float | None:
    """Exim's readable times (``QT=1d2h3m4s``, ``DT=0.123s``) -> seconds."""
    if not value or len(value) > 40:
        return None
    seconds = _DURATIONS.get(value, False)
    if seconds is not False:
        return seconds
    if len(_DURATIONS) > 4096:
        _DURATIONS.clear()
    seconds = _DURATIONS[value] = _duration(value)
    return seconds


def _duration(value: str) -> float | None:
    m = _DURATION.fullmatch(value)
    if m is None or not any(m.groups()):
        return None
    w, d, h, mi, sec = m.groups()
    return (int(w or 0) * 604800 + int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60
            + float(sec or 0))
