"""Read positions on disk: written atomically, only for accepted events.

The file is replaced, never rewritten in place (temp file, fsync, rename,
fsync of the directory), so a crash or ``kill -9`` at any moment leaves
either the previous or the new checkpoint, whole. A lock file keeps two
followers from sharing one state directory (they would overwrite each
other's positions); the kernel drops the lock when the process dies.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from pathlib import Path
from typing import Any

import orjson

from .durable import fsync_dir

# 2: a file followed while empty is known by its mtime too (follow.Identity:
# an inode alone is taken by the next file created once gzip removed it).
# A version-1 checkpoint reads as it did: its files are known by inode.
VERSION = 2
READABLE = (1, 2)


class CheckpointError(Exception):
    """The state directory cannot be used; the message says why."""


class CheckpointStore:
    def __init__(self, state_dir: str | os.PathLike[str], name: str = "follow-checkpoint.json") -> None:
        self.dir = Path(state_dir)
        self.path = self.dir / name
        self._lock_fd: int | None = None
        self.tables: list[Any] = []   # the correlator's, as loaded
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._pending: bytes | None = None   # submitted, not yet being written
        self._busy = False                   # the writer thread is writing
        self._error: OSError | None = None
        self._thread: threading.Thread | None = None

    def lock(self) -> None:
        if self._lock_fd is not None:
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.dir / "follow.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as e:
            raise CheckpointError(f"state directory {self.dir}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise CheckpointError(f"state directory {self.dir} is in use by another bouncewatch "
                                  "follower (give each one its own --state-dir)") from None
        self._lock_fd = fd
        # a write cut short by kill -9 leaves its temporary file; with the
        # lock held, no other writer can own one
        for stale in self.dir.glob(f".{self.path.name}.*.tmp"):
            try:
                stale.unlink()
            except OSError:
                pass

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def load(self) -> dict[str, Any]:
        """The saved sources (``{key: state}``); empty on the first run. A
        damaged file is kept aside and reported, not fatal. The correlator's
        tables saved with them are in ``self.tables`` afterwards."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise CheckpointError(f"{self.path}: {e.strerror or e}") from None
        try:
            doc = json.loads(raw)
            if doc.get("version") not in READABLE or not isinstance(doc.get("sources"), dict):
                raise ValueError(f"unknown layout (version {doc.get('version')!r})")
            tables = doc.get("correlator")
            self.tables = tables if isinstance(tables, list) else []
            return doc["sources"]
        except (ValueError, AttributeError) as e:
            aside = self.path.with_suffix(".damaged")
            os.replace(self.path, aside)
            raise CheckpointError(f"{self.path}: unreadable checkpoint ({e}); moved to {aside}") from None

    def save(self, sources: dict[str, Any], tables: list[Any] | None = None) -> None:
        """Positions and (optionally) the correlator's tables, in one file:
        one rename makes both current, so they always agree."""
        self.write(self.encode(sources, tables))

    def write(self, data: bytes) -> None:
        """Write ``data`` (from :meth:`encode`) now, after any checkpoint
        handed to :meth:`submit`, so the newest state is the one left."""
        self.drain()
        self._write(data)

    @staticmethod
    def encode(sources: dict[str, Any], tables: list[Any] | None = None) -> bytes:
        doc: dict[str, Any] = {"version": VERSION, "sources": sources}
        if tables is not None:
            doc["correlator"] = tables
        return orjson.dumps(doc)   # the tables can be a few MB: orjson is ~5x the stdlib

    def submit(self, data: bytes) -> None:
        """Write ``data`` (from :meth:`encode`) in the background.

        Why not inline: the fsyncs of a checkpoint wait for the disk, and on
        a busy disk (ext4 commits its journal, writeback of other files'
        dirty pages comes first) that is hundreds of milliseconds, during
        which no event would reach a sink. The caller encodes while its
        state is consistent; only the bytes cross threads. A newer state
        handed in before the older one is written replaces it: positions
        only move forward, and a crash meanwhile leaves the previous file,
        which is behind, so lines are read again, never lost."""
        with self._cond:
            self._pending = data
            if self._thread is None:
                self._thread = threading.Thread(target=self._writer, name="checkpoint", daemon=True)
                self._thread.start()
            self._cond.notify()

    def drain(self) -> None:
        """Return when no submitted checkpoint is waiting or being written."""
        with self._cond:
            while self._pending is not None or self._busy:
                self._cond.wait()

    @property
    def error(self) -> OSError | None:
        """Why the last background write failed; None once one succeeds."""
        return self._error

    def _writer(self) -> None:
        while True:
            with self._cond:
                while self._pending is None:
                    self._cond.wait()
                data, self._pending, self._busy = self._pending, None, True
            try:
                self._write(data)
                err = None
            except OSError as e:
                err = e
            with self._cond:
                self._busy = False
                self._error = err
                self._cond.notify_all()

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            fsync_dir(self.dir)


def default_state_dir() -> Path:
    """systemd's ``$STATE_DIRECTORY`` (StateDirectory=), else
    /var/lib/bouncewatch for root, else $XDG_STATE_HOME/bouncewatch."""
    sd = os.environ.get("STATE_DIRECTORY")
    if sd:
        return Path(sd.split(":")[0])
    if os.geteuid() == 0:
        return Path("/var/lib/bouncewatch")
    xdg = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(xdg) / "bouncewatch"
