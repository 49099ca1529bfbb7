"""One returned message (bytes) -> what it reports, one Finding per
recipient. Pure: the caller reads the bytes and the environment.

Tried in this order, first that applies wins:

1. an RFC 3464 DSN (``message/delivery-status``, or its fields pasted into
   the text by an old gateway): one finding per recipient block;
2. an RFC 5965 feedback report: one ``complained`` finding;
3. a non-standard bounce (from a mailer-daemon, a bounce subject,
   ``X-Failed-Recipients``, or failure words with a known family's layout):
   recipients found heuristically (:mod:`.nonstandard`);
4. a challenge, an unsubscribe request, an auto-reply (:mod:`.autoreply`).

Whatever it is, the returned message's headers (Message-ID, the sender,
configured tracking headers) and the VERP address it came back to tie it to
the message and recipient it is about. A bounce that names no recipient
still gives one finding (recipient from VERP, else empty: ``no_address``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime

# arf, autoreply and nonstandard are imported where used: a standard DSN,
# the common case, needs none of them (ingest-mail is a process per message)
from . import dsn
from .lazyre import lazy
from .mailmsg import MailParts, parse_headers_text, read_mail
from .records import Reply
from .smtp import find_command, normalize_command, parse_reply
from .verp import decode_verp

# What a finding says happened -> the event status (the classifier's rules
# in 05-returned-mail.toml turn the last four into their categories).
KIND_STATUS = {"complaint": "complained", "auto_reply": "auto_replied", "challenge": "challenged",
               "unsubscribe": "unsubscribed"}

_DAEMON = lazy(r"^(?:mailer-?daemon|postmaster|mail-?daemon|mail\.delivery\.system|mdaemon|"
                     r"ndr|bounces?|nobody|smtp|mailadm|system administrator)\b", re.I)
_BOUNCE_SUBJECT = lazy(
    r"undeliver|undelivered|deliver(?:y|ed)? (?:status notification|failure|failed|problem|report|notification)"
    r"|returned (?:mail|to sender)|failure notice|failure delivery|mail delivery failed|non[- ]?delivery"
    r"|could not be deliver"
    r"|mail (?:not delivered|error|failure|system error)|delivery (?:has )?failed|unzustellbar|nicht zustellbar"
    r"|non remis|no entregado|non recapitato|не доставлено|недоставленное|returned mail|warning: (?:message|could not)"
    r"|delayed mail|message delayed|mail delivery warning|delivery delayed|processing error", re.I)
_SMTP_CODE = lazy(r"(?<![\d.:/-])([45][0-7]\d)(?=[ -](?:[245]\.\d|[A-Za-z<#(\"']))")
_CR = lazy(r"\r\n?")


@dataclass(slots=True)
class Finding:
    """What the report says about one recipient."""

    kind: str                       # dsn | nonstandard | complaint | auto_reply | challenge | unsubscribe
    status: str                     # bounced, deferred, sent, complained, auto_replied, challenged, unsubscribed
    recipient: str                  # "" when nothing names it
    reason: str = ""
    orig_recipient: str | None = None
    dsn: str | None = None          # the report's Status field
    reply: Reply | None = None
    remote_mta: str | None = None
    evidence: str | None = None     # for complaints and replies: what decided
    feedback_type: str | None = None
    final_recipient: str | None = None  # DSN Final-Recipient (after the receiver's rewriting)


@dataclass(slots=True)
class ReturnedMail:
    """What a returned message reports, and what ties it to the message it returns."""

    kind: str | None                # what the message is; None = not recognized
    family: str | None              # rfc3464, postfix, exim, qmail, exchange, arf ...
    findings: list[Finding]
    date: datetime | None = None
    subject: str = ""
    bounce_from: str | None = None
    bounce_message_id: str | None = None
    reporting_mta: str | None = None
    queue_id: str | None = None
    message_id: str | None = None   # the returned (original) message's
    sender: str | None = None       # the original message's sender
    envelope_to: str | None = None  # the address the report came back to
    verp_recipient: str | None = None
    tracking: dict[str, str] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)
    truncated: bool = False


def analyze(raw: bytes, *, envelope_to: str | None = None, verp_delimiters: str = "+=",
            tracking_headers: tuple[str, ...] = (), truncated: bool = False, _depth: int = 0) -> ReturnedMail:
    mp = read_mail(raw, truncated)
    h = mp.headers
    texts = [_CR.sub("\n", t) for t in mp.texts]
    body = "\n\n".join(texts)
    subject = h.get("subject", "")
    from_addr = _first_address(h.get("from", ""))
    original = mp.original_headers
    if original is None:
        original = _inline_original(body)
    to = envelope_to or _first_address(h.get("x-original-to") or h.get("envelope-to") or h.get("delivered-to")
                                       or h.get("to", ""))
    rm = ReturnedMail(kind=None, family=None, findings=[], subject=subject, bounce_from=from_addr,
                      bounce_message_id=_msgid(h.get("message-id")), envelope_to=to,
                      verp_recipient=decode_verp(to, verp_delimiters), defects=mp.defects,
                      truncated=mp.truncated, date=_date(h.get("date")))
    if original:
        rm.message_id = _msgid(original.get("message-id"))
        rm.sender = _first_address(original.get("return-path") or original.get("sender")
                                   or original.get("from", "")) or None
    for name in tracking_headers:
        v = (original or {}).get(name.lower()) or h.get(name.lower())
        if v:
            rm.tracking[name] = v

    if _dsn(rm, mp, body):
        pass
    elif mp.feedback or mp.report_type == "feedback-report":
        _arf(rm, mp, original)
    elif _looks_like_bounce(h, subject, from_addr, body):
        _nonstandard(rm, mp, body, subject, from_addr, original)
    else:
        from . import autoreply, nonstandard
        ev = autoreply.detect(h, subject, body)
        if ev is not None:
            rm.kind, rm.family = ev.kind, "rfc3834" if ev.kind == "auto_reply" else ev.kind
            who = rm.verp_recipient or (from_addr or "")
            if ev.kind == "unsubscribe":  # the person asking is the one to remove
                who = from_addr or rm.verp_recipient or ""
            rm.findings.append(Finding(ev.kind, KIND_STATUS[ev.kind], _norm(who), reason=subject,
                                       evidence=ev.why))
        elif nonstandard.FAILURE.search(body[:4000]):
            _nonstandard(rm, mp, body, subject, from_addr, original)
            if not any(f.recipient for f in rm.findings):  # failure words alone are not enough
                rm.kind, rm.family, rm.findings = None, None, []
    if _depth == 0 and mp.embedded_reports and not any(f.recipient for f in rm.findings):
        for inner in mp.embedded_reports:
            sub = analyze(inner, envelope_to=envelope_to, verp_delimiters=verp_delimiters,
                          tracking_headers=tracking_headers, _depth=1)
            if any(f.recipient for f in sub.findings):
                sub.envelope_to, sub.verp_recipient = rm.envelope_to, rm.verp_recipient
                sub.bounce_message_id = rm.bounce_message_id
                sub.defects = rm.defects + ["report found in an attachment"]
                return sub
    return rm


# --- the kinds -------------------------------------------------------------------
def _dsn(rm: ReturnedMail, mp: MailParts, body: str) -> bool:
    texts = [t for t in mp.delivery_status if t.strip()]
    if not texts:
        pasted = dsn.find_in_text(body)
        if pasted is None:
            return False
        texts = [pasted]
    found = False
    for text in texts:
        ds = dsn.parse_delivery_status(_CR.sub("\n", text))
        if not ds.recipients:
            continue
        found = True
        rm.reporting_mta = rm.reporting_mta or ds.reporting_mta
        rm.queue_id = rm.queue_id or ds.queue_id
        rm.sender = ds.sender or rm.sender
        rm.family = _dsn_family(ds)
        for r in ds.recipients:
            status = dsn.ACTION_STATUS.get(r.action or "")
            if status is None:  # no or unknown Action: the Status class decides
                status = {"2": "sent", "4": "deferred"}.get((r.status or "5")[0], "bounced")
            reason = " ".join((r.diagnostic or "").split())
            # The address as the sender wrote it (ORCPT) is the one to act on;
            # Final-Recipient is after the receiver's own rewriting.
            rcpt = r.original_recipient or r.final_recipient or ""
            orig = r.original_recipient
            reply = reply_of(reason, r.status)
            if reply is not None and reply.command is None:
                reply = _command_from_notification(reply, body, r.final_recipient or rcpt)
            rm.findings.append(Finding("dsn", status, _norm(rcpt), reason=reason, orig_recipient=orig,
                                       dsn=r.status, reply=reply, remote_mta=r.remote_mta,
                                       final_recipient=r.final_recipient))
    if found:
        rm.kind = "dsn"
    return found


def _dsn_family(ds: dsn.DeliveryStatus) -> str:
    """Which MTA wrote the DSN, from the extension fields only it writes."""
    names = " ".join(ds.fields)
    if "x-postfix-queue-id" in names:
        return "postfix"
    if "x-exim" in names or any("x-exim" in k for r in ds.recipients for k in r.fields):
        return "exim"
    if "x-actual-recipient" in " ".join(k for r in ds.recipients for k in r.fields) or "x-sendmail" in names:
        return "sendmail"
    if "x-yandex-queue-id" in names:
        return "yandex"
    return "rfc3464"


def _arf(rm: ReturnedMail, mp: MailParts, original: dict[str, str] | None) -> None:
    from . import arf
    fb = arf.parse_feedback(_CR.sub("\n", mp.feedback[0] if mp.feedback else ""))
    rm.kind, rm.family = "complaint", "arf"
    rm.sender = rm.sender or fb.original_mail_from
    rcpts = [a for a in fb.original_rcpt_to if "@" in a and not a.lower().startswith("redacted")]
    if not rcpts and rm.verp_recipient:
        rcpts = [rm.verp_recipient]
    if not rcpts and original:
        to = _first_address(original.get("to", ""))
        if to and "redacted" not in to.lower():
            rcpts = [to]
    for rcpt in rcpts or [""]:
        rm.findings.append(Finding("complaint", "complained", _norm(rcpt), reason=f"feedback-type={fb.feedback_type}"
                                   + (f" user-agent={fb.user_agent}" if fb.user_agent else ""),
                                   evidence="message/feedback-report", feedback_type=fb.feedback_type))


def _looks_like_bounce(h: dict[str, str], subject: str, from_addr: str | None, body: str) -> bool:
    if "x-failed-recipients" in h:
        return True
    local = (from_addr or "").split("@", 1)[0]
    display = h.get("from", "")
    if _DAEMON.match(local) or re.search(r"mail delivery (?:system|subsystem|service)|mailer-daemon|postmaster",
                                         display, re.I):
        return not _auto_subject(subject)
    return bool(_BOUNCE_SUBJECT.search(subject)) and not _auto_subject(subject)


def _auto_subject(subject: str) -> bool:
    from . import autoreply
    ev = autoreply.detect({}, subject, "")
    return ev is not None


def _nonstandard(rm: ReturnedMail, mp: MailParts, body: str, subject: str, from_addr: str | None,
                 original: dict[str, str] | None) -> None:
    from . import nonstandard
    exclude = {a.lower() for a in (rm.envelope_to, from_addr) if a}
    for name in ("to", "delivered-to", "x-original-to", "envelope-to", "return-path", "reply-to"):
        a = _first_address(mp.headers.get(name, ""))
        if a:
            exclude.add(a.lower())
    senders = {rm.sender.lower()} if rm.sender else set()
    if original:
        for name in ("from", "return-path", "sender", "reply-to"):
            a = _first_address(original.get(name, ""))
            if a:
                senders.add(a.lower())
    xfr_mark = "x-failed-recipients" if "x-failed-recipients" in mp.headers else ""
    sniff = f"{mp.headers.get('from', '')}\n{subject}\n{xfr_mark}\n{body[:4000]}"
    domain = (from_addr or "").rpartition("@")[2] or None
    ns = nonstandard.extract(body, sniff=sniff, subject=subject, exclude=exclude, senders=senders - exclude,
                             from_domain=domain)
    failed = ns.failed
    xfr = [a.strip() for a in mp.headers.get("x-failed-recipients", "").split(",")
           if nonstandard.valid_address(a.strip()) and "." in a.rpartition("@")[2]]
    if xfr:
        # Exim's header is authoritative: never miss one it names, and take no
        # other address its text mentions (a reply quoting a forward target,
        # a sender, a list) for a failed recipient
        named = {a.lower() for a in xfr}
        failed = [f for f in failed if f.recipient.lower() in named]
        known = {f.recipient.lower() for f in failed}
        failed += [nonstandard.Failed(_norm(a), "") for a in xfr if a.lower() not in known]
    rm.kind, rm.family = "nonstandard", ns.family or "unknown"
    status = "deferred" if ns.temporary else "bounced"
    if not failed:
        rm.findings.append(Finding("nonstandard", status, _norm(rm.verp_recipient or ""),
                                   reason=" ".join(ns.section.split())[:1000], reply=None))
        return
    for f in failed:
        rm.findings.append(Finding("nonstandard", status, f.recipient, reason=f.reason, reply=reply_of(f.reason),
                                   remote_mta=_remote_host(f.reason)))


# --- helpers ---------------------------------------------------------------------
# The receiving host a prose bounce names with its address: Exim's "host
# mx.example.com [192.0.2.1]", Postfix's "host mx.example.com[192.0.2.1] said".
# A DSN says it in Remote-MTA; a log line in relay=/H=. Without it the
# provider a relay host names is lost.
_REMOTE_HOST = lazy(r"\bhost ([A-Za-z0-9][A-Za-z0-9._-]{0,252}\.[A-Za-z][A-Za-z0-9-]{0,62}) ?\[[0-9A-Fa-f.:]{2,45}\]")


def _remote_host(reason: str) -> str | None:
    m = _REMOTE_HOST.search(reason)
    return m[1].lower() if m else None


def reply_of(reason: str, status: str | None = None) -> Reply | None:
    """The SMTP reply inside a diagnostic, wherever it starts in the text
    (``host mx [ip]: 550 5.1.1 ...``, ``Remote host said: 550 ...``)."""
    if not reason:
        return Reply(dsn=status) if status else None
    r = parse_reply(reason)
    if r.code is None:
        m = _SMTP_CODE.search(reason)
        if m:
            inner = parse_reply(reason[m.start():])
            r = Reply(code=inner.code, dsn=inner.dsn or r.dsn, command=r.command or find_command(reason),
                      text=inner.text, remote=r.remote)
    if r.command is None:
        m = re.search(r"after (RCPT TO|MAIL FROM|DATA|end of data|initial connection)|in reply to (RCPT TO|MAIL FROM|"
                      r"DATA|end of DATA) command", reason, re.I)
        if m:
            r = Reply(code=r.code, dsn=r.dsn, command=normalize_command(m[1] or m[2]), text=r.text, remote=r.remote)
    return r


def _command_from_notification(reply: Reply, body: str, rcpt: str) -> Reply:
    """Diagnostic-Code leaves out which command the reply answered; the
    human part often says it: Postfix's "<bob@x>: host mx said: 550 ... (in
    reply to RCPT TO command)", or Sendmail's transcript (see
    _transcript_command)."""
    i = body.find(rcpt) if rcpt else -1
    if i < 0:
        return reply
    command = find_command(" ".join(body[i:i + 800].split("\n\n", 1)[0].split())) \
        or _transcript_command(body, rcpt)
    if command is None:
        return reply
    return Reply(code=reply.code, dsn=reply.dsn, command=command, text=reply.text, remote=reply.remote)


# Sendmail's "Transcript of session follows": the command it sent (">>> ..."),
# or the host it was talking to, right before the refusal ("<<< 4xx/5xx"):
#     ... while talking to mx.example.org.:
#     >>> MAIL From:<kijitora@example.co.jp> SIZE=16600348
#     <<< 552 5.2.3 Message size exceeds fixed maximum message size
# Only a pair with nothing between says which command a reply answered: with
# PIPELINING Sendmail sends RCPT and DATA before it reads, and a RCPT's refusal
# follows ">>> DATA" (then nothing is inferred).
_TRANSCRIPT = lazy(r"^[ \t]{0,8}(?:>>> (MAIL From|RCPT To|EHLO|HELO|LHLO|DATA|\.)(?::<([^>\r\n]{0,320})>)?[^\r\n]{0,400}"
                   r"|\.\.\. while talking to [^\r\n]{1,300}:)\r?\n[ \t]{0,8}<<< [45]\d\d", re.M)
_TRANSCRIPT_COMMANDS = {"MAIL From": "MAIL FROM", "RCPT To": "RCPT TO", "EHLO": "HELO", "HELO": "HELO",
                        "LHLO": "HELO", "DATA": "DATA", ".": "END OF DATA", None: "CONNECT"}


def _transcript_command(body: str, rcpt: str) -> str | None:
    """The command a Sendmail transcript shows refused for ``rcpt``: its own
    RCPT, else a refusal of the whole session or message (greeting, EHLO,
    MAIL, DATA); None when the transcript says nothing certain."""
    whole = None
    for m in _TRANSCRIPT.finditer(body):
        verb, arg = m[1], m[2]
        if verb == "RCPT To":
            if arg is not None and arg.lower() == rcpt.lower():
                return "RCPT TO"
            continue  # another recipient's refusal
        if verb in ("DATA", ".") and body.rfind(">>> ", body.rfind("\n", 0, m.start() - 1) + 1, m.start()) >= 0:
            continue  # a command sent right before it whose reply had not come (PIPELINING): uncertain
        if whole is None:
            whole = _TRANSCRIPT_COMMANDS[verb]
    return whole


def _inline_original(body: str) -> dict[str, str] | None:
    """The returned copy's headers when they are pasted into the text (qmail,
    Exim, Lotus Notes): the first header line after an "original message" marker."""
    from . import nonstandard
    m = nonstandard.END.search(body)
    while m and not _HEADER_LINE.match(body, m.start()):
        nl = body.find("\n", m.start())
        if nl < 0:
            return None
        m = _HEADER_LINE.search(body, nl + 1, nl + 2000)
    if not m:
        return None
    headers = parse_headers_text(body[m.start():m.start() + 65536])
    return headers or None


_HEADER_LINE = lazy(r"^(?:Return-Path|Received|Message-ID|From|To|Subject|Date|DKIM-Signature|MIME-Version)"
                          r"[ \t]*:", re.I | re.M)


def _first_address(value: str) -> str | None:
    if not value:
        return None
    try:
        pairs = getaddresses([value])
    except Exception:
        pairs = []
    for _, addr in pairs:
        if addr and "@" in addr:
            return addr.strip()
    from . import nonstandard
    m = nonstandard.ADDRESS.search(value)
    return m[0] if m else None


def _msgid(value: str | None) -> str | None:
    if not value:
        return None
    m = re.search(r"<([^<>\s]{1,500})>", value)
    return m[1] if m else value.strip()[:500] or None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        d = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return d if d.tzinfo else None


def _norm(addr: str) -> str:
    addr = addr.strip().strip("<>")
    if "@" not in addr:
        return addr
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower()}"
