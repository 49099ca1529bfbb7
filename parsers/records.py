"""Records every MTA parser returns, so correlation and classification see
one shape whatever the MTA. Parsers build these; nothing here does I/O."""

from __future__ import annotations

import ipaddress
import re
from socket import AF_INET6, inet_pton
from dataclasses import dataclass
from datetime import datetime

from .memo import Memo


@dataclass(slots=True)
class Envelope:
    """What the log transport (syslog, journald, postlogd, Exim's own file)
    wrapped around the MTA's message. Treat it as read-only; it is not frozen
    because one is built for every log line, and a frozen dataclass's
    ``__init__`` (``object.__setattr__`` per field) costs four times as much."""

    timestamp: datetime | None
    host: str | None
    program: str
    pid: int | None
    message: str


@dataclass(slots=True, frozen=True)
class Relay:
    """The host that took part in a delivery, as the log names it."""

    host: str | None
    ip: str | None = None
    port: int | None = None


_IPS: Memo = Memo(limit=4096, max_len=64)
# A dotted quad as ipaddress.IPv4Address accepts it (no leading zeros)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}").fullmatch


def relay_ip(text: str | None) -> str | None:
    """What a parser puts in :attr:`Relay.ip`: the address in a log's
    brackets as logged, without Sendmail's (and old Postfix's) ``IPv6:``
    tag; None when the brackets hold no address, such as Postfix's LMTP
    socket (``host[private/dovecot-lmtp]``). SIEM schemas type this field
    (ECS ``destination.ip``, OCSF ``dst_endpoint.ip``, CEF ``dst``): a path
    there makes the whole event unindexable. What is no dotted quad is cached."""
    if not text:
        return None
    if _IPV4(text) is not None:  # nearly every one: a regex in C, cheaper than the cache
        return text
    try:
        return _IPS[text]
    except KeyError:
        pass
    ip: str | None = text[5:] if text[:5] in ("IPv6:", "ipv6:", "IPV6:") else text
    try:
        inet_pton(AF_INET6, ip)  # C again; what it turns down (a zone, a path) goes to ipaddress
    except (OSError, ValueError):
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            ip = None
    return _IPS.keep(text, ip)


def number(text: str | None) -> int | None:
    """What a parser puts in a count or port field (``size=``, ``nrcpt=``,
    ``S=``, ``:25``): the value of a run of ASCII digits, None for anything
    else. ``str.isdigit`` alone lets through what ``int`` refuses ("\u00b2":
    a superscript is a digit to it) and runs past ``int``'s 4300-digit limit:
    either raised in the parser, and the whole line was lost."""
    return int(text) if text and len(text) <= 18 and text.isdigit() and text.isascii() else None


@dataclass(slots=True, frozen=True)
class Reply:
    """An SMTP reply as far as it can be recovered from a log's reason text."""

    code: int | None = None        # basic reply code, 550
    dsn: str | None = None         # enhanced status code in the reply, 5.1.1
    command: str | None = None     # CONNECT, HELO, MAIL FROM, RCPT TO, DATA, END OF DATA ...
    text: str = ""                 # remote text, multi-line replies folded
    remote: str | None = None      # the host that replied, when named


@dataclass(slots=True)
class Delivery:
    """One recipient's delivery outcome (sent, deferred, bounced, expired ...)."""

    mta: str
    queue_id: str
    recipient: str
    status: str
    reason: str = ""
    orig_recipient: str | None = None
    relay: Relay | None = None
    delay: float | None = None
    dsn: str | None = None          # the MTA's own dsn= field, when it logs one
    reply: Reply | None = None      # parsed from reason
    sender: str | None = None       # when the line itself carries it (Exim F=, Sendmail)
    size: int | None = None
    message_id: str | None = None
    bounce_of: str | None = None    # queue id of the message this bounce (DSN) reports on


@dataclass(slots=True)
class MessageInfo:
    """Facts about a queued message that later delivery lines do not repeat."""

    mta: str
    queue_id: str
    sender: str | None = None
    size: int | None = None
    message_id: str | None = None
    nrcpt: int | None = None
    bounce_of: str | None = None    # this message is the MTA's own bounce (DSN) of that queue id
    # The recipients as the arrival named them, unnormalized (Exim's
    # +received_recipients "for a b"): who a message given up before any
    # delivery line was meant for.
    recipients: tuple[str, ...] | None = None


@dataclass(slots=True)
class MessageOutcome:
    """A per-message line that ends or changes every pending recipient at once:
    Postfix qmgr ``status=expired``, ``postsuper`` removal, Exim ``Completed``.

    ``status`` is the event status it gives pending recipients; ``None``
    means the message is just finished (forget it, emit nothing)."""

    mta: str
    queue_id: str
    status: str | None
    reason: str = ""
    sender: str | None = None


Record = Delivery | MessageInfo | MessageOutcome
"""What a parser's ``parse`` returns: one record, a tuple of records (a
Sendmail line that names several recipients, a Sendmail ``DSN:`` line that
both expires one message and starts its bounce), or None."""
