"""Exim's optional log fields change nothing but themselves.

``log_selector`` decides which optional parts an Exim main-log line carries:
``+millisec`` and ``+timezone`` in the stamp, ``+pid`` after it,
``+sender_on_delivery`` (``F=<...>``) and ``+return_path_on_delivery``
(``P=<...>``) among the fields, ``+deliver_time``'s ``DT=`` after a failure's
message. A site that turns one on must get the same
events as before: recipient, status, relay, the reply's code and command,
the reason and its classification. Checked on every real Exim delivery,
failure and deferral line in tests/data/real-log-lines.txt and, where the
shared corpus is present, in its Exim logs (Exim's own test suite among
them: about 3,600 lines), each logged without those parts.

Left out: Exim test-suite lines whose "address" is a redirect item with
spaces (``:defer: defer message@special``): no field can be placed after
it the way Exim would.
"""

from __future__ import annotations

import re

import pytest

from variants import SAME, assert_unchanged, real_lines

# an Exim delivery line with none of the optional stamp parts: stamp, id, flag, address
_PLAIN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S{16,23} (?:\*\*|==|=>|->) ([^ :]\S*) ")
STAMP = 19  # "2026-11-20 06:00:00"
CHANGES = {
    "+millisec": lambda line: line[:STAMP] + ".123" + line[STAMP:],
    "+timezone": lambda line: line[:STAMP] + " +0100" + line[STAMP:],
    "+pid": lambda line: line[:STAMP] + " [4242]" + line[STAMP:],
    "all three": lambda line: line[:STAMP] + ".123 +0100 [4242]" + line[STAMP:],
    "+sender_on_delivery": lambda line: line.replace(" R=", " F=<bounces@example.org> R=", 1),
    "+return_path_on_delivery": lambda line: line.replace(" R=", " P=<bounces@example.org> R=", 1),
    # a failure's DT= comes after its message (Exim 4.96 in tests/test_realmta_exim.py:
    # "...: 554 5.7.1 ... blocked using zen.spamhaus.org; ... DT=0.000s")
    "+deliver_time": lambda line: line + " DT=0.042s" if _FAILED.match(line) else None,
}
_FAILED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S{16,23} \*\* ")
LINES = real_lines(_PLAIN)


@pytest.mark.parametrize("change", list(CHANGES))
def test_optional_fields_change_no_event(classifier, change):
    # delivered lines too (=>, ->): a selector changes them as much; the queue id must stay
    # real-log-lines.txt alone holds about 80 such lines, 31 of them failures (** lines)
    floor = 25 if change == "+deliver_time" else 60
    assert_unchanged(classifier, LINES, CHANGES[change], floor=floor, fields=("queue_id",) + SAME)
