"""What a rule set can see of a delivery, as one hashable key.

Rule conditions ask a field only a few kinds of question (see
``Predicate.tests``): which of the bank's patterns match it, is it missing,
is it truthy, which of some strings does it equal, which of some values is
it, what number is it. Two deliveries that get the same answers to every
question get the same rule from every table and so the same
classification. A Gmail ``250 2.0.0 OK 1795154461 a2lx...879 - gsmtp``
differs from the next one in its ids, not in any answer: the classifier
remembers decisions by this key, and only a delivery no rule set has seen
the like of is evaluated rule by rule.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .expr import Hits, Predicate, _num, _str, resolve

_OTHER = object()  # "none of the constants any rule compares this field with"


class Signature:
    def __init__(self, preds: Iterable[Predicate], derived: Iterable[tuple[str, ...]] = (),
                 direct: Iterable[tuple[str, ...]] = ()) -> None:
        """``derived``: fields the classifier itself fills in while deciding
        (provider, blocklist), left out. ``direct``: fields the classifier
        reads itself (status), kept whole."""
        plan: dict[tuple[str, ...], dict[str, Any]] = {}
        for pred in preds:
            for kind, path, const in pred.tests:
                q = plan.setdefault(path, {"hit": False, "none": False, "truthy": False, "eq": set(),
                                           "in": set(), "num": False})
                if kind in ("eq", "in"):
                    q[kind] |= {const} if kind == "eq" else const
                    q[kind + "_used"] = True
                else:
                    q[kind] = True
        skip = set(derived)
        self._plan = tuple(
            (path, q["hit"], q["none"], q["truthy"], frozenset(q["eq"]) if q.get("eq_used") else None,
             frozenset(q["in"]) if q.get("in_used") else None, q["num"])
            for path, q in sorted(plan.items()) if path not in skip)
        self._direct = tuple(direct)

    def of(self, ctx: Mapping[str, Any], hits: Hits) -> tuple | None:
        """The key, or None when a value cannot be part of one (unhashable)."""
        parts: list[Any] = []
        add = parts.append
        for path, hit, none, truthy, eqs, ins, num in self._plan:
            v = resolve(ctx, path)
            if hit:
                add(hits[path])
            if none:
                add(v is None)
            if truthy:
                add(bool(v))
            if eqs is not None:
                sv = v if type(v) is str else _str(v)
                add(sv if sv in eqs else _OTHER)
            if ins is not None:
                try:
                    add(v if v in ins else _OTHER)
                except TypeError:
                    return None
            if num:
                add(_num(v))
        for path in self._direct:
            v = resolve(ctx, path)
            try:
                hash(v)
            except TypeError:
                return None
            add(v)
        return tuple(parts)
