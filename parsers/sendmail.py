"""Sendmail (through syslog): Envelope -> Delivery(s) | MessageInfo | MessageOutcome | None.

Programs: ``sm-mta`` (the daemon on Debian), ``sendmail`` (the submission
program everywhere, and the daemon on Red Hat and the BSDs), ``sm-msp-queue``
(the client queue runner). Lines are ``QUEUEID: key=value, key=value, ...``:

* ``to=`` one delivery attempt for one or more recipients (``to=<a>,<b>``),
  with ``ctladdr=`` ``delay=`` ``xdelay=`` ``mailer=`` ``pri=`` ``relay=host.
  [ip]`` ``dsn=`` ``stat=`` and, since 8.15, ``reply=``. ``stat=`` is derived
  from the reply's basic code (a blocklist 550 reads ``stat=User unknown``),
  so ``reply=`` is preferred for the reason when present;
* ``from=`` sender, ``size=``, ``nrcpts=``, ``msgid=`` -> :class:`MessageInfo`;
* ``QUEUEID: NEWID: DSN: text`` (also ``return to sender:``, ``sender
  notify:``, ``postmaster notify:``): NEWID is the bounce of QUEUEID. ``Cannot
  send message for 5 days`` there is the expiry of QUEUEID.

The submission program hands mail to the local MTA over SMTP (``mailer=relay,
relay=[127.0.0.1]``) and logs ``stat=Sent (... Message accepted for
delivery)`` (or Postfix's ``Ok: queued as ...`` when the local MTA is
Postfix): that is a hand-over, not a delivery, and gets status
``handed_over``. The local MTA logs the real outcome under its own queue id.
``lost input channel`` and ``timeout waiting for input`` are connection
noise and return None.
"""

from __future__ import annotations

import re

from .escapes import unescape
from .address import normalize_address, strip_angle
from .records import Delivery, Envelope, MessageInfo, MessageOutcome, Record, Relay, Reply
from .smtp import parse_reply

MTA = "sendmail"
PROGRAMS = frozenset({"sendmail", "sm-mta", "sm-msp-queue"})
SUBMISSION_PROGRAMS = frozenset({"sendmail", "sm-msp-queue"})

_QID = re.compile(r"([0-9A-Za-z]{8,20}): ")
_DELAY = re.compile(r"(?:(\d{1,5})\+)?(\d{1,3}):(\d\d):(\d\d)")
_NOTICES = ("DSN: ", "return to sender: ", "sender notify: ", "postmaster notify: ")
_EXPIRY = "Cannot send message for"
_LOOPBACK = ("127.", "::1", "IPv6:::1", "localhost")
# scan_fields: a field starts at the line's start or after ", " with its
# name; stat= and reply= are free text (see there).
_KEY = re.compile(r"([a-z][a-z_]{0,15})=")
_FIELD_START = re.compile(r", ([a-z][a-z_]{0,15})=")
_FREE_START = re.compile(r", (stat|reply)=")
_FREE_TEXT_NEXT = {"stat": "reply", "reply": "stat"}
# usersmtp.c reply(): when the peer closes the connection, Sendmail fakes this
# reply itself (and logs dsn=4.4.2): no server said it.
_FAKED_RESET = "421 4.4.1 Connection reset by "


def claims(program: str) -> bool:
    return program in PROGRAMS or program.startswith("sm-mta")


def parse(env: Envelope) -> Record | tuple[Record, ...] | None:
    msg = env.message
    m = _QID.match(msg)
    if m is None:
        return None
    qid = m[1]
    body = msg[m.end():]
    if body.startswith("to="):
        return _delivery(qid, body, env.program)
    if body.startswith("from="):
        return _arrival(qid, body)
    m2 = _QID.match(body)
    if m2 is not None:
        return _notice(qid, m2[1], body[m2.end():])
    return None


def _notice(qid: str, new_qid: str, text: str) -> Record | tuple[Record, ...] | None:
    """``ORIG: NEW: DSN: reason`` -> the bounce NEW is linked to ORIG; an
    expiry notice also expires ORIG's pending recipients. Sendmail writes no
    ``from=`` line for its own DSN messages; they go out from the null sender
    (RFC 5321 section 4.5.5), which this line is the only word on."""
    if not text.startswith(_NOTICES):
        return None
    link = MessageInfo(MTA, new_qid, sender="", bounce_of=qid)
    reason = text[text.index(": ") + 2:]
    if reason.startswith(_EXPIRY):
        return (MessageOutcome(MTA, qid, "expired", reason=reason), link)
    return link


def _arrival(qid: str, body: str) -> MessageInfo:
    f = scan_fields(body)
    size, nrcpts = f.get("size", ""), f.get("nrcpts", "")
    return MessageInfo(MTA, qid, sender=strip_angle(f.get("from", "")),
                       size=int(size) if size.isdigit() else None,
                       message_id=strip_angle(f["msgid"]) if f.get("msgid") else None,
                       nrcpt=int(nrcpts) if nrcpts.isdigit() else None)


def _delivery(qid: str, body: str, program: str) -> Delivery | tuple[Delivery, ...] | None:
    f = scan_fields(body)
    stat = f.get("stat")
    if stat is None:
        return None
    reply_text = f.get("reply")
    dsn = f.get("dsn")
    relay = parse_relay(f.get("relay"))
    status = status_of(stat, dsn)
    if status == "sent" and program in SUBMISSION_PROGRAMS and is_handover(f.get("mailer"), relay):
        status = "handed_over"
    reason = unescape(reply_text or stat)
    if status in ("sent", "handed_over") and stat.startswith("Sent (") and not reply_text:
        reason = stat[6:-1] if stat.endswith(")") else stat[6:]
    if status in ("sent", "handed_over", "queued"):
        reply = None
    elif reason.startswith(_FAKED_RESET):
        reply = Reply(text=reason)  # Sendmail's words, not a reply: the code is its dsn= (4.4.2)
    else:
        reply = parse_reply(reason)
    delay = parse_delay(f.get("delay"))
    to = f.get("to", "")
    if to.endswith("[more]"):  # a long recipient list, continued on the next to= line
        to = to[:-6].rstrip(", ")
    rcpts = split_recipients(to)
    if len(rcpts) == 1:
        return Delivery(mta=MTA, queue_id=qid, recipient=normalize_address(rcpts[0]), status=status,
                        reason=reason, relay=relay, delay=delay, dsn=dsn, reply=reply)
    out = tuple(
        Delivery(mta=MTA, queue_id=qid, recipient=normalize_address(r), status=status, reason=reason,
                 relay=relay, delay=delay, dsn=dsn, reply=reply)
        for r in rcpts)
    return out or None


def status_of(stat: str, dsn: str | None) -> str:
    """``Sent (...)`` sent, ``Deferred: ...`` deferred, ``queued`` queued
    (DeliveryMode queue, or the load was too high) unless its ``dsn=`` is a
    4.x.x (``dsn=4.4.3, stat=queued``: the recipient's domain did not
    resolve for now; the only line Sendmail writes until it delivers),
    ``Cannot send message for 5 days`` expired, any other text (``User
    unknown``, ``Service unavailable``, ``Host unknown``, ...) a permanent
    failure unless its ``dsn=`` is a 4.x.x."""
    if stat.startswith("Sent"):
        return "sent"
    if stat.startswith("Deferred"):
        return "deferred"
    if stat.startswith("queued"):
        return "deferred" if dsn and dsn.startswith("4.") else "queued"
    if stat.startswith(_EXPIRY):
        return "expired"
    if dsn and dsn.startswith("4."):
        return "deferred"
    return "bounced"


def is_handover(mailer: str | None, relay: Relay | None) -> bool:
    """The submission program's ``relay`` mailer to this host's own MTA."""
    if mailer != "relay" or relay is None:
        return False
    return any((v or "").startswith(_LOOPBACK) for v in (relay.ip, relay.host))


def scan_fields(body: str) -> dict[str, str]:
    """``to=<a>, delay=00:00:01, ..., stat=Deferred: 451 x, y, reply=...``
    -> fields. Fields are split at ``, key=``; a piece that does not start
    with a key continues the previous value (quoted commas in addresses,
    commas in ``stat=`` text). ``stat=`` and ``reply=`` are free text: each
    runs on until the other one (either order is accepted: the strings of
    the 8.17 binary suggest reply= first, older notes show it last)."""
    fields: dict[str, str] = {}
    if body.startswith(("stat=", "reply=")):
        free_at = 0
        pos = body.index("=") + 1
        key = body[:pos - 1]
    else:
        free = _FREE_START.search(body)
        free_at = len(body) if free is None else free.start()
        if free is not None:
            pos, key = free.end(), free[1]
    if free_at:
        parts = _FIELD_START.split(body[:free_at])  # [first piece, key, value, key, value, ...]
        m = _KEY.match(parts[0])
        if m is not None:  # text before the first key is no field
            fields[m[1]] = parts[0][m.end():]
        for k in range(1, len(parts), 2):
            fields[parts[k]] = parts[k + 1]
    if free_at == len(body):
        return fields
    while True:  # stat= and reply= take turns; each runs to ", " and the other's name
        nxt = _FREE_TEXT_NEXT[key]
        j = body.find(", " + nxt + "=", pos)
        if j < 0:
            fields[key] = body[pos:]
            return fields
        fields[key] = body[pos:j]
        pos = j + len(nxt) + 3
        key = nxt


def split_recipients(value: str) -> list[str]:
    """``<a@b>,<c@d>`` -> [``<a@b>``, ``<c@d>``]; commas inside quotes or
    angle brackets do not split."""
    if '"' not in value and "," not in value:  # one recipient, the usual line
        value = value.strip()
        return [value] if value else []
    out, start, depth, quoted = [], 0, 0, False
    for i, c in enumerate(value):
        if c == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif c == "<":
            depth += 1
        elif c == ">":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            out.append(value[start:i])
            start = i + 1
    out.append(value[start:])
    return [r.strip() for r in out if r.strip()]


_RELAYS: dict[str, Relay] = {}  # a relay's value repeats for every line it handles (Relay is frozen)
_DELAYS: dict[str, float | None] = {}


def parse_relay(value: str | None) -> Relay | None:
    """``mx.example.com. [192.0.2.1]``, ``[127.0.0.1] [127.0.0.1]``,
    ``localhost``, ``host [ip] (may be forged)`` -> Relay."""
    if not value:
        return None
    relay = _RELAYS.get(value)
    if relay is None:
        relay = _parse_relay(value)
        if len(value) <= 300:
            if len(_RELAYS) > 4096:
                _RELAYS.clear()
            _RELAYS[value] = relay
    return relay


def _parse_relay(value: str) -> Relay:
    value = value.strip()
    lb = value.find("[", 1)
    if lb > 0:
        rb = value.find("]", lb)
        ip = value[lb + 1:rb] if rb > 0 else value[lb + 1:]
        host = value[:lb].strip().rstrip(".")
        if host.startswith("["):
            host = ""
        return Relay(host or None, ip or None)
    if value.startswith("["):
        rb = value.find("]")
        return Relay(None, value[1:rb] if rb > 0 else value[1:])
    return Relay(value.rstrip("."))


def parse_delay(value: str | None) -> float | None:
    """``00:00:06`` / ``1+00:00:15`` (days+hh:mm:ss) -> seconds."""
    if not value:
        return None
    seconds = _DELAYS.get(value, False)
    if seconds is False:
        seconds = _parse_delay(value)
        if len(value) <= 40:
            if len(_DELAYS) > 4096:
                _DELAYS.clear()
            _DELAYS[value] = seconds
    return seconds


def _parse_delay(value: str) -> float | None:
    m = _DELAY.fullmatch(value)
    if m is None:
        return None
    return int(m[1] or 0) * 86400 + int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4])
