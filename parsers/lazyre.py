"""Regular expressions compiled on first use.

The returned-mail parsers hold over a hundred large patterns (bounce
subjects and failure words in a dozen languages, auto-reply headers, MTA
families), and a returned message needs a few of them: a standard DSN
never looks at the non-standard families. Compiling all of them at import
cost more CPU than ``ingest-mail`` spends on the message itself.

``lazy(pattern, flags)`` stands in for ``re.compile(pattern, flags)``:
attribute access compiles once and keeps the compiled pattern's attribute
on the instance, so every later ``x.search`` is a plain attribute lookup.
For the hot log-line parsers keep ``re.compile``: they use every pattern.
"""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # only called for what the instance does not hold yet
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(re.compile(*self._args), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy({self._args[0]!r}, {self._args[1]!r})"


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, compiled when first used."""
    return LazyPattern(pattern, flags)
