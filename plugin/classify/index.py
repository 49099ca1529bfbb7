"""An index over one ordered rule table: which rules can match this delivery?

A table is evaluated first-match-wins, so the plain way tries rule after rule.
Most rules, though, can only be true if one of their ``~`` patterns matched
(a pattern the shared MatchBank scans for anyway) or a field holds one of a
few values (``in [...]``, ``= "..."``): the expression compiler records that
as :data:`~.expr.Requirement`. The index maps each such pattern id and value
to the rules that need it, so a delivery's candidates are a union of bitmasks,
and only candidates are evaluated, still in table order and with their full
condition. The result is the same rule the plain loop would find; a sent
line to a domain no provider rule names evaluates no provider rule at all.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .expr import Hits, Predicate, _str, resolve


class RuleIndex:
    def __init__(self, preds: Sequence[Predicate]) -> None:
        self.size = len(preds)
        self.always = 0          # rules that promise nothing: always candidates
        self.needs_scan = 0      # rules that may be candidates through a pattern hit
        # per kind of requirement: path -> key (pattern id or value) -> bitmask of rules
        self._hit: dict[tuple[str, ...], dict[Any, int]] = {}
        self._in: dict[tuple[str, ...], dict[Any, int]] = {}
        self._eq: dict[tuple[str, ...], dict[Any, int]] = {}
        self._in_any: dict[tuple[str, ...], int] = {}   # every rule with an "in" on the path
        tables = {"hit": self._hit, "in": self._in, "eq": self._eq}
        for i, pred in enumerate(preds):
            bit = 1 << i
            if pred.requires is None:
                self.always |= bit
                continue
            for kind, path, keys in pred.requires:
                table = tables[kind].setdefault(path, {})
                for k in keys:
                    table[k] = table.get(k, 0) | bit
                if kind == "in":
                    self._in_any[path] = self._in_any.get(path, 0) | bit
                elif kind == "hit":
                    self.needs_scan |= bit
        # each field resolved once: (path, its "in" table, its "eq" table)
        self._values = [(path, self._in.get(path), self._eq.get(path))
                        for path in dict.fromkeys([*self._in, *self._eq])]

    def value_candidates(self, ctx: Mapping[str, Any]) -> int:
        """Rules that are candidates without scanning any text."""
        mask = self.always
        for path, in_table, eq_table in self._values:
            v = resolve(ctx, path)
            if in_table is not None:
                try:
                    mask |= in_table.get(v, 0)
                except TypeError:  # an unhashable value: let the rules themselves decide
                    mask |= self._in_any[path]
            if eq_table is not None:
                mask |= eq_table.get(v if type(v) is str else _str(v), 0)
        return mask

    def hit_candidates(self, hits: Hits) -> int:
        mask = 0
        for path, table in self._hit.items():
            for i in hits[path]:
                mask |= table.get(i, 0)
        return mask

    def first(self, preds: Sequence[Predicate], ctx: Mapping[str, Any], hits: Hits) -> int | None:
        """Position of the first predicate that is true, or None."""
        cheap = self.value_candidates(ctx)
        done = 0  # positions below are decided
        # While no rule that a pattern could make a candidate comes before the
        # next cheap candidate, try that one: "status in [sent]" at the top of
        # a table decides a sent line without scanning anything.
        while True:
            rest = cheap >> done << done
            low = rest & -rest
            if not low or self.needs_scan >> done << done & (low - 1):
                break
            i = low.bit_length() - 1
            if preds[i].fn(ctx, hits, None):
                return i
            done = i + 1
        mask = (cheap | self.hit_candidates(hits)) >> done << done
        while mask:
            low = mask & -mask
            i = low.bit_length() - 1
            if preds[i].fn(ctx, hits, None):
                return i
            mask ^= low
        return None
