"""The domain a user probably meant when a bad_domain bounce names a typo
(``gamil.com`` -> ``gmail.com``), so a signup form or a CRM can offer the
fix instead of just dropping the address.

A suggestion is made only for a short list of large mailbox domains, and
only when the typo is one edit away (insert, delete, substitute, or swap of
two neighbours: Damerau-Levenshtein distance 1), or the right name under a
mistyped TLD (``gmail.con``); anything further is more likely a real,
different domain.
"""

from __future__ import annotations

from functools import lru_cache

# Domains that receive most consumer mail (and so most typos).
COMMON_DOMAINS: tuple[str, ...] = (
    "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com",
    "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me",
    "gmx.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr", "wanadoo.fr", "free.fr",
    "laposte.net", "sfr.fr", "libero.it", "virgilio.it", "hotmail.fr", "hotmail.co.uk", "yahoo.fr",
    "yahoo.co.uk", "btinternet.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net",
    "mail.ru", "yandex.ru", "qq.com", "163.com", "zoho.com", "fastmail.com",
)
_BY_NAME: dict[str, list[str]] = {}
for _d in COMMON_DOMAINS:
    _BY_NAME.setdefault(_d.split(".", 1)[0], []).append(_d)

# Mistyped TLDs of the common names: gmail.con, hotmail.cm, yahoo.comm.
_TLD_TYPOS = {"con": "com", "cmo": "com", "cm": "com", "om": "com", "comm": "com", "co": "com",
              "vom": "com", "xom": "com", "nte": "net", "ner": "net", "nt": "net", "ed": "de"}


@lru_cache(maxsize=4096)
def suggest_domain(domain: str) -> str | None:
    """The common domain ``domain`` is most likely a typo of, or None."""
    d = domain.strip().lower().rstrip(".")
    if not d or d in COMMON_DOMAINS or len(d) > 64:
        return None
    name, _, tld = d.partition(".")
    if name in _BY_NAME and tld in _TLD_TYPOS:
        fixed = f"{name}.{_TLD_TYPOS[tld]}"
        if fixed in COMMON_DOMAINS:
            return fixed
    best = None
    for cand in COMMON_DOMAINS:
        if abs(len(cand) - len(d)) <= 1 and _one_edit(d, cand):
            if best is not None:
                return None  # two equally close candidates: do not guess
            best = cand
    return best


def _one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1 (a != b), in linear time."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b, la, lb = b, a, lb, la
    if lb - la != 1:
        return False
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]
