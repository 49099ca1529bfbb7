"""Rotated logs as logrotate's ``compresscmd`` leaves them: gzip (Debian's
default), bzip2, xz and zstd, known by their magic, not by their name."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import shutil
import subprocess
import sys
from collections import Counter

import pytest
import zstandard

from bouncewatch.plugin.reader import iter_lines, open_log
from bouncewatch.plugin.zstdfile import open_zstd

LINES = [f"Nov 22 13:31:{i % 60:02d} mx postfix/smtp[{100 + i}]: {0x4A000 + i:X}: to=<u{i}@example.org>, "
         f"relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced "
         f"(host mx.example.org[192.0.2.1] said: 550 5.1.1 <u{i}@example.org>: User unknown "
         f"(in reply to RCPT TO command))\n" for i in range(3000)]
PLAIN = "".join(LINES).encode()
COMPRESS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda b: zstandard.ZstdCompressor(level=3).compress(b),
    # zstd's --rsyncable, or two files concatenated: several frames
    "zst-frames": lambda b: b"".join(zstandard.ZstdCompressor().compress(b[i:i + 50_000])
                                     for i in range(0, len(b), 50_000)),
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bouncewatch", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("kind", COMPRESS)
def test_every_compressor_gives_the_plain_logs_events(tmp_path, kind):
    plain = tmp_path / "mail.log"
    plain.write_bytes(PLAIN)
    packed = tmp_path / "mail.log.1"   # no suffix: the magic decides
    packed.write_bytes(COMPRESS[kind](PLAIN))
    want, got = run("parse", str(plain)), run("parse", str(packed))
    assert got.returncode == 0 and got.stderr == want.stderr.replace(str(plain), str(packed))
    evs = [json.loads(x) for x in got.stdout.splitlines()]
    assert len(evs) == 3000 and {e["classification"]["category"] for e in evs} == {"bad_mailbox"}
    assert [e["event_id"] for e in evs] == [json.loads(x)["event_id"] for x in want.stdout.splitlines()]


def test_zstd_seeks_like_gzip(tmp_path):
    """The follower reads a head, seeks back to 0, then on to where it was."""
    path = tmp_path / "mail.log.2.zst"
    path.write_bytes(COMPRESS["zst-frames"](PLAIN))
    fp = open_log(str(path))
    try:
        assert fp.read(100) == PLAIN[:100] and fp.peek(10)[:10] == PLAIN[100:110]
        fp.seek(0)
        assert fp.read(50) == PLAIN[:50]
        for at in (120_000, 3, 400_000, len(PLAIN) - 10, 77):
            fp.seek(at)
            assert fp.tell() == at and fp.read(10) == PLAIN[at:at + 10]
        fp.seek(len(PLAIN) + 100)
        assert fp.read() == b""
        assert os.fstat(fp.fileno()).st_ino == path.stat().st_ino   # which file (the follower asks)
        fp.seek(0)
        counts: Counter = Counter()
        assert [ln.text + "\n" for ln in iter_lines(fp, counts)] == LINES
    finally:
        fp.close()


def test_damaged_zstd_is_a_clear_error_keeping_what_was_read(tmp_path):
    data = bytearray(COMPRESS["zst-frames"](PLAIN))
    tenth = sum(len(zstandard.ZstdCompressor().compress(PLAIN[i:i + 50_000])) for i in range(0, 500_000, 50_000))
    data[tenth + 30:tenth + 60] = b"\xff" * 30   # the eleventh frame's data: the blocks before it are read
    path = tmp_path / "mail.log.3.zst"
    path.write_bytes(bytes(data))
    r = run("parse", str(path))
    assert r.returncode == 1 and f"error reading {path}: zstd: " in r.stderr
    assert 0 < len(r.stdout.splitlines()) < 3000
    with open_log(str(path)) as fp:   # the follower seeks to its offset: the same error
        with pytest.raises(EOFError, match="^zstd: "):
            fp.seek(700_000)


def test_a_plain_log_that_starts_like_no_compressor_stays_plain():
    fp = open_zstd(io.BytesIO(COMPRESS["zst"](PLAIN)))
    assert fp.readline() == LINES[0].encode()
    fp.close()


@pytest.mark.skipif(shutil.which("zstd") is None, reason="zstd(1) is not installed (Debian package zstd)")
def test_the_zstd_command_as_logrotate_runs_it(tmp_path):
    """logrotate pipes the file through ``compresscmd`` (zstd -6 < file > file.zst)."""
    plain = tmp_path / "mail.log"
    plain.write_bytes(PLAIN)
    with open(plain, "rb") as src, open(tmp_path / "mail.log.1.zst", "wb") as dst:
        subprocess.run(["zstd", "-6", "-q"], stdin=src, stdout=dst, check=True)
    got = run("parse", str(tmp_path / "mail.log.1.zst")).stdout
    assert got == run("parse", str(plain)).stdout.replace('/mail.log"', '/mail.log.1.zst"')


def _frames(data: bytes) -> list[int]:
    """Where each block of a zstd file ends (walked as check_frames walks it)."""
    ends, pos = [], 0
    while pos < len(data):
        fhd = data[pos + 4]
        single = fhd & 0x20
        pos += 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + (1 if single else 0, 2, 4, 8)[fhd >> 6]
        while True:
            h = int.from_bytes(data[pos:pos + 3], "little")
            pos += 3 + (1 if (h >> 1 & 3) == 1 else h >> 3)
            ends.append(pos)
            if h & 1:
                break
        pos += 4 if fhd & 4 else 0
        ends.append(pos)
    return ends


def test_a_truncated_zstd_is_a_clear_error_as_a_truncated_gzip_is(tmp_path):
    """The stream reader ends quietly where a truncated file ends; the walk
    of the frames' headers tells it from a whole file, wherever it is cut:
    inside a block, between blocks or frames, or in the last checksum."""
    data = zstandard.ZstdCompressor(write_checksum=True).compress(PLAIN[:200_000]) + COMPRESS["zst-frames"](
        PLAIN[200_000:])
    ends = _frames(data)
    assert ends[-1] == len(data) and len(ends) > 10
    cuts = {ends[0] - 7, ends[0], ends[1] - 2, ends[len(ends) // 2] + 1, len(data) - 2}
    for cut in sorted(cuts):
        path = tmp_path / f"mail.log.{cut}.zst"
        path.write_bytes(data[:cut])
        r = run("parse", str(path))
        assert r.returncode == 1 and f"error reading {path}: zstd: " in r.stderr, (cut, r.stderr)
    gz = tmp_path / "mail.log.gz"
    gz.write_bytes(gzip.compress(PLAIN)[:-9])
    assert run("parse", str(gz)).returncode == 1


def test_whole_zstd_files_pass_the_walk(tmp_path):
    from bouncewatch.plugin.zstdfile import check_frames
    skippable = (0x184D2A53).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"12345"
    for data in (COMPRESS["zst"](PLAIN), COMPRESS["zst-frames"](PLAIN), skippable + COMPRESS["zst"](PLAIN),
                 zstandard.ZstdCompressor(write_checksum=True, write_content_size=False).compress(PLAIN), b""):
        check_frames(io.BytesIO(data), len(data))
        assert open_zstd(io.BytesIO(data)).read() == (PLAIN if data else b"")
    with pytest.raises(EOFError, match="no frame at byte 0"):
        check_frames(io.BytesIO(b"\x00" * 20), 20)
