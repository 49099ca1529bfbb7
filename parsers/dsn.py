"""RFC 3464 delivery status (text) -> per-message and per-recipient fields. Pure.

    Reporting-MTA: dns; mx.example.org        per-message fields, then
    X-Postfix-Queue-ID: 6265E1AC124           one block per recipient:
                                              Final-Recipient: rfc822; bob@example.com
                                              Action: failed
                                              Status: 5.1.1
                                              Remote-MTA: dns; mx.example.com
                                              Diagnostic-Code: smtp; 550 5.1.1 User unknown

Real reports bend the format: no blank line between the blocks, folded
diagnostic codes, ``Final-Recipient: <bob@example.com>`` without a type,
field names in any case. A new recipient therefore starts at a
recipient field after a blank line, or at a ``Final-Recipient`` (or
``Original-Recipient``) when the current block already has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lazyre import lazy

# Action -> event status (RFC 3464 section 2.3.3).
ACTION_STATUS = {"failed": "bounced", "delayed": "deferred", "delivered": "sent",
                 "relayed": "sent", "expanded": "sent"}

_FIELD = lazy(r"([A-Za-z][A-Za-z0-9-]{0,60})[ \t]*:[ \t]*(.*)")
_STATUS = lazy(r"([245])\.(\d{1,3})\.(\d{1,3})")
_ANGLE = lazy(r"<([^<>\s]{1,320})>")


@dataclass(slots=True)
class RecipientStatus:
    """One recipient block of a report."""

    final_recipient: str | None = None
    original_recipient: str | None = None
    action: str | None = None
    status: str | None = None            # enhanced status code, validated
    remote_mta: str | None = None
    diagnostic_type: str | None = None   # "smtp", "x-unix", ...
    diagnostic: str | None = None        # the text after "smtp;"
    last_attempt: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class DeliveryStatus:
    """A report: its per-message fields, then its recipient blocks."""

    reporting_mta: str | None = None
    arrival_date: str | None = None
    queue_id: str | None = None          # X-Postfix-Queue-ID, X-Yandex-Queue-ID ...
    sender: str | None = None            # X-Postfix-Sender, X-Original-Envelope-From ...
    envelope_id: str | None = None       # Original-Envelope-Id (RFC 3461 ENVID)
    fields: dict[str, str] = field(default_factory=dict)
    recipients: list[RecipientStatus] = field(default_factory=list)


def fields(text: str) -> list[tuple[str, str]]:
    """``Name: value`` lines with continuation lines unfolded; junk lines
    (a stray sentence) are skipped."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            out.append(("", ""))  # block separator, kept for callers that care
            continue
        if line[0] in " \t":
            if out and out[-1][0]:
                name, value = out[-1]
                out[-1] = (name, f"{value} {line.strip()}")
            continue
        m = _FIELD.match(line)
        if m:
            out.append((m[1].lower(), m[2].strip()))
    return out


def typed_value(value: str) -> tuple[str | None, str]:
    """``rfc822; bob@example.com`` -> ("rfc822", "bob@example.com")."""
    head, sep, rest = value.partition(";")
    if sep and " " not in head.strip() and len(head) < 24:
        return head.strip().lower() or None, rest.strip()
    return None, value.strip()


def address(value: str | None) -> str | None:
    """The address in an address-typed field, ``<>``, quotes and junk removed."""
    if not value:
        return None
    _, v = typed_value(value)
    m = _ANGLE.search(v)
    if m:
        v = m[1]
    v = v.strip().strip('"').strip()
    v = v.split()[0] if v.split() else ""
    local, at, domain = v.rpartition("@")
    if not at or not local or "." not in domain or ".." in local or local.startswith(".") or local.endswith("."):
        return None  # X.400 names, "david...@gmail.com" (a redacted address), junk
    return v


def status_code(value: str | None) -> str | None:
    if not value:
        return None
    m = _STATUS.search(value)
    if not m or int(m[2]) > 7:
        return None
    return m[0]


def parse_delivery_status(text: str) -> DeliveryStatus:
    ds = DeliveryStatus()
    cur: RecipientStatus | None = None
    gap = False  # a blank line since the last field: a new block may begin
    for name, value in fields(text):
        if not name:
            gap = True
            continue
        was_gap, gap = gap, False
        if name in ("final-recipient", "original-recipient"):
            attr = name.replace("-", "_")
            if cur is None or getattr(cur, attr) is not None or was_gap:
                cur = RecipientStatus()
                ds.recipients.append(cur)
            setattr(cur, attr, address(value))
            cur.fields[name] = value
            continue
        if cur is None:
            ds.fields.setdefault(name, value)
            if name == "reporting-mta":
                ds.reporting_mta = typed_value(value)[1]
            elif name == "arrival-date":
                ds.arrival_date = value
            elif name == "original-envelope-id":
                ds.envelope_id = value
            elif name.endswith("-queue-id"):
                ds.queue_id = value
            elif name.startswith("x-") and name.endswith(("-sender", "-envelope-from")):
                ds.sender = address(value)
            continue
        cur.fields.setdefault(name, value)
        if name == "action":
            cur.action = value.split()[0].lower() if value.split() else None
        elif name == "status":
            cur.status = status_code(value)
        elif name == "remote-mta":
            cur.remote_mta = typed_value(value)[1] or None
        elif name == "diagnostic-code":
            cur.diagnostic_type, cur.diagnostic = typed_value(value)
        elif name == "last-attempt-date":
            cur.last_attempt = value
    # A recipient block without an address is noise (a stray "Action:" in prose).
    ds.recipients = [r for r in ds.recipients if r.final_recipient or r.original_recipient]
    return ds


def find_in_text(text: str) -> str | None:
    """A delivery status pasted into a text part (old MTAs, forwarding
    gateways): from the first ``Reporting-MTA`` / ``Final-Recipient`` line on."""
    m = re.search(r"(?im)^(?:reporting-mta|final-recipient)[ \t]*:", text)
    if not m:
        return None
    return text[m.start():]
