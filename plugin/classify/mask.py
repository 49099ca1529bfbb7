"""What the rules read of a reason: the words of the reply, not its parties.

A reason quotes the recipient's and the sender's address, names the domain,
and Postfix's names the receiving host and its address ("host
mx.example.org[192.0.2.1] said: ..."). None of them says why a delivery
failed, but to a pattern their words and digits look like evidence. Before
this, a bounce for ``dmarc-reports@`` matched "dmarc" (an authentication
failure, so the dead address was never suppressed), a recipient domain
``spf-tools.org`` made a full mailbox an SPF problem, a gateway named
``mx-throttle.*`` or ``greylist.*`` made "User unknown" a retry, and
"connect to mx.example.org[10.5.1.1]:25: Connection refused" matched the
enhanced code 5.1.1 in the IP address: a dead mailbox, for a host that was
down.

So the rules see ``reason`` and ``text`` with those parties replaced by
stand-ins of the same shape (an address stays an address, so "recipient
x@x.x not found" still reads as one; our envelope sender's is s@s.s, so that
"<s@s.s>... User unknown" reads as about us): the delivery's addresses, its
recipient domain and relay host wherever they occur, any host name written
against a bracketed IP address (``host NAME[IP]``, ``connect to NAME[IP]``,
``NAME [IP]``), and every IP address. The event keeps the reason as logged;
the provider is still told by the relay host and the recipient domain
(rules read those fields whole), and by the signatures receivers put in
their own words (gsmtp, OFR_416, [TSS04]).

Linear on any input: the IP pattern's repetitions are bounded, names are
found with ``str.find``, and a host name is taken back from its bracket only
as far as the previous match.
"""

from __future__ import annotations

import re

from bouncewatch.parsers.memo import Memo

ADDRESS = "x@x.x"
SENDER = "s@s.s"   # our envelope sender's own stand-in: "<s@s.s>... User unknown" is about us
NAME = "x.x"
IPV4 = "0.0.0.0"
IPV6 = "::"

# A bracketed IPv4 or IPv6 address (Postfix's [192.0.2.1], [2001:db8::1],
# Exim's [IPv6:...]), matched where a "[" is; a bare dotted quad anywhere.
# Bounded repetitions: a few dozen steps from any start.
_BRACKET = re.compile(r"\[(?:IPv6:)?([0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f.]{0,15}){2,8})\]")
_BARE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?![0-9])")
_QUAD_DOTS = re.compile(r"\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]")   # where a dotted quad can be
_HOST = re.compile(r"[A-Za-z0-9_.-]{1,253}")          # what a host name is made of, fullmatched
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_ADDR_CHARS = _WORD | frozenset(".%+")
_DIGITS = frozenset("0123456789")
_DOTTED = _DIGITS | {"."}


# The host a Postfix reason names when relay= is "none": the one it tried
# ("connect to NAME[IP]:25: Connection refused"). Literal starts, bounded.
_TRIED = re.compile(r"(?:connect to|lost connection with|conversation with|host) ([A-Za-z0-9_.-]{1,253})\[([0-9A-Fa-f.:]{2,45})\]")


def tried_host(reason: str | None) -> dict[str, str | None] | None:
    """``{host, ip, port}`` of the host a reason with no relay names, for
    the rules' ``relay`` (the event's stays null): masked in the reason,
    the name still tells the provider (``*.mimecast.com`` unreachable)."""
    if not reason or "[" not in reason:
        return None
    m = _TRIED.search(reason)
    return {"host": m[1], "ip": m[2], "port": None} if m is not None else None


def parties(recipient: str | None, orig_recipient: str | None, sender: str | None,
            domain: str | None, relay_host: str | None) -> tuple[tuple[str, str], ...]:
    """The names a delivery's reason may quote, lower-cased, each with its
    stand-in: addresses first (they hold the domain), then the relay host
    (it often ends in the domain), then the domain. A host or a domain is
    masked only when it is a DNS name (has a dot): ``relay=local`` and the
    word "local" in a reason are not the same thing."""
    out: list[tuple[str, str]] = []
    for a, stand in ((recipient, ADDRESS), (orig_recipient, ADDRESS), (sender, SENDER)):
        if a and "@" in a and len(a) >= 3:
            a = a.lower()
            if all(a != n for n, _ in out):  # a sender mailing itself is the recipient
                out.append((a, stand))
    for n in (relay_host, domain):
        if n and "." in n and len(n) >= 4:
            n = n.lower().rstrip(".")
            if (n, NAME) not in out:
                out.append((n, NAME))
    return tuple(out)


def mask(text: str | None, names: tuple[tuple[str, str], ...]) -> str | None:
    """``text`` with ``names`` (from :func:`parties`) and IP addresses
    replaced by their stand-ins; ``text`` itself when it holds none."""
    if not text:
        return text
    if names:
        text = _mask_names(text, names)
    # With its parties gone a reply repeats ("550 5.1.1 <x@x.x>: User
    # unknown"): the host and IP scan, most of the cost, runs once per text.
    masked = _HOSTS_AND_IPS.get(text)
    if masked is None:
        masked = _HOSTS_AND_IPS.keep(text, _mask_hosts_and_ips(text))
    return masked


def mask_pair(reason: str | None, text: str | None,
              names: tuple[tuple[str, str], ...]) -> tuple[str | None, str | None]:
    """:func:`mask` of a reason and of the reply text it holds, in one pass
    over both (the text is nearly always part of the reason: two passes cost
    the main process of ``parse`` twice the calls for the same work)."""
    if not reason or not text or "\n" in reason or "\n" in text:
        return mask(reason, names), mask(text, names)
    both = mask(reason + "\n" + text, names)
    r, _, t = both.partition("\n")  # type: ignore[union-attr]
    return r, t


_HOSTS_AND_IPS: Memo = Memo(limit=4096, max_len=1000)


def _mask_names(text: str, names: tuple[tuple[str, str], ...]) -> str:
    low = text.lower()
    if len(low) != len(text):  # a case fold that changes length (rare scripts): exact case only
        low = text
    for name, stand in names:
        i = low.find(name)
        if i < 0:
            continue
        chars = _ADDR_CHARS if stand is ADDRESS or stand is SENDER else _WORD
        out, last, n = [], 0, len(name)
        while i >= 0:
            j = i + n
            if _bounded(low, i, j, chars):
                out.append(text[last:i])
                out.append(stand)
                last = j
                i = low.find(name, j)
            else:
                i = low.find(name, i + 1)
        if last:
            out.append(text[last:])
            text = "".join(out)
            low = text.lower()
            if len(low) != len(text):
                low = text
    return text


def _bounded(low: str, i: int, j: int, chars: frozenset[str]) -> bool:
    """The name at low[i:j] stands alone: not the tail of a longer name
    before it (``xbob@``, ``mx.example.org`` for ``example.org``), nor the
    head of one after it (``example.org.uk``, ``example.organic``)."""
    if i and (low[i - 1] in chars or low[i - 1] == "."):
        return False
    if j < len(low):
        c = low[j]
        if c in _WORD:
            return False
        if c == "." and j + 1 < len(low) and low[j + 1] in _WORD:
            return False
    return True


def _mask_hosts_and_ips(text: str) -> str:
    i = text.find("[")
    if i < 0:
        return _quads(text)
    out: list[str] = []
    last = 0
    while i >= 0:
        m = _BRACKET.match(text, i)
        if m is None:
            i = text.find("[", i + 1)
            continue
        stand = "[" + (IPV6 if ":" in m[1] else IPV4) + "]"
        # the host name written against it: NAME[IP], or NAME [IP] for a dotted NAME
        end = i - 1 if i > last and text[i - 1] == " " else i
        begin = max(text.rfind(" ", last, end) + 1, last)
        for sep in "(=<,;\n":
            k = text.rfind(sep, begin, end)
            if k >= begin:
                begin = k + 1
        host = text[begin:end]
        if host and _HOST.fullmatch(host) and (end == i or "." in host):
            out.append(_quads(text[last:begin]))
            out.append(NAME + text[end:i] + stand)
        else:
            out.append(_quads(text[last:i]))
            out.append(stand)
        last = m.end()
        i = text.find("[", last)
    if not last:
        return _quads(text)
    out.append(_quads(text[last:]))
    return "".join(out)


def _quads(text: str) -> str:
    """Bare dotted quads masked. Scanning for one from every digit costs
    more than all the rest: a search for its dots (a literal start) finds
    where to begin, in the few texts that have one."""
    hint = _QUAD_DOTS.search(text)
    if hint is None:
        return text
    i = hint.start()
    while i and text[i - 1] in _DIGITS:
        i -= 1
    return text[:i] + _BARE.sub(_bare, text[i:]) if i else _BARE.sub(_bare, text)


def _bare(m: re.Match[str]) -> str:
    """A dotted quad, unless it is the tail of a longer dotted number."""
    i = m.start()
    return m[0] if i and m.string[i - 1] in _DOTTED else IPV4
