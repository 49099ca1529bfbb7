"""Tail-follow of log files, like ``tail -F``, without losing lines.

What a log file goes through, and what we do about it:

* **Identity.** A file is known by device + inode *and* a fingerprint (hash)
  of its first bytes: inodes are reused as soon as a rotated file is
  deleted, and ``copytruncate`` keeps the inode while the content starts
  over. Only both together say "this is the file we were reading".
* **Rename + create** (logrotate's default, ``postfix logrotate``, a
  syslog daemon after HUP). Our open descriptor still reads the old file:
  it is drained to its end first, and kept open for a grace period because
  the writer may not have reopened yet. Rotated files we never saw (several
  rotations while we were down) are read in order before the new file.
* **copytruncate.** The file shrinks (or its first bytes change). The
  lines written between our last read and the truncation are in the copy,
  found among the rotated siblings by fingerprint (also when already
  compressed): we read the copy from our offset to its end, then the live
  file from 0. Lines written between the copy and the truncation are gone
  for everybody; that is copytruncate's own window.
* **Half-written lines** are not handed out until their newline arrives.
* **Offsets** advance in two steps: ``offset`` when a chunk is read,
  ``committed`` when the caller says its events were accepted by the sinks.
  Only committed offsets go into the checkpoint (at-least-once); a line read
  twice yields the same ``event_id``, which is content-based.

No threads here: :class:`FileSource` is polled by the agent when the
watcher (inotify via watchdog, or a timer) says something may have changed.
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import glob
import hashlib
import io
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, BinaryIO, Callable, Iterable

from .reader import iter_lines, open_log

FP_MAX = 1024          # bytes of a file's head in its fingerprint
FP_MIN_ALONE = 32      # a fingerprint alone (other inode: a copy) must cover this many bytes
DRAIN_GRACE = 2.0      # seconds a rotated file must stay idle at its end before we let it go
PARTIAL_GRACE = 30.0   # the same when it ends in half a line: its writer (not HUP'd yet) may finish it
UNMOVED_GRACE = 300.0  # ... and while the live file has nothing: its writer may not have reopened yet

# What logrotate (``.1``, ``.1.gz``, ``-20261123``) and ``postfix logrotate``
# (``.20261123-024800.gz``) append to a rotated log's name.
_ROTATED_SUFFIX = re.compile(r"[.-](\d[\d_-]*)(?:\.(?:gz|bz2|xz|zst))?\Z")
_COMPRESSED_SUFFIX = re.compile(r"\.(?:gz|bz2|xz|zst)\Z")
_GLOB_MAGIC = re.compile(r"[*?[]")

Log = Callable[[str], None]


def _fp(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# How a file found on disk is the one an identity names, best first (see
# Identity.match): the same inode with the same head (and, for an empty
# file, the same mtime); a copy in another inode; the same inode of a file
# noted empty whose mtime moved since (written since, or another file that
# got the inode once it was deleted: only taken when nothing better is).
SAME, COPY, SAME_INODE = 3, 2, 1


@dataclass(slots=True)
class Identity:
    """Which file: device, inode, and a fingerprint of its first ``fp_len`` bytes.

    An empty file has no head to be known by, and an inode is reused as
    soon as its file is deleted (gzip removes the source; ext4 hands the
    number to the next file created): for such a file ``mtime`` (ns) is
    kept too. Nothing but a write (or a truncation) moves it while the file
    stays empty, and gzip/bzip2/xz give their output the source's mtime:
    an empty file with that mtime in another inode is its compressed copy.
    None: not empty when noted, or noted by a version-1 checkpoint."""

    dev: int
    ino: int
    fp_len: int = 0
    fp: str = _fp(b"")
    mtime: int | None = field(default=None, compare=False)

    @classmethod
    def of(cls, st: os.stat_result, head: bytes) -> "Identity":
        return cls(st.st_dev, st.st_ino, len(head), _fp(head), None if head else st.st_mtime_ns)

    def head_matches(self, head: bytes) -> bool:
        return len(head) >= self.fp_len and _fp(head[: self.fp_len]) == self.fp

    def match(self, st: os.stat_result, head: bytes) -> int:
        """SAME, COPY, SAME_INODE (see above), or 0: not this file."""
        if not self.head_matches(head):
            return 0
        if (st.st_dev, st.st_ino) == (self.dev, self.ino):
            return SAME if self.mtime is None or st.st_mtime_ns == self.mtime else SAME_INODE
        if self.fp_len >= FP_MIN_ALONE or (self.mtime is not None and not head
                                           and st.st_mtime_ns == self.mtime):
            return COPY
        return 0

    def matches(self, st: os.stat_result, head: bytes, *, allow_copy: bool) -> bool:
        """Same inode and same head; or, with ``allow_copy``, a long enough
        identical head in another inode (a copytruncate copy, a compressed
        rotation), or an empty file's compressed copy."""
        m = self.match(st, head)
        return m in (SAME, SAME_INODE) or (allow_copy and m == COPY)

    def to_dict(self) -> dict[str, Any]:
        d = {"dev": self.dev, "ino": self.ino, "fp_len": self.fp_len, "fp": self.fp}
        if self.mtime is not None:
            d["mtime"] = self.mtime
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Identity":
        mtime = d.get("mtime")
        return cls(int(d["dev"]), int(d["ino"]), int(d["fp_len"]), str(d["fp"]),
                   int(mtime) if mtime is not None and not int(d["fp_len"]) else None)


# The predecessor of a live file when it could not be told (its rotated
# files kept changing while we looked): matches no file (a head is never
# longer than FP_MAX), so nothing is read on its account.
UNKNOWN = Identity(-1, -1, FP_MAX + 1)


def read_head(path: str, st: os.stat_result | None = None) -> bytes:
    """The first FP_MAX bytes of a file, decompressed if it is compressed.
    With ``st`` (of a listing): of that file only. Another one by its name
    now (a rotation renamed it since) raises FileNotFoundError, as a file
    gone does: the head of one with the inode of another would be taken
    for a file that never was."""
    with open_log(path) as fp:
        if st is not None:
            now = os.fstat(fp.fileno())
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                raise FileNotFoundError(errno.ENOENT, "renamed since it was listed", path)
        return fp.read(FP_MAX)


@dataclass(slots=True)
class Rotated:
    """A rotated sibling of a followed file."""

    path: str
    st: os.stat_result
    order: tuple


def rotated_siblings(path: str) -> list[Rotated]:
    """``path``'s rotated copies in its directory, oldest first.

    Ordered by modification time (rename keeps it; logrotate's and Postfix's
    compressors keep it), ties broken by the suffix (a higher ``.N`` is
    older, a later date is newer). A ``.gz`` beside its source is left out:
    gzip(1) is still writing it (it removes the source when done), half of
    it cannot be read, and until gzip sets its mtime back it passes for the
    newest file; the source stands for it, and is read to its end through
    our descriptor even once gzip removed it."""
    d, base = os.path.split(path)
    for _ in range(3):   # a file gone between listing and look (gzip done, a rotation): list again
        out, vanished = [], False
        try:
            names = os.listdir(d or ".")
        except OSError:
            return []
        present = set(names)
        for name in names:
            if not name.startswith(base) or len(name) == len(base):
                continue
            m = _ROTATED_SUFFIX.match(name, len(base))
            if m is None:
                continue
            c = _COMPRESSED_SUFFIX.search(name)
            if c is not None and name[:c.start()] in present:
                continue
            full = os.path.join(d, name)
            try:
                st = os.stat(full)
            except FileNotFoundError:
                vanished = True
                continue
            except OSError:
                continue
            if not _is_regular(st):
                continue
            digits = m[1]
            tie = (-int(digits), "") if digits.isdigit() and len(digits) < 6 else (0, digits)
            out.append(Rotated(full, st, (st.st_mtime_ns, tie)))
        if not vanished:
            break
    out.sort(key=lambda r: r.order)
    return out


def _is_regular(st: os.stat_result) -> bool:
    import stat as _stat
    return _stat.S_ISREG(st.st_mode)


def looks_rotated(name: str) -> bool:
    """True for names like ``mail.log.1``, ``mail.log-20261123.gz``: a glob
    follows live files, their rotations are reached through the live one."""
    return bool(_ROTATED_SUFFIX.search(name) or _COMPRESSED_SUFFIX.search(name))


class Tail:
    """One open file being read."""

    def __init__(self, path: str, fp: BinaryIO, st: os.stat_result, head: bytes, offset: int,
                 *, ref: datetime | None) -> None:
        self.path = path                       # the name it had when opened: events' source.path
        self.fp = fp
        self.plain = isinstance(fp, io.BufferedReader)
        self.ident = Identity.of(st, head)
        self.offset = offset                   # read and handed out
        self.committed = offset                # accepted by the sinks
        self.ref = ref                         # year inference for a rotated file; None: live
        self.retired_at: float | None = None   # when it stopped being the live file
        self.prev: Identity | None = None       # the newest rotated file when this one became live
        self.prev_known = ref is None           # ``prev`` is that (a live file, or one the checkpoint said it of)
        self.last_growth = time.monotonic()
        self.eof = False                       # the last read found nothing more
        self.partial = False                   # ... but half a line, held back
        self.seen: bytes | None = None          # the head to fingerprint: what the last read from 0 read
        if not self.plain and offset:
            fp.seek(offset)                    # decompress up to the offset

    def size(self) -> int | None:
        if not self.plain:
            return None
        return os.fstat(self.fp.fileno()).st_size

    def pread_head(self, n: int) -> bytes:
        return os.pread(self.fp.fileno(), n, 0)

    def refresh_fingerprint(self, head: bytes | None = None) -> None:
        """Widen the fingerprint while the file is younger than FP_MAX bytes:
        a longer head tells copies apart more surely. After a read from 0,
        with the head it read: one taken now may already be of the file
        truncated since, with nothing to know the copy of what we read by.
        ``head``: one taken before (see poll)."""
        if self.plain and self.ident.fp_len < FP_MAX:
            if head is None:
                head = self.seen if self.seen is not None else self.pread_head(FP_MAX)
            self.seen = None
            if len(head) > self.ident.fp_len and self.ident.head_matches(head):
                self.ident.fp_len, self.ident.fp, self.ident.mtime = len(head), _fp(head), None
            elif not head:   # still empty: its mtime as it is now (what gzip will give its copy)
                self.ident.mtime = os.fstat(self.fp.fileno()).st_mtime_ns

    def rewind(self) -> None:
        """Read it again from 0 (truncated, or copies of it first), through
        a new buffer: a seek into what the buffered reader holds (the rest
        of a chunk cut short by its line limit) is served from that, the
        content before a truncation."""
        self.offset = self.committed = 0
        self.seen = None
        if self.plain:
            self.fp = io.BufferedReader(self.fp.detach())

    def read(self, counts: Counter, max_lines: int, final: bool) -> tuple[list[tuple[str, int]], int]:
        """Up to ``max_lines`` whole lines from ``offset``: ``([(text, offset)], end)``.
        A trailing line without its newline is held back unless ``final``
        (the file is finished: it is handed out and counted)."""
        fp = self.fp
        if self.plain or fp.tell() != self.offset:
            fp.seek(self.offset)
        # From 0: the head the lines are read from (what the reader's
        # buffer holds), for refresh_fingerprint.
        from_0 = self.plain and not self.offset and self.ident.fp_len < FP_MAX
        seen = fp.peek(FP_MAX)[:FP_MAX] if from_0 else None
        out: list[tuple[str, int]] = []
        end = self.offset
        self.partial = False
        for line in iter_lines(fp, counts, start=self.offset, hold_partial=True):
            if not line.terminated:
                self.partial = not final
                if final:
                    if line.too_long:
                        counts["too_long"] += 1
                    else:
                        counts["unterminated_last_line"] += 1
                        out.append((line.text, line.offset))
                    end = line.end
                break
            out.append((line.text, line.offset))
            end = line.end
            if len(out) >= max_lines:
                break
        self.eof = len(out) < max_lines
        self.seen = seen[:end] if seen is not None and end else None
        if end != self.offset:
            self.last_growth = time.monotonic()
        self.offset = end
        return out, end

    def state(self) -> dict[str, Any]:
        d = {"path": self.path, "offset": self.committed, **self.ident.to_dict()}
        if self.eof and self.committed == self.offset:
            d["at_end"] = True  # if it is gone by the next start, nothing was left in it
        if self.prev_known:  # which file was rotated before it (None: none)
            d["prev"] = self.prev.to_dict() if self.prev is not None else None
        return d

    def deleted_unread(self) -> int:
        """Bytes past what the sinks took of a file no name points to any
        more (plain files: a compressed one's size says nothing of that)."""
        if not self.plain:
            return 0
        try:
            st = os.fstat(self.fp.fileno())
        except (OSError, ValueError):
            return 0
        return max(0, st.st_size - self.committed) if st.st_nlink == 0 else 0

    def close(self) -> None:
        try:
            self.fp.close()
        except OSError:
            pass


@dataclass(slots=True)
class Chunk:
    """Lines read from one file, to be committed together once delivered."""

    owner: Any
    tail: Any
    path: str
    ref: datetime | None
    lines: list[tuple[str, int | None]]
    end: Any


def _relisting(method: Callable) -> Callable:
    """A pass over the rotated files that opens some of them, run again
    while a file it listed was gone when it came to open it or to read its
    head (gzip done, a rotation): what replaced it is in the next listing.
    Passes open only what is not open yet; the last one says what it could
    not open."""
    @functools.wraps(method)
    def run(self: "FileFollower", *args: Any) -> Any:
        for attempt in range(3):
            outer, self.relist = self.relist, (False if attempt < 2 else None)
            try:
                result = method(self, *args)
                again = self.relist
            finally:
                self.relist = outer
            if not again:
                break
        return result
    return run


@dataclass
class FileFollower:
    """One live log path and the files it has been (rotations being drained)."""

    path: str
    counts: Counter
    log: Log
    current: Tail | None = None
    draining: list[Tail] = field(default_factory=list)
    problem: str | None = None        # what keeps us from the live file, said once
    start_at_end: bool = False        # first run without --from-start: skip what is there
    quiet_until: float = 0.0          # just rotated: the new file may take a moment to appear
    gone_noted: bool = False          # the live file is missing; ``gone_prev`` says since which sibling
    gone_prev: Identity | None = None
    relist: bool | None = None        # in a _relisting pass: set when a listed file was gone

    # -- start-up ----------------------------------------------------------
    def restore(self, saved: dict[str, Any] | None, from_start: bool, new_file: bool = False) -> None:
        """Resume from a checkpoint; without one, start at the end of the
        live file (first run), or read it and its rotations from the
        start (``from_start``, or a file that appeared after we started)."""
        if saved is None:
            if from_start:
                self._read_rotated_after(None)
            self.start_at_end = not (from_start or new_file)
            self._open_live()
            self.start_at_end = False
            return
        tails = saved.get("tails", [])
        unrecognisable = []
        for entry in tails:
            if entry.get("live"):
                continue
            if self._reopen_saved(entry, tails):
                continue
            if int(entry["offset"]) == 0 and int(entry["fp_len"]) < FP_MIN_ALONE and "prev" in entry:
                unrecognisable.append(entry)   # after the others are reopened: see below
                continue
            self._gone_said(entry)
        for entry in unrecognisable:
            # Nothing of it read, no head to know its copies by, its inode
            # gone: compressed into a new one while we were down, with what
            # a writer not yet HUP'd added to it. Its copy is among the files
            # rotated after its predecessor, from the start; not those open
            # (reopened above), those other entries name as their
            # predecessor (read and let go), nor those other entries name by
            # their head (the live one, renamed since: read from its offset).
            prev = _anchor(_prev_of(entry), tails)
            known = [Identity.from_dict(e["prev"]) for e in tails
                     if e is not entry and isinstance(e.get("prev"), dict)]
            known += [Identity.from_dict(e) for e in tails
                      if e is not entry and FP_MIN_ALONE <= int(e["fp_len"]) <= FP_MAX]
            opened = len(self.draining)
            if not self._read_rotated_after(prev, known) or len(self.draining) == opened:
                self._gone_said(entry, unknown=True)   # removed: what its writer added is lost
        self._restore_live(tails)

    def _gone_said(self, entry: dict[str, Any], unknown: bool = False) -> None:
        """A rotated file the checkpoint names as being drained is gone,
        said as it was then (a sysadmin reads this). Not said of one read
        to its end while empty (no fingerprint) unless ``unknown``: one
        that could not be found even among the files rotated after its
        predecessor may have had lines written to it since."""
        off, n = int(entry.get("offset") or 0), int(entry.get("fp_len") or 0)
        if entry.get("at_end"):
            if not (n or unknown):
                return
            # Read to its end when saved; but a writer not yet HUP'd may
            # have added lines after that (a removed file it still had open).
            was = f"read to its end, byte {off}, when we stopped" if off else "empty when we stopped"
            lost = "lines its writer added after that, if any,"
        elif off:
            was, lost = f"read up to byte {off}", "its remaining lines"
        else:
            was = f"{_unread(n)} when we stopped"
            lost = "its lines" if n else "lines written to it since, if any,"
        self.log(f"{self.path}: the rotated file {entry.get('path')} we were draining is gone "
                 f"({was}); {lost} could not be read")

    def _restore_live(self, tails: list[dict[str, Any]]) -> None:
        """The live file of the checkpoint: resumed if it still is the live
        one, else found among the rotated files with those after it."""
        live = next((e for e in tails if e.get("live")), None)
        if live is None:
            self._open_live()
            return
        ident, off = Identity.from_dict(live), int(live["offset"])
        prev = _prev_of(live)
        anchor = _anchor(prev, tails)
        try:
            st = os.stat(self.path)
            head = read_head(self.path, st)
        except OSError:
            st = None
        same = st is not None and ident.matches(st, head, allow_copy=False) and st.st_size >= off
        # Nothing of the live file read: whatever was rotated after ``prev``
        # (copies of it, itself renamed, later files) is unread. This holds
        # for an empty file too, which has no fingerprint to know copies by.
        caught_up = off == 0 and "prev" in live and not self._reused(anchor, ident) \
            and self._read_rotated_after(anchor)
        if not same and not caught_up:
            # "prev": None is a checkpoint that saw no rotated file at all: any there is now came after
            self._catch_up(ident, off, "since the last checkpoint", anchor,
                           anchor is None and "prev" in live and live["prev"] is None)
        if not same and off == 0 and ident != UNKNOWN and self._gone_unread(ident, anchor):
            # Removed while we were down, or before we noticed, with what its
            # writer put in it since. (One we had read from: _catch_up said it.)
            self.log(f"{self.path}: the file we were reading ({_unread(ident.fp_len)} when we stopped) "
                     "is gone (deleted, or rotated where we do not look); lines written to it since "
                     "could not be read")
        if same:
            self._open_live(off, ident)
            # The checkpoint's predecessor, unless the files after it were
            # just opened: then the newest rotated file (taken on open) is,
            # or they would pass for copies of it once they are let go.
            if self.current is not None and prev is not None and not caught_up:
                self.current.prev = prev
        else:
            self._open_live()
        self._oldest_first()

    def _reused(self, anchor: Identity | None, ident: Identity) -> bool:
        """``anchor``, the predecessor of the live file ``ident``, known by
        its inode alone, is found after that file, or is that file (a copy
        of it, by its head): another (newer) file got the inode (gzip
        removed the empty one). The files after it are not all that is
        unread; the live file is read from where it is found."""
        if anchor is None or anchor.fp_len >= FP_MIN_ALONE:
            return False
        sibs = rotated_siblings(self.path)
        heads: dict[str, bytes | None] = {}
        at, after = _find(sibs, ident, heads), _find(sibs, anchor, heads)
        return at is not None and after is not None and at <= after

    def _gone_unread(self, ident: Identity, anchor: Identity | None) -> bool:
        """The checkpoint's live file, nothing of it read, is neither the
        live file nor among the rotated ones. Known by its head, that is
        sure; known by its inode alone (empty when saved), a compressed copy
        would not be recognised: gone only if no file was rotated after its
        predecessor (``anchor``) either."""
        sibs = rotated_siblings(self.path)
        heads: dict[str, bytes | None] = {}
        if _find(sibs, ident, heads) is not None:
            return False
        if ident.fp_len >= FP_MIN_ALONE:
            return True
        if anchor is None:
            return not sibs
        return _find(sibs, anchor, heads) == len(sibs) - 1

    def _oldest_first(self) -> None:
        """The rotated files to read, in the order they were written (by
        mtime, as rotated_siblings orders them): those the checkpoint named
        are reopened before the ones found after them, and an entry known
        by its inode only (empty when saved) may now be a newer file that
        reused the inode. Out of order, a delivery line would come before
        its message's details. Equal mtimes (a fast writer, a coarse
        clock) are told apart by the name, as rotated_siblings does."""
        order = {(r.st.st_dev, r.st.st_ino): r.order for r in rotated_siblings(self.path)}

        def key(t: Tail) -> tuple:
            o = order.get((t.ident.dev, t.ident.ino))
            if o is not None:
                return o
            try:
                return os.fstat(t.fp.fileno()).st_mtime_ns, (0, "")
            except (OSError, ValueError, AttributeError):
                return 0, (0, "")
        self.draining.sort(key=key)

    def _reopen_saved(self, entry: dict[str, Any], tails: list[dict[str, Any]]) -> bool:
        """A rotated file the checkpoint names as being drained, wherever
        it is now; never the live file (a rotated file does not come back:
        an entry known by its inode alone would take a live file that got
        the inode of one removed, and its lines would be read twice), nor,
        for such an entry, a file with the head another entry is known by
        (that entry's copy, which got the inode)."""
        ident, off = Identity.from_dict(entry), int(entry["offset"])
        others = [Identity.from_dict(e) for e in tails if e is not entry
                  and FP_MIN_ALONE <= int(e["fp_len"]) <= FP_MAX] if ident.fp_len < FP_MIN_ALONE else []
        try:
            live = os.stat(self.path)
            live_key = (live.st_dev, live.st_ino)
        except OSError:
            live_key = None
        found: list[tuple[int, bool, str]] = []   # (how it matches, not open yet, path)
        for cand in [entry.get("path")] + [r.path for r in reversed(rotated_siblings(self.path))]:
            if not cand:
                continue
            try:
                st = os.stat(cand)
                head = read_head(cand, st)
            except (OSError, EOFError):
                continue
            if (st.st_dev, st.st_ino) == live_key or any(o.matches(st, head, allow_copy=True) for o in others):
                continue
            level = ident.match(st, head)
            if level:
                found.append((level, not self._is_open(st), cand))
        if not found:
            return False
        # the best match (an empty file's compressed copy before a newer
        # file that got its inode), the first of equals; open already (as
        # the copy of an empty file another entry names, the same file):
        # it is being read, not gone
        _level, closed, cand = max(found, key=lambda f: f[0])
        if not closed:
            return True
        t = self._open_drain(cand, off)
        if t is not None and "prev" in entry:
            # kept for the next start: known by its inode alone, this
            # file may be taken for another that reused the inode,
            # and its predecessor is then what _anchor walks back to
            t.prev, t.prev_known = _prev_of(entry), True
        return t is not None

    # -- the live file -------------------------------------------------------
    def _open_live(self, offset: int = 0, ident: Identity | None = None) -> None:
        try:
            fp = open(self.path, "rb")
        except FileNotFoundError:
            d = os.path.dirname(self.path)
            why = "waiting for it to appear" if os.path.isdir(d) else \
                f"waiting for it to appear (directory {d} does not exist yet)"
            self._problem(f"{self.path}: no such file; {why}")
            return
        except PermissionError:
            self._problem(f"{self.path}: permission denied; bouncewatch needs read access "
                          "(as a service: SupplementaryGroups=adm, or the group owning the log); "
                          "retrying")
            return
        except OSError as e:
            self._problem(f"{self.path}: cannot open: {e.strerror or e}; retrying")
            return
        st = os.fstat(fp.fileno())
        if not _is_regular(st):
            fp.close()
            self._problem(f"{self.path}: not a regular file; waiting")
            return
        if self.start_at_end:
            offset = _last_line_end(fp, st.st_size)
        head = os.pread(fp.fileno(), FP_MAX, 0)
        t = Tail(self.path, fp, st, head, offset, ref=None)
        if ident is not None and ident.fp_len > t.ident.fp_len:
            t.ident = ident
        t.prev = self._newest_rotated(t)
        if self.problem:
            self.log(f"{self.path}: reading it now")
        self.problem = None
        # ours before the rotated files are listed: renamed among them since we opened it (a
        # rotation while we look), it is known as open, not opened a second time to be drained
        self.current = t
        if self.gone_noted:  # files rotated while it was missing come first
            self._read_rotated_after(self.gone_prev)
        self.gone_noted, self.gone_prev = False, None

    def _problem(self, msg: str) -> None:
        if not self.gone_noted:  # the newest rotated file when the live one went missing
            self.gone_prev, self.gone_noted = self._newest_rotated(None), True
        if time.monotonic() < self.quiet_until:
            return
        if msg != self.problem:
            self.log(msg)
        self.problem = msg

    def _open_drain(self, path: str, offset: int) -> Tail | None:
        fp = None
        try:
            fp = open_log(path)
            st = os.fstat(fp.fileno())   # the file opened, not what has its name now
            head = fp.read(FP_MAX)
            fp.seek(0)
        except (OSError, EOFError) as e:  # EOFError: a .gz still being written
            if fp is not None:
                fp.close()
            if isinstance(e, FileNotFoundError) and self.relist is not None:
                self.relist = True        # listed, gone since: list again
                return None
            self.log(f"{path}: cannot read this rotated file: {getattr(e, 'strerror', None) or e}")
            return None
        ref = datetime.fromtimestamp(st.st_mtime, timezone.utc).astimezone()
        try:
            t = Tail(path, fp, st, head, offset, ref=ref)
        except (OSError, EOFError) as e:
            self.log(f"{path}: cannot read this rotated file: {e}")
            fp.close()
            return None
        t.retired_at = time.monotonic()
        self.draining.append(t)
        return t

    def _newest_rotated(self, live: Tail | None) -> Identity | None:
        """The identity of the newest rotated sibling: the file before the
        live one. Kept with the live file because the live file itself may
        become unrecognisable (still empty when checkpointed, then rotated
        and compressed into a new inode while we were down); the files
        rotated after this one are then the ones to read. None: there is
        none; UNKNOWN: they kept changing while we looked. Never ``live``
        itself, which may have been renamed away since we opened it, nor
        a copy of it by its head as it is now: renamed away, written by
        its writer before its HUP and compressed, all before we looked
        (its lines, unread, would pass for read on the next start)."""
        own = (live.ident.dev, live.ident.ino) if live is not None else None
        try:
            now = Identity.of(os.fstat(live.fp.fileno()), live.pread_head(FP_MAX)) if live else None
        except OSError:
            now = None
        for _ in range(3):
            sibs = [r for r in rotated_siblings(self.path) if (r.st.st_dev, r.st.st_ino) != own]
            for r in reversed(sibs):
                try:
                    head = read_head(r.path, r.st)
                except (OSError, EOFError):
                    break  # renamed or compressed away meanwhile: look again, never take an older one
                if now is None or now.match(r.st, head) != COPY:
                    return Identity.of(r.st, head)
            else:
                return None
        return UNKNOWN

    @_relisting
    def _read_rotated_after(self, prev: Identity | None, known: Iterable[Identity] = ()) -> bool:
        """Read, from the start, every rotated sibling newer than ``prev``
        (all of them when ``prev`` is None: there was none), but the
        ``known`` ones. False when ``prev`` is not found (rotated away,
        deleted): nothing opened."""
        sibs = rotated_siblings(self.path)
        heads: dict[str, bytes | None] = {}
        start = 0
        if prev is not None:
            at = _find(sibs, prev, heads)
            if at is None and prev.fp_len < FP_MIN_ALONE:
                at = self._after_open(sibs, prev)
            if at is None:
                if self.relist is not None and _vanished(heads):
                    self.relist = True
                return False
            start = at + 1
        for r in sibs[start:]:
            # not the predecessor compressed (gzip's .gz is the newest until
            # it sets the mtime back and removes the source)
            if not self._is_read(r, heads) and all(_find([r], k, heads, (SAME, COPY)) is None
                                                   for k in ([prev] if prev else []) + list(known)):
                self._open_drain(r.path, 0)
        return True

    def _after_open(self, sibs: list[Rotated], prev: Identity) -> int | None:
        """Where ``prev``, not found among ``sibs``, would be if it is a file
        we have open (known by its inode alone, replaced by gzip's .gz
        since): the index of the last file not newer than it by mtime
        (-1: none). The .gz has its mtime; a file after it with the same
        mtime cannot be told from it and is not counted after it."""
        t = next((t for t in self._tails() if (t.ident.dev, t.ident.ino) == (prev.dev, prev.ino)), None)
        if t is None:
            return None
        try:
            mtime = os.fstat(t.fp.fileno()).st_mtime_ns
        except (OSError, ValueError):
            return None
        return sum(1 for r in sibs if r.st.st_mtime_ns <= mtime) - 1

    def _is_open(self, st: os.stat_result) -> bool:
        return self._is_open_ident(Identity(st.st_dev, st.st_ino))

    def _is_open_ident(self, ident: Identity) -> bool:
        return any((t.ident.dev, t.ident.ino) == (ident.dev, ident.ino) for t in self._tails())

    def _is_read(self, r: Rotated, heads: dict[str, bytes | None]) -> bool:
        """Open, or a copy of a file that is (gzip's .gz of a file we read
        through our descriptor). A file opened empty has no fingerprint
        until we read from it; its writer (not HUP'd yet) may have filled
        it and gzip copied it before that: its head is taken now."""
        if self._is_open(r.st):
            return True
        self._widen_fingerprints(FP_MIN_ALONE)
        return any(
            _find([r], t.ident, heads) is not None for t in self._tails() if t.ident.fp_len >= FP_MIN_ALONE)

    def _widen_fingerprints(self, below: int, but: Tail | None = None) -> None:
        """Take the head, as it is now, of every open file (``but`` one)
        known by fewer than ``below`` bytes of it: one opened empty is
        known by its inode alone until we read from it, while its writer
        may have filled it."""
        for t in self._tails():
            if t.ident.fp_len < below and t is not but:
                try:
                    t.refresh_fingerprint()
                except OSError:
                    pass

    def _widest(self, ident: Identity | None) -> Identity | None:
        """``ident``, or the identity of the open file it names by a shorter
        head (taken while that file was empty or younger)."""
        if ident is None:
            return None
        for t in self._tails():
            i = t.ident
            if (i.dev, i.ino) == (ident.dev, ident.ino) and i.fp_len > ident.fp_len:
                try:
                    same = not ident.fp_len or (t.plain and ident.head_matches(t.pread_head(ident.fp_len)))
                except OSError:
                    same = False
                if same:
                    return Identity(i.dev, i.ino, i.fp_len, i.fp)
        return ident

    def _tails(self) -> list[Tail]:
        return self.draining + ([self.current] if self.current else [])

    @_relisting
    def _catch_up(self, ident: Identity, offset: int, when: str | None, prev: Identity | None = None,
                  none_before: bool = False) -> None:
        """The file we were reading is no longer the live one: find it among
        the rotated siblings, read it from ``offset`` and every sibling
        rotated after it from the start. Not found, but ``prev`` (the file
        rotated just before it) is: every sibling rotated after ``prev``;
        or ``none_before`` (no file was rotated before it): every sibling.
        Such a file was removed, not rotated, and what was written after it
        (a new live file, rotated since) is in those siblings. A file we had
        read from not found is said once (not by a pass that lists again),
        unless ``when`` is None: after a truncation, which the caller says."""
        sibs = rotated_siblings(self.path)
        heads: dict[str, bytes | None] = {}
        found = _find(sibs, ident, heads)
        if found is None and self.relist is not None and _vanished(heads):
            self.relist = True
            return
        said = None
        if found is None:
            after = _find(sibs, prev, heads) if prev is not None else (-1 if none_before else None)
            if offset and when is not None:
                what = f"{self.path}" if after is None or after + 1 >= len(sibs) \
                    else f"the files rotated after it and {self.path}"
                said = (f"{self.path}: the file read up to byte {offset} is gone {when} (deleted, or "
                        f"rotated where we do not look); reading {what} from the start")
            if after is None:
                if said:
                    self.log(said)
                return
            found, offset = after + 1, 0
        for i in range(found, len(sibs)):
            r = sibs[i]
            if not self._is_read(r, heads):
                self._open_drain(r.path, offset if i == found else 0)
        if said and not self.relist:
            self.log(said)

    # -- while running ---------------------------------------------------------
    def poll(self) -> None:
        """Notice rotation, truncation, a file that (re)appeared."""
        cur = self.current
        if cur is None:
            self._open_live()
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except OSError:  # EACCES on the directory, EIO: keep reading what we have, look again later
            return
        if st is None or (st.st_dev, st.st_ino) != (cur.ident.dev, cur.ident.ino):
            # Renamed away (rotation) or deleted: finish it through our descriptor;
            # from 0 if it was truncated (and written again) before that.
            if self._was_truncated(cur):
                self._truncated(cur)
            self._retire(cur)
            self._catch_up_newer(cur)
            self.quiet_until = time.monotonic() + 5.0
            self._open_live()
            return
        if self._was_truncated(cur):
            self._truncated(cur)
            return
        if not self._copies_then_head(cur):
            cur.refresh_fingerprint()

    def _copies_then_head(self, cur: Tail) -> bool:
        """For the live file, unread and known by no head (False: it is
        not): its copies are looked for, and it is given the head it had
        before that look, if none were found. Taken after, the head may be
        of the content after a copytruncate made since our listing, and
        that copy would never be looked for again; taken before, such a
        copy is known by it at the next look."""
        if cur.offset or cur.ident.fp_len >= FP_MIN_ALONE:
            return False
        head = cur.pread_head(FP_MAX)
        if not self._copies_of_unread(cur, 0):
            cur.refresh_fingerprint(head)
        return True

    def _copies_of_unread(self, cur: Tail, offset: int) -> bool:
        """Nothing of the live file read and no fingerprint: a copytruncate
        is not seen in the file itself (not shorter than 0, no head to
        compare), only as a copy beside it, whose lines nobody read. True
        if such copies were opened (to be read before the live file, read
        from ``offset``)."""
        if offset or cur.ident.fp_len >= FP_MIN_ALONE:
            return False
        opened = len(self.draining)
        if not self._read_rotated_after(cur.prev):
            return False
        for _ in range(3):
            # A copy made after the listing we read from would pass for
            # one read once it is the predecessor: the newest file must be
            # one we have open (or the old predecessor), else look again.
            newest = self._newest_rotated(cur)
            if newest in (None, UNKNOWN, cur.prev) or self._is_open_ident(newest):
                break
            n = len(self.draining)
            self._read_rotated_after(cur.prev)
            if len(self.draining) == n:
                break
        cur.prev = newest
        return len(self.draining) > opened

    @staticmethod
    def _was_truncated(cur: Tail) -> bool:
        """Shorter than what we read, or its first bytes changed (truncated
        and written again before we looked)."""
        if os.fstat(cur.fp.fileno()).st_size < cur.offset:
            return True
        n = cur.ident.fp_len
        return bool(n) and not cur.ident.head_matches(cur.pread_head(n))

    def _retire(self, t: Tail) -> None:
        t.retired_at = time.monotonic()
        t.last_growth = t.retired_at
        self.draining.append(t)
        self.current = None

    @_relisting
    def _catch_up_newer(self, old: Tail) -> None:
        """After a rename rotation: files rotated after ``old`` that we never
        saw as live (several rotations between two polls). Not the file
        before ``old``: the writer may have written to it until its HUP
        while ``old`` stayed empty, which makes it the newer by mtime. Nor
        ``old`` itself being compressed: gzip's .gz is the newest file
        until gzip sets its mtime back, and we read ``old`` through our
        descriptor already."""
        sibs = rotated_siblings(self.path)
        idx = next((i for i, r in enumerate(sibs)
                    if (r.st.st_dev, r.st.st_ino) == (old.ident.dev, old.ident.ino)), None)
        if idx is None:
            return
        heads: dict[str, bytes | None] = {}
        for r in sibs[idx + 1:]:
            if self._is_read(r, heads) or \
                    (old.prev is not None and _find([r], old.prev, heads, (SAME, COPY)) is not None):
                continue
            self._open_drain(r.path, 0)

    def _truncated(self, cur: Tail) -> None:
        """copytruncate (or ``> mail.log``): read what we had not read yet
        from the copy, then start the live file over."""
        old, offset = cur.ident, cur.offset
        # Known by its new head first: a copy of the new content (the file
        # renamed and being compressed since) is not read besides our fd.
        head = cur.pread_head(FP_MAX)
        st = os.fstat(cur.fp.fileno())
        cur.ident = Identity.of(st, head)
        cur.rewind()
        lost_before = len(self.draining)
        # Nothing read and a head too short to know a copy by (half a
        # line): every file rotated after its predecessor is a copy.
        short = not offset and old.fp_len < FP_MIN_ALONE
        if not short or not self._read_rotated_after(cur.prev):
            self._catch_up(old, offset, None)
        if len(self.draining) == lost_before and offset:
            self.log(f"{self.path}: truncated, and no rotated copy of it was found: lines written between "
                     f"our last read and the truncation may be missing")
        elif len(self.draining) == lost_before and old.fp_len:
            self.log(f"{self.path}: truncated before we read any of it, and no rotated copy of it was "
                     f"found: its lines (at least {old.fp_len} bytes) are missing")
        cur.prev = self._newest_rotated(cur)   # the copy, if there is one

    # -- reading and committing -------------------------------------------------
    def next_chunk(self, max_lines: int) -> Chunk | None:
        now = time.monotonic()
        for t in list(self.draining):
            finished = not t.plain   # a compressed file is whole
            try:
                lines, end = t.read(self.counts, max_lines, final=finished)
                idle = now - t.last_growth
                if not lines and not finished and idle >= (PARTIAL_GRACE if t.partial else DRAIN_GRACE) \
                        and (idle >= UNMOVED_GRACE or self._live_written()):
                    # idle at its end long enough: its writer has moved on
                    # (a half line it left is handed out as a line)
                    finished = True
                    lines, end = t.read(self.counts, max_lines, final=True)
            except (OSError, EOFError) as e:  # a corrupt .gz: keep what we read
                self.log(f"{t.path}: read error: {e}; leaving this rotated file")
                lines, end, finished = [], t.offset, True
                t.committed = t.offset
            if lines:
                if t.ident.fp_len < FP_MAX:
                    # read only after it stopped being the live one (opened
                    # empty, then removed): known by its inode alone, a
                    # reused inode would pass for it on the next start
                    t.refresh_fingerprint()
                return Chunk(self, t, t.path, t.ref, lines, end)
            if finished and t.committed == t.offset:
                t.close()
                self.draining.remove(t)
        cur = self.current
        if cur is None:
            return None
        try:
            if self._was_truncated(cur):
                self._truncated(cur)
                return self.next_chunk(max_lines)
            start = cur.offset
            lines, end = cur.read(self.counts, max_lines, final=False)
            if lines and self._was_truncated(cur):
                # Truncated while we read: what we got may be the new content
                # read from the old offset. Forget it; take the copy, then 0.
                cur.offset = start
                self._truncated(cur)
                return self.next_chunk(max_lines)
            if lines and self._copies_of_unread(cur, start):
                # Its first lines, and copies of it made since our last look
                # (we read without looking while other files were busy):
                # those come first. It may have been truncated since we read.
                cur.rewind()
                return self.next_chunk(max_lines)
        except OSError as e:
            self.log(f"{cur.path}: read error: {e}")
            return None
        if lines:
            if cur.ident.fp_len < FP_MAX:
                cur.refresh_fingerprint()
            return Chunk(self, cur, cur.path, None, lines, end)
        return None

    def _live_written(self) -> bool:
        """Whether the writer has evidently moved on to the live file (it
        has lines): until then a rotated file idle at its end may still get
        lines from a writer not reopened yet (a slow or missing HUP), and is
        kept open, up to UNMOVED_GRACE."""
        cur = self.current
        if cur is None:
            return False
        if cur.offset:
            return True
        try:
            return bool(cur.size())
        except OSError:
            return False

    def commit(self, chunk: Chunk) -> None:
        chunk.tail.committed = chunk.end

    def state(self) -> dict[str, Any]:
        # A file checkpointed by its inode alone cannot be known on start
        # once gzip replaced it: it is saved with the head it has now, also
        # where it is named as the predecessor of another. Not before the
        # copies of an unread live file are looked for: with a head, its
        # copytruncate would be known only by a change of it, and this head
        # may already be of the content after one.
        unread = self.current is not None and self._copies_then_head(self.current)
        self._widen_fingerprints(FP_MAX, but=self.current if unread else None)
        for t in self._tails():
            t.prev = self._widest(t.prev)
        self.gone_prev = self._widest(self.gone_prev)
        tails = [t.state() for t in self.draining]
        if self.current is not None:
            tails.append({**self.current.state(), "live": True})
        elif self.gone_noted:
            # No live file (rotated or removed, not created again yet): a
            # placeholder that matches no file, with the newest rotated file
            # of that moment, so that a start reads what was rotated since.
            prev = self.gone_prev.to_dict() if self.gone_prev is not None else None
            tails.append({"path": self.path, "offset": 0, **UNKNOWN.to_dict(), "live": True, "prev": prev})
        return {"tails": tails}

    def lag_bytes(self) -> int:
        n = 0
        for t in self._tails():
            try:
                size = t.size()
            except OSError:
                continue
            if size is not None:
                n += max(0, size - t.committed)
        return n

    def close(self) -> None:
        """Lets go of every file. One deleted while we had it open and not
        read to its end is said: what is left of it goes with our
        descriptor, and no start can find it (a stop, not a kill -9)."""
        for t in self._tails():
            left = t.deleted_unread()
            if left:
                self.log(f"{t.path}: deleted while we read it, {left} bytes after byte {t.committed} not read "
                         "when we stopped; they could not be read")
            t.close()
        self.draining.clear()
        self.current = None


def _unread(fp_len: int) -> str:
    """What a checkpoint says of a file none of which was read."""
    return "empty" if fp_len == 0 else f"{fp_len} bytes or more, none read"


def _prev_of(entry: dict[str, Any]) -> Identity | None:
    return Identity.from_dict(entry["prev"]) if isinstance(entry.get("prev"), dict) else None


def _anchor(prev: Identity | None, tails: list[dict[str, Any]]) -> Identity | None:
    """``prev``, or when it is known by its inode alone (empty when noted)
    and the checkpoint has it as unread, the file before it, and so on: an
    inode is reused as soon as its file is deleted (gzip removes an empty
    rotated file), and a newer file with it would pass for ``prev``, hiding
    the files rotated between them. Nothing of those files was read: the
    files after the anchor are read instead."""
    for _ in range(len(tails)):
        if prev is None or prev.fp_len >= FP_MIN_ALONE:
            break
        e = next((e for e in tails if int(e["offset"]) == 0 and "prev" in e
                  and Identity.from_dict(e) == prev), None)
        if e is None:
            break
        prev = _prev_of(e)
    return prev


def _find(sibs: list[Rotated], ident: Identity, heads: dict[str, bytes | None],
          levels: tuple[int, ...] = (SAME, COPY, SAME_INODE)) -> int | None:
    """The index in ``sibs`` of the file ``ident`` names: the same file
    first, then a copy, then the inode of a file noted empty that changed
    since (``heads`` caches the heads read); only at the ``levels`` given.
    Telling a file apart from one already read or passed over takes the
    first two: a file noted empty may since have given its inode to a
    newer file, whose lines nobody read."""
    for level in levels:
        for i in range(len(sibs) - 1, -1, -1):
            r = sibs[i]
            try:
                head = heads[r.path] if r.path in heads else heads.setdefault(r.path, read_head(r.path, r.st))
            except FileNotFoundError:    # gone since the listing (gzip done): see _vanished
                heads[r.path] = None
                continue
            except (OSError, EOFError):  # EOFError: a .gz still being written by gzip(1)
                continue
            if head is not None and ident.match(r.st, head) == level:
                return i
    return None


def _vanished(heads: dict[str, bytes | None]) -> bool:
    """A file _find was to look at was gone by then: what replaced it (a
    .gz left out of the listing beside its source) is in the next one."""
    return any(h is None for h in heads.values())


def _last_line_end(fp: BinaryIO, size: int) -> int:
    """Where a first run starts: after the last complete line (a half-written
    one is read when its newline arrives)."""
    if size == 0:
        return 0
    pos = size
    while pos > 0:
        step = min(4096, pos)
        buf = os.pread(fp.fileno(), step, pos - step)
        nl = buf.rfind(b"\n")
        if nl >= 0:
            return pos - step + nl + 1
        pos -= step
        if size - pos > 1 << 20:  # no newline in the last MiB: not a text log; start at its end
            return size
    return 0


class FileSource:
    """A configured path or glob: one :class:`FileFollower` per live file."""

    def __init__(self, pattern: str, counts: Counter, log: Log) -> None:
        self.pattern = os.path.abspath(pattern)
        self.is_glob = bool(_GLOB_MAGIC.search(self.pattern))
        self.counts, self.log = counts, log
        self.followers: dict[str, FileFollower] = {}
        self._rr = 0
        self._next_glob = 0.0

    def _expand(self) -> list[str]:
        if not self.is_glob:
            return [self.pattern]
        return sorted(p for p in glob.glob(self.pattern)
                      if not looks_rotated(os.path.basename(p)) and os.path.isfile(p))

    def start(self, saved: dict[str, Any], from_start: bool) -> None:
        """``saved``: checkpoint states by absolute path (may hold others' too)."""
        paths = self._expand()
        if self.is_glob:  # checkpointed files of this glob that are rotated away right now
            paths += [p for p in saved if p not in paths and fnmatch.fnmatch(p, self.pattern)]
            if not paths:
                self.log(f"{self.pattern}: no file matches yet; waiting")
        for p in paths:
            self._add(p, saved.get(p), from_start, new_file=False)

    def _add(self, path: str, saved: dict[str, Any] | None, from_start: bool, new_file: bool) -> None:
        f = FileFollower(path, self.counts, self.log)
        f.restore(saved, from_start, new_file)
        self.followers[path] = f

    def poll(self) -> None:
        if self.is_glob and time.monotonic() >= self._next_glob:
            self._next_glob = time.monotonic() + 0.5
            for p in self._expand():
                if p not in self.followers:
                    self.log(f"{p}: new file matching {self.pattern}; reading it from the start")
                    self._add(p, None, from_start=False, new_file=True)
        for f in self.followers.values():
            f.poll()

    def next_chunk(self, max_lines: int) -> Chunk | None:
        fs = list(self.followers.values())
        for i in range(len(fs)):  # round robin: a busy file must not starve a quiet one
            f = fs[(self._rr + i) % len(fs)]
            c = f.next_chunk(max_lines)
            if c is not None:
                self._rr = (self._rr + i + 1) % len(fs)
                return c
        return None

    def state(self) -> dict[str, Any]:
        return {p: f.state() for p, f in self.followers.items()}

    def watch_targets(self) -> dict[str, set[str]]:
        """Directories to watch, and the name prefixes in them that matter."""
        out: dict[str, set[str]] = {}
        if self.is_glob:
            d, base = os.path.split(self.pattern)
            if not _GLOB_MAGIC.search(d):
                prefix = _GLOB_MAGIC.split(base, 1)[0]
                out.setdefault(d, set()).add(prefix)
        for p in self.followers:
            d, base = os.path.split(p)
            out.setdefault(d, set()).add(base)
        return out

    def waiting(self) -> bool:
        """Something only polling will notice: a file not there yet, or a
        glob whose directory part is itself a pattern (not watched)."""
        if self.is_glob and _GLOB_MAGIC.search(os.path.dirname(self.pattern)):
            return True
        return any(f.current is None for f in self.followers.values())

    def lag_bytes(self) -> int:
        return sum(f.lag_bytes() for f in self.followers.values())

    def problems(self) -> Iterable[str]:
        return [f.problem for f in self.followers.values() if f.problem]

    def close(self) -> None:
        for f in self.followers.values():
            f.close()


__all__ = ["Chunk", "FileFollower", "FileSource", "Identity", "Tail", "rotated_siblings",
           "looks_rotated", "FP_MAX", "DRAIN_GRACE", "PARTIAL_GRACE", "UNMOVED_GRACE"]
