"""Dated Postfix logs for the state tests: one helper writes the lines a real
Postfix 3.7 writes (rsyslog's RFC 3339 stamps, so the year is explicit)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)

REPLIES = {
    "sent": ("sent", "2.0.0", "250 2.0.0 Ok: queued as 4XyZ"),
    "hard": ("bounced", "5.1.1", "host {mx}[192.0.2.1] said: 550 5.1.1 <{rcpt}>: Recipient address rejected: "
             "User unknown in virtual mailbox table (in reply to RCPT TO command)"),
    "soft": ("deferred", "4.3.0", "host {mx}[192.0.2.1] said: 451 4.3.0 Temporary local problem, please try "
             "later (in reply to RCPT TO command)"),
    "full": ("deferred", "4.2.2", "host {mx}[192.0.2.1] said: 452 4.2.2 <{rcpt}>: Mailbox full "
             "(in reply to RCPT TO command)"),
    "grey": ("deferred", "4.2.0", "host {mx}[192.0.2.1] said: 450 4.2.0 <{rcpt}>: Recipient address rejected: "
             "Greylisted, see http://postgrey.schweikert.ch/help/{dom}.html (in reply to RCPT TO command)"),
    "spamhaus": ("bounced", "5.7.1", "host {mx}[192.0.2.1] said: 554 5.7.1 Service unavailable; Client host "
                 "[203.0.113.9] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.9 "
                 "(in reply to RCPT TO command)"),
    "spamhaus_defer": ("deferred", "4.7.1", "host {mx}[192.0.2.1] said: 451 4.7.1 Service unavailable; Client "
                       "host [203.0.113.9] blocked using zen.spamhaus.org (in reply to RCPT TO command)"),
    "timeout": ("deferred", "4.4.1", "connect to {mx}[192.0.2.1]:25: Connection timed out"),
    "refused": ("deferred", "4.4.1", "connect to {mx}[192.0.2.1]:25: Connection refused"),
    "nxdomain": ("bounced", "5.4.4", "Host or domain name not found. Name service error for name={dom} "
                 "type=A: Host not found"),
}


def qid(label: str) -> str:
    """A Postfix queue id (hex) for a test's message label."""
    import hashlib
    return hashlib.md5(label.encode()).hexdigest()[:10].upper()


def at(days: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def delivery(when: datetime, label: str, rcpt: str, kind: str, *, sender: str = "news@shop.example",
             mx: str | None = None, host: str = "mx1") -> list[str]:
    """The qmgr line (sender) and the delivery line of one attempt."""
    status, dsn, text = REPLIES[kind]
    dom = rcpt.rsplit("@", 1)[1]
    mx = mx or f"mx.{dom}"
    stamp = when.isoformat()
    q = qid(label)
    reason = text.format(mx=mx, rcpt=rcpt, dom=dom)
    relay = "none" if kind == "nxdomain" else f"{mx}[192.0.2.1]:25"
    return [
        f"{stamp} {host} postfix/qmgr[200]: {q}: from=<{sender}>, size=2100, nrcpt=1 (queue active)",
        f"{stamp} {host} postfix/smtp[201]: {q}: to=<{rcpt}>, relay={relay}, delay=1.1, "
        f"delays=0.1/0/0.5/0.5, dsn={dsn}, status={status} ({reason})",
    ]
