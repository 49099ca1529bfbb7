"""VERP: the bounce address says whom the message was for. Pure.

Postfix (``sendmail -V``, ``smtpd_authorized_verp_clients``) and most list
managers send to ``bob@example.com`` from ``bounces+bob=example.com@ours``:
the returned mail comes back to that address, so even a bounce that names no
recipient (or a redacted feedback report) identifies it. The delimiters are
Postfix's ``default_verp_delimiters`` (``+=``).
"""

from __future__ import annotations


def decode_verp(address: str | None, delimiters: str = "+=") -> str | None:
    """``bounces+bob=example.com@ours.example`` -> ``bob@example.com``;
    None when the address carries no VERP recipient."""
    if not address or len(delimiters) != 2:
        return None
    local, at, _ = address.strip().strip("<>").rpartition("@")
    if not at:
        return None
    first, eq = delimiters
    i = local.find(first)
    if i <= 0:
        return None
    rest = local[i + 1:]
    j = rest.rfind(eq)
    if j <= 0 or j == len(rest) - 1:
        return None
    user, domain = rest[:j], rest[j + 1:]
    if ("." not in domain or "@" in user or "@" in domain or ".." in domain or domain.endswith(".")
            or domain.startswith(".") or ".." in user or user.startswith(".") or user.endswith(".")):
        return None
    return f"{user}@{domain.lower()}"
