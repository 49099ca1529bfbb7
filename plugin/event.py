"""The event of DESIGN.md (schema ``bouncewatch/1``) and its stable id."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from bouncewatch import SCHEMA
from bouncewatch.parsers.records import Delivery, Envelope
from bouncewatch.parsers.smtp import fold_multiline

from .classify.engine import DELIVERED_STATUSES, Classification
from .classify.mask import mask, mask_pair, parties, tried_host

if TYPE_CHECKING:  # ingest-mail builds events without correlating: no need to import it
    from .correlate import Correlated


def event_id(raw_line: str, recipient: str) -> str:
    """Same line, same recipient -> same id, wherever and whenever it is read
    (a restart, a rotated copy): SIEMs dedupe on it. The line includes its
    timestamp and queue id, so distinct deliveries do not collide."""
    # one buffer, one call: hashing it in three updates cost a third more
    return _blake2b(f"{raw_line}\x1f{recipient}".encode("utf-8", "surrogatepass"),
                    digest_size=16).hexdigest()


_blake2b = hashlib.blake2b


# The last timestamp and its ISO form: the lines of one second come together
# and share one datetime (the envelope parser's cache, one object per batch
# from a parse worker), and isoformat() of an aware datetime costs more than
# the rest of a field. Kept by identity: equal datetimes need not print alike.
_last_stamp: list[Any] = [None, None]


def build_event(raw_line: str | None, env: Envelope, c: Correlated, cls: Classification,
                path: str | None, offset: int | None, ctx: dict[str, Any] | None = None) -> dict[str, Any]:
    """``ctx``: the delivery's :func:`rule_context`, when the caller made one
    to classify it; its reply fields, relay and recipient domain are the
    event's, taken from it instead of worked out again. ``raw_line`` is
    hashed into the event's id unless ``c`` brings the id (then it may be
    None)."""
    d: Delivery = c.delivery
    if ctx is None:
        ctx = _event_fields(d)
    ts = env.timestamp
    if ts is None:
        stamp = None
    elif ts is _last_stamp[0]:
        stamp = _last_stamp[1]
    else:
        stamp = ts.isoformat()
        _last_stamp[0], _last_stamp[1] = ts, stamp
    rcpt = d.recipient
    ev = {
        "schema": SCHEMA,
        "event_id": c.event_id if c.event_id is not None else event_id(raw_line, rcpt),  # type: ignore[arg-type]
        "timestamp": stamp,
        "host": env.host,
        "mta": d.mta,
        "program": env.program,
        "pid": env.pid,
        "queue_id": d.queue_id,
        "message_id": d.message_id,
        "sender": d.sender,
        "size": d.size,
        "bounce_of": d.bounce_of,
        "recipient": rcpt,
        "orig_recipient": d.orig_recipient,
        "recipient_domain": ctx["recipient_domain"],
        "status": d.status,
        "relay": ctx["relay"] if d.relay is not None else None,  # the rules' may be a host tried
        "delay": d.delay,
        "attempt": c.attempt,
        "smtp_code": ctx["smtp_code"],
        "dsn": ctx["dsn"],
        "reply_dsn": ctx["reply_dsn"],
        "smtp_command": ctx["smtp_command"],
        "reason": d.reason,
        "classification": cls.to_dict(),
        "source": {"path": path, "offset": offset},
    }
    if cls.category == "bad_domain":
        # Not in DESIGN's table: an extra field, present only when a common
        # mailbox domain was probably meant (gamil.com -> gmail.com).
        from .typos import suggest_domain
        suggestion = suggest_domain(ev["recipient_domain"])
        if suggestion:
            ev["suggested_domain"] = suggestion
    return ev


def rule_context(env: Envelope, d: Delivery) -> dict[str, Any]:
    """The fields rule conditions see (the same names as the event's).
    A failure's ``reason`` and ``text`` come without the delivery's parties
    (addresses, domain, host names, IP addresses: see classify/mask.py).
    A delivered outcome's are left as logged: its status decides its
    category, and its reply is read only for the receiver's signature.
    A failure with no relay (Postfix's relay=none) shows the rules the
    host its reason names as ``relay``: the provider of a host that could
    not be reached; the event's relay stays null."""
    reply = d.reply
    rcpt = d.recipient
    at = rcpt.rfind("@")
    domain = rcpt[at + 1:] if at >= 0 else ""
    relay = d.relay
    status = d.status
    rules_relay = None
    reason = fold_multiline(d.reason, str(reply.code), reply.dsn, keep_first=True) if reply and reply.code else d.reason
    text = reply.text if reply else d.reason
    if status not in DELIVERED_STATUSES:
        names = parties(rcpt, d.orig_recipient, d.sender, domain, relay.host if relay else None)
        if relay is None:
            rules_relay = tried_host(reason)
        if text is reason:
            reason = text = mask(reason, names)
        else:
            reason, text = mask_pair(reason, text, names)
    return {
        "mta": d.mta,
        "program": env.program,
        "status": status,
        "reason": reason,
        "text": text,
        "smtp_code": reply.code if reply else None,
        "dsn": d.dsn or (reply.dsn if reply else None),
        "reply_dsn": reply.dsn if reply else None,
        "command": reply.command if reply else None,
        "smtp_command": reply.command if reply else None,
        "relay": {"host": relay.host, "ip": relay.ip, "port": relay.port} if relay else rules_relay,
        "recipient": rcpt,
        "recipient_domain": domain,
        "sender": d.sender,
    }


def _event_fields(d: Delivery) -> dict[str, Any]:
    """The fields :func:`build_event` takes from a rule context, for a
    caller that has none."""
    reply = d.reply
    rcpt = d.recipient
    at = rcpt.rfind("@")
    relay = d.relay
    return {
        "recipient_domain": rcpt[at + 1:] if at >= 0 else "",
        "relay": {"host": relay.host, "ip": relay.ip, "port": relay.port} if relay else None,
        "smtp_code": reply.code if reply else None,
        "dsn": d.dsn or (reply.dsn if reply else None),
        "reply_dsn": reply.dsn if reply else None,
        "smtp_command": reply.command if reply else None,
    }


def where_context(event: dict[str, Any]) -> dict[str, Any]:
    """``--where`` sees the event plus its classification's fields at the top
    (``type = 'hard' or category = 'blocklisted'``)."""
    ctx = dict(event)
    ctx.update(event.get("classification") or {})  # some alerts carry none
    return ctx
