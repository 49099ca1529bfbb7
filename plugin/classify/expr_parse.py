"""Expression text -> a plain tree of tuples (the parsing half of :mod:`.expr`).

The tree holds only strings, numbers and sequences, so a rule set's trees can
be kept in a JSON cache (rulecache.py) and a warm start never imports
pyparsing, whose import and grammar cost more than everything else a
short-lived ``bouncewatch ingest-mail`` does. :func:`.expr.build` turns a tree
into closures. Nodes:

    ("not", node)
    ("and", node, node, ...)            ("or", node, node, ...)
    ("field", "relay.host")             a bare field: true when set and not empty
    ("cmp", "relay.host", op, kind, value)
        op: = == != < <= > >= ~ !~ in; kind: "str", "re", "num", or "list"
        (``in`` only; value: a list of strings and numbers)

Only this module imports pyparsing; :mod:`.expr` imports it on a cache miss.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pyparsing as pp

from .expr import ExprError

Tree = tuple


@cache
def _grammar() -> pp.ParserElement:
    pp.ParserElement.enable_packrat()
    and_, or_, not_, in_ = (pp.CaselessKeyword(k) for k in ("and", "or", "not", "in"))
    ident = ~(and_ | or_ | not_ | in_) + pp.Regex(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
    string = (pp.QuotedString('"', esc_char="\\") | pp.QuotedString("'", esc_char="\\")).set_parse_action(
        lambda t: ("str", t[0]))
    regex = pp.Regex(r"/((?:[^/\\\n]|\\.)*)/").set_parse_action(lambda t: ("re", t[0][1:-1].replace("\\/", "/")))
    number = pp.Regex(r"-?\d+(?:\.\d+)?").set_parse_action(
        lambda t: ("num", float(t[0]) if "." in t[0] else int(t[0])))
    scalar = string | number
    list_ = (pp.Suppress("[") + pp.Opt(pp.DelimitedList(scalar)) + pp.Suppress("]")).set_parse_action(
        lambda t: ("list", [v for _, v in t]))
    op = pp.one_of("== != !~ <= >= = ~ < >")
    cmp = pp.Group(ident + (op + (regex | scalar) | in_ + list_))
    atom = cmp | pp.Group(ident)
    return pp.infix_notation(atom, [
        (not_, 1, pp.OpAssoc.RIGHT),
        (and_, 2, pp.OpAssoc.LEFT),
        (or_, 2, pp.OpAssoc.LEFT),
    ])


def parse(text: str) -> Tree:
    """-> the tree; raises ExprError with the column on bad input."""
    try:
        result = _grammar().parse_string(text, parse_all=True)[0]
    except pp.ParseBaseException as e:
        raise ExprError(f"syntax error ({e.msg})", text, e.col) from None
    return _tree(result)


def _tree(node: Any) -> Tree:
    items = list(node) if isinstance(node, pp.ParseResults) else [node]
    if len(items) == 1 and isinstance(items[0], pp.ParseResults):
        return _tree(items[0])
    head = items[0]
    if isinstance(head, str) and head.lower() == "not":
        return ("not", _tree(items[1]))
    if len(items) >= 3 and isinstance(items[1], str) and items[1].lower() in ("and", "or"):
        return (items[1].lower(), *(_tree(x) for x in items[0::2]))
    if len(items) == 1:
        return ("field", head)
    op, (kind, value) = items[1], items[2]
    if op.lower() == "in":
        return ("cmp", head, "in", kind, list(value))
    return ("cmp", head, op, kind, value)


__all__ = ["Tree", "parse"]
