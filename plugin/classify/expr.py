"""The one expression language of bouncewatch: rule conditions and ``--where``.

    dsn ~ "5.1.*" and reason ~ /user (unknown|not found)|no such (user|mailbox)/
    status = "bounced" and not relay.host ~ /google/
    smtp_code >= 500 and category in ["blocklisted", "bad_reputation"]

Operators: ``=``/``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (numbers),
``~``/``!~`` (match: ``/regex/`` searched anywhere, ``"glob"`` against the
whole value), ``in [..]``; ``and``, ``or``, ``not``, parentheses; a bare
field is true when it is set and not empty. Fields are dotted paths into the
event (``relay.host``). A missing field compares false (``!=``/``!~``: true).

Regexes are RE2 (linear time, no backreferences) and case-insensitive:
reply texts vary in case and rules should not have to. Parsed once
(:mod:`.expr_parse`, text -> a plain tree, the only user of pyparsing) and
built here into closures (:func:`build`, cheap: rule sets keep their trees in
a cache, see rulecache.py). Every ``~`` of one field across a whole rule
set is matched at once (:class:`MatchBank`), so a rule set of hundreds of
patterns costs one scan per field, and none for a field no rule evaluated
so far has asked about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import re2


class ExprError(ValueError):
    """A syntax or regex error, with the column where it was found."""

    def __init__(self, message: str, text: str, col: int | None = None) -> None:
        self.text, self.col = text, col
        where = f" at column {col}" if col else ""
        super().__init__(f"{message}{where}: {text!r}")


def _re2_options() -> re2.Options:
    o = re2.Options()
    o.case_sensitive = False
    o.max_mem = 64 << 20
    o.log_errors = False
    return o


MEMO_MAX_LEN = 96     # longer values (reply texts) are nearly always new: not remembered
MEMO_SIZE = 4096      # per field; cleared when full


def resolve(ctx: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    v: Any = ctx.get(path[0])
    if len(path) > 1:
        for part in path[1:]:
            # `type is dict` first: the ABC check alone costs more than the lookup
            if type(v) is not dict and not isinstance(v, Mapping):
                return None
            v = v.get(part)
    return v


class MatchBank:
    """All ``~`` patterns of a set of expressions, grouped per field, each
    group compiled into one matcher with the ids an RE2 Set of them would
    give (:class:`.relaxed.RelaxedSet`: quick to compile for a one-shot
    command, an RE2 filter for a long run). ``hits(ctx)`` returns, per
    field, the ids of the patterns that match; leaves then look their id up."""

    def __init__(self) -> None:
        self._patterns: dict[tuple[str, ...], list[str]] = {}
        self._sets: dict[tuple[str, ...], Any] | None = None
        self._single: dict[tuple[tuple[str, ...], int], Any] = {}
        # Short values repeat (a relay host, a domain, a dsn, a program name):
        # their matches are remembered, per field, up to MEMO_SIZE values.
        self.memo: dict[tuple[str, ...], dict[str, Any]] = {}

    def add(self, path: tuple[str, ...], pattern: str, text: str, validate: bool = True) -> int:
        """``validate``: compile the pattern now and raise ExprError if it is
        bad. Without, it was validated before (a cached rule set) and is
        compiled on its own only if ``explain`` asks for evidence."""
        if validate:
            try:
                self._single[(path, len(self._patterns.get(path, ())))] = re2.compile(pattern, _re2_options())
            except re2.error as e:
                raise ExprError(f"bad regular expression /{pattern}/ ({e})", text) from None
        lst = self._patterns.setdefault(path, [])
        lst.append(pattern)
        self._sets = None
        return len(lst) - 1

    def _compile(self) -> dict[tuple[str, ...], Any]:
        # the same hits as an re2.Set of the patterns: a relaxed Set, quick
        # to compile, for a short run; an RE2 filter for a long one (relaxed.py)
        from .relaxed import RelaxedSet
        sets = {path: RelaxedSet(patterns, _re2_options(), lambda i, path=path: self._exact(path, i))
                for path, patterns in self._patterns.items()}
        self._sets = sets
        self.memo = {path: {} for path in sets}
        return sets

    def settle(self) -> None:
        """Everything compiled for a long run (see RelaxedSet.settle)."""
        for s in (self._sets if self._sets is not None else self._compile()).values():
            s.settle()

    def hits(self, ctx: Mapping[str, Any]) -> "Hits":
        return Hits(ctx, self._sets if self._sets is not None else self._compile(), self.memo)

    def _exact(self, path: tuple[str, ...], idx: int) -> Any:
        """Pattern ``idx`` of ``path`` compiled on its own, once."""
        single = self._single.get((path, idx))
        if single is None:
            single = self._single[(path, idx)] = re2.compile(self._patterns[path][idx], _re2_options())
        return single

    def evidence(self, path: tuple[str, ...], idx: int, value: Any) -> str | None:
        m = self._exact(path, idx).search(value if isinstance(value, str) else str(value))
        return m.group(0) if m else None

    @property
    def fields(self) -> set[tuple[str, ...]]:
        return set(self._patterns)


class Hits(dict):
    """Per field, the ids of the bank's patterns that match its value; a field
    is scanned on first use only, so a rule set that decides on the relay host
    or the status never scans a long reply text it did not ask about. A field
    whose value is None (or that has no patterns) has no hits."""

    __slots__ = ("_ctx", "_sets", "_memo")

    def __init__(self, ctx: Mapping[str, Any], sets: dict[tuple[str, ...], Any],
                 memo: dict[tuple[str, ...], dict[str, Any]]) -> None:
        super().__init__()
        self._ctx, self._sets, self._memo = ctx, sets, memo

    def __missing__(self, path: tuple[str, ...]) -> Any:
        s = self._sets.get(path)
        v = resolve(self._ctx, path) if s is not None else None
        if v is None:
            found: Any = ()
        else:
            text = v if isinstance(v, str) else str(v)
            memo = self._memo[path] if len(text) <= MEMO_MAX_LEN else None
            found = memo.get(text) if memo is not None else None
            if found is None:
                found = s.Match(text)  # None when nothing matches
                found = frozenset(found) if found else ()
                if memo is not None:
                    if len(memo) >= MEMO_SIZE:
                        memo.clear()
                    memo[text] = found
        self[path] = found
        return found


Evidence = list[tuple[str, str, str]]  # (field, operator and pattern, matched text)

Requirement = tuple[tuple[str, tuple[str, ...], frozenset], ...]
"""What an expression needs to be true, as alternatives (at least one holds
whenever the expression is true; the converse need not hold):
``("hit", path, ids)`` one of the bank's patterns ``ids`` matched the field,
``("in", path, values)`` the field's value is one of ``values`` (as ``in``
tests it), ``("eq", path, values)`` the field as a string equals one of
``values`` (as ``=`` tests it). ``None``: no such guarantee (``not``, ``!=``,
numbers, a bare field). Rule tables use it to skip rules that cannot match
(see classify/index.py); evaluation itself never relies on it."""
Fn = Callable[[Mapping[str, Any], Hits, "Evidence | None"], bool]


@dataclass
class Predicate:
    """A compiled expression. Call ``matches(ctx)`` for a one-off test; rule
    sets share a bank and call ``fn(ctx, hits, evidence)`` themselves."""

    text: str
    fn: Fn
    bank: MatchBank
    fields: set[tuple[str, ...]] = field(default_factory=set)
    requires: Requirement | None = None
    # what each leaf asks of its field: (kind, path, constant), kinds
    # "hit" (~, !~), "none" (!~), "truthy" (a bare field), "eq" (=, != a
    # string), "in" (the list's values), "num" (a numeric comparison)
    tests: list[tuple[str, tuple[str, ...], Any]] = field(default_factory=list)
    tree: Any = None   # what it was built from (expr_parse.Tree), for the rule cache

    def matches(self, ctx: Mapping[str, Any], evidence: Evidence | None = None) -> bool:
        return self.fn(ctx, self.bank.hits(ctx), evidence)


# -- building ---------------------------------------------------------------------
def parse_expr(text: str) -> Any:
    """Text -> tree (:mod:`.expr_parse`); imports pyparsing on first use."""
    from .expr_parse import parse
    return parse(text)


def compile_expr(text: str, bank: MatchBank | None = None) -> Predicate:
    """Parse and compile once; raises ExprError with the column on bad input."""
    return build(parse_expr(text), text, bank)


def build(tree: Any, text: str, bank: MatchBank | None = None, validate: bool = True) -> Predicate:
    """A tree of :mod:`.expr_parse` (tuples, or the lists JSON gives back)
    -> Predicate. Raises ExprError for what the grammar lets through (a bad
    regex, ``<`` with a string). ``validate=False``: the tree comes from a
    rule set that was built before, its single regexes are compiled lazily."""
    bank = bank if bank is not None else MatchBank()
    pred = Predicate(text, lambda c, h, e: False, bank, tree=tree)
    pred.fn, pred.requires = _build(tree, pred, text, validate)
    return pred


def _build(node: Any, pred: Predicate, text: str, validate: bool) -> tuple[Fn, Requirement | None]:
    """-> (the compiled test, what it requires to be true, see :data:`Requirement`);
    records the fields read in ``pred.fields`` and the leaves in ``pred.tests``."""
    bank = pred.bank
    head = node[0]
    if head == "not":
        inner, _ = _build(node[1], pred, text, validate)
        return (lambda c, h, e: not inner(c, h, None)), None
    if head in ("and", "or"):
        built = [_build(x, pred, text, validate) for x in node[1:]]
        parts = [fn for fn, _ in built]
        reqs = [req for _, req in built]
        if head == "and":
            def conjunction(c: Mapping[str, Any], h: Hits, e: Evidence | None) -> bool:
                for p in parts:
                    if not p(c, h, e):
                        return False
                return True
            # any one part's requirement is the whole conjunction's
            return conjunction, next((r for r in reqs if r is not None), None)

        def disjunction(c: Mapping[str, Any], h: Hits, e: Evidence | None) -> bool:
            for p in parts:
                if p(c, h, e):
                    return True
            return False
        # true only if one part is: the union, unless a part requires nothing
        return disjunction, None if None in reqs else tuple(alt for r in reqs for alt in r)  # type: ignore[union-attr]
    # a comparison or a bare field
    name = node[1]
    path = tuple(name.split("."))
    pred.fields.add(path)
    if head == "field":
        pred.tests.append(("truthy", path, None))
        return (lambda c, h, e: bool(resolve(c, path))), None
    op, kind, value = node[2], node[3], node[4]
    if op == "in":
        allowed = frozenset(value) | frozenset(str(v) for v in value)
        pred.tests.append(("in", path, allowed))
        return (lambda c, h, e: resolve(c, path) in allowed), (("in", path, allowed),)
    if op in ("~", "!~"):
        if kind == "re":
            pattern = value
        elif kind == "str":
            pattern = "^" + _glob_to_re2(value) + "$"
        else:
            raise ExprError(f"'~' needs a /regex/ or a \"glob\", not {value!r}", text)
        idx = bank.add(path, pattern, text, validate)
        pred.tests.append(("hit", path, None))
        shown = f"{op} /{value}/" if kind == "re" else f'{op} "{value}"'

        def match(c: Mapping[str, Any], h: Hits, e: Evidence | None) -> bool:
            hit = idx in h[path]
            if hit and e is not None:
                e.append((name, shown, bank.evidence(path, idx, resolve(c, path)) or ""))
            return hit
        if op == "!~":
            pred.tests.append(("none", path, None))
            return (lambda c, h, e: resolve(c, path) is None or idx not in h[path]), None
        return match, (("hit", path, frozenset((idx,))),)
    fn = _compare(name, path, op, kind, value)
    pred.tests.append(("num", path, None) if kind == "num" else ("eq", path, value))
    if op in ("=", "==") and kind == "str":
        return fn, (("eq", path, frozenset((value,))),)
    return fn, None


def _glob_to_re2(glob: str) -> str:
    """``*``, ``?`` and ``[...]`` classes; everything else literal.
    Literal runs are escaped whole (RE2's QuoteMeta is per character, so the
    result is the same, and one call instead of one per character)."""
    out, i, n = [], 0, len(glob)
    literal: list[str] = []
    while i < n:
        ch = glob[i]
        special = ch in "*?" or (ch == "[" and glob.find("]", i + 1) > i + 1)
        if special and literal:
            out.append(re2.escape("".join(literal)))
            literal.clear()
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif special:
            j = glob.find("]", i + 1)
            body = glob[i + 1:j].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = j
        else:
            literal.append(ch)
        i += 1
    if literal:
        out.append(re2.escape("".join(literal)))
    return "".join(out)


def _compare(name: str, path: tuple[str, ...], op: str, kind: str, value: Any) -> Fn:
    if op in ("=", "=="):
        if kind == "num":
            return lambda c, h, e: _num(resolve(c, path)) == value
        return lambda c, h, e: _str(resolve(c, path)) == value
    if op == "!=":
        if kind == "num":
            return lambda c, h, e: _num(resolve(c, path)) != value
        return lambda c, h, e: _str(resolve(c, path)) != value
    if kind != "num":
        raise ExprError(f"'{op}' compares numbers; {name} {op} {value!r}", name)
    cmp = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}[op]

    def numeric(c: Mapping[str, Any], h: Hits, e: Evidence | None) -> bool:
        v = _num(resolve(c, path))
        return v is not None and cmp(float(v), float(value))
    return numeric


def _num(v: Any) -> float | int | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _str(v: Any) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


__all__ = ["ExprError", "Hits", "MatchBank", "Predicate", "Requirement", "build", "compile_expr", "parse_expr",
           "resolve"]
