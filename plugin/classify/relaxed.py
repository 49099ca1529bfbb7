"""RE2 sets that compile in well under half the time, with the same hits.

Compiling a field's ``re2.Set`` is most of what loading a cached rule set
costs, and ``ingest-mail`` loads one per returned message. Nearly all of it
is bounded repetitions: RE2 unrolls ``.{0,80}`` into 80 copies of "any
UTF-8 character", and the built-in reason patterns hold dozens of them.

So a :class:`RelaxedSet` compiles the set from *relaxed* patterns:
``X{m,n}`` becomes ``X{m,}`` (``X*`` when m is 0). A relaxed pattern
matches wherever its exact one does (RE2 has no lookaround or
backreferences, so widening one part only widens the whole), possibly
more; so an id the set reports for a relaxed pattern is confirmed with the
exact pattern on its own, compiled on first use. ``Match`` gives exactly
the ids the exact set would.

A long-running process would pay for the confirmations on every scan (and
compile many exact patterns one by one): after :data:`EXACT_AFTER` scans it
compiles the exact patterns into an RE2 filter (:func:`compile_filter`) and
uses that. A one-shot process (``ingest-mail``,
``explain``, ``parse`` of a few lines) scans a field a few times at most; a
long run pays the relaxed set and a few confirmations once (about 110 M
instructions, 2% of a 15,000-line ``parse``).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import re2

EXACT_AFTER = 8       # scans before a long-running process compiles the exact set
MIN_SPAN = 8          # X{m,n} with n - m below this is cheap to unroll: kept exact


# What the relaxing looks at: an escape, a bracketed class (both kept as
# they are), or a repetition {m,n}. Linear: no quantifier inside another.
_TOKEN = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\{(\d+),(\d+)\}", re.S)


def relax(pattern: str) -> str:
    """``X{m,n}`` -> ``X{m,}`` (``X*`` for m = 0) where n - m >= MIN_SPAN;
    the pattern unchanged if it holds what this scanner does not follow
    (``\\Q...\\E`` quoting, ``[:class:]`` names inside brackets)."""
    if "\\Q" in pattern or "[:" in pattern or "{" not in pattern:
        return pattern
    return _TOKEN.sub(_relaxed, pattern)


def _relaxed(m: re.Match[str]) -> str:
    if m[1] is None or int(m[2]) - int(m[1]) < MIN_SPAN:  # an escape, a class, a short span
        return m[0]
    return "*" if int(m[1]) == 0 else "{" + m[1] + ",}"


def compile_set(patterns: Sequence[str], options: Any) -> Any:
    s = re2.Set.SearchSet(options)
    for p in patterns:
        s.Add(p)
    s.Compile()
    return s


def compile_filter(patterns: Sequence[str], options: Any) -> Any:
    """The exact patterns as an RE2 filter (FilteredRE2): the same ids as
    an ``re2.Set``. It finds which of the patterns' required literals occur
    in the text (one pass over a small automaton of literals), then runs
    only the patterns those allow, each on its own. A Set's automaton
    combines every pattern with every other and, on the new texts a log
    brings all day (ids, addresses), keeps building states: on the reply
    texts of the bench log a filter costs 2 to 6 times less per scan. It
    compiles slower than a relaxed Set, so a short run never builds it."""
    f = re2.Filter()
    for p in patterns:
        f.Add(p, options)
    f.Compile()
    return f


class RelaxedSet:
    """Stands in for an ``re2.Set`` of ``patterns``: ``Match(text)`` -> the
    ids of the patterns found in ``text`` (falsy when none); a relaxed Set
    first, an exact filter after EXACT_AFTER scans.
    ``exact(i)``: pattern ``i`` compiled on its own (the caller keeps those)."""

    __slots__ = ("_set", "_confirm", "_exact", "_patterns", "_options", "_scans")

    def __init__(self, patterns: Sequence[str], options: Any, exact: Callable[[int], Any]) -> None:
        relaxed = [relax(p) for p in patterns]
        self._patterns, self._options, self._exact = list(patterns), options, exact
        self._confirm = frozenset(i for i, (p, r) in enumerate(zip(patterns, relaxed)) if p != r)
        self._scans = 0
        try:
            self._set = compile_set(relaxed if self._confirm else patterns, options)
        except re2.error:  # a relaxed form RE2 will not take: the exact set
            self._set, self._confirm = compile_set(patterns, options), frozenset()

    def settle(self) -> None:
        """Switch to the exact patterns' filter now (a long run that knows it
        is one: better at start than as a stall in its first seconds)."""
        if self._confirm:
            self._set, self._confirm = compile_filter(self._patterns, self._options), frozenset()

    def Match(self, text: str) -> Any:  # noqa: N802  (re2.Set's name)
        found = self._set.Match(text)
        confirm = self._confirm
        if not confirm:
            return found
        self._scans += 1
        if self._scans >= EXACT_AFTER:  # a long run: the exact patterns from the next scan on
            self._set, self._confirm = compile_filter(self._patterns, self._options), frozenset()
        if not found:
            return found
        return [i for i in found if i not in confirm or self._exact(i).search(text) is not None]
