"""Exim's optional log fields change nothing but themselves.

``log_selector`` decides which optional parts an Exim main-log line carries:
``+millisec`` and ``+timezone`` in the stamp, ``+pid`` after it,
``+sender_on_delivery`` (``F=<...>``) and ``+return_path_on_delivery``
(``P=<...>``) among the fields. A site that turns one on must get the same
events as before: recipient, status, relay, the reply's code and command,
the reason and its classification. Checked on every real Exim delivery,
failure and deferral line in tests/data/real-log-lines.txt and, where the
shared corpus is present, in its Exim logs (Exim's own test suite among
them: about 3,900 lines), each logged without those parts.

Left out: Exim test-suite lines whose "address" is a redirect item with
spaces (``:defer: defer message@special``): no field can be placed after
it the way Exim would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bouncewatch.plugin.pipeline import Pipeline

from conftest import CORPUS

HERE = Path(__file__).resolve().parent
SAME = ("queue_id", "recipient", "status", "relay", "smtp_code", "dsn", "reply_dsn", "smtp_command", "reason",
        "classification")
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
}


def _lines() -> list[str]:
    paths = [HERE / "data" / "real-log-lines.txt"]
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".md", ".gz"))
    seen: dict[str, None] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if _PLAIN.match(line):
                seen[line] = None
    return list(seen)


LINES = _lines()


def _events(classifier: Any, line: str) -> list[dict[str, Any]]:
    return [{k: e[k] for k in SAME} for e in Pipeline(classifier, include_sent=True).feed(line)]


@pytest.mark.parametrize("change", list(CHANGES))
def test_optional_fields_change_no_event(classifier, change):
    apply, compared, differ = CHANGES[change], 0, []
    for line in LINES:
        other = apply(line)
        if other == line:
            continue
        want = _events(classifier, line)
        if not want:
            continue
        compared += 1
        got = _events(classifier, other)
        if got != want:
            fields = {k: (want[0][k], got[0][k]) for k in SAME if got and want[0][k] != got[0][k]}
            differ.append(f"{other[:160]}\n    {fields or 'no event'}")
    assert compared >= 60, compared  # real-log-lines.txt alone holds about 80
    assert not differ, "\n".join(differ[:20])
