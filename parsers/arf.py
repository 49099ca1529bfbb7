"""RFC 5965 feedback report (text) -> Feedback. Pure.

A mailbox provider's feedback loop sends one when a user presses "this is
spam" (``Feedback-Type: abuse``), and for a few other reasons (``fraud``,
``virus``, ``not-spam``, ``auth-failure`` of RFC 6591, ``opt-out``).
Providers redact the complaining address, so the recipient usually comes
from the returned message (VERP, a tracking header) instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .dsn import address, fields


@dataclass(slots=True)
class Feedback:
    feedback_type: str = "abuse"
    user_agent: str | None = None
    original_mail_from: str | None = None
    original_rcpt_to: list[str] = field(default_factory=list)
    arrival_date: str | None = None
    source_ip: str | None = None
    reported_domain: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def parse_feedback(text: str) -> Feedback:
    fb = Feedback()
    for name, value in fields(text):
        if not name:
            continue
        fb.fields.setdefault(name, value)
        if name == "feedback-type":
            fb.feedback_type = (value.split() or ["abuse"])[0].lower()
        elif name == "user-agent":
            fb.user_agent = value
        elif name == "original-mail-from":
            fb.original_mail_from = address(value)
        elif name in ("original-rcpt-to", "removal-recipient"):
            a = address(value)
            if a and "@" in a and a not in fb.original_rcpt_to:
                fb.original_rcpt_to.append(a)
        elif name in ("arrival-date", "received-date"):
            fb.arrival_date = fb.arrival_date or value
        elif name == "source-ip":
            fb.source_ip = value
        elif name == "reported-domain":
            fb.reported_domain = fb.reported_domain or value
    return fb
