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
scan stays linear whatever the line holds. Lines in the shapes Exim writes are
first tried against whole-line regexes that read the same fields in one match
(see _DELIVERY_SHAPE); the hand scan is the reference they are tested against.

Exim writes non-ASCII bytes as octal escapes (``\\320\\237``); reasons get them
back as UTF-8 (parsers/escapes.py) so rules can match non-English replies.
Multi-line replies keep a literal ``\\n``; parsers/smtp.py folds it.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Callable

from .escapes import unescape
from .address import normalize_address, strip_angle
from .memo import Memo
from .records import Delivery, Envelope, MessageInfo, MessageOutcome, Record, Relay, number, relay_ip
from .smtp import parse_reply

MTA = "exim"
PROGRAMS = frozenset({"exim", "exim4"})

_ID = re.compile(r"([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) ")
# The id and, when one follows, the flag: one match tells the kind of line.
# HEAD is its pattern, groups (id, flag), for a caller that matches the log
# line's own head and this in one go (LineParser), then calls AFTER_ID[flag].
HEAD = r"([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (?:(<=|=>|->|>>|\*>|\*\*|==) |)"
_HEAD = re.compile(HEAD)
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
# Whole-line fast paths. A delivery or arrival line is read by one match
# instead of split_address + _scan (findall, then its loop) when it has a shape
# Exim writes; anything else (parents, notes, escapes in quotes, unknown
# tails ...) does not match and takes that general path, which stays the
# reference (tests/test_exim_fastpath.py checks that all three agree).
#
# Two tiers. _DELIVERY_SHAPE and _ARRIVAL_SHAPE list the fields in the order
# Exim's deliver.c and receive.c write them, each optional and each in the one
# form Exim gives it, with the values the records use captured: most lines are
# read by these at a fraction of a token loop's cost. _DELIVERY_ANY and
# _ARRIVAL_ANY take the fields in any order as _FIELD's tokens, the keys the
# records use captured (a repeated group keeps its last value as the field
# dict keeps the last field). Every token of both is one _FIELD reads with the
# same extent, and every tail (_TAIL) starts where no token can, so a match
# reads exactly the run _FIELD_RUN reads, then what _scan's loop reads after it.
#
# Linear: the alternatives of a repeat exclude one another (the uncaptured keys
# by look-ahead) and the optional fields have distinct keys, so each has one
# way to match; when a tail fails, the greedy repeat gives tokens back one at
# a time to tails that fail at their first character. No possessive repeat
# around groups: CPython 3.11's re miscounts captures inside one ("The span
# of capturing group is wrong").
_VALUE = r'(?:"[^"\\]*+"|<[^>]*+>|(?:[^ "<][^ ]*+)?+(?<!:)(?= |\Z))'
_PLAIN = r'[^ "<][^ ]*+(?<!:)'  # a non-empty plain value: possessive, so the next character is " " or the end
_FLAG = r"[A-Z][A-Z0-9_]*+(?= |\Z)"
_ADDRESS = r"([^ ]{2,})(?<!:)(?= [A-Za-z][A-Za-z0-9_]{0,15}=| defer \(|\Z)"  # where split_address ends it
# The same in two groups: an address already in normal_address's normal form
# (printable ASCII, no upper case, no "<" first or ">" last: nothing to strip
# or lower), as nearly every recipient is, or any other, to be normalised.
_ADDRESS_NORMAL = (r"(?:([!-;=-@\[-~][!-@\[-~]++)(?<![:>])|([^ ]{2,})(?<!:))"
                   r"(?= [A-Za-z][A-Za-z0-9_]{0,15}=| defer \(|\Z)")
# S=, a size number() reads: ASCII digits, at most 18 (any other S= value
# makes the line take the next path, where number() turns it down)
_SIZE = r"([0-9]{1,18}+)(?= |\Z)"
# id=, a Message-ID strip_angle leaves as it is (printable ASCII, no "<"
# first or ">" last; '"' first is _PLAIN's), in its own group: no check follows
_ID_NORMAL = r"([!#-;=-~][!-~]*+)(?<![:>])(?= |\Z)"
# name [ip]:port, as _host reads it: the H= field's text, whose Relay (_relay) is cached by that text
_HOST_TEXT = r"[^ (\[][^ ]*+(?<![:*]) \[[^\] ]*+\](?::[0-9]{1,5})?"
_COLON_FIELD = r"(?!(?:[FSCH]|QT|DT)=)[A-Za-z][A-Za-z0-9_]{0,15}=[^ \"<][^ ]*+(?<=:) "  # "T=t: message" (old Exim)
# After the fields: ": message"; "defer (errno): text"; "defer (errno) H=name [ip]:port" then ": message" or a
# field ending in ":"; "H=name [ip]: message"; a field ending in ":" then the message; or the end.
# a duration before a ":" (which _PLAIN turns down)
_DT = r"([0-9][0-9.wdhms]{0,30}+)(?=[: ])"
# +deliver_time's DT= of a deferral stands before its ": message", after the host when
# there is one ("defer (-44) H=mx [ip]:25 DT=0.000s: SMTP error ...", "defer (-22)
# DT=0.004s: mailbox is full", real Exim 4.96): read here, or every such line took
# the slowest path (twice the cost).
_TAIL = (r"(?:: ?((?s:.*))"
         r"| defer \(([^)]*+)\)(?: DT=" + _DT + r")?(?:: ((?s:.*))| H=(" + _HOST_TEXT + r")(?: DT=" + _DT
         + r")?(?:: |" + " " + _COLON_FIELD + r")((?s:.*)))"
         r"| H=(" + _HOST_TEXT + r"): ((?s:.*))"
         r"| " + _COLON_FIELD + r"((?s:.*))"
         r"|)\Z")


def _delivery_shape(quoted: str) -> re.Pattern[str]:
    """_DELIVERY_SHAPE with ``quoted`` for what a quoted value holds."""
    return re.compile(
        _ADDRESS_NORMAL + r"(?: F=<([^>]*+)>|)(?: Q=" + _PLAIN + r"|)(?: P=<[^>]*+>|)(?: R=" + _PLAIN + r"|)(?: T="
        + _PLAIN + r"|)(?: S=" + _SIZE + r"|)(?: H=(" + _HOST_TEXT + r")(?= |\Z)|)(?: I=" + _PLAIN + r"|)(?: X=" + _PLAIN
        + r"|)(?: CV=" + _PLAIN + r"|)(?: DN=\"" + quoted + r"\"|)(?: (?:K|L|PRDR)(?= |\Z)|)(?: A=" + _PLAIN
        + r"|)(?: C=\"(" + quoted + r")\"|)(?: QT=(" + _PLAIN + r")|)(?: DT=(" + _PLAIN + r")|)" + _TAIL)


_DELIVERY_SHAPE = _delivery_shape(r'[^\"\\]*+')
# The same for a line with no backslash, where a quoted value cannot hold one
# either: [^"] is one character compared where [^"\\] is a set looked up, a
# fifth of the cost on the DN="..." and C="..." of a sent delivery.
_DELIVERY_SHAPE_NO_ESCAPE = _delivery_shape(r'[^"]*+')
_DELIVERY_ANY = re.compile(
    _ADDRESS + r"(?: (?:F=(" + _VALUE + r")|S=(" + _VALUE + r")|C=(" + _VALUE + r")|QT=(" + _VALUE + r")|DT=("
    + _VALUE + r")|H=(" + _H_VALUE + r")|(?!(?:[FSCH]|QT|DT)=)[A-Za-z][A-Za-z0-9_]{0,15}=" + _VALUE + "|"
    + _FLAG + r"))*" + _TAIL)
_ARRIVAL_SHAPE = re.compile(
    r"([^ ]*)(?: R=(" + _PLAIN + r")|)(?: U=" + _PLAIN + r"|)(?: H=" + _H_VALUE + r"|)(?: U=" + _PLAIN
    + r"|)(?: I=" + _PLAIN + r"|)(?: P=" + _PLAIN + r"|)(?: X=" + _PLAIN + r"|)(?: CV=" + _PLAIN
    + r"|)(?: A=" + _PLAIN + r"|)(?: S=" + _SIZE + r"|)(?: id=(?:" + _ID_NORMAL + r"|(" + _PLAIN
    + r"))|)(?: for ((?s:.*))|)\Z")
_ARRIVAL_ANY = re.compile(
    r"([^ ]*)(?: (?:S=(" + _VALUE + r")|R=(" + _VALUE + r")|id=(" + _VALUE + r")|H=" + _H_VALUE
    + r"|(?!(?:[SRH]|id)=)[A-Za-z][A-Za-z0-9_]{0,15}=" + _VALUE + "|" + _FLAG + r"))*(?: for ((?s:.*)))?\Z")
_DURATION = re.compile(r"(?:(\d{1,6})w)?(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,9}(?:\.\d{1,6})?)s)?")

SENT_FLAGS = {"=>": "sent", "->": "sent", ">>": "sent", "*>": "suppressed"}
_STATUSES = {**SENT_FLAGS, "**": "bounced", "==": "deferred"}
# "** addr: retry timeout exceeded" and the all-hosts variant: the address
# failed because its retry time ran out, not because a host said no.
_EXPIRY_MARKERS = ("retry timeout exceeded", "have been failing for a long time",
                   "has been failing for a long time")


def claims(program: str) -> bool:
    """``exim`` (the main log, and syslog's default ``syslog_processname``), ``exim4``."""
    return program in PROGRAMS


def parse(env: Envelope) -> Record | None:
    return parse_at(env.program, env.message, 0)


def parse_at(program: str, text: str, start: int) -> Record | None:
    """:func:`parse` of the message that starts at ``start`` in ``text`` (a
    whole main log line, as LineParser.parse_block hands it over): the
    regexes read the line in place, and a line with no record is turned down
    before an Envelope is built. ``program`` is Postfix's and Sendmail's
    signature; Exim's lines do not depend on it."""
    m = _HEAD.match(text, start)
    if m is None:
        return None
    qid, flag = m.groups()
    return AFTER_ID[flag](qid, text, m.end())


# -- per-message lines ---------------------------------------------------------
def _message_line(qid: str, text: str, pos: int) -> Record | None:
    """``text[pos:]``: what follows the id (not sliced unless it is a record)."""
    c = text[pos:pos + 1]
    if c == "C":
        return MessageOutcome(MTA, qid, None) if text.startswith("Completed", pos) else None
    if c != "F" and c != "f" and c != "r" and c != "c":  # none of the texts below
        return None
    body = text[pos:]
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


def _arrival(qid: str, msg: str, pos: int) -> MessageInfo:
    """``msg[pos:]``: what follows ``<= `` (not sliced: the regexes start at ``pos``)."""
    m = _ARRIVAL_SHAPE.match(msg, pos)
    if m is not None:
        sender, parent, size, message_id, odd_id, recipients = m.groups()
        if size is not None:  # digits: what number() reads
            size = int(size)
        if odd_id is not None:
            message_id = _message_id(odd_id)
    else:
        m = _ARRIVAL_ANY.match(msg, pos)
        if m is None:
            return _arrival_fields(qid, msg[pos:])
        sender, size, parent, message_id, recipients = m.groups()
        size, parent, message_id = number(_value(size)), _value(parent), _message_id(_value(message_id))
    if sender != "<>":
        parent = None
    s = _SENDERS.get(sender)  # _sender's cache hit inlined
    rcpts = tuple(recipients.split()) if recipients else None
    return MessageInfo(
        MTA, qid, s if s is not None else _sender(sender), size,
        message_id, len(rcpts) or None if rcpts else None,
        parent if parent and _ID.match(parent + " ") else None, rcpts or None)


def _message_id(value: str | None) -> str | None:
    """An ``id=`` value -> the record's message_id, as strip_angle leaves it."""
    if not value:
        return None
    if value.isprintable() and " " < value[0] != "<" and " " < value[-1] != ">":
        return value  # as strip_angle would leave it (the usual id)
    return strip_angle(value)


def _arrival_fields(qid: str, body: str) -> MessageInfo:
    sp = body.find(" ")
    sender = body if sp < 0 else body[:sp]
    f = _scan(body, len(body) if sp < 0 else sp + 1, arrival=True)
    size = f.fields.get("S")
    parent = f.fields.get("R") if sender == "<>" else None
    return MessageInfo(
        MTA, qid, sender=strip_angle(sender),
        size=number(size),
        message_id=strip_angle(f.fields["id"]) if f.fields.get("id") else None,
        nrcpt=len(f.recipients) if f.recipients else None,
        bounce_of=parent if parent and _ID.match(parent + " ") else None,
        recipients=tuple(f.recipients) if f.recipients else None)


def _value(token: str | None) -> str | None:
    """A field value as _DELIVERY_ANY/_ARRIVAL_ANY capture it (quotes or
    angle brackets included) -> the value as _scan stores it."""
    if token is None:
        return None
    c = token[:1]
    return token[1:-1] if c == '"' or c == "<" else token


# -- delivery lines --------------------------------------------------------------
def _delivery(status: str, qid: str, msg: str, pos: int) -> Delivery:
    """``msg[pos:]``: what follows the flag (not sliced: the regexes start at ``pos``).
    ``status`` first: AFTER_ID holds it bound by partial (C, no Python frame)."""
    m = (_DELIVERY_SHAPE if "\\" in msg else _DELIVERY_SHAPE_NO_ESCAPE).match(msg, pos)
    if m is not None:
        (addr, odd, sender, size, host, confirmation, qt, dt,
         tail, errno, ddt, dtail, dhost, hdt, dtail2, thost, ttail, ftail) = m.groups()
        if addr is None:
            addr = normalize_address(odd)
        if size is not None:  # digits: what number() reads
            size = int(size)
        if host is None:
            relay = None
        else:  # _relay with its cache hit inlined
            relay = _RELAYS.get(host)
            if relay is None:
                relay = _relay(host)
        if confirmation is None:
            confirmation = ""
    else:
        m = _DELIVERY_ANY.match(msg, pos)
        if m is None:
            return _delivery_fields(qid, status, msg[pos:])
        (addr, sender, size, confirmation, qt, dt, host,
         tail, errno, ddt, dtail, dhost, hdt, dtail2, thost, ttail, ftail) = m.groups()
        relay = _relay(host) if host is not None else None
        addr = normalize_address(addr)
        sender, size, qt, dt = _value(sender), number(_value(size)), _value(qt), _value(dt)
        confirmation = _value(confirmation) or ""
    error = ""
    if tail is not None:
        pass
    elif ftail is not None:
        tail = ftail
    elif ttail is not None:  # "H=name [ip]: message"
        relay = _RELAYS.get(thost) or _relay(thost)
        tail = ttail
    elif errno is None:
        tail = ""
    elif dhost is not None:  # "defer (errno) H=name [ip]:port ...: message"
        relay = _RELAYS.get(dhost) or _relay(dhost)
        tail = dtail2
        dt = dt or hdt
    elif errno[:1] == "-" or errno == "0":
        tail = dtail
        dt = dt or ddt
    else:  # a positive errno: its strerror text, then maybe ": message" (as _defer reads it)
        u = " " + dtail
        h = u.find(" H=")
        c = u.find(": ", 1)
        if h >= 0 and (c < 0 or h < c):
            return _delivery_fields(qid, status, msg[pos:])
        error, tail = (u[1:c], u[c + 2:]) if c >= 0 else (u[1:], "")
        dt = dt or ddt
    return _record(qid, status, addr, None, relay, error, tail, confirmation, qt or dt, sender, size)


# The record of a line whose id (and flag, if any) HEAD matched, by its flag
# (None: no flag): ``AFTER_ID[flag](qid, text, pos)``, ``pos`` where the match
# ended. A table of functions, not one that tests the flag: a call less per line.
AFTER_ID: dict[str | None, Callable[[str, str, int], Record | None]] = {
    None: _message_line, "<=": _arrival, **{flag: partial(_delivery, status) for flag, status in _STATUSES.items()}}


def _delivery_fields(qid: str, status: str, body: str) -> Delivery:
    """Any delivery line: split_address, then _scan's field loop."""
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
    return _record(qid, status, normalize_address(addr), parents[-1] if parents else None, f.relay, f.error,
                   f.tail, fields.get("C", ""), fields.get("QT") or fields.get("DT"), fields.get("F"),
                   number(fields.get("S")))


def _record(qid: str, status: str, addr: str, parent: str | None, relay: Relay | None, error: str, tail: str,
            confirmation: str, delay: str | None, sender: str | None, size: int | None) -> Delivery:
    """``addr`` in normal form already (normalize_address), ``size`` a number."""
    # The hot path of every delivery line: the helpers' cache hits are inlined
    # (a call costs more than the lookup), each giving what the call gives.
    reply = None
    if status == "sent" or status == "suppressed":
        reason = unescape(confirmation) if "\\" in confirmation else confirmation
    else:
        if error and error.endswith("s"):  # "defer (13): Permission denied DT=0.001s: creating lock file ..."
            error, delay = _deliver_time(error, delay)
        reason = error + ": " + tail if error and tail else error or tail
        if reason.endswith("s"):  # +deliver_time writes a failure's DT= after its message
            reason, delay = _deliver_time(reason, delay)
        if "\\" in reason:
            reason = unescape(reason)
        if status == "bounced" and ("retry timeout exceeded" in reason or "failing for a long time" in reason
                                    and any(mk in reason for mk in _EXPIRY_MARKERS)):
            status = "expired"
        if relay is None:
            relay = _reason_host(reason)
        if reason:
            reply = parse_reply(reason)
    if delay:
        seconds = _DURATIONS.get(delay, False)
        if seconds is False:
            seconds = duration(delay)
    else:
        seconds = None
    if sender is not None:
        s = _SENDERS.get(sender)
        sender = s if s is not None else _sender(sender)
    # positional (a third of the keyword call's cost); tests/test_exim_fastpath.py pins the field order
    return Delivery(MTA, qid, addr, status, reason,
                    normalize_address(parent) if parent is not None else None, relay, seconds, None, reply,
                    sender, size)


def _deliver_time(text: str, delay: str | None) -> tuple[str, str | None]:
    """``text`` without the ``DT=`` that +deliver_time writes at its end, and
    the delay (``delay`` when the fields gave one): a failure's DT= follows its
    message, a deferral's follows a positive errno's text (then ": message")."""
    dt = text.rfind(" DT=", max(0, len(text) - 24))
    if dt >= 0 and dt + 4 < len(text) and _DURATION.fullmatch(text, dt + 4):
        return text[:dt], delay or text[dt + 4:]
    return text, delay


# Senders and hosts repeat line after line: each is read once (the functions
# are pure; the caches are bounded like _DURATIONS). Recipients repeat too
# little for a cache to pay.
_SENDERS: Memo = Memo()
_RELAYS: Memo = Memo()


def _sender(value: str) -> str:
    r = _SENDERS.get(value)
    return r if r is not None else _SENDERS.keep(value, strip_angle(value))


def _relay(host: str) -> Relay | None:
    """An ``H=`` value of a field run (as _FIELD_RUN reads it) -> its Relay, as _scan makes it."""
    r = _RELAYS.get(host)
    if r is None:
        hm = _PLAIN_HOST.fullmatch(host)
        if hm is None:
            f = _Fields()
            _host(host, 0, f, False)
            r = f.relay
        else:
            port = hm[3]
            r = Relay(hm[1].rstrip("*"), relay_ip(hm[2]), int(port) if port else None)
        _RELAYS.keep(host, r)
    return r


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
    return Relay(reason[i + 7:lb], relay_ip(reason[lb + 2:rb]))


def split_address(body: str, note_allowed: bool = True) -> tuple[str, list[str], int, str | None]:
    """``a@b <p@q> R=...`` -> (``a@b``, [``p@q``], index of ``R=``, None).

    The address ends at the first space that is followed by a parent
    (``<``), a field (``KEY=``), ``defer (`` or ``routing``/``transporting``
    (deferrals without a router), or ``:`` (the failure message). Pipe and
    file addresses (``|/usr/bin/x arg <a@b>``) keep their spaces. An address
    followed directly by ``: text`` (``** a@b: retry timeout exceeded``)
    returns that text as the fourth item; a redirect's ``:blackhole:``
    (``=> :blackhole: <a@b> R=...``) is an address, its colons its own."""
    n = len(body)
    close = -1  # the nearest ")" found so far: each is searched for once, so hostile lines stay linear
    j = body.find(" ")
    while j >= 0:
        if body[j - 1] == ":" and j > 1 and not (j == 11 and body.startswith(":blackhole:")):
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
                    out.relay = Relay(hm[1].rstrip("*"), relay_ip(hm[2]), int(port) if port else None)
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
            out.recipients = s[i + 4:].split()  # as logged: the correlator normalizes them
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
                port = number(digits)
        elif not tok.startswith("("):
            name = tok.rstrip("*")
        if ends_fields:
            out.tail = s[j + 1:]
            i = -1
            break
        i = j + 1 if j < n else n
    if not arrival:
        out.relay = Relay(name, relay_ip(ip), port)
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
_DURATIONS: Memo = Memo()  # QT= values repeat a lot ("1s", "2m3s")


def duration(value: str | None) -> float | None:
    """Exim's readable times (``QT=1d2h3m4s``, ``DT=0.123s``) -> seconds."""
    if not value or len(value) > 40:
        return None
    seconds = _DURATIONS.get(value, False)
    return seconds if seconds is not False else _DURATIONS.keep(value, _duration(value))


def _duration(value: str) -> float | None:
    m = _DURATION.fullmatch(value)
    if m is None or not any(m.groups()):
        return None
    w, d, h, mi, sec = m.groups()
    return (int(w or 0) * 604800 + int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60
            + float(sec or 0))
