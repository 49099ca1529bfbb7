"""A real systemd-journald in a throw-away mount namespace, for the journal source.

Why a real one: ``bouncewatch follow journal:`` resumes from a saved cursor
by running journalctl, and what journalctl does with a cursor whose entry was
vacuumed, with a message that is not UTF-8 or with a journald that restarts
is journalctl's behaviour, not something a stand-in can be trusted to copy.

journald runs without systemd: given no sockets, it binds its own under
/run/systemd/journal (``dev-log`` for syslog(3) datagrams, as /dev/log is on
a systemd host) and writes its files under /run/log/journal. /run and
/var/log are private, empty tmpfs mounts of the namespace, so the host's
journal and logs are never read or written (a host without
/var/log/mail.log, as Debian 12 is by default) and everything is gone when
the namespace's init dies. Commands that must see this journal
(journalctl, the follower) run in the namespace's mount namespace only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Sequence

from .netns import Namespace


class Inner:
    """A process started by :meth:`Journald.spawn`: its nsenter on our side, its pid inside."""

    def __init__(self, ns: Namespace, popen: subprocess.Popen[bytes], pid: int) -> None:
        self.ns, self.popen, self.pid = ns, popen, pid

    def signal(self, name: str) -> None:
        self.ns.run(["kill", f"-{name}", str(self.pid)], check=False)

    def stop(self, name: str = "TERM", timeout: float = 20.0) -> int:
        self.signal(name)
        return self.popen.wait(timeout)

JOURNALD = Path("/lib/systemd/systemd-journald")
DEV_LOG = "/run/systemd/journal/dev-log"
MAIL_INFO = 2 * 8 + 6   # facility mail, severity info


def unavailable() -> str | None:
    """Why this machine cannot run the test, or None."""
    if os.geteuid() != 0:
        return "needs root (a mount namespace with private tmpfs mounts)"
    if not JOURNALD.is_file():
        return f"{JOURNALD} not found (Debian package systemd)"
    if shutil.which("journalctl") is None:
        return "journalctl not found (Debian package systemd)"
    return None


class Journald:
    """``with Journald() as j: j.log(...); j.journalctl(...); j.spawn([...], name)``."""

    def __init__(self) -> None:
        self.ns = Namespace()
        self.dir = Path(tempfile.mkdtemp(prefix="bw-journald-"))  # pid files, seen from both sides

    def __enter__(self) -> "Journald":
        self.ns.start()
        try:
            self.ns.run(["mount", "-t", "tmpfs", "tmpfs", "/run"])
            self.ns.run(["mount", "-t", "tmpfs", "tmpfs", "/var/log"])  # no /var/log/journal: volatile
            self.start_daemon()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.ns.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- the daemon ----------------------------------------------------------------
    def start_daemon(self) -> None:
        self.daemon = self.spawn([str(JOURNALD)], "journald")
        deadline = time.monotonic() + 10
        while not self._socket_path().exists():
            if time.monotonic() > deadline or self.daemon.popen.poll() is not None:
                raise RuntimeError("systemd-journald did not create its syslog socket")
            time.sleep(0.05)

    def stop_daemon(self) -> None:
        """SIGTERM, as systemctl stop would; its socket is left behind, unbound."""
        self.daemon.signal("TERM")
        self.daemon.popen.wait(10)
        self._socket_path().unlink()

    def _socket_path(self) -> Path:
        """The namespace's dev-log as the host reaches it (its mounts, through /proc)."""
        return Path(f"/proc/{self.ns.init_pid}/root{DEV_LOG}")

    # -- inside --------------------------------------------------------------------
    def spawn(self, argv: Sequence[str], name: str, **popen: object) -> "Inner":
        """``argv`` started inside the namespace, so that it (and journalctl,
        its child) dies with it. nsenter forks into a PID namespace and does
        not pass signals on: the process writes its own pid (as the namespace
        numbers it) to a file, and signals go through ``kill`` inside."""
        pid_file = self.dir / f"{name}.pid"
        script = f'echo $$ > "{pid_file}.tmp" && mv "{pid_file}.tmp" "{pid_file}" && exec "$@"'
        popen.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(self.ns.command(["sh", "-c", script, "sh", *argv]), **popen)  # type: ignore[call-overload]
        deadline = time.monotonic() + 10
        while not pid_file.exists():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} did not start in the namespace")
            time.sleep(0.02)
        pid = int(pid_file.read_text())
        pid_file.unlink()
        return Inner(self.ns, proc, pid)

    def journalctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.ns.run(["journalctl", "--no-pager", "-q", *args])

    def log(self, program: str, pid: int, message: str | bytes) -> None:
        """One syslog(3) datagram, as glibc sends it (no host name), mail.info."""
        body = message if isinstance(message, bytes) else message.encode()
        head = f"<{MAIL_INFO}>{time.strftime('%b %e %H:%M:%S')} {program}[{pid}]: ".encode()
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(head + body, str(self._socket_path()))

    def wait_for_entries(self, count: int, timeout: float = 10.0) -> None:
        """Until the mail facility has ``count`` entries (journald writes asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            n = len(self.journalctl("-o", "json", "SYSLOG_FACILITY=2").stdout.splitlines())
            if n >= count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"journald holds {n} mail entries, not {count}")
            time.sleep(0.05)
