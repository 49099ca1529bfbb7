"""Shared by the line-variant tests (test_*_variant_invariance.py,
test_exim_selector_invariance.py): the real lines of one MTA's kind that we
hold, and the check that a change which should make no difference makes
none to their events."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from bouncewatch.plugin.pipeline import Pipeline

from conftest import CORPUS

HERE = Path(__file__).resolve().parent
# what an event must keep whatever optional parts its line carries
SAME = ("recipient", "status", "relay", "smtp_code", "dsn", "reply_dsn", "smtp_command", "reason", "classification")


def real_lines(pattern: re.Pattern[str], keep: Callable[[str], bool] = lambda line: True) -> list[str]:
    """Every distinct line of tests/data/real-log-lines.txt and, where it is
    present, of the shared corpus that ``pattern`` matches at its start."""
    paths = [HERE / "data" / "real-log-lines.txt"]
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".md", ".gz"))
    seen: dict[str, None] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if pattern.match(line) and keep(line):
                seen[line] = None
    return list(seen)


def events(classifier: Any, line: str, fields: tuple[str, ...] = SAME) -> list[dict[str, Any]]:
    return [{k: e[k] for k in fields} for e in Pipeline(classifier, include_sent=True).feed(line)]


def assert_unchanged(classifier: Any, lines: list[str], change: Callable[[str], str | None], floor: int,
                     fields: tuple[str, ...] = SAME) -> None:
    """``change`` of each line (None or the line itself: not applicable) gives
    the events the line gives; at least ``floor`` lines compared."""
    compared, differ = 0, []
    for line in lines:
        other = change(line)
        if other is None or other == line:
            continue
        want = events(classifier, line, fields)
        if not want:
            continue
        compared += 1
        got = events(classifier, other, fields)
        if got != want:
            diff = {k: (want[0][k], got[0][k]) for k in fields if got and want[0][k] != got[0][k]}
            differ.append(f"{other[:160]}\n    {diff or 'no event'}")
    assert compared >= floor, compared
    assert not differ, "\n".join(differ[:20])
