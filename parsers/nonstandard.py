"""Bounces that are not RFC 3464 DSNs: recipient and reason found
heuristically, Sisimai-style. Pure.

Old and odd MTAs (qmail, Exchange 5.5/2003 NDRs, Lotus Notes, Sendmail
before DSNs, Yahoo, Mail.ru, IMail, LISTSERV gateways, localized ones) write
a paragraph of prose, then the failed addresses with the remote reply, then
"a copy of the message follows". Each family is one row of
:data:`FAMILIES` (data, not code): how to recognize it, where its failure
section begins and ends. The extraction is shared:

1. cut the text at the family's end marker or a generic "original message"
   marker, so addresses in the returned copy are never taken;
2. every address left in that section is a failed recipient, except ours
   (the bounce address, the original sender), role addresses named for
   contact ("please contact <postmaster@...>") and the header lines
   Exchange quotes ("To:", "Subject:") about the original message;
3. the reason is the paragraph around the address's first mention.

Every pattern is bounded and free of nested quantifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .lazyre import lazy


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    detect: str                    # searched in From + Subject + the first 4 KB of text
    begin: str | None = None       # the failure section starts after the first line matching this
    end: str | None = None         # and ends before the first line matching this
    bare_local_parts: bool = False  # recipients named without a domain (AOL screen names)


FAMILIES: tuple[Family, ...] = (
    Family("qmail", r"qmail-send program|This is the deliver program at|I'm afraid I wasn't able to deliver"
           r"|The MTA program at \S{1,100} was unable to deliver|This is the mail delivery agent at"
           r"|There's a problem with the e-mail address|Your mail message to the following address\(es\) could not",
           begin=r"wasn't able to deliver", end=r"^--- (?:Below this line is a copy|Enclosed is a copy|"
           r"Attachment is a copy)|^--- (?:Mensaje original|Original message)"),
    Family("exim", r"This message was created automatically by mail delivery\s{1,4}software|"
           r"The following address\(es\) failed|X-Failed-Recipients",
           begin=r"address\(es\) failed|could not be delivered to", end=r"^-{3,} ?This is a copy of"),
    Family("postfix", r"This is the (?:mail system|[^\n]{0,60}program) at host",
           end=r"^-{2,} ?(?:Undelivered Message|Delivery report)"),
    Family("sendmail", r"-{3,} ?(?:Transcript of session follows|The following addresses had permanent fatal errors)"
           r"|The original message was received at",
           end=r"^ *-{3,} ?(?:Original message follows|Unsent message follows|Message header follows|"
           r"Returned message|Original message)"),
    Family("exchange", r"did not reach the following recipient|MSEXCH:|Delivery has failed to these recipients"
           r"|Your message did not reach some or all of the intended recipients",
           begin=r"did not reach the following recipient|Delivery has failed to these recipients|"
           r"did not reach some or all", end=r"^Original message headers:|^-{3,} ?Original message"),
    Family("notes", r"Failure Reasons|Lotus|Domino Directory", begin=r"^-{3,} ?Failure Reasons",
           end=r"^-{3,} ?Returned Message"),
    Family("yahoo", r"MAILER-DAEMON@yahoo|Message from yahoo\.com|Sorry, we were unable to deliver your message"
           r"|Unable to deliver message to the following address\(es\)",
           end=r"^--- Original message follows"),
    Family("aol", r"MAILER-DAEMON@AOL\.com|not accepting mail from", begin=r"not accepting mail from[^\n]{0,300}",
           bare_local_parts=True),
    Family("mailru", r"(?:mailer-daemon|postmaster)@(?:\S{0,40}\.)?mail\.ru|сервером Mail\.Ru",
           end=r"^-{3,} ?This is a copy of"),
    Family("yandex", r"(?:mailer-daemon|postmaster)@yandex|почтовым сервером yandex",
           end=r"^-{2,} ?(?:Undelivered Message|Delivery report)"),
    Family("imail", r"RCPT TO generated following response|^Unknown user:|SMTP32|Ipswitch|^Delivery failed \d{1,4} "
           r"attempts:|^undeliverable {1,3}to |^Invalid final delivery userid:",
           end=r"^Original message follows"),
    Family("mdaemon", r"MDaemon|Permanent Delivery Failure", end=r"^-{3,} ?(?:Original message|Session Transcript)"),
    Family("interscan", r"InterScan|Messaging Security Suite", end=r"^\*{5,} {1,5}End of message"),
    Family("listserv", r"^Error-for:|LISTSERV", end=r"^-{5,} ?Original message"),
    Family("messaging-server", r"This Message was undeliverable due to the following reason",
           end=r"^Please reply to"),
    Family("courier", r"This is a delivery status notification from|Courier mail server",
           end=r"^-{3,} ?(?:Original message|The original message)"),
    Family("gmail", r"Delivery to the following recipients? (?:failed|has been delayed)",
           end=r"^-{3,} ?(?:Original message|Forwarded message)"),
    Family("hotpop", r"^Undeliverable Address:", end=r"^Original message attached"),
    Family("mailenable", r"MailEnable", end=r"^-{3,} ?Original message"),
    Family("sina", r"MAILER-DAEMON@sina\.com|邮件无法发送到您指定的地址"),
    Family("symantec", r"Symantec_AntiVirus|Symantec Mail Security"),
    Family("llnl", r"did not exactly match an\s+LLNL email address", begin=r"The address to\s+which your message",
           end=r"^The following locator information"),
)

# Lines after which only the returned copy follows, whatever the family.
END = lazy(
    r"^[ |>*=-]{0,6}(?:-{2,}|={2,}|\*{2,}) ?(?:Below this line is a copy|Original message|Original Message|"
    r"This is a copy of the message|Returned (?:mail|message)|RETURNED MAIL FOLLOWS|Unsent message follows|"
    r"Message header follows|Header of the source mail|START OF RETURNED MESSAGE|Enclosed is a copy|"
    r"Forwarded message|Message text follows|Undelivered Message|Mensaje original|Message d'origine|"
    r"Ursprüngliche Nachricht|Исходное сообщение)"
    r"|^(?:Original message follows\.?|Original message as received is as follows|Original message attached"
    r"|Original message details:"
    r"|Your message reads \(in part\)|Original message headers:|The original message headers? (?:is|are|follows?))"
    r"|^(?:Return-Path|Received|Message-ID|DKIM-Signature): ", re.I | re.M)

# Words that say a bounce is a bounce, in the languages they come in.
FAILURE = lazy(
    r"could not be delivered|couldn't be delivered|undeliver|not delivered|delivery (?:has )?failed|failed recipient"
    r"|permanent (?:fatal )?error|unable to deliver|wasn't able to deliver|did not reach|returned mail|failure notice"
    r"|delivery (?:status notification|failure|problem|report)|non[- ]?delivery|mail delivery (?:failed|system|subsystem)"
    r"|the following address|message (?:was )?not delivered|konnte nicht zugestellt|unzustellbar|nicht zugestellt"
    r"|n'a pas pu [eê]tre (?:d[ée]livr[ée]|remis|distribu[ée])|non remis|no (?:pudo|se pudo) (?:ser )?entregar"
    r"|non è stato (?:possibile )?(?:consegnato|recapitato)|не (?:может быть|удалось|было) доставлен|не доставлено"
    r"|配信できませんでした|未送达|退信|无法投递|投递失败|Unable to deliver message|(?:was|been) (?:automatically )?rejected"
    r"|message not delivered", re.I)

TEMPORARY = lazy(
    r"\bdelayed\b|still being retried|has not yet been delivered|not (?:yet )?been delivered yet|not yet delivered"
    r"|will (?:continue|keep) (?:trying|to try|attempting)|(?:attempts|delivery attempts) will continue"
    r"|will (?:be )?retr(?:y|ied)|will try again|is still trying|\bWarning: message\b|\(Delay\)"
    r"|temporary (?:error|failure|problem)|noch nicht zugestellt|retard[ée]|retrasado|задерживается", re.I)
PERMANENT = lazy(r"permanent(?:ly)? (?:fatal )?(?:error|failure|failed)|I've given up|giving up|failed permanently",
                       re.I)

# \w, not [A-Za-z0-9]: internationalized addresses (RFC 6531) bounce too.
ADDRESS = lazy(r"[\w!#$%&'*+/=?^`{|}~.-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_QUOTED_HEADER = lazy(r"^\s{0,8}(?:To|Cc|Bcc|From|Subject|Sent|Date|Reply-To|Sender|Return-Path)\s{0,4}:", re.I)
_CONTACT = lazy(r"contact|reply to|questions|assistance|support|further information|report (?:this|the)"
                      r"|complain|help ?desk|mailto:|please (?:send|write|forward)|administrator at", re.I)
_ROLE = frozenset({"postmaster", "mailer-daemon", "mailerdaemon", "abuse", "hostmaster", "webmaster", "noc",
                   "mail-daemon", "mail.delivery.system"})
_PREFIX = lazy(r"^(?:smtp|rfc-?822)[=:]", re.I)   # Exchange "dda:SMTP=bob@...", X.400 "RFC-822=..."
_LISTED = lazy(r"^\s{0,12}[<\[\"']?[^\s<>@]{1,64}@[^\s<>]{1,255}[>\]\"']?:?\s*$|^\s{0,12}<[^\s<>]{1,320}>:")
_BARE = lazy(r"^\s{1,12}([A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*$")


@dataclass(slots=True)
class Failed:
    recipient: str
    reason: str


@dataclass(slots=True)
class NonStandard:
    family: str | None
    temporary: bool
    failed: list[Failed]
    section: str


@cache
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I | re.M)


def family_of(sniff: str) -> Family | None:
    for fam in FAMILIES:
        if _rx(fam.detect).search(sniff):
            return fam
    return None


def failure_section(text: str, fam: Family | None) -> str:
    """The part of the text that talks about the failure (begin .. end)."""
    if fam and fam.begin:
        m = _rx(fam.begin).search(text)
        if m:  # from the end of the marker: an address on the same line still counts
            text = text[m.end():]
    ends = [m.start() for m in (END.search(text),) if m]
    if fam and fam.end:
        m = _rx(fam.end).search(text)
        if m:
            ends.append(m.start())
    cut = min(ends) if ends else len(text)
    if cut < 20 and ends:  # a marker on the first line: the section is below it
        nxt = [m.start() for m in END.finditer(text, 20)]
        cut = nxt[0] if nxt else len(text)
    return text[:cut]


def is_temporary(subject: str, section: str) -> bool:
    if TEMPORARY.search(subject):
        return True
    return bool(TEMPORARY.search(section)) and not PERMANENT.search(section)


def _reason(lines: list[str], i: int, addr: str) -> str:
    """The paragraph that mentions the address: the line itself (minus the
    address) and the lines after it up to a blank line; if those say
    nothing, the line before (Lotus Notes writes the reason first)."""
    own = lines[i].replace(f"<{addr}>", " ").replace(addr, " ").strip(" \t:;,.-<>()[]\"'")
    after: list[str] = []
    for ln in lines[i + 1:i + 8]:
        s = ln.strip()
        if not s or ADDRESS.fullmatch(s.strip("<>:")):
            break
        after.append(s)
    parts = [p for p in (own, *after) if p and len(p) > 2]
    if not parts and i > 0 and lines[i - 1].strip():
        parts = [lines[i - 1].strip()]
    text = " ".join(parts)
    return text[:1000]


def extract(text: str, *, sniff: str, subject: str, exclude: set[str], senders: set[str] = frozenset(),
            from_domain: str | None = None) -> NonStandard:
    """Failed recipients and reasons from a non-standard bounce's text.
    ``exclude``: lower-cased addresses that are ours (the bounce address),
    never a failed recipient. ``senders``: the original sender's addresses,
    taken only where a recipient list names them (``<addr>:`` or alone on
    a line): people test by mailing themselves."""
    fam = family_of(sniff)
    section = failure_section(text, fam)
    lines = section.splitlines()
    fm = FAILURE.search(section)
    quoted_until = section.count("\n", 0, fm.start()) if fm else len(lines)
    found: dict[str, Failed] = {}
    for i, line in enumerate(lines):
        if "@" not in line:
            continue
        quoted = i < quoted_until and bool(_QUOTED_HEADER.match(line))
        contact = bool(_CONTACT.search(line))
        for m in ADDRESS.finditer(line):
            addr = _PREFIX.sub("", m[0].strip(".-'"))
            key = _key(addr)
            if key in found or key in exclude or quoted or not valid_address(key):
                continue
            if key in senders and not _LISTED.match(line):
                continue
            local = key.split("@", 1)[0]
            if local in _ROLE and (contact or found):
                continue
            if contact and not FAILURE.search(line):
                continue
            found[key] = Failed(_normalize(addr), _reason(lines, i, addr))
    if not found and fam and fam.bare_local_parts and from_domain:
        for i, line in enumerate(lines):
            m = _BARE.match(line)
            if m:
                addr = f"{m[1]}@{from_domain}"
                found.setdefault(_key(addr), Failed(_normalize(addr), _reason(lines, i, m[1])))
    return NonStandard(fam.name if fam else None, is_temporary(subject, section), list(found.values()), section)


def valid_address(addr: str) -> bool:
    local, at, domain = addr.rpartition("@")
    return bool(at and local) and ".." not in local and not local.startswith(".") and not local.endswith(".") \
        and "." in domain and ".." not in domain and not domain.endswith((".", "-"))


def _key(addr: str) -> str:
    return addr.lower()


def _normalize(addr: str) -> str:
    """Keep the local part as written (it may be case-sensitive), lower-case the domain."""
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower()}"
