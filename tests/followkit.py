"""Helpers for the follower's tests: a Postfix log writer that rotates like
logrotate, a follower process, and a reader of the file sink."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("deferred", "bounced", "sent")


def delivery_line(n: int, status: str | None = None) -> str:
    """A realistic smtp delivery line whose recipient names ``n``."""
    status = status or STATUSES[n % 3]
    qid = f"{0x10000000 + n:X}"
    t = time.localtime()
    ts = time.strftime("%b %e %H:%M:%S", t)
    rcpt = f"r{n}@d{n % 97}.example"
    if status == "sent":
        tail = "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F2A1B)"
    elif status == "deferred":
        tail = (f"dsn=4.2.0, status=deferred (host mx.d{n % 97}.example[192.0.2.{n % 250 + 1}] said: "
                f"450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see "
                "http://postgrey.schweikert.ch/help/ (in reply to RCPT TO command))")
    else:
        tail = (f"dsn=5.1.1, status=bounced (host mx.d{n % 97}.example[192.0.2.{n % 250 + 1}] said: "
                f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox "
                "table (in reply to RCPT TO command))")
    return (f"{ts} mx postfix/smtp[{1000 + n % 50}]: {qid}: to=<{rcpt}>, "
            f"relay=mx.d{n % 97}.example[192.0.2.{n % 250 + 1}]:25, delay=1.2, "
            f"delays=0.1/0/0.5/0.6, {tail}\n")


def message_lines(n: int) -> str:
    """A whole message's worth of a real Postfix log (7 lines, as a busy
    relay writes them): the delivery line among connects, cleanup, qmgr.
    Roughly two out of three deliveries succeed."""
    ts = time.strftime("%b %e %H:%M:%S")
    qid = f"{0x10000000 + n:X}"
    status = "sent" if n % 3 else ("deferred" if n % 6 else "bounced")
    ip = f"198.51.100.{n % 200 + 1}"
    return (f"{ts} mx postfix/smtpd[{2000 + n % 40}]: connect from app{n % 9}.example.org[{ip}]\n"
            f"{ts} mx postfix/smtpd[{2000 + n % 40}]: {qid}: client=app{n % 9}.example.org[{ip}]\n"
            f"{ts} mx postfix/cleanup[{3000 + n % 10}]: {qid}: message-id=<{n}.{qid}@example.org>\n"
            f"{ts} mx postfix/qmgr[999]: {qid}: from=<news@example.org>, size={2000 + n % 5000}, "
            f"nrcpt=1 (queue active)\n"
            + delivery_line(n, status)
            + (f"{ts} mx postfix/qmgr[999]: {qid}: removed\n" if status != "deferred" else
               f"{ts} mx postfix/smtpd[{2000 + n % 40}]: lost connection after RSET from "
               f"app{n % 9}.example.org[{ip}]\n")
            + f"{ts} mx postfix/smtpd[{2000 + n % 40}]: disconnect from app{n % 9}.example.org[{ip}] "
              "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5\n")


def recipient_n(rcpt: str) -> int:
    return int(rcpt[1:rcpt.index("@")])


@dataclass
class Writer:
    """Appends delivery lines at ``rate`` per second in 10 ms bursts, splits
    a line across bursts now and then (a half-written last line), and
    rotates at the given line numbers: ``rename`` (logrotate's create) or
    ``copytruncate``."""

    log: Path
    total: int
    rate: float
    rotations: dict[int, str] = field(default_factory=dict)
    whole_messages: bool = False   # 7 log lines per delivery (message_lines), ``rate`` stays lines/s
    written_at: dict[int, float] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self._run, daemon=True)
        t.start()
        return t

    def _open(self) -> int:
        return os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _shift(self) -> None:
        n = 1
        while (self.log.parent / f"{self.log.name}.{n}").exists():
            n += 1
        for i in range(n - 1, 0, -1):
            os.rename(self.log.parent / f"{self.log.name}.{i}", self.log.parent / f"{self.log.name}.{i + 1}")

    def _run(self) -> None:
        try:
            self._write_all()
        except BaseException as e:  # reported by the test
            self.error = e
        finally:
            self.done.set()

    def _write_all(self) -> None:
        fd = self._open()
        rate = self.rate / 7 if self.whole_messages else self.rate   # deliveries per second
        interval = max(0.01, 1.0 / rate)
        per_burst = max(1, round(rate * interval))
        t0 = time.monotonic()
        pending = b""
        n = 0
        burst = 0
        while n < self.total:
            burst += 1
            due = t0 + burst * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            buf = pending
            pending = b""
            stamps = []
            for _ in range(per_burst):
                if n >= self.total:
                    break
                line = (message_lines(n) if self.whole_messages else delivery_line(n)).encode()
                buf += line
                stamps.append(n)
                n += 1
                if n in self.rotations:
                    break
            rotate = self.rotations.get(n)
            if rotate is None and burst % 7 == 0 and n < self.total:
                cut = len(buf) - 40          # leave the end of the last line for the next burst
                buf, pending = buf[:cut], buf[cut:]
            os.write(fd, buf)
            now = time.time()
            for i in stamps:
                self.written_at[i] = now
            if rotate == "rename":
                self._shift()
                os.rename(self.log, self.log.parent / f"{self.log.name}.1")
                os.close(fd)
                fd = self._open()
            elif rotate == "copytruncate":
                self._shift()
                shutil.copyfile(self.log, self.log.parent / f"{self.log.name}.1")
                os.truncate(self.log, 0)
        if pending:
            os.write(fd, pending)
        os.close(fd)


class Follower:
    """``bouncewatch follow`` as a child process. ``Follower.reap()`` kills
    any still running (a test's teardown: a failed assertion must not leave
    one behind)."""

    running: list["Follower"] = []

    @classmethod
    def reap(cls) -> None:
        while cls.running:
            f = cls.running.pop()
            if f.proc is not None and f.proc.poll() is None:
                f.proc.kill()
                f.proc.wait(10)

    def __init__(self, log: Path, out: Path, state: Path, *args: str) -> None:
        self.argv = [sys.executable, "-m", "bouncewatch", "follow", str(log), "--sink", f"file:{out}",
                     "--state-dir", str(state), "--all", "--status-interval", "3600", *args]
        self.proc: subprocess.Popen | None = None
        self.stderr: list[str] = []
        self.err_path = state.parent / f"follower-{id(self)}.err"

    def start(self, ready_timeout: float = 60.0) -> None:
        """Starts the follower and waits for its READY=1, as systemd would:
        only then is it positioned in its files, so a test that writes
        after start() never races the first "start at the end"."""
        import socket
        import tempfile
        self._err = open(self.err_path, "ab")
        sock_dir = tempfile.mkdtemp(prefix="bw-notify-")  # short: AF_UNIX paths are at most 107 bytes
        sock_path = os.path.join(sock_dir, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(sock_path)
            sock.settimeout(0.5)
            env = {**os.environ, "NOTIFY_SOCKET": sock_path}
            self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=self._err, env=env)
            Follower.running.append(self)
            deadline = time.monotonic() + ready_timeout
            while time.monotonic() < deadline:
                try:
                    if b"READY=1" in sock.recv(4096):
                        return
                except socket.timeout:
                    if self.proc.poll() is not None:
                        raise AssertionError(f"follower exited with {self.proc.returncode}: {self.errors()}")
            raise AssertionError(f"follower not ready after {ready_timeout}s: {self.errors()}")
        finally:
            sock.close()
            shutil.rmtree(sock_dir, ignore_errors=True)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 20) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        self._err.close()
        return rc

    def errors(self) -> str:
        return self.err_path.read_text(errors="replace") if self.err_path.exists() else ""


class SinkReader:
    """Reads the JSON Lines file sink as it grows; notes when each event
    arrived. A line broken by SIGKILL in mid-write is counted, not parsed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pos = 0
        self.rest = b""
        self.events: list[dict] = []
        self.arrived: list[float] = []
        self.broken = 0

    def poll(self) -> int:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return 0
        now = time.time()
        self.pos += len(data)
        data = self.rest + data
        lines = data.split(b"\n")
        self.rest = lines.pop()
        for raw in lines:
            ev = _fields(raw)
            if ev is None:
                self.broken += 1
                continue
            self.events.append(ev)
            self.arrived.append(now)
        return len(lines)

    def recipients(self) -> set[int]:
        return {recipient_n(e["recipient"]) for e in self.events}

    def wait_for(self, n: int, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.poll()
            if len(self.recipients()) >= n:
                return True
            time.sleep(0.05)
        return False


def _fields(raw: bytes) -> dict | None:
    """recipient and event_id of one sink line, without a full JSON parse
    (the reader must not eat the CPU the follower is measured on); a line
    cut short by SIGKILL is None. ``FULL_JSON=1`` parses every line."""
    if FULL_JSON:
        try:
            return json.loads(raw)
        except ValueError:
            return None
    if not (raw.startswith(b'{"schema":"bouncewatch/1"') and raw.endswith(b"}")):
        return None
    out = {}
    for key in (b"event_id", b"recipient"):
        i = raw.find(b'"' + key + b'":"')
        if i < 0:
            return None
        i += len(key) + 4
        out[key.decode()] = raw[i:raw.index(b'"', i)].decode()
    return out


FULL_JSON = os.environ.get("FULL_JSON") == "1"


def sink_events(path: Path) -> list[dict]:
    """The events of a file sink's complete lines. A line without its newline
    is one the follower is still writing (a reader tailing the file sees it
    so), not an event yet."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return [json.loads(x) for x in text[:text.rfind("\n") + 1].splitlines() if x.strip()]


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]
