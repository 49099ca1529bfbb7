"""Bytes from a log -> decoded lines, bounded, with every oddity counted.

Shared by ``parse`` (whole files) and the follower (appended bytes): the
rules for what a line is live here once.

* A line longer than ``max_line`` bytes is skipped (counted ``too_long``);
  its bytes are never held in memory beyond ``max_line``.
* Invalid UTF-8 is decoded with backslash escapes (counted ``invalid_utf8``)
  and still parsed: Exim writes octal escapes, a mangled subject must not
  cost us the delivery line.
* NUL bytes (zero-filled blocks after a crash) are dropped (counted
  ``nul_bytes``) and the rest of the line is parsed.
"""

from __future__ import annotations

import gzip
import io
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO, Iterator

MAX_LINE = 64 * 1024


@dataclass(slots=True)
class Line:
    text: str
    offset: int
    terminated: bool = True


def decode(raw: bytes, counts: Counter) -> str:
    if b"\x00" in raw:
        counts["nul_bytes"] += 1
        raw = raw.replace(b"\x00", b"")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        counts["invalid_utf8"] += 1
        return raw.decode("utf-8", "backslashreplace")


def iter_lines(fp: BinaryIO, counts: Counter, max_line: int = MAX_LINE, start: int = 0) -> Iterator[Line]:
    """Whole lines of ``fp``; the last one may lack its newline
    (``terminated=False``)."""
    offset = start
    while True:
        chunk = fp.readline(max_line + 1)
        if not chunk:
            return
        if len(chunk) > max_line and not chunk.endswith(b"\n"):
            skipped = len(chunk)
            while True:  # discard the rest of the overlong line, bounded reads
                more = fp.readline(max_line)
                skipped += len(more)
                if not more or more.endswith(b"\n"):
                    break
            counts["too_long"] += 1
            offset += skipped
            continue
        terminated = chunk.endswith(b"\n")
        body = chunk[:-1] if terminated else chunk
        if body.endswith(b"\r"):
            body = body[:-1]
        yield Line(decode(body, counts), offset, terminated)
        offset += len(chunk)


def open_log(path: str) -> BinaryIO:
    """Plain or gzip (by magic, not by name); ``-`` is stdin."""
    import sys
    if path == "-":
        return sys.stdin.buffer
    f = open(path, "rb")
    head = f.peek(2)[:2] if hasattr(f, "peek") else b""
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f)  # type: ignore[return-value]
    return f


__all__ = ["Line", "MAX_LINE", "decode", "iter_lines", "open_log", "io"]
