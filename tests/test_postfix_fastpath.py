"""parsers/postfix.py reads the common delivery and qmgr heads with one
regex each (_DELIVERY_HEAD, _QMGR_HEAD) and everything else with
scan_fields: wherever the regex matches, the record must be the one
scan_fields gives, whatever brackets, commas and spaces the values hold."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from bouncewatch.parsers import postfix

NEVER = re.compile(r"(?!)")

# values built from the characters that decide where scan_fields cuts
VALUE = st.text(alphabet="<>, =ab@.1(", max_size=8)
KEYS = ["to", "orig_to", "relay", "conn_use", "delay", "delays", "dsn", "status", "from", "size", "nrcpt", "x"]


def _scanned(fn, *args):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(postfix, "_DELIVERY_HEAD", NEVER)
        m.setattr(postfix, "_QMGR_HEAD", NEVER)
        return fn(*args)


@st.composite
def heads(draw, keys: list[str]) -> str:
    parts = []
    for key in keys:
        if draw(st.booleans()) and key not in ("to", "from"):
            continue  # optional fields, and layouts the regex does not expect
        value = draw(VALUE)
        if draw(st.booleans()):
            value = "<" + value + ">"
        parts.append(f"{key}={value}")
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), f"{draw(st.sampled_from(KEYS))}={draw(VALUE)}")
    sep = draw(st.sampled_from([", ", ",", " "]))
    return sep.join(parts) + draw(st.sampled_from(["", " (250 ok)", " (said: 550 x, y)", ",", " "]))


@settings(max_examples=1500, deadline=None)
@given(heads(["to", "orig_to", "relay", "conn_use", "delay", "delays", "dsn", "status"]))
def test_delivery_head_splits_as_scan_fields(body):
    assert postfix._delivery("4F00A1", body) == _scanned(postfix._delivery, "4F00A1", body)


@settings(max_examples=1000, deadline=None)
@given(heads(["from", "size", "nrcpt"]))
def test_qmgr_head_splits_as_scan_fields(body):
    assert postfix._qmgr("4F00A1", body) == _scanned(postfix._qmgr, "4F00A1", body)


def test_the_common_lines_take_the_regex():
    body = ("to=<a@Example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, "
            "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 12345)")
    assert postfix._DELIVERY_HEAD.match(body)
    assert postfix._QMGR_HEAD.match("from=<s@example.net>, size=1234, nrcpt=2 (queue active)")


def test_a_bracket_left_open_after_a_closed_one_ends_the_scan():
    """``to=<a>, relay=<b``: the last ">" of the line lies before relay's
    "<"; scan_fields used to jump back to it and scan the same field for ever
    (one crafted log line, e.g. through logger(1), hung parse and follow)."""
    import signal
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail("scan_fields does not end"))
    signal.alarm(5)
    try:
        assert postfix.scan_fields("to=<a>, relay=<b") == ({"to": "a", "relay": "b"}, "")
        assert postfix.scan_fields("to=<(@b> conn_use=<<11> delays=<a.b. .b")[0]["to"] == "(@b> conn_use=<<11"
    finally:
        signal.alarm(0)
