"""Postfix's optional line parts change nothing but themselves.

The same delivery may be logged with ``conn_use=N`` (a reused connection),
``orig_to=<...>`` (delivery to an alias), a long queue id
(``enable_long_queue_ids``) or a multi-instance service name
(``postfix-out/smtp``). Each must give the same event (recipient, status,
relay, reply code and command, reason, classification; ``orig_to=`` adds
only ``orig_recipient``). Checked on every real Postfix failure line in
tests/data/real-log-lines.txt and, where the shared corpus is present, in its
logs (about 1,200 lines).
"""

from __future__ import annotations

import re
from typing import Callable

import pytest

from variants import assert_unchanged, real_lines

# a delivery agent's line with none of the optional parts: groups (program's "postfix", queue id, to=, relay=)
_LINE = re.compile(r"\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ (postfix)/(?:smtp|lmtp|local|virtual|pipe|error|retry|discard)"
                   r"\[\d+\]: ([0-9A-F]{6,12}): (to=<[^>]*>, )(relay=\S+, )delay=")


def _insert(at: Callable[[re.Match], int], text: str) -> Callable[[str], str]:
    def change(line: str) -> str:
        m = _LINE.match(line)
        return line[:at(m)] + text + line[at(m):]
    return change


CHANGES: dict[str, Callable[[str], str]] = {
    "conn_use": _insert(lambda m: m.end(4), "conn_use=2, "),
    "orig_to": _insert(lambda m: m.end(3), "orig_to=<alias@example.net>, "),
    "long queue id": lambda line: line.replace(_LINE.match(line)[2] + ":", "4Xyz1k2FJgz6N1B:", 1),
    "instance name": lambda line: line[:_LINE.match(line).start(1)] + "postfix-out" + line[_LINE.match(line).end(1):],
}
LINES = real_lines(_LINE, lambda line: "status=sent" not in line)


@pytest.mark.parametrize("change", list(CHANGES))
def test_optional_parts_change_no_event(classifier, change):
    assert_unchanged(classifier, LINES, CHANGES[change], floor=150)  # real-log-lines.txt alone holds about 210


def test_orig_to_is_the_events_orig_recipient(classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    line = next(x for x in LINES if "relay=none" not in x)
    event = Pipeline(classifier, include_sent=True).feed(CHANGES["orig_to"](line))[0]
    assert event["orig_recipient"] == "alias@example.net"
