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

The answers about a field are a function of its value alone, so they are
remembered per value: most fields of a delivery (status, dsn, relay host,
domain, command) repeat, and a key then costs a dictionary lookup per field
rather than the questions themselves. Only values that are new, nearly
always a reply text with its ids, are asked (one pattern-set scan each).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .expr import MEMO_MAX_LEN, MEMO_SIZE, Hits, Predicate, _num, _str, resolve

_OTHER = object()  # "none of the constants any rule compares this field with"
UNHASHABLE = object()  # an answer that cannot key a decision


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
        # per field: (path, its questions, the answers remembered per value)
        self._plan = tuple(
            (path, (q["hit"], q["none"], q["truthy"], frozenset(q["eq"]) if q.get("eq_used") else None,
                    frozenset(q["in"]) if q.get("in_used") else None, q["num"]), {})
            for path, q in sorted(plan.items()) if path not in skip)
        self._direct = tuple(direct)
        # The same plan one field at a time, for decisions.DecisionTree: per
        # index (path, questions, memo), a direct field's questions None
        # (its value is its answer); and which indexes a read of a top-level
        # field or of a path's matches concerns.
        directs = set(self._direct)
        self.fields: tuple[tuple[tuple[str, ...], tuple | None, dict | None], ...] = tuple(
            [(path, q, memo) for path, q, memo in self._plan if path not in directs]
            + [(path, None, None) for path in self._direct])
        self.by_path = {path: i for i, (path, _, _) in enumerate(self.fields)}
        self.by_head: dict[str, tuple[int, ...]] = {}
        for i, (path, _, _) in enumerate(self.fields):
            self.by_head[path[0]] = (*self.by_head.get(path[0], ()), i)

    def of(self, ctx: Mapping[str, Any], hits: Hits) -> tuple | None:
        """The key, or None when a value cannot be part of one (unhashable):
        every field's :func:`answer`. Fills ``hits`` with the matches of
        every field it asks about, so a decision taken after a miss scans
        nothing twice. (The classifier walks a decisions.DecisionTree
        instead, which asks only the fields a decision needs.)"""
        parts: list[Any] = []
        for spec in self.fields:
            a = answer(spec, ctx, hits)
            if a is UNHASHABLE:
                return None
            parts.append(a)
        return tuple(parts)


def answer(spec: tuple[tuple[str, ...], tuple | None, dict | None], ctx: Mapping[str, Any], hits: Hits) -> Any:
    """What the rules can learn of one field of ``ctx``, ``spec`` one of
    :attr:`Signature.fields`; UNHASHABLE when the value cannot key a
    decision. Fills ``hits`` with the field's matches if it has patterns.
    The answers about a short value are remembered per value; a long one (a
    reply text) is nearly always new."""
    path, questions, memo = spec
    v = ctx.get(path[0]) if len(path) == 1 else resolve(ctx, path)
    if questions is None:  # a direct field: its value is the answer
        try:
            hash(v)
        except TypeError:
            return UNHASHABLE
        return v if type(v) is str else (type(v), v)
    # True == 1 == 1.0 share a hash but not their answers: type is part of the key
    mkey = v if type(v) is str else (type(v), v)
    try:
        answers = memo.get(mkey)  # type: ignore[union-attr]
    except TypeError:
        return UNHASHABLE
    if answers is None:
        answers = ask(questions, path, v, hits)
        if answers is None:
            return UNHASHABLE
        if type(v) is not str or len(v) <= MEMO_MAX_LEN:
            if len(memo) >= MEMO_SIZE:  # type: ignore[arg-type]
                memo.clear()  # type: ignore[union-attr]
            memo[mkey] = answers  # type: ignore[index]
    elif questions[0]:
        hits[path] = answers[0]
    return answers


def ask(questions: tuple, path: tuple[str, ...], v: Any, hits: Hits) -> tuple | None:
    """The answers to one field's questions about value ``v``; the hit set
    first (``of`` copies it back into ``hits``)."""
    hit, none, truthy, eqs, ins, num = questions
    out: list[Any] = [hits[path] if hit else None]
    if none:
        out.append(v is None)
    if truthy:
        out.append(bool(v))
    if eqs is not None:
        sv = v if type(v) is str else _str(v)
        out.append(sv if sv in eqs else _OTHER)
    if ins is not None:
        try:
            out.append(v if v in ins else _OTHER)
        except TypeError:
            return None
    if num:
        out.append(_num(v))
    return tuple(out)
