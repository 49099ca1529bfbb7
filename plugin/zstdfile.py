"""A zstd-compressed log, read and seeked as :class:`gzip.GzipFile` reads
and seeks a gzip one.

logrotate compresses with whatever ``compresscmd`` says, and sites that
keep months of mail logs pick zstd (``compresscmd /usr/bin/zstd``,
``compressext .zst``) for its ratio and speed. The standard library reads
zstd only from Python 3.14 on, so the ``zstandard`` package decompresses.
Its stream reader seeks forward only; the follower reads a file's head
and then seeks back to its start, so a backward seek starts the stream
again, as GzipFile does.

What the stream reader does not do is tell a truncated file from a whole
one: it gives what the frames held and then ends. So at the end of the
data the frames' headers are walked (RFC 8878: a few bytes a block), and a
file that ends inside a frame is the EOFError gzip gives for the same.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

MAGIC = b"\x28\xb5\x2f\xfd"   # a zstd frame (RFC 8878, section 3.1.1)
_FRAME = 0xFD2FB528
_SKIPPABLE = 0x184D2A50       # ... to 0x184D2A5F (section 3.1.2)


def check_frames(fp: BinaryIO, size: int) -> None:
    """Raise EOFError unless the ``size`` bytes of ``fp`` are whole frames:
    each frame's header, block headers and checksum are read, the blocks'
    contents skipped (RFC 8878, sections 3.1.1.1 to 3.1.1.2)."""
    pos = start = 0

    def take(n: int) -> bytes:
        if pos + n > size:
            raise EOFError(f"zstd: the file ends inside the frame at byte {start} (truncated at byte {size})")
        fp.seek(pos)
        return fp.read(n)

    while pos < size:
        start = pos
        magic = int.from_bytes(take(4), "little")
        pos += 4
        if magic & 0xFFFFFFF0 == _SKIPPABLE:
            pos += 4 + int.from_bytes(take(4), "little")
            continue
        if magic != _FRAME:
            raise EOFError(f"zstd: no frame at byte {start}")
        fhd = take(1)[0]
        single = fhd & 0x20
        pos += 1 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + (1 if single else 0, 2, 4, 8)[fhd >> 6]
        while True:
            header = int.from_bytes(take(3), "little")
            pos += 3
            kind = header >> 1 & 3
            if kind == 3:
                raise EOFError(f"zstd: a reserved block type at byte {pos - 3}")
            pos += 1 if kind == 1 else header >> 3   # RLE: one byte; raw and compressed: their size
            if header & 1:   # the frame's last block
                break
        if fhd & 4:   # the content checksum
            pos += 4
    if pos > size:
        raise EOFError(f"zstd: the file ends inside the frame at byte {start} (truncated at byte {size})")


class _Raw(io.RawIOBase):
    def __init__(self, fp: BinaryIO) -> None:
        import zstandard
        self._fp, self._new = fp, zstandard.ZstdDecompressor().stream_reader
        self._error = zstandard.ZstdError
        self._reader = self._start()

    def _start(self) -> Any:
        self._fp.seek(0)
        self._checked = False
        return self._new(self._fp, read_size=1 << 17, read_across_frames=True, closefd=False)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            n = self._reader.readinto(b)
        except self._error as e:  # damaged data: what the other decompressors raise
            raise EOFError(f"zstd: {e}") from None
        if n == 0 and len(b) and not self._checked:  # the end: was the file whole?
            self._checked = True
            check_frames(self._fp, self._fp.seek(0, io.SEEK_END))
        return n

    def _skip(self, n: int) -> int:
        try:
            return len(self._reader.read(n))
        except self._error as e:
            raise EOFError(f"zstd: {e}") from None

    def fileno(self) -> int:  # the compressed file's, as GzipFile gives (fstat: which file)
        return self._fp.fileno()

    def tell(self) -> int:
        return self._reader.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self.tell()
        elif whence != io.SEEK_SET:
            raise io.UnsupportedOperation("zstd: seek from the end")
        if offset < self.tell():
            self._reader.close()
            self._reader = self._start()
        while self.tell() < offset:  # forward: decompress and drop
            if not self._skip(min(offset - self.tell(), 1 << 20)):
                break
        return self.tell()

    def close(self) -> None:
        if not self.closed:
            self._reader.close()
            self._fp.close()
        super().close()


def open_zstd(fp: BinaryIO) -> BinaryIO:
    """``fp`` (at any position) as its decompressed bytes: read, read1,
    readline, peek, seek and tell, as parse and the follower use them."""
    return io.BufferedReader(_Raw(fp), 1 << 16)  # type: ignore[return-value]
