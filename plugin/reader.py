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
import os
from collections import Counter
from itertools import accumulate, count
from operator import add
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator

from .zstdfile import MAGIC as ZSTD_MAGIC, open_zstd  # zstandard itself is imported for a zstd file only

MAX_LINE = 64 * 1024


@dataclass(slots=True)
class Line:
    text: str
    offset: int
    terminated: bool = True
    end: int = -1            # offset just past the line (and its newline)
    too_long: bool = False   # a held, unfinished overlong line (hold_partial only)


def decode(raw: bytes, counts: Counter) -> str:
    if b"\x00" in raw:
        counts["nul_bytes"] += 1
        raw = raw.replace(b"\x00", b"")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        counts["invalid_utf8"] += 1
        return raw.decode("utf-8", "backslashreplace")


def iter_lines(fp: BinaryIO, counts: Counter, max_line: int = MAX_LINE, start: int = 0,
               hold_partial: bool = False) -> Iterator[Line]:
    """Whole lines of ``fp``; the last one may lack its newline
    (``terminated=False``).

    ``hold_partial`` is for a file that is still being written (the
    follower): an overlong line whose newline has not arrived yet is not
    counted or skipped but reported as ``Line("", offset, False,
    too_long=True)``, so the caller can wait at ``offset`` for the rest
    instead of taking the tail of that line for a new one."""
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
            if hold_partial and not more:
                yield Line("", offset, False, offset + skipped, True)
                return
            counts["too_long"] += 1
            offset += skipped
            continue
        terminated = chunk.endswith(b"\n")
        body = chunk[:-1] if terminated else chunk
        if body.endswith(b"\r"):
            body = body[:-1]
        end = offset + len(chunk)
        yield Line(decode(body, counts), offset, terminated, end)
        offset = end


BLOCK = 128 * 1024  # per read of iter_blocks; larger blocks measured no faster


def iter_blocks(fp: BinaryIO, counts: Counter, max_line: int = MAX_LINE, start: int = 0,
                block: int = BLOCK) -> Iterator[tuple[list[str], list[int], bool]]:
    """The lines of :func:`iter_lines` (same texts, offsets and counts), a
    block at a time: ``(texts, offsets, last_terminated)``, where
    ``last_terminated`` is False only for a file's last line without its
    newline. For reading a whole file (``parse``), where reading one line
    at a time costs as much as parsing it: a block is read, split and
    decoded by the C code of ``bytes``/``str``, and only a block with an
    oddity in it (invalid UTF-8, NUL, CR, an overlong line) is handled line
    by line. Memory stays bounded: one block, plus at most ``max_line`` of
    an unfinished line carried to the next.

    A read returns what is there (``read1``: one system call at most), so
    lines written into a pipe (``tail -f mail.log | bouncewatch parse``)
    come out as they arrive, not when a block has filled."""
    offset = start
    carry = b""         # the unfinished line at the end of the previous read
    skipping = False    # inside an overlong line: discard up to its newline
    skipped = 0
    read = getattr(fp, "read1", None) or fp.read
    while True:
        data = read(block)
        if skipping:
            if not data:
                counts["too_long"] += 1
                return
            nl = data.find(b"\n")
            if nl < 0:
                skipped += len(data)
                continue
            counts["too_long"] += 1
            offset += skipped + nl + 1
            skipping, data = False, data[nl + 1:]
            if not data:
                continue
        if not data:
            if carry:
                texts, offsets = _split(carry, offset, counts, max_line)
                if texts:
                    yield texts, offsets, False
            return
        buf = carry + data if carry else data
        nl = buf.rfind(b"\n")
        if nl < 0:
            if len(buf) > max_line:
                skipping, skipped, carry = True, len(buf), b""
            else:
                carry = buf
            continue
        carry = buf[nl + 1:]
        texts, offsets = _split(buf[:nl], offset, counts, max_line)
        offset += nl + 1
        if len(carry) > max_line:
            skipping, skipped, carry = True, len(carry), b""
        if texts:
            yield texts, offsets, True


def _split(buf: bytes, offset: int, counts: Counter, max_line: int) -> tuple[list[str], list[int]]:
    """Whole lines (``buf`` holds no final newline) -> texts and start offsets."""
    if b"\x00" not in buf and b"\r" not in buf:
        try:
            text = buf.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            texts = text.split("\n")
            # byte lengths: ASCII text (nearly every log) has one byte per character
            lengths = list(map(len, texts if text.isascii() else buf.split(b"\n")))
            if max(lengths) <= max_line:
                return texts, _starts(lengths, offset)
    parts = buf.split(b"\n")
    offsets = _starts(list(map(len, parts)), offset)
    texts, starts = [], []
    for raw, at in zip(parts, offsets):
        if len(raw) > max_line:
            counts["too_long"] += 1
            continue
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        texts.append(decode(raw, counts))
        starts.append(at)
    return texts, starts


def _starts(lengths: list[int], offset: int) -> list[int]:
    """Where each line starts: ``offset`` + the lengths of those before it + their newlines."""
    starts = list(map(add, accumulate(lengths, initial=0), count(offset)))
    starts.pop()
    return starts


def regular_size(fp: Any) -> int | None:
    """The size of the regular file ``fp`` reads; None for a pipe, a
    terminal, a socket or a stream without a descriptor (their lines may
    still be coming)."""
    import stat
    try:
        st = os.fstat(fp.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def open_log(path: str) -> BinaryIO:
    """Plain, gzip, bzip2, xz or zstd (by magic, not by name: logrotate's
    ``compresscmd`` and Postfix's ``maillog_file_compressor`` are
    configurable); ``-`` is stdin."""
    import sys
    if path == "-":
        return sys.stdin.buffer
    f = open(path, "rb")
    head = f.peek(6)[:6] if hasattr(f, "peek") else b""
    if head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f)  # type: ignore[return-value]
    if head[:3] == b"BZh":
        import bz2
        return bz2.BZ2File(f)  # type: ignore[return-value]
    if head == b"\xfd7zXZ\x00":
        import lzma
        return lzma.LZMAFile(f)  # type: ignore[return-value]
    if head[:4] == ZSTD_MAGIC:
        return open_zstd(f)
    return f


__all__ = ["Line", "MAX_LINE", "decode", "iter_blocks", "iter_lines", "open_log", "regular_size"]
