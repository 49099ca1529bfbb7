"""parsers/memo.Memo: bounded however many distinct keys come, long keys computed but not kept."""

from bouncewatch.parsers.memo import Memo
from bouncewatch.parsers import postfix


def test_memo_stays_bounded_and_returns_what_it_keeps():
    m = Memo(limit=100, max_len=10)
    for i in range(10_000):
        assert m.keep(f"k{i}", i) == i
        assert len(m) <= 100
    assert m.keep("x" * 11, "long") == "long" and "x" * 11 not in m
    assert m.keep("short", None) is None and "short" in m  # None is a value like any other


def test_parser_caches_are_memos_and_give_the_same_relay():
    a = postfix.parse_relay("mx.example.org[192.0.2.1]:25")
    b = postfix.parse_relay("mx.example.org[192.0.2.1]:25")
    assert a is b and a.host == "mx.example.org" and a.port == 25
    hostile = "h" * 10_000 + "[192.0.2.1]:25"
    assert postfix.parse_relay(hostile).ip == "192.0.2.1"
    assert hostile not in postfix._RELAYS
