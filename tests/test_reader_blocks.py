"""plugin/reader.iter_blocks (``parse`` reads whole files a block at a time)
yields exactly what iter_lines yields line by line: the same texts, byte
offsets, unterminated last line and counts (invalid UTF-8, NUL, CR, overlong
lines), however the blocks cut the file."""

from __future__ import annotations

import io
from collections import Counter

from hypothesis import given, settings, strategies as st

from bouncewatch.plugin.reader import iter_blocks, iter_lines

PIECES = [b"abc", b"\n", b"\r", b"\x00", b"\xc3\xa9", b"\xc3", b"\xff", b"x" * 19, b"\n\n", b"\r\n",
          b"\xe2\x80\xa8", b"\x85", b"\x0b"]


def _by_lines(data: bytes, max_line: int) -> tuple[list, Counter]:
    counts: Counter = Counter()
    return [(ln.text, ln.offset, ln.terminated) for ln in iter_lines(io.BytesIO(data), counts, max_line)], counts


def _by_blocks(data: bytes, max_line: int, block: int) -> tuple[list, Counter]:
    counts: Counter = Counter()
    out = []
    for texts, offsets, terminated in iter_blocks(io.BytesIO(data), counts, max_line, block=block):
        assert len(texts) == len(offsets) and texts
        for i, (text, offset) in enumerate(zip(texts, offsets)):
            out.append((text, offset, terminated or i < len(texts) - 1))
    return out, counts


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.sampled_from([3, 5, 8, 20, 1000]),
       st.sampled_from([1, 2, 3, 7, 16, 1000]))
def test_blocks_are_the_lines(pieces, max_line, block):
    data = b"".join(pieces)
    assert _by_blocks(data, max_line, block) == _by_lines(data, max_line)


def test_a_big_file_with_a_line_over_the_limit():
    data = (b"Nov 22 10:00:00 mx postfix/qmgr[1]: 4F00A1: removed\n" * 5000 + b"a" * 70000 + b"\n"
            + "caf\u00e9 \u2028\n".encode() * 3000 + b"last")
    got, counts = _by_blocks(data, 65536, 4096)
    assert (got, counts) == _by_lines(data, 65536)
    assert counts["too_long"] == 1 and got[-1] == ("last", len(data) - 4, False)
