"""Whole real log lines -> parser -> classifier, checked end to end.

tests/data/real-log-lines.txt holds delivery-status lines that Postfix, Exim
and Sendmail really logged, as posted publicly (GitHub issues, mailing lists,
forums); each block names its source and what the line should come out as,
written down before the rules were tuned for it. Only what identifies people
was changed (local parts, some IPs and queue ids). Where a provider's reply
texts are tested alone, see test_classify_replies.py; this file checks that
the MTA parsers hand the classifier the reason, relay and recipient that the
provider and blocklist rules need.

Format of a block (blank lines separate blocks)::

    # source: https://...
    # expect: CATEGORY PROVIDER BLOCKLIST      ("-" for none)
    <one or more log lines; every event they emit must match>
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "real-log-lines.txt"


@dataclass(frozen=True)
class Block:
    """One sourced example: its log lines and the expected classification."""
    lineno: int
    source: str
    expect: tuple[str, str | None, str | None]
    lines: tuple[str, ...]


def load_blocks(path: Path = DATA) -> list[Block]:
    """Read the data file; a block without a source or an expectation is an error."""
    blocks: list[Block] = []
    source, expect, lines, start = "", None, [], 0

    def close() -> None:
        if not lines and not source and expect is None:
            return
        if not source or expect is None or not lines:
            raise ValueError(f"{path}:{start}: a block needs '# source:', '# expect:' and log lines")
        blocks.append(Block(start, source, expect, tuple(lines)))

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip("\n")
        if not line.strip():
            close()
            source, expect, lines = "", None, []
            continue
        if not (source or expect or lines):
            start = n
        if line.startswith("# source:"):
            source = line.split(":", 1)[1].strip()
        elif line.startswith("# expect:"):
            cat, prov, bl = line.split(":", 1)[1].split()
            expect = (cat, None if prov == "-" else prov, None if bl == "-" else bl)
        elif line.startswith("#"):
            continue
        else:
            lines.append(line)
    close()
    return blocks


def run_block(classifier, block: Block) -> list[tuple[str, str | None, str | None]]:
    """Feed a block's lines through a fresh pipeline; the failures' (category, provider, blocklist)."""
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier)
    got = []
    for line in block.lines:
        for ev in p.feed(line):
            c = ev["classification"]
            got.append((c["category"], c["provider"], c["blocklist"]))
    return got


BLOCKS = load_blocks()


def test_data_file_is_broad():
    """The file is evidence from all three MTAs, not a handful of lines."""
    assert len(BLOCKS) >= 40
    text = DATA.read_text(encoding="utf-8")
    for marker in ("postfix/smtp[", " ** ", " == ", "stat="):
        assert marker in text, marker


@pytest.mark.parametrize("block", BLOCKS, ids=[f"L{b.lineno}-{b.expect[0]}" for b in BLOCKS])
def test_real_log_line(classifier, block):
    got = run_block(classifier, block)
    assert got, f"no event from line {block.lineno} ({block.source})"
    assert all(g == block.expect for g in got), (got, block.lines[-1][:200])
