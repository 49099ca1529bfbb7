"""Sendmail's optional line parts change nothing but themselves.

The same delivery may be logged with or without ``ctladdr=`` (the
controlling user of a local submission) and ``xdelay=``, with another
``pri=``, and by ``sendmail`` or ``sm-mta`` (Debian's name for the daemon).
Each must give the same event: recipient, status, relay, reply code and
command, reason, classification. Checked on every real Sendmail failure line
in tests/data/real-log-lines.txt and, where the shared corpus is present, in
its logs (about 1,270 lines).
"""

from __future__ import annotations

import re
from typing import Callable

import pytest

from variants import assert_unchanged, real_lines

# groups: program, to=, ctladdr= (optional), delay=, xdelay= (optional), mailer=, pri=
_LINE = re.compile(r"\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ (sm-mta|sendmail)\[\d+\]: \w{14}: (to=\S+, )"
                   r"(ctladdr=[^,]*, )?(delay=[^,]*, )(xdelay=[^,]*, )?(mailer=\w+, )(pri=\d+, )")


def _edit(group: int, text: Callable[[re.Match], str | None]) -> Callable[[str], str | None]:
    """Replace the group's text (an absent optional part: insert it where it goes)."""
    def change(line: str) -> str | None:
        m = _LINE.match(line)
        new = text(m)
        if new is None:
            return None
        start, end = m.span(group) if m[group] is not None else (m.start(group + 1),) * 2
        return line[:start] + new + line[end:]
    return change


CHANGES: dict[str, Callable[[str], str | None]] = {
    "ctladdr": _edit(3, lambda m: None if m[3] else "ctladdr=<news@ours.example> (1000/1000), "),
    "xdelay": _edit(5, lambda m: None if m[5] else "xdelay=00:00:01, "),
    "pri": _edit(7, lambda m: "pri=999999, "),
    "program": _edit(1, lambda m: "sendmail" if m[1] == "sm-mta" else "sm-mta"),
}
LINES = real_lines(_LINE, lambda line: "stat=Sent" not in line)


@pytest.mark.parametrize("change", list(CHANGES))
def test_optional_parts_change_no_event(classifier, change):
    # real-log-lines.txt alone: 63 lines, 18 without ctladdr=, 2 without xdelay=
    assert_unchanged(classifier, LINES, CHANGES[change], floor=1 if change in ("ctladdr", "xdelay") else 20)
