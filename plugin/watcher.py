"""Wake the follower when a watched directory changes (inotify, through
watchdog); say when we have to poll instead.

Directories are watched, not files: a rotation replaces the file, and a
watch on the old inode would never hear of the new one. Events for names
that do not concern us (other logs in /var/log) are ignored cheaply.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

Log = Callable[[str], None]


class Watcher:
    def __init__(self, wake: threading.Event, log: Log, use_inotify: bool = True) -> None:
        self.wake, self.log = wake, log
        self._observer = None
        self._watches: dict[str, tuple[object, tuple[int, int]]] = {}  # dir -> (watch, dev/ino)
        self._prefixes: dict[str, tuple[str, ...]] = {}
        self.failed = not use_inotify
        self._said = False

    def _start(self) -> bool:
        if self._observer is not None:
            return True
        if self.failed:
            return False
        try:
            from watchdog.observers.inotify import InotifyObserver
            obs = InotifyObserver(timeout=0.2)
            obs.daemon = True
            obs.start()
        except Exception as e:  # no inotify (not Linux, a container without it)
            self._fallback(f"inotify unavailable ({e})")
            return False
        self._observer = obs
        return True

    def _fallback(self, why: str) -> None:
        self.failed = True
        if not self._said:
            self.log(f"{why}; polling for changes instead")
            self._said = True

    def update(self, targets: dict[str, set[str]]) -> bool:
        """Watch these directories (and only these). True if every one of
        them is watched, so the caller can poll slowly."""
        self._prefixes = {d: tuple(sorted(p)) for d, p in targets.items()}
        for d in list(self._watches):
            watch, key = self._watches[d]
            try:
                st = os.stat(d)
                same = (st.st_dev, st.st_ino) == key
            except OSError:
                same = False
            if d not in targets or not same:  # gone, or replaced by a new directory
                self._unschedule(d)
        complete = True
        for d in targets:
            if d in self._watches:
                continue
            if not self._start():
                return False
            try:
                st = os.stat(d)
                handler = _Handler(self, d)
                watch = self._observer.schedule(handler, d, recursive=False)  # type: ignore[union-attr]
            except FileNotFoundError:
                complete = False
                continue
            except OSError as e:  # inotify watch limit, permission
                self._fallback(f"cannot watch {d} ({e.strerror or e})")
                complete = False
                continue
            self._watches[d] = (watch, (st.st_dev, st.st_ino))
        return complete and not self.failed

    def relevant(self, directory: str, path: str) -> bool:
        name = os.path.basename(path)
        return any(name.startswith(p) for p in self._prefixes.get(directory, ()))

    def _unschedule(self, d: str) -> None:
        watch, _ = self._watches.pop(d)
        try:
            self._observer.unschedule(watch)  # type: ignore[union-attr]
        except Exception:
            pass

    def stop(self) -> None:
        if self._observer is not None:
            try:
                self._observer.stop()
                self._observer.join(timeout=2)
            except Exception:
                pass
            self._observer = None
        self._watches.clear()


class _Handler:
    """watchdog's handler protocol (``dispatch``), without its base class's
    per-event method lookups."""

    def __init__(self, watcher: Watcher, directory: str) -> None:
        self.watcher, self.directory = watcher, directory

    def dispatch(self, event) -> None:  # noqa: ANN001 (watchdog's FileSystemEvent)
        w = self.watcher
        paths = [event.src_path, getattr(event, "dest_path", "")]
        for p in paths:
            if p:
                p = os.fsdecode(p)
                if p == self.directory or w.relevant(self.directory, p):
                    w.wake.set()
                    return
