"""``bouncewatch follow`` of a mail log that Debian's rsyslogd writes and
Debian's logrotate rotates, both the real programs (unpacked from their
packages, never installed).

The other follow tests play logrotate's steps themselves, at the worst
moments; this one checks that the real tools do what those tests assume:
rsyslog's stock ``mail.*  -/var/log/mail.log`` action, reopened on SIGHUP,
and the stock ``/etc/logrotate.d/rsyslog`` stanza of the rsyslog package
(create, compress, delaycompress) with its paths moved into a temporary
folder, rotating while mail is logged, and once while we are down; then the
copytruncate + dateext form some sites use, with a kill -9 between two
rotations. Every line rsyslog wrote must come out as an event, exactly once
where no kill -9 forces a replay.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import zstandard

from followkit import Follower, SinkReader, delivery_line, recipient_n
from realmta.logrotate import Logrotate, logrotate_or_skip
from sink_helpers import rsyslog_root

pytestmark = [pytest.mark.realmta]

_MESSAGE = re.compile(r"^\S+ +\d+ [\d:]+ mx (\S+)\[(\d+)\]: (.*)$")
_RECIPIENT = re.compile(r" to=<r(\d+)@")


@pytest.fixture(scope="module")
def logrotate() -> Logrotate:
    return logrotate_or_skip()


class Syslog:
    """rsyslogd -n as Debian configures it for mail (``mail.* -FILE``, its
    default file format), listening on a unix socket of its own."""

    def __init__(self, d: Path) -> None:
        self.root = rsyslog_root()
        self.dir, self.log, self.sock = d, d / "mail.log", d / "log"
        self.pid_file = d / "rsyslogd.pid"
        lib = self.root / "usr/lib/x86_64-linux-gnu"
        (d / "rsyslog.conf").write_text(
            f'global(workDirectory="{d}")\n'
            'module(load="imuxsock" SysSock.Use="off")\n'
            f'input(type="imuxsock" Socket="{self.sock}" RateLimit.Interval="0")\n'
            f"mail.*\t\t\t\t-{self.log}\n")
        self.proc = subprocess.Popen(
            [str(self.root / "usr/sbin/rsyslogd"), "-n", "-f", str(d / "rsyslog.conf"), "-i", str(self.pid_file),
             "-M", str(lib / "rsyslog")],
            env=dict(os.environ, LD_LIBRARY_PATH=str(lib)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not (self.sock.exists() and self.pid_file.exists()):
            assert time.monotonic() < deadline and self.proc.poll() is None, "rsyslogd did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def written(self) -> list[str]:
        """Every line rsyslog wrote, in all the files logrotate left (gzip, zstd or not)."""
        lines = []
        for p in sorted(self.dir.glob("mail.log*")):
            data = p.read_bytes()
            if p.name.endswith(".gz"):
                data = gzip.decompress(data)
            elif p.name.endswith(".zst"):
                data = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True).read()
            lines += data.decode("utf-8", "replace").splitlines()
        return lines


def send(sock: Path, first: int, count: int, per_second: float) -> None:
    """Recipients ``first`` ... as Postfix's smtp(8) logs them through syslog(3)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        start = time.monotonic()
        for i, n in enumerate(range(first, first + count)):
            m = _MESSAGE.match(delivery_line(n).rstrip("\n"))
            assert m is not None
            program, pid, text = m.groups()
            s.sendto(f"<22>{time.strftime('%b %e %H:%M:%S')} {program}[{pid}]: {text}".encode(), str(sock))
            delay = start + (i + 1) / per_second - time.monotonic()
            if delay > 0:
                time.sleep(delay)


def stanza(syslog: Syslog, logrotate: Logrotate, options: str) -> str:
    """The logrotate package's defaults, then the rsyslog package's
    /etc/logrotate.d/rsyslog for our mail.log alone, with ``options`` in
    place of its own; postrotate HUPs our rsyslogd as the package's
    rsyslog-rotate HUPs the service."""
    defaults = logrotate.defaults()
    assert "\ncreate\n" in defaults
    stock = (syslog.root / "etc/logrotate.d/rsyslog").read_text()
    body = stock[stock.index("{"):]
    if options:
        body = re.sub(r"\{.*?postrotate", "{\n" + options + "\n\tpostrotate", body, flags=re.S)
    body = body.replace("/usr/lib/rsyslog/rsyslog-rotate", f"kill -HUP $(cat {syslog.pid_file})")
    return f"{defaults}\n{syslog.log}\n{body}"


def wait_written(syslog: Syslog, count: int) -> list[str]:
    deadline = time.monotonic() + 30
    while True:
        lines = syslog.written()
        if len(lines) >= count:
            return lines
        assert time.monotonic() < deadline, f"rsyslog wrote {len(lines)} of {count} lines"
        time.sleep(0.1)


@pytest.fixture
def run_dir(tmp_path: Path):
    (tmp_path / "logs").mkdir()
    os.chmod(tmp_path / "logs", 0o755)  # logrotate refuses a world-writable folder
    yield tmp_path
    Follower.reap()


def rotate_while_logged_and_while_down(run_dir: Path, syslog: Syslog, logrotate, conf: Path, while_down) -> None:
    """1,500 lines logged through three rotations while we follow; we stop;
    ``while_down()`` logs the other 300 around a rotation; we start again:
    every one of the 1,800 lines comes out once."""
    send(syslog.sock, 0, 1, 100)
    wait_written(syslog, 1)
    out = run_dir / "events.jsonl"
    f = Follower(syslog.log, out, run_dir / "state", "--from-start")
    f.start()
    writer = threading.Thread(target=send, args=(syslog.sock, 1, 1499, 500))
    writer.start()
    for _ in range(3):  # rotations while mail is logged
        time.sleep(0.6)
        logrotate.force(conf)
    writer.join()
    wait_written(syslog, 1500)
    assert f.stop() == 0
    while_down()
    written = wait_written(syslog, 1800)
    f = Follower(syslog.log, out, run_dir / "state")
    f.start()
    sink = SinkReader(out)
    assert sink.wait_for(1800, 60), f.errors()
    time.sleep(0.5)
    assert f.stop() == 0
    sink.poll()
    assert len(written) == 1800
    got = sorted(recipient_n(e["recipient"]) for e in sink.events)
    assert got == list(range(1800)), "lost or repeated: " + f.errors()[-1500:]


def test_stock_rsyslog_stanza_create_compress_delaycompress(run_dir: Path, logrotate) -> None:
    syslog = Syslog(run_dir / "logs")
    try:
        conf = run_dir / "logrotate.conf"
        conf.write_text(stanza(syslog, logrotate, ""))  # the package's own options
        assert "delaycompress" in conf.read_text() and "compress" in conf.read_text()

        def while_down() -> None:
            logrotate.force(conf)  # mail.log.1 is compressed now, mail.log.2.gz ...
            send(syslog.sock, 1500, 300, 500)
            wait_written(syslog, 1800)
            assert any(p.name.endswith(".gz") for p in syslog.dir.iterdir())
        rotate_while_logged_and_while_down(run_dir, syslog, logrotate, conf, while_down)
    finally:
        syslog.stop()


def test_copytruncate_dateext_and_a_kill_9(run_dir: Path, logrotate) -> None:
    syslog = Syslog(run_dir / "logs")
    try:
        conf = run_dir / "logrotate.conf"
        conf.write_text(stanza(syslog, logrotate, "\trotate 4\n\tcopytruncate\n\tdateext\n\tdateformat -%Y%m%d-%s\n"
                                       "\tcompress\n\tmissingok\n\tnotifempty"))
        out = run_dir / "events.jsonl"
        send(syslog.sock, 0, 1, 100)
        wait_written(syslog, 1)
        f = Follower(syslog.log, out, run_dir / "state", "--from-start")
        f.start()
        writer = threading.Thread(target=send, args=(syslog.sock, 1, 1999, 400))
        writer.start()
        time.sleep(1.1)
        logrotate.force(conf)
        time.sleep(1.1)
        f.kill()
        logrotate.force(conf)  # while we are down
        f = Follower(syslog.log, out, run_dir / "state")
        f.start()
        time.sleep(1.1)
        logrotate.force(conf)
        writer.join()
        # copytruncate's own window: what rsyslog writes between logrotate's
        # copy and its truncate is in no file afterwards (logrotate(8) says
        # so). We may have read it from the live file before the truncate,
        # or not: every line the files hold must be an event, and every
        # event a line that was sent.
        time.sleep(0.5)
        written = {int(m[1]) for m in (_RECIPIENT.search(x) for x in syslog.written()) if m}
        assert len(written) > 1900
        sink = SinkReader(out)
        deadline = time.monotonic() + 60
        while sink.poll() or len(sink.recipients()) < len(written):
            assert time.monotonic() < deadline, f"{len(sink.recipients())} of {len(written)}: " + f.errors()[-1500:]
            time.sleep(0.1)
        assert f.stop() == 0
    finally:
        syslog.stop()
    assert written <= sink.recipients() <= set(range(2000)), f.errors()[-1500:]
    copies = [p.name for p in syslog.dir.iterdir() if p.name.startswith("mail.log-")]
    assert len(copies) == 3 and all(c.endswith(".gz") for c in copies), copies


@pytest.mark.skipif(shutil.which("zstd") is None, reason="zstd(1) is not installed (Debian package zstd)")
def test_zstd_compresscmd_without_delaycompress(run_dir: Path, logrotate) -> None:
    """Sites that keep months of mail logs compress them with zstd, at once:
    the file we were reading becomes a .zst (logrotate pipes it through
    zstd, then removes it) while mail goes on being logged."""
    syslog = Syslog(run_dir / "logs")
    try:
        conf = run_dir / "logrotate.conf"
        conf.write_text(stanza(syslog, logrotate, f"\trotate 8\n\tcreate\n\tcompress\n\tcompresscmd {shutil.which('zstd')}"
                                       "\n\tcompressext .zst\n\tcompressoptions -q\n\tmissingok\n\tnotifempty"))

        def while_down() -> None:
            send(syslog.sock, 1500, 150, 500)
            wait_written(syslog, 1650)
            logrotate.force(conf)  # what we had not read is in a .zst now
            send(syslog.sock, 1650, 150, 500)
            wait_written(syslog, 1800)
            assert sum(p.name.endswith(".zst") for p in syslog.dir.iterdir()) >= 4
        rotate_while_logged_and_while_down(run_dir, syslog, logrotate, conf, while_down)
    finally:
        syslog.stop()
