"""journald as a source: ``journalctl -o json -f`` from a saved cursor.

For hosts where the MTA logs only to the journal. Each record is one JSON
line, which parsers/envelope.py already understands; its ``__CURSOR`` is the
position, committed (like a file offset) once the sinks accepted the events.

The saved cursor is given as ``--cursor`` (the entry itself comes again and
is dropped here), not ``--after-cursor``: journalctl (systemd 252 at least)
takes "after" as "skip one entry after the seek", so when the cursor's own
entry is gone (the journal rotated and vacuumed while we were down) the seek
lands on the next entry and that entry was skipped, lost without a word
(tests/test_journald_real.py shows it with a real journald).

journalctl runs as a child; one thread reads its stdout into a bounded
queue (so we never read ahead of the sinks by more than ``max_queue``
records: a full queue blocks the pipe and journalctl waits). If journalctl
dies it is restarted from the committed cursor, with back-off.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading
import time
from collections import Counter
from typing import Any, Callable

from .follow import Chunk
from .locate import JOURNAL_READERS
from .reader import iter_lines

# The mail facility (2): Postfix, Exim (log_file_path = syslog) and
# Sendmail all log there.
DEFAULT_MATCHES = ("SYSLOG_FACILITY=2",)
KEY = "journal"
SOURCE_PATH = "journald"

Log = Callable[[str], None]


def cursor_of(line: str) -> str | None:
    """``__CURSOR`` without parsing the whole record (the envelope parser
    will). Cursors hold no quotes or backslashes; older journalctl writes
    ``"__CURSOR" : "..."`` with blanks, newer ones none."""
    i = line.find('"__CURSOR"')
    if i < 0:
        return None
    i = _skip_blanks(line, i + 10)
    if line.startswith(":", i):
        i = _skip_blanks(line, i + 1)
        if line.startswith('"', i):
            j = line.find('"', i + 1)
            return line[i + 1:j] if j > i + 1 else None
    return None


def since_of_cursor(cursor: str) -> str | None:
    """``--since`` for a cursor's realtime (its ``t=`` field, hex
    microseconds), as ``@SECONDS``."""
    for part in cursor.split(";"):
        if part.startswith("t="):
            try:
                return f"@{int(part[2:], 16) // 1_000_000}"
            except ValueError:
                return None
    return None


def same_entry(a: str, b: str) -> bool:
    """Whether two cursors name one journal entry: the same sequence number
    set (``s=``) and number (``i=``), whatever else the two strings say."""
    if a == b:
        return True
    fa = dict(p.split("=", 1) for p in a.split(";") if "=" in p)
    fb = dict(p.split("=", 1) for p in b.split(";") if "=" in p)
    return "s" in fa and "i" in fa and fa.get("s") == fb.get("s") and fa.get("i") == fb.get("i")


def _drain(proc: subprocess.Popen[bytes], tail: bytearray) -> None:
    """journalctl's stderr as it comes, its last 4 KiB kept in ``tail``."""
    assert proc.stderr is not None
    while chunk := proc.stderr.read1(65536):  # type: ignore[attr-defined]
        tail += chunk
        del tail[:-4096]


def _skip_blanks(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


class JournalSource:
    def __init__(self, counts: Counter, log: Log, wake: threading.Event,
                 matches: tuple[str, ...] = DEFAULT_MATCHES, journalctl: str = "journalctl",
                 max_queue: int = 5000) -> None:
        self.counts, self.log, self.wake = counts, log, wake
        self.matches, self.journalctl = tuple(matches), journalctl
        self.cursor: str | None = None           # committed
        self.from_start = False
        self._q: queue.Queue[tuple[str, str | None] | None] = queue.Queue(max_queue)
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._stderr = b""                        # the tail of the last journalctl's stderr
        self._backoff = 1.0
        self._next_start = 0.0
        self._read_counts: Counter = Counter()
        self._stopping = False
        self._said: str | None = None
        self._since = ""                          # --since, when the cursor was lost

    # -- lifecycle ---------------------------------------------------------------
    def start(self, saved: dict[str, Any], from_start: bool) -> None:
        st = saved.get(KEY) or {}
        self.cursor = st.get("cursor")
        self.from_start = from_start or bool(st.get("from_start"))
        self._since = "" if self.cursor else st.get("since") or ""
        if not self.cursor and not self.from_start and not self._since:
            # A first run starts at the end of the journal. The end is pinned
            # now, as a cursor, so that the checkpoint written at start holds
            # it: killed before a record came, the next start resumes here
            # instead of at a later end (which would lose what came between).
            # No record yet: everything that comes is new, read it all.
            known, self.cursor = self._last_cursor()
            self.from_start = known and self.cursor is None
        self._spawn()

    def _last_cursor(self) -> tuple[bool, str | None]:
        """(True, the cursor of the journal's last record of ours or None
        when it has none), or (False, None) when journalctl cannot say (then
        ``-n 0``, the end as journalctl finds it when it runs)."""
        exe = shutil.which(self.journalctl)
        if exe is None:
            return False, None
        try:
            r = subprocess.run([exe, "-o", "json", "-q", "--no-pager", "-n", "1", *self.matches],
                               capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            return False, None
        if r.returncode != 0:
            return False, None
        lines = r.stdout.decode("utf-8", "replace").splitlines()
        return True, cursor_of(lines[-1]) if lines else None

    def _argv(self) -> list[str]:
        argv = [self.journalctl, "-o", "json", "-f", "-q", "--no-pager"]
        if self.cursor:
            argv += ["--cursor", self.cursor]  # inclusive: _pump drops the entry itself
        elif self._since:
            argv += ["--since", self._since]
        else:
            argv += ["-n", "all" if self.from_start else "0"]
        return argv + list(self.matches)

    def _spawn(self) -> None:
        exe = shutil.which(self.journalctl)
        if exe is None:
            self._problem(f"journal: {self.journalctl} not found on PATH; retrying")
            self._schedule_retry()
            return
        try:
            self._proc = subprocess.Popen(self._argv(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          stdin=subprocess.DEVNULL, close_fds=True)
        except OSError as e:
            self._problem(f"journal: cannot run {exe}: {e.strerror or e}; retrying")
            self._schedule_retry()
            return
        # stderr drained as it comes, its tail kept: read only at exit, a
        # journalctl that says more than a pipe holds would block, and so
        # would we, waiting on its stdout
        err_tail = bytearray()
        drain = threading.Thread(target=_drain, args=(self._proc, err_tail), daemon=True, name="journalctl-stderr")
        drain.start()
        self._thread = threading.Thread(target=self._pump, args=(self._proc, self.cursor, drain, err_tail),
                                        daemon=True,
                                        name="journalctl-reader")
        self._thread.start()

    def _problem(self, msg: str) -> None:
        if msg != self._said:  # said once, not at every retry
            self.log(msg)
        self._said = msg

    def _schedule_retry(self) -> None:
        self._next_start = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, 60.0)

    def _pump(self, proc: subprocess.Popen[bytes], resumed_at: str | None, drain: threading.Thread,
              err_tail: bytearray) -> None:
        """``resumed_at``: the cursor journalctl was started at (``--cursor``);
        its entry, if the journal still has it, comes first and was read before."""
        assert proc.stdout is not None
        started = time.monotonic()
        for line in iter_lines(proc.stdout, self._read_counts):
            if not line.terminated or not line.text:
                continue
            cursor = cursor_of(line.text)
            if resumed_at is not None:
                first, resumed_at = resumed_at, None
                if cursor is not None and same_entry(cursor, first):
                    continue
            self._q.put((line.text, cursor))  # blocks when full: back-pressure
            self.wake.set()
        drain.join()
        self._stderr = bytes(err_tail)
        proc.wait()
        if time.monotonic() - started > 30:
            self._backoff = 1.0
        self._q.put(None)  # end marker
        self.wake.set()

    # -- the source protocol -------------------------------------------------------
    def poll(self) -> None:
        if self._proc is None and not self._stopping and time.monotonic() >= self._next_start:
            self._spawn()

    def next_chunk(self, max_lines: int) -> Chunk | None:
        lines: list[tuple[str, int | None]] = []
        last = None
        while len(lines) < max_lines:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._exited()
                break
            text, cur = item
            lines.append((text, None))
            if cur:
                last = cur
        if self._read_counts:
            self.counts.update(self._read_counts)
            self._read_counts.clear()
        if not lines:
            return None
        self._said = None  # records again: a later problem is news
        return Chunk(self, None, SOURCE_PATH, None, lines, last)

    def _exited(self) -> None:
        proc = self._proc
        self._proc = None
        if proc is None or self._stopping:
            return
        err = self._stderr.decode("utf-8", "replace").strip().splitlines()
        if self.cursor and any("cursor" in e.lower() for e in err):
            # The journal no longer has our cursor (vacuumed, rotated away, a
            # restored machine): go on from the cursor's own time instead of
            # failing forever. Records of that second may come twice.
            since = since_of_cursor(self.cursor)
            self.log(f"journal: journalctl cannot seek to the saved cursor ({err[-1]}); "
                     + (f"continuing from its time ({since})" if since else "reading the whole journal"))
            self._since, self.cursor = since or "", None
            if not since:
                self.from_start = True
            self._next_start = 0.0
            return
        last = err[-1].rstrip(".") if err else ""
        hint = f"; {JOURNAL_READERS}" if "insufficient permissions" in last else ""
        self._problem(f"journal: journalctl exited with status {proc.returncode}"
                      + (f" ({last}{hint})" if last else "") + "; retrying")
        self._schedule_retry()

    def commit(self, chunk: Chunk) -> None:
        if chunk.end:
            self.cursor = chunk.end

    def state(self) -> dict[str, Any]:
        if self.cursor:
            return {KEY: {"cursor": self.cursor}}
        if self._since:  # a lost cursor's time, until a record gives a cursor again
            return {KEY: {"since": self._since}}
        return {KEY: {"from_start": True}} if self.from_start else {}

    def watch_targets(self) -> dict[str, set[str]]:
        return {}

    def waiting(self) -> bool:
        return self._proc is None

    def lag_bytes(self) -> int:
        return 0

    def problems(self) -> list[str]:
        return [] if self._proc is not None else ["journalctl is not running"]

    def close(self) -> None:
        self._stopping = True
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
        # unblock the pump if it waits on a full queue
        while True:
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
