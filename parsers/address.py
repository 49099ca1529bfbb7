"""Mail addresses as the MTAs log them: one normal form for every parser, so
the same recipient is the same key in correlation, history and suppression
whichever MTA logged it."""

from __future__ import annotations


def strip_angle(s: str) -> str:
    """``<a@b>`` -> ``a@b``; also a bracket cut off by a truncated line."""
    s = s.strip()
    if s.startswith("<"):
        s = s[1:]
    if s.endswith(">"):
        s = s[:-1]
    return s


def normalize_address(addr: str) -> str:
    """Lower-cases the domain only: local parts are case-sensitive by RFC 5321.

    :func:`strip_angle` written out, and no new string for a domain already
    in lower case: called for nearly every delivery line, most of whose
    addresses come bracket-free and lower-case already."""
    addr = addr.strip()
    if addr[:1] == "<":
        addr = addr[1:]
    if addr[-1:] == ">":
        addr = addr[:-1]
    at = addr.rfind("@")
    if at < 0:
        return addr
    domain = addr[at + 1:]
    lower = domain.lower()
    return addr if domain == lower else addr[:at + 1] + lower
