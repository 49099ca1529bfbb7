"""Decisions remembered as a tree of the questions that took them.

:mod:`.signature` names every answer a rule set could ask of a delivery;
keying decisions on all of them means asking all of them, and asking a
reply text which patterns match means scanning it (a new text nearly every
time: ids). But a decision seldom needs every answer: a table stops at its
first matching rule and the rule index skips the rules that cannot match, so
a delivery the rules decide on its status, relay or dsn never looks at the
reply text, although :meth:`.Signature.of` would scan it.

Evaluation is deterministic in the answers it consults (see signature.py):
given the same answers to the fields it has read so far, it reads the same
field next and, in the end, takes the same decision. So decisions are kept
in a tree: a node names the field evaluation read next, its branches are
that field's answers, a leaf is the decision. Classifying walks the tree
asking only the fields on its path; a delivery whose answers leave the tree
is evaluated in full, on a copy of its context that notes which fields are
read, in which order, and that path is added. A delivery of which the rules
read the text gets the text's answers in its path; one of which they did
not, does not pay for them, whatever the text says.
"""

from __future__ import annotations

from typing import Any, Callable

from .expr import Hits, resolve
from .signature import UNHASHABLE, Signature, answer

_NONE = object()      # "no such branch" (a decision may be any object)
_NONE_KEY = (type(None), None)  # how answer() keys a None value (its memo's key, a direct field's answer)


class _Node:
    """Asks field ``field``; ``head`` (a top-level field's name, else None),
    ``path`` and ``memo`` (None: a direct field) are that field's, at hand
    for the walk."""

    __slots__ = ("field", "head", "pair", "path", "memo", "branches")

    def __init__(self, field: int, spec: tuple) -> None:
        path, _, memo = spec
        self.field, self.path, self.memo = field, path, memo
        self.head = path[0] if len(path) == 1 else None
        self.pair = path if len(path) == 2 else None  # relay.host: resolved inline when relay is a dict
        self.branches: dict[Any, Any] = {}   # answer -> _Node or decision


class DecisionTree:
    """``decide(ctx, hits)`` -> the decision of ``evaluate(ctx, hits)``,
    remembered. ``evaluate`` must read the delivery only through ``ctx``
    (``get`` or ``[]`` of a top-level field) and ``hits`` (``[]`` of a path)
    and depend on nothing else that varies; the fields it reads are those of
    ``signature``, ``signature``'s derived fields (which it computes itself
    before reading them) and its direct ones (read whole)."""

    def __init__(self, signature: Signature, evaluate: Callable[[dict[str, Any], Hits], Any],
                 size: int = 8192) -> None:
        self._fields = signature.fields       # per index: (path, questions, memo); direct: questions None
        self._by_head = signature.by_head     # top-level field name -> indexes of its paths
        self._by_path = signature.by_path     # path -> index
        self._evaluate = evaluate
        self._size = size
        self._root: _Node | None = None
        self.leaves = 0
        self.disagreements = 0   # evaluations that read fields in an order the tree did not predict

    def clear(self) -> None:
        self._root, self.leaves = None, 0

    def answer(self, i: int, ctx: dict[str, Any], hits: Hits) -> Any:
        """:func:`.signature.answer` of field ``i``."""
        return answer(self._fields[i], ctx, hits)

    def decide(self, ctx: dict[str, Any], hits: Hits) -> Any:
        """The decision for ``ctx``: from the tree, else evaluated and added."""
        node = self._root
        while node is not None:
            # the common case inline: a str value whose answers are remembered
            # (a hit set is not copied into ``hits``: a leaf needs none, and a
            # miss walks again through answer())
            head = node.head
            if head is not None:
                v = ctx.get(head)
            elif (pair := node.pair) is not None and type(v := ctx.get(pair[0])) is dict:
                v = v.get(pair[1])  # resolve()'s answer for a dict, without the call
            else:
                v = resolve(ctx, node.path)
            if type(v) is str:
                memo = node.memo
                a = v if memo is None else memo.get(v)
            elif v is None:  # no reply dsn, no command: most deliveries (answer()'s key for None)
                memo = node.memo
                a = _NONE_KEY if memo is None else memo.get(_NONE_KEY)
            else:
                a = None
            if a is None:
                a = self.answer(node.field, ctx, hits)
                if a is UNHASHABLE:
                    return self._evaluate(ctx, hits)
            node = node.branches.get(a, _NONE)
            if type(node) is not _Node:
                if node is _NONE:
                    break
                return node
        return self._learn(ctx, hits)

    def _learn(self, ctx: dict[str, Any], hits: Hits) -> Any:
        """Evaluate in full, noting the fields read; add the path unless it
        does not continue the walked one (then the tree is not trusted with it)."""
        walked: list[int] = []
        answers: list[Any] = []
        node = last = self._root
        while node is not None:  # the walk of decide() again, noting it
            a = self.answer(node.field, ctx, hits)
            if a is UNHASHABLE:
                return self._evaluate(ctx, hits)
            walked.append(node.field)
            answers.append(a)
            last, node = node, node.branches.get(a)
            if type(node) is not _Node:
                break
        node = last
        order: dict[int, None] = {}
        by_head, by_path = self._by_head, self._by_path

        def read_head(name: str) -> None:
            for i in by_head.get(name, ()):
                order.setdefault(i)

        def read_path(path: tuple[str, ...]) -> None:
            i = by_path.get(path)
            if i is not None:
                order.setdefault(i)

        watched = _WatchedCtx(ctx, read_head)
        whits = _WatchedHits(watched, hits, read_path)
        decision = self._evaluate(watched, whits)
        ctx.update(watched)  # what evaluation filled in (the derived fields), as on the caller's ctx
        seen = list(order)
        n = len(walked)
        if seen[:n] != walked:
            self.disagreements += 1
            return decision
        if self.leaves >= self._size:
            self.clear()
            node = None
        if node is None:          # a new tree: its root asks what evaluation read first
            if not seen:
                return decision
            fields, first = seen, None
        else:                     # where the walk left the tree, on the branch it did not find
            fields, first = seen[n:], answers[-1]
        branch = [self.answer(i, watched, whits) for i in fields]
        if any(a is UNHASHABLE for a in branch):
            return decision
        if node is None:
            node = self._root = _Node(fields[0], self._fields[fields[0]])
            fields, first, branch = fields[1:], branch[0], branch[1:]
        for field, a in zip(fields, branch):
            child = _Node(field, self._fields[field])
            node.branches[first] = child
            node, first = child, a
        node.branches[first] = decision
        self.leaves += 1
        return decision


class _WatchedCtx(dict):
    """A copy of a rule context that tells who reads which field."""

    __slots__ = ("_read",)

    def __init__(self, ctx: dict[str, Any], read: Callable[[str], None]) -> None:
        super().__init__(ctx)
        self._read = read

    def get(self, key: str, default: Any = None) -> Any:
        self._read(key)
        return dict.get(self, key, default)

    def __getitem__(self, key: str) -> Any:
        self._read(key)
        return dict.__getitem__(self, key)


class _WatchedHits(Hits):
    """Hits that tell who reads which field's matches (scanning on first use,
    as Hits do, with those already known)."""

    __slots__ = ("_read",)

    def __init__(self, ctx: _WatchedCtx, hits: Hits, read: Callable[[tuple[str, ...]], None]) -> None:
        # a scan resolves its path without telling the watched context: reading
        # relay.ip's matches is a read of relay.ip, not of every relay.* field
        # (whether a path was scanned before or not must not change what
        # evaluation is seen to read)
        super().__init__(_Quiet(ctx), hits._sets, hits._memo)
        self.update(hits)
        self._read = read

    def __getitem__(self, path: tuple[str, ...]) -> Any:
        self._read(path)
        return Hits.__getitem__(self, path)


class _Quiet:
    """A watched context read without telling (for :class:`_WatchedHits`)."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: _WatchedCtx) -> None:
        self._ctx = ctx

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self._ctx, key, default)
