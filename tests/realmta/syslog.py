"""A /dev/log datagram listener that writes what it hears as a syslog file.

Why: Sendmail logs only through syslog(3), and the host may run no syslog
daemon (or one the test must not touch). The namespace gets its own
/dev/log (see SendmailInstance) bound to this listener's socket, and the
file it writes looks like rsyslog's default RFC 3164 output, the format
bouncewatch reads in production:

    glibc sends   <22>Nov 23 03:15:00 sm-mta[123]: 5AN3F0x1000123: to=<a@b>, ...
    we write      Nov 23 03:15:00 mta sm-mta[123]: 5AN3F0x1000123: to=<a@b>, ...

i.e. the priority is dropped and the host name inserted after the stamp.
"""

from __future__ import annotations

import os
import re
import select
import socket
import threading
from pathlib import Path

# "<PRI>Mmm dd hh:mm:ss " as glibc's syslog(3) writes it (RFC 3164, no host).
_GLIBC = re.compile(r"<(\d{1,3})>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ")


def to_file_line(datagram: bytes, hostname: str) -> str:
    """One datagram -> one line of the file (without the newline). A
    datagram not in glibc's format is kept as it came, so nothing is lost."""
    text = datagram.decode("utf-8", "backslashreplace").rstrip("\n\0")
    m = _GLIBC.match(text)
    if m is None:
        return text
    return f"{m[2]} {hostname} {text[m.end():]}"


class SyslogListener:
    """``SyslogListener(sock_path, out_path, "mta").start()``; ``stop()``."""

    def __init__(self, path: Path, out: Path, hostname: str) -> None:
        self.path = path
        self.out = out
        self.hostname = hostname
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        os.chmod(path, 0o666)  # daemons that dropped root still log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "SyslogListener":
        self._thread = threading.Thread(target=self._serve, name="syslog", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        with open(self.out, "a", encoding="utf-8") as f:
            while not self._stop.is_set():
                ready, _, _ = select.select([self.sock], [], [], 0.2)
                if not ready:
                    continue
                try:
                    data = self.sock.recv(65536)
                except OSError:
                    return
                f.write(to_file_line(data, self.hostname) + "\n")
                f.flush()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sock.close()
