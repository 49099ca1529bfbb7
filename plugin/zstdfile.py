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
one: it gives what the frames held and then ends. A file logrotate is
still compressing is left alone by the follower (it skips a compressed
file beside its source), so only ``parse`` of a damaged file meets this,
and its last line then counts as unterminated.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

MAGIC = b"\x28\xb5\x2f\xfd"   # a zstd frame (RFC 8878, section 3.1.1)


class _Raw(io.RawIOBase):
    def __init__(self, fp: BinaryIO) -> None:
        import zstandard
        self._fp, self._new = fp, zstandard.ZstdDecompressor().stream_reader
        self._error = zstandard.ZstdError
        self._reader = self._start()

    def _start(self) -> Any:
        self._fp.seek(0)
        return self._new(self._fp, read_size=1 << 17, read_across_frames=True, closefd=False)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            return self._reader.readinto(b)
        except self._error as e:  # damaged data: what the other decompressors raise
            raise EOFError(f"zstd: {e}") from None

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
