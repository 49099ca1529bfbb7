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
from dataclasses import replace

from .escapes import unescape
from .address import normalize_address, strip_angle
from .memo import Memo
from .records import Delivery, Envelope, MessageInfo, MessageOutcome, Record, Relay, Reply, number, relay_ip
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
_FREE_TEXT_SEP = {"stat": ", reply=", "reply": ", stat="}
# The usual to= and from= lines, queue id and all, as deliver.c and
# srvrsmtp.c write them: one match reads what the record needs, and lines it
# misses (quoted commas, other keys, another order) go the general way
# (scan_fields), which would split these at the same places: each value here
# stops at the first comma (a recipient list, which may hold commas, at the
# first space), so the only ", key=" in what it matches are its own keys.
# What it captures needs no more work in the usual case: a recipient of
# lower-case ASCII, in <> or not, is its own normal form (normalize_address;
# an empty one or a list goes the general way), a sender or
# message id in <> comes without them (strip_angle), sizes and counts are
# ASCII digits (int), and ``stat=Sent (...)`` to the end gives the reason.
# Linear: every quantifier is one character class, followed by a character
# it cannot match or by the end (``Sent \((.*)\)\Z`` backs off once over the
# text when the line does not end in ")").
_RECORD = re.compile(
    r"([0-9A-Za-z]{8,20}): (?:"
    r"to=(?:<?([-a-z0-9@._+=]+)>?|([^ ]*)), (?:ctladdr=([^,]*), )?delay=([^,]*), xdelay=[^,]*, mailer=([^,]*), "
    r"pri=[^,]*, (?:relay=([^,]*), )?dsn=([^,]*), (?:stat=Sent \((.*)\)\Z|(stat|reply)=(.*))"
    r"|from=(?:<([^ <>]*)>|([^ ]*)), size=([0-9]{1,18}), class=[^,]*, nrcpts=([0-9]{1,18})"
    r"(?:, msgid=(?:<([^,<>]*)>|([^,]*)))?(?=, [a-z][a-z_]{0,15}=|\Z)(?!.*, (?:from|size|nrcpts|msgid)=))", re.S)
# _RECORD's from= branch ends in a look-ahead for from= or a field it reads
# again later in the line: scan_fields takes the last one, so such a line
# goes the general way (one scan from the match's end, each position tried
# against a literal ", ": linear).
_COUNTS = {str(n): n for n in range(1000)}  # nrcpts=, int() without the call
# usersmtp.c reply(): when the peer closes the connection, Sendmail fakes this
# reply itself (and logs dsn=4.4.2): no server said it.
_FAKED_RESET = "421 4.4.1 Connection reset by "


def claims(program: str) -> bool:
    return program in PROGRAMS or program.startswith("sm-mta")


def parse(env: Envelope) -> Record | tuple[Record, ...] | None:
    return parse_at(env.program, env.message, 0)


def parse_at(program: str, text: str, start: int) -> Record | tuple[Record, ...] | None:
    """:func:`parse` of the message that starts at ``start`` in ``text`` (a
    whole log line, as LineParser.parse_block hands it over): the message is
    never copied, and a line with no record (STARTTLS=, AUTH=, a daemon's
    chatter: a third of a busy log) is turned down before an Envelope is built."""
    m = _RECORD.match(text, start)
    if m is None:
        return _parse_other(text, start, program)
    (qid, rcpt, to, ctladdr, delay_text, mailer, relay_text, dsn, sent, key, body,
     sender, sender_text, size, nrcpts, msgid, msgid_text) = m.groups()
    if size is None:  # a to= line
        if sent is not None:
            if ", reply=" not in sent:  # the usual delivery: the peer's words, as logged (not unescaped)
                return _delivery(qid, rcpt, to, ctladdr, delay_text, mailer, relay_text, dsn, None, None, program,
                                 sent)
            key, body = "stat", "Sent (" + sent + ")"
        if key == "stat" and ", reply=" not in body:  # stat= runs to the end
            return _delivery(qid, rcpt, to, ctladdr, delay_text, mailer, relay_text, dsn, body, None, program)
        f: dict[str, str] = {}
        _free_text(body, 0, key, f)
        return _delivery(qid, rcpt, to, ctladdr, delay_text, mailer, relay_text, dsn, f.get("stat"),
                         f.get("reply"), program)
    if msgid is None and msgid_text:
        msgid = strip_angle(msgid_text)
    try:
        nrcpt = _COUNTS[nrcpts]
    except KeyError:
        nrcpt = int(nrcpts)
    # MessageInfo(mta, queue_id, sender, size, message_id, nrcpt): positional
    # arguments cost a quarter of keywords in a slots dataclass's __init__.
    return MessageInfo(MTA, qid, strip_angle(sender_text) if sender is None else sender, int(size), msgid, nrcpt)


def _parse_other(text: str, start: int, program: str) -> Record | tuple[Record, ...] | None:
    """Lines _RECORD did not take (the message starts at ``start``): to= and
    from= lines read with scan_fields, DSN notices, and the rest (None)."""
    # _QID by hand: the first ": " in reach, after 8-20 ASCII letters and
    # digits. Most lines that are no record (STARTTLS=, AUTH=, ruleset=, a
    # daemon's own chatter) have no ": " there and go in one find.
    i = text.find(": ", start + 8, start + 22)
    if i < 0:
        return None
    qid = text[start:i]
    if not (qid.isalnum() and qid.isascii()):
        return None
    i += 2
    if text.startswith("to=", i):
        f = scan_fields(text[i:])
        return _delivery(qid, None, f.get("to", ""), f.get("ctladdr"), f.get("delay"), f.get("mailer"),
                         f.get("relay"), f.get("dsn"), f.get("stat"), f.get("reply"), program)
    if text.startswith("from=", i):
        return _arrival(qid, text[i:])
    m2 = _QID.match(text, i)  # lost input channel, timeout waiting for input, ... have none
    if m2 is not None:
        return _notice(qid, m2[1], text[m2.end():])
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
    return MessageInfo(MTA, qid, strip_angle(f.get("from", "")), number(size),
                       strip_angle(f["msgid"]) if f.get("msgid") else None, number(nrcpts))


# Sendmail names no command, but its dsn= tells one stage apart: a 4xx or 5xx
# to the greeting or to EHLO/HELO (usersmtp.c smtpinit) is logged as 4.5.0 or
# 5.5.0 whatever the reply's own code, a code no later stage makes up (MAIL FROM,
# RCPT TO and DATA keep the reply's enhanced code, or smtptodsn()'s, which never
# gives x.5.0). Such a reply is read as Postfix's "refused to talk to me":
# CONNECT, the session refused before any address was named (Postfix does not
# tell the greeting from EHLO either).
_SESSION_DSNS = frozenset({"4.5.0", "5.5.0"})


def _delivery(qid: str, rcpt: str | None, to: str, ctladdr: str | None, delay_text: str | None,
              mailer: str | None, relay_text: str | None, dsn: str | None, stat: str | None,
              reply_text: str | None, program: str, sent: str | None = None) -> Delivery | tuple[Delivery, ...] | None:
    """The fields of a to= line -> its Delivery (one per recipient). ``rcpt``:
    the one recipient in its normal form, else None and ``to`` is the field as
    logged. ``sent``: the text in ``stat=Sent (...)`` when that is all of
    stat= and there is no reply= (then ``stat`` is not looked at)."""
    # parse_relay and parse_delay with their cache hit inlined
    try:
        relay = _RELAYS[relay_text]
    except KeyError:
        relay = parse_relay(relay_text)
    try:
        delay = _DELAYS[delay_text]
    except KeyError:
        delay = parse_delay(delay_text)
    reply = None
    if sent is not None:
        status, reason = "sent", sent  # the peer's words, as logged (not unescaped)
    elif stat is None:
        return None
    else:
        status = "sent" if stat[:4] == "Sent" else status_of(stat, dsn)
        if status == "sent" and not reply_text and stat[:6] == "Sent (":
            reason = stat[6:-1] if stat[-1:] == ")" else stat[6:]
        else:
            reason = reply_text or stat
            if "\\" in reason:
                reason = unescape(reason)
            if status == "sent" or status == "queued":
                pass
            elif reason == "Deferred":
                # A bare "Deferred": the host status cache (HostStatusDirectory,
                # Timeout.hoststatus) says the host failed moments ago, so Sendmail
                # did not try it. No reason of its own, like Exim's "retry time not
                # reached": the classifier takes the last reasoned failure's cause.
                reason = ""
            elif reason.startswith(_FAKED_RESET):
                reply = Reply(text=reason)  # Sendmail's words, not a reply: the code is its dsn= (4.4.2)
            else:
                reply = parse_reply(reason)
                if reply.code and reply.command is None and dsn in _SESSION_DSNS and reply.dsn != dsn:
                    reply = replace(reply, command="CONNECT")
    if status == "sent" and program in SUBMISSION_PROGRAMS and is_handover(mailer, relay):
        status = "handed_over"
    orig = None if ctladdr is None or mailer not in _LOCAL_MAILERS else alias_of(rcpt or to, ctladdr)
    if rcpt is not None:
        # Delivery(mta, queue_id, recipient, status, reason, orig_recipient, relay, delay, dsn, reply)
        return Delivery(MTA, qid, rcpt, status, reason, orig, relay, delay, dsn, reply)
    if to.endswith("[more]"):  # a long recipient list, continued on the next to= line
        to = to[:-6].rstrip(", ")
    rcpts = split_recipients(to)
    if len(rcpts) == 1:
        return Delivery(MTA, qid, normalize_address(rcpts[0]), status, reason, orig, relay, delay, dsn, reply)
    out = tuple(Delivery(MTA, qid, normalize_address(r), status, reason, orig, relay, delay, dsn, reply)
                for r in rcpts)
    return out or None


# The mailers an alias, a .forward or an :include: list delivers through
# (deliver.c: a user name, a |program, a /file).
_LOCAL_MAILERS = frozenset({"local", "prog", "*file*", "*include*"})


def alias_of(to: str, ctladdr: str) -> str | None:
    """The address the sender used, for a local mailer's delivery that an
    alias or a .forward expanded: Sendmail logs no original recipient (Postfix
    writes ``orig_to=``), but the controlling address of such a delivery,
    ``ctladdr=<retired@example.org> (1/0)``, is the address whose alias or
    .forward it comes from. Only when ``to=`` is no address (a user name,
    ``|program``, ``/file``) and ``ctladdr=`` is one in brackets: elsewhere
    ctladdr= names whoever owns the delivery (the submission program's
    ``root (0/0)``, a local delivery's own ``<root@host>``)."""
    if "@" in to or ctladdr[:1] != "<":
        return None
    end = ctladdr.find(">")
    addr = ctladdr[1:end]
    return normalize_address(addr) if end > 0 and "@" in addr else None


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
    return (relay.ip or "").startswith(_LOOPBACK) or (relay.host or "").startswith(_LOOPBACK)


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
    _free_text(body, pos, key, fields)
    return fields


def _free_text(body: str, pos: int, key: str, fields: dict[str, str]) -> None:
    """From ``body[pos:]``, the value of ``key`` (stat or reply) on: stat=
    and reply= take turns; each runs to ", " and the other's name."""
    while True:
        sep = _FREE_TEXT_SEP[key]
        j = body.find(sep, pos)
        if j < 0:
            fields[key] = body[pos:]
            return
        fields[key] = body[pos:j]
        pos = j + len(sep)
        key = sep[2:-1]


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


_RELAYS: Memo = Memo(max_len=300)  # a relay's value repeats for every line it handles (Relay is frozen)
_DELAYS: Memo = Memo(max_len=40)


def parse_relay(value: str | None) -> Relay | None:
    """``mx.example.com. [192.0.2.1]``, ``[127.0.0.1] [127.0.0.1]``,
    ``localhost``, ``host [ip] (may be forged)`` -> Relay."""
    if not value:
        return None
    relay = _RELAYS.get(value)
    return relay if relay is not None else _RELAYS.keep(value, _parse_relay(value))


def _parse_relay(value: str) -> Relay:
    value = value.strip()
    lb = value.find("[", 1)
    if lb > 0:
        rb = value.find("]", lb)
        ip = value[lb + 1:rb] if rb > 0 else value[lb + 1:]
        host = value[:lb].strip().rstrip(".")
        if host.startswith("["):
            host = ""
        return Relay(host or None, relay_ip(ip))
    if value.startswith("["):
        rb = value.find("]")
        return Relay(None, relay_ip(value[1:rb] if rb > 0 else value[1:]))
    return Relay(value.rstrip("."))


def parse_delay(value: str | None) -> float | None:
    """``00:00:06`` / ``1+00:00:15`` (days+hh:mm:ss) -> seconds."""
    if not value:
        return None
    seconds = _DELAYS.get(value, False)
    return seconds if seconds is not False else _DELAYS.keep(value, _parse_delay(value))


def _parse_delay(value: str) -> float | None:
    m = _DELAY.fullmatch(value)
    if m is None:
        return None
    return int(m[1] or 0) * 86400 + int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4])
