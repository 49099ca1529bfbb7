"""A bounded cache for the parsers' pure helpers.

Values repeat line after line in a log (a relay, a sender, a delay, a
reply): a pure function of one is worth remembering. The cache must stay
bounded whatever the log holds, so it empties itself when full (cheaper per
line than an LRU's bookkeeping; a log's working set refills it within a few
hundred lines) and stores no key longer than ``max_len`` (a hostile 1 MB
value is computed, not kept). It is a dict, so a hot path may look a key up
itself and call :meth:`keep` only on a miss.
"""

from __future__ import annotations

from typing import Hashable, TypeVar

V = TypeVar("V")


class Memo(dict):
    __slots__ = ("limit", "max_len")

    def __init__(self, limit: int = 4096, max_len: int | None = None) -> None:
        """``max_len``: the longest (``len``) key kept; None for any."""
        super().__init__()
        self.limit, self.max_len = limit, max_len

    def keep(self, key: Hashable, value: V) -> V:
        """Remember ``value`` for ``key`` (if the key is short enough) and return it."""
        if self.max_len is None or len(key) <= self.max_len:  # type: ignore[arg-type]
            if len(self) >= self.limit:
                self.clear()
            self[key] = value
        return value


__all__ = ["Memo"]
