"""Pseudonymization of recipient addresses for sinks that leave the host.

``bob@example.com`` becomes ``p-1f3a9c0d5e7b2a64@example.com``: the local
part is replaced by the first 16 hex digits of HMAC-SHA256(key, local part),
the domain stays readable (per-domain dashboards keep working). The same key
gives the same pseudonym everywhere, so a SIEM can still count repeats for
one address, and whoever holds the key can check a suspected address
(``bouncewatch`` is not the place to reverse it). The local part is hashed
as logged, except that it is not case-folded: RFC 5321 lets a receiver
treat ``Bob`` and ``bob`` as different mailboxes.

The key comes from a file (at least 16 bytes, e.g. ``head -c 32 /dev/urandom
> /etc/bouncewatch/pseudonym.key``), never from the command line. Every
occurrence of the recipient (and original recipient) in ``reason`` is
replaced too: remote servers echo the address in their replies.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

MIN_KEY_BYTES = 16


class PrivacyError(ValueError):
    """The key file is missing, unreadable or too short."""


@dataclass(frozen=True)
class Pseudonymizer:
    key: bytes

    @classmethod
    def from_file(cls, path: str) -> "Pseudonymizer":
        try:
            with open(path, "rb") as f:
                key = f.read().strip()
        except OSError as e:
            raise PrivacyError(f"cannot read key file {path}: {e.strerror}") from None
        if len(key) < MIN_KEY_BYTES:
            raise PrivacyError(f"key file {path} holds {len(key)} bytes; at least {MIN_KEY_BYTES} needed")
        return cls(key)

    def address(self, addr: str) -> str:
        at = addr.rfind("@")
        local, domain = (addr[:at], addr[at:]) if at >= 0 else (addr, "")
        if not local:
            return addr  # the null sender <> has nothing to hide
        digest = hmac.new(self.key, local.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        return f"p-{digest[:16]}{domain}"

    def apply(self, event: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``event`` with recipient local parts replaced."""
        out = dict(event)
        reason = out.get("reason")
        for key in ("recipient", "orig_recipient"):
            addr = out.get(key)
            if not addr:
                continue
            pseudo = self.address(addr)
            out[key] = pseudo
            if isinstance(reason, str) and addr in reason:
                reason = reason.replace(addr, pseudo)
            elif isinstance(reason, str) and addr.lower() in reason.lower():
                reason = _replace_folded(reason, addr, pseudo)
        if reason is not None:
            out["reason"] = reason
        return out


def _replace_folded(text: str, needle: str, repl: str) -> str:
    low, n = text.lower(), needle.lower()
    if len(low) != len(text):  # case folding changed lengths: be safe, not clever
        return text.replace(needle, repl)
    parts, i = [], 0
    while True:
        j = low.find(n, i)
        if j < 0:
            parts.append(text[i:])
            return "".join(parts)
        parts.append(text[i:j])
        parts.append(repl)
        i = j + len(n)
