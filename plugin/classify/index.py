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

A field's pattern hits are asked for only when a rule that a hit on that
field could make a candidate comes before the first candidate known so far:
a table whose relay-host rules come before its reply-text rules decides a
delivery to a known relay without scanning its reply text (a scan is most
of what classifying a new text costs, and every reply text is new: ids).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .expr import Hits, Predicate, _str, resolve


class RuleIndex:
    def __init__(self, preds: Sequence[Predicate]) -> None:
        self.size = len(preds)
        self.always = 0          # rules that promise nothing: always candidates
        self.needs_scan = 0      # rules that may be candidates through a pattern hit
        self._scan_bits: dict[tuple[str, ...], int] = {}   # path -> rules a hit on it may make candidates
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
                    self._scan_bits[path] = self._scan_bits.get(path, 0) | bit
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
        """Position of the first predicate that is true, or None.

        ``known``: the candidates found so far; ``unknown``: the rules that a
        field not yet scanned could still make candidates. The lowest known
        candidate is tried once no unknown rule comes before it; else the
        field of the lowest unknown rule is scanned (its hits ask ``hits``)."""
        known = self.value_candidates(ctx)
        unknown = self.needs_scan
        pending = self._scan_bits
        scanned: set[tuple[str, ...]] | None = None
        done = 0  # positions below are decided
        while True:
            rest = known >> done << done
            low = rest & -rest
            blockers = unknown >> done << done
            if low:
                blockers &= low - 1
            if blockers:
                first = blockers & -blockers
                if scanned is None:
                    scanned = set()
                for path, bits in pending.items():  # a field that can make the lowest unknown rule a candidate
                    if bits & first and path not in scanned:
                        break
                scanned.add(path)
                table = self._hit[path]
                for i in hits[path]:
                    known |= table.get(i, 0)
                unknown = 0
                for p, bits in pending.items():
                    if p not in scanned:
                        unknown |= bits
                continue
            if not low:
                return None
            i = low.bit_length() - 1
            if preds[i].fn(ctx, hits, None):
                return i
            done = i + 1
