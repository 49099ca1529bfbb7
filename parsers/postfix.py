"""Postfix: Envelope -> Delivery | MessageInfo | MessageOutcome | None.

Covers the delivery-status lines of every delivery agent (smtp, lmtp, local,
virtual, pipe, error, retry, discard), qmgr's ``from=`` and ``status=expired``
lines, cleanup's ``message-id=``, qmgr's ``removed`` (message done),
postsuper's ``removed`` (deleted by the operator) and bounce's ``sender
non-delivery notification: ID`` (the notification's ``bounce_of``).
Multi-instance names (``postfix-out/smtp``, ``postfix/submission/smtpd``) are matched on their
last component, the daemon.

With ``soft_bounce = yes`` (a common safety net while a server is set up)
Postfix logs a would-be bounce as ``status=SOFTBOUNCE``, its dsn class
rewritten to 4, and keeps the message queued: the event's status is
``deferred``, which it is (DESIGN.md's lower-case statuses; a SIEM that
counts deferrals counts it), with the receiver's reply (5.x.x) kept.
Address verification (verify(8)) with its negative cache off logs
``undeliverable-but-not-cached``: that is ``undeliverable``.

The ``key=value, key=value`` head is scanned by hand rather than with one big
regex: addresses may hold commas and ``>`` inside quotes, and a scan is
linear whatever the line holds.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Callable

from .address import normalize_address, strip_angle
from .memo import Memo
from .records import Delivery, Envelope, MessageInfo, MessageOutcome, Record, Relay, number, relay_ip
from .smtp import parse_reply

MTA = "postfix"
DELIVERY_AGENTS = frozenset({"smtp", "lmtp", "local", "virtual", "pipe", "error", "retry",
                             "discard", "relay", "smtp-amavis", "lmtp-amavis"})


def daemon_of(program: str) -> str | None:
    """``postfix-out/smtp`` -> ``smtp``; None when not a Postfix program."""
    i = program.rfind("/")
    if i < 0:
        return None
    return program[i + 1:]


def is_postfix(program: str) -> bool:
    return "/" in program and not program.startswith("/")


def parse(env: Envelope) -> Record | None:
    return parse_at(env.program, env.message, 0)


def parse_at(program: str, text: str, start: int) -> Record | None:
    """:func:`parse` of the message that starts at ``start`` in ``text`` (a
    whole log line): most Postfix lines yield nothing (smtpd sessions, TLS,
    postscreen), and this turns them down without copying their message."""
    at = parser_for(program)
    return at(text, start) if at is not None else None


def parser_for(program: str) -> Callable[[str, int], Record | None] | None:
    """:func:`parse_at` of one program name, its daemon looked at once (a
    caller that parses many lines keeps it per program); None for a program
    that is no Postfix one."""
    slash = program.rfind("/")
    if slash < 0:
        return None
    daemon = program[slash + 1:]
    if daemon in SESSION_DAEMONS:
        return None
    return _BY_DAEMON.get(daemon, _delivery_at)


# Postfix daemons that log sessions and helpers' chatter, never a queue
# file's recipient or sender: no line of theirs is a record. smtpd alone
# writes a third of a busy log ("connect from", "NOQUEUE: reject: ... to=<x>").
SESSION_DAEMONS = frozenset({"smtpd", "postscreen", "dnsblog", "anvil", "tlsproxy", "tlsmgr", "scache", "master"})


# A record's line starts "QUEUEID: " (5 to 20 letters and digits).
_QID = re.compile(r"([0-9A-Za-z]{5,20}): ")
# ... and a delivery agent's "QUEUEID: to=" (to=<a@b>, and to=a@b in some logs),
# which puts ": to=" within 5 to 25 characters of the start: a line without
# it there (a smtpd session, postscreen, TLS: the bulk of a log) is turned
# down by one str.find, before any regex.
_QID_TO = re.compile(r"([0-9A-Za-z]{5,20}): to=")


def _delivery_at(text: str, start: int) -> Delivery | None:
    if text.find(": to=", start + 5, start + 25) < 0:
        return None
    m = _DELIVERY_LINE.match(text, start)
    if m is not None:  # the common head, read in place: _delivery's first branch without the copy of the body
        qid, rcpt_b, rcpt, orig_b, orig, relay, delay, dsn, status = m.groups()
        end = m.end()
        return _delivery_of(qid, rcpt_b if rcpt is None else rcpt, orig_b if orig is None else orig, relay, delay,
                            dsn, status.rstrip(","), text[end + 1:] if end < len(text) else "")
    m = _QID_TO.match(text, start)
    if m is None:
        return None
    return _delivery(m[1], text[m.end() - 3:])


def _qmgr_at(text: str, start: int) -> Record | None:
    m = _QID.match(text, start)
    if m is None:
        return None
    at = m.end()
    # qmgr's two common lines read in place: what _qmgr makes of them, without a copy of the body
    if text.startswith("removed", at) and len(text) == at + 7:
        return MessageOutcome(MTA, m[1], None)
    if text.startswith("from=", at):
        head = _QMGR_HEAD.match(text, at)
        if head is not None:
            return _queued(m[1], head)
    if text.startswith("to=", at):  # qmgr deferring a recipient itself (dead destination, agent crash): Postfix < 2.3
        return _delivery_at(text, start)
    return _qmgr(m[1], text[at:])


def _cleanup_at(text: str, start: int) -> MessageInfo | None:
    m = _QID.match(text, start)
    if m is None:
        return None
    at = m.end()
    if text.startswith("message-id=", at):
        end = text.find(" ", at + 11)  # the value ends at the first space, if any
        return MessageInfo(MTA, m[1], message_id=strip_angle(text[at + 11:end] if end >= 0 else text[at + 11:]) or None)
    return None


def _postsuper_at(text: str, start: int) -> MessageOutcome | None:
    m = _QID.match(text, start)
    if m is None:
        return None
    if text.startswith("removed", m.end()):
        return MessageOutcome(MTA, m[1], "removed", reason="removed by the operator (postsuper)")
    return None


# bounce(8) (also as the defer and trace services) after queueing a notification:
# "4jYmkD64HVzJXyH: sender non-delivery notification: 4jYmkD6s6HzJXkj" (real
# Postfix 3.7), the first id the message reported on, the last the notification's.
_NOTIFICATION = re.compile(r"([0-9A-Za-z]{5,20}): (?:sender|postmaster) (?:non-delivery|delay|delivery status) "
                           r"notification: ([0-9A-Za-z]{5,20})\Z")


def _bounce_at(text: str, start: int) -> Record | None:
    """The notification's bounce_of, as Exim's ``R=`` and Sendmail's
    ``DSN:`` lines give theirs; its null sender comes from qmgr's line."""
    m = _NOTIFICATION.match(text, start)
    if m is None:
        return _delivery_at(text, start)
    return MessageInfo(MTA, m[2], bounce_of=m[1])


_BY_DAEMON: dict[str, Callable[[str, int], Record | None]] = {
    "qmgr": _qmgr_at, "cleanup": _cleanup_at, "postsuper": _postsuper_at, "bounce": _bounce_at}


# qmgr's line for a message it takes in: "from=<s@x>, size=1234, nrcpt=2 (queue active)".
_QMGR_HEAD = re.compile(r"from=(?:<([^>]*)>|([^<,][^,]*)), size=([^<,][^,]*|), nrcpt=([^<,][^,]*|)\Z")


def _qmgr(qid: str, body: str) -> Record | None:
    if body == "removed":
        return MessageOutcome(MTA, qid, None)
    if not body.startswith("from="):
        return None
    m = _QMGR_HEAD.match(body)
    if m is not None:
        return _queued(qid, m)
    fields, rest = scan_fields(body)
    sender = fields.get("from", "")
    status = fields.get("status")
    if status in ("expired", "force-expired"):
        return MessageOutcome(MTA, qid, "expired", reason=(status + ", " + rest).strip(", "),
                              sender=sender)
    size = fields.get("size")
    nrcpt = fields.get("nrcpt", "").split(" ", 1)[0]  # "2 (queue active)"
    return MessageInfo(MTA, qid, sender=sender,
                       size=number(size), nrcpt=number(nrcpt))


def _queued(qid: str, m: re.Match[str]) -> MessageInfo:
    """The MessageInfo of a _QMGR_HEAD match: what scan_fields makes of it, see _DELIVERY_HEAD."""
    sender, size, nrcpt = m[1] if m[2] is None else m[2], m[3], m[4].split(" ", 1)[0]
    return MessageInfo(MTA, qid, sender, number(size), None, number(nrcpt))


# The head of nearly every delivery line, in the order Postfix writes it. Where
# it matches, it splits exactly as scan_fields does (a value in brackets ends
# at its first ">", which must be followed by ", "; any other value, which
# must not start with "<", at its first ","), so a line it does not match goes
# to scan_fields instead.
_DELIVERY_HEAD = re.compile(
    r"to=(?:<([^>]*)>|([^<,][^,]*)), (?:orig_to=(?:<([^>]*)>|([^<,][^,]*)), )?relay=([^<,][^,]*|), "
    r"(?:conn_use=(?:[^<,][^,]*|), )?delay=([^<,][^,]*|), delays=(?:[^<,][^,]*|), dsn=([^<,][^,]*|), "
    r"status=([^ ]*)")
# ... and with the queue id before it, for a whole line read in place (_delivery_at)
_DELIVERY_LINE = re.compile(r"([0-9A-Za-z]{5,20}): " + _DELIVERY_HEAD.pattern)


def _delivery(qid: str, body: str) -> Delivery | None:
    m = _DELIVERY_HEAD.match(body)
    if m is not None:
        rcpt_b, rcpt, orig_b, orig, relay, delay, dsn, status = m.groups()
        if rcpt is None:
            rcpt = rcpt_b
        if orig is None:
            orig = orig_b
        status = status.rstrip(",")
        end = m.end()
        reason = body[end + 1:] if end < len(body) else ""
    else:
        fields, reason = scan_fields(body)
        status = fields.get("status")
        rcpt = fields.get("to")
        orig, relay, delay, dsn = fields.get("orig_to"), fields.get("relay"), fields.get("delay"), fields.get("dsn")
    return _delivery_of(qid, rcpt, orig, relay, delay, dsn, status, reason)


# Statuses Postfix logs that DESIGN.md names otherwise (see the module doc).
_STATUS_AS = {"SOFTBOUNCE": "deferred", "undeliverable-but-not-cached": "undeliverable",
              "deliverable-but-not-cached": "deliverable"}


def _delivery_of(qid: str, rcpt: str | None, orig: str | None, relay: str | None, delay: str | None,
                 dsn: str | None, status: str | None, reason: str) -> Delivery | None:
    """The Delivery of a delivery line's fields (as logged) and its reason."""
    if not status or rcpt is None:
        return None
    status = _STATUS_AS.get(status, status)
    if reason.startswith("("):
        reason = reason[1:-1] if reason.endswith(")") else reason[1:]
    try:
        delay_f = float(delay) if delay else None
    except ValueError:
        delay_f = None
    if delay_f is not None and not math.isfinite(delay_f):  # "delay=nan" is no delay, and no JSON number
        delay_f = None
    reply = parse_reply(reason) if reason and status != "sent" else None
    if reply is not None and reply.command == "CONNECT" and _helo_rejected(reply.code, dsn, reason):
        reply = replace(reply, command="HELO")
    return Delivery(MTA, qid, normalize_address(rcpt), status, reason,
                    normalize_address(orig) if orig else None, parse_relay(relay), delay_f, dsn, reply)


def _helo_rejected(code: int | None, dsn: str | None, reason: str) -> bool:
    """Postfix's smtp client writes "refused to talk to me" for a failed
    greeting *and* for a failed EHLO/HELO/LHLO. With the default
    ``smtp_skip_5xx_greeting = yes`` a 5xx greeting is deferred and its dsn
    class rewritten to 4 (``554`` logged with ``dsn=4.7.1``), so a 5xx reply
    logged with a 5.x.x dsn was the answer to HELO (seen with Postfix 3.7).
    A 4xx reply is ambiguous and stays CONNECT, the common case (421 at
    the greeting)."""
    return (code is not None and code >= 500 and dsn is not None and dsn.startswith("5.")
            and "refused to talk to me" in reason)


def scan_fields(body: str) -> tuple[dict[str, str], str]:
    """``to=<a>, relay=x, status=sent (250 ok)`` -> ({to, relay, status}, ``(250 ok)``).

    Values in angle brackets end at ``>`` followed by ``,`` or the end; others
    at ``, ``. ``status=`` ends the head: its value is one word, the rest of
    the line is the reason."""
    fields: dict[str, str] = {}
    i, n = 0, len(body)
    while i < n:
        eq = body.find("=", i)
        if eq < 0:
            break
        key = body[i:eq]
        if not key or " " in key or len(key) > 24:
            break
        j = eq + 1
        if key == "status":
            sp = body.find(" ", j)
            if sp < 0:
                fields[key] = body[j:].rstrip(",")
                return fields, ""
            fields[key] = body[j:sp].rstrip(",")
            return fields, body[sp + 1:]
        if j < n and body[j] == "<":
            end = body.find(">, ", j)
            if end < 0:
                end = body.rfind(">", j)  # after the "<": one before it would send us back, for ever
                if end < 0:
                    fields[key] = body[j + 1:]
                    return fields, ""
            fields[key] = body[j + 1:end]
            i = end + 3
        else:
            end = body.find(", ", j)
            if end < 0:
                fields[key] = body[j:]
                return fields, ""
            fields[key] = body[j:end]
            i = end + 2
    return fields, body[i:]


# Relays repeat (a provider's few MX hosts); Relay is frozen, so one is shared.
# A provider's MX hosts answer from many addresses, and each host[address]
# is a relay of its own: a busy log names some 15,000 (the 400k-line bench
# log), about four times the Memo's default, which then empties itself every
# few thousand lines and parses half the relays afresh.
_RELAYS: Memo = Memo(limit=16_384, max_len=300)


def parse_relay(value: str | None) -> Relay | None:
    if not value or value == "none":
        return None
    relay = _RELAYS.get(value)
    return relay if relay is not None else _RELAYS.keep(value, _parse_relay(value))


def _parse_relay(value: str) -> Relay:
    rb = value.rfind("]")
    lb = value.rfind("[", 0, rb) if rb > 0 else -1
    if lb < 0:
        return Relay(value)  # relay=local, relay=dovecot, relay=private/dovecot-lmtp
    tail = value[rb + 1:]
    port = number(tail[1:]) if tail[:1] == ":" else None
    return Relay(value[:lb] or None, relay_ip(value[lb + 1:rb]), port)


POSTFIX_DAEMONS = frozenset({
    "smtp", "lmtp", "local", "virtual", "pipe", "error", "retry", "discard", "qmgr", "oqmgr",
    "cleanup", "postsuper", "bounce", "defer", "trace", "smtpd", "pickup", "master", "anvil",
    "scache", "postscreen", "tlsmgr", "trivial-rewrite", "verify", "proxymap", "showq",
    "sendmail", "postdrop", "postqueue", "postlogd", "dnsblog", "tlsproxy", "spawn", "flush",
    "postfix-script", "postmap", "postalias", "postconf", "postlog", "qmqpd", "lmtp-amavis",
})


def claims(program: str) -> bool:
    """``postfix/smtp``, ``postfix-out/smtp``, ``postfix/submission/smtpd``,
    and any ``syslog_name`` whose last component is a Postfix daemon."""
    daemon = daemon_of(program)
    return daemon is not None and (daemon in POSTFIX_DAEMONS or program.startswith("postfix"))
