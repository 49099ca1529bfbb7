"""A bounded, crash-safe disk queue of rendered records for one network sink.

When an endpoint is down, ``send()`` must still return once the batch is
safe, or the follower could not move on; the batch goes here, and the
sink's delivery thread replays it, oldest first, once the endpoint is back.

One file per batch, named by a growing sequence number (so ``ls`` order is
replay order), written to a temporary name, fsynced, renamed, and the
directory fsynced: a power cut leaves either the whole batch or none of it,
never half. A file carries a CRC32; one that fails it (a disk error) is
renamed ``*.corrupt`` and logged, never replayed as garbage. A file is
removed only after the endpoint accepted its records, so a crash between
the two replays it once more (at-least-once; the event_id is the same).

Bounded by ``max_bytes``. When a batch would not fit, the overflow policy
decides, and says so in the log with counts:

    block        refuse the batch: ``append`` raises SpoolFull, the sink raises
                 SinkError, the follower keeps its checkpoint and retries later
                 (nothing is lost while the MTA's logs are still on disk)
    drop-oldest  delete the oldest spooled batches until it fits (keeps recent events)
    drop-newest  drop this batch (keeps the oldest)

Records a receiver rejects for good (HTTP 400 on a single record) are
appended to ``rejected`` in the same directory, so nothing vanishes silently.
"""

from __future__ import annotations

import collections
import fcntl
import logging
import os
import struct
import threading
import zlib
from dataclasses import dataclass

from ..durable import fsync_dir

log = logging.getLogger("bouncewatch.sinks.spool")

OVERFLOW_POLICIES = ("block", "drop-oldest", "drop-newest")
_MAGIC = b"BWSPOOL1"
_U32 = struct.Struct(">I")
_FIRST_SEQ = 1 << 40


class SpoolFull(Exception):
    """The batch does not fit and the policy is ``block``."""


class SpoolError(OSError):
    """The spool directory cannot be used."""


@dataclass
class _Entry:
    seq: int
    nbytes: int
    nrecords: int


class DiskSpool:
    def __init__(self, directory: str, max_bytes: int, overflow: str = "block", name: str = "") -> None:
        if overflow not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow policy must be one of {OVERFLOW_POLICIES}")
        self.dir, self.max_bytes, self.overflow, self.name = directory, max_bytes, overflow, name
        self._lock = threading.Lock()
        self._entries: collections.deque[_Entry] = collections.deque()
        self.bytes = 0
        self.records = 0
        self.dropped = 0
        os.makedirs(directory, mode=0o700, exist_ok=True)
        self._lockfd = os.open(os.path.join(directory, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lockfd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lockfd)
            raise SpoolError(f"spool {directory} is in use by another bouncewatch process") from None
        self._load()

    # -- state -------------------------------------------------------------------
    def _load(self) -> None:
        names = []
        for fn in os.listdir(self.dir):
            if fn.endswith(".tmp"):
                os.unlink(os.path.join(self.dir, fn))  # a batch never renamed: never acknowledged either
            elif fn.endswith(".batch") and fn[:-6].isdigit():
                names.append(int(fn[:-6]))
        for seq in sorted(names):
            path = self._path(seq)
            try:
                nbytes = os.path.getsize(path)
                nrec = _count(path)
            except (OSError, ValueError) as e:
                self._quarantine(seq, str(e))
                continue
            self._entries.append(_Entry(seq, nbytes, nrec))
            self.bytes += nbytes
            self.records += nrec
        # Start high so batches can be put in front of the oldest (``front=True``).
        self._next = (self._entries[-1].seq + 1) if self._entries else _FIRST_SEQ
        if self._entries:
            log.warning("sink %r: %d spooled events (%d batches, %d bytes) from a previous run will be replayed",
                        self.name, self.records, len(self._entries), self.bytes)

    def _path(self, seq: int) -> str:
        return os.path.join(self.dir, f"{seq:016d}.batch")

    def empty(self) -> bool:
        return not self._entries

    def __len__(self) -> int:
        return len(self._entries)

    # -- write -------------------------------------------------------------------
    def append(self, records: list[bytes], front: bool = False) -> None:
        """Durably add a batch at the end, or (``front``: records older than
        everything spooled, a syslog connection's unconfirmed tail) at the head."""
        blob = _encode(records)
        with self._lock:
            if front and self._entries:
                seq = self._entries[0].seq - 1
            else:
                if self.bytes + len(blob) > self.max_bytes and not front:
                    self._overflow(len(blob), len(records))
                seq = self._next
                self._next += 1
            path = self._path(seq)
            tmp = path + ".tmp"
            with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, path)
            fsync_dir(self.dir)
            entry = _Entry(seq, len(blob), len(records))
            if front:
                self._entries.appendleft(entry)
            else:
                self._entries.append(entry)
            self.bytes += len(blob)
            self.records += len(records)

    def _overflow(self, need: int, nrec: int) -> None:
        full = f"spool full ({self.bytes} of {self.max_bytes} bytes)"
        if self.overflow == "block" or need > self.max_bytes:
            raise SpoolFull(f"{full}; refusing {nrec} events (overflow policy block: "
                            "the follower keeps its place and retries)")
        if self.overflow == "drop-newest":
            self.dropped += nrec
            log.error("sink %r: %s; dropped %d new events (overflow policy drop-newest; %d dropped so far)",
                      self.name, full, nrec, self.dropped)
            raise _Dropped()
        dropped = 0
        while self._entries and self.bytes + need > self.max_bytes:
            e = self._entries.popleft()
            self._unlink(e)
            dropped += e.nrecords
        self.dropped += dropped
        log.error("sink %r: %s; dropped the %d oldest spooled events (overflow policy drop-oldest; "
                  "%d dropped so far)", self.name, full, dropped, self.dropped)

    # -- read --------------------------------------------------------------------
    def peek(self, max_records: int) -> tuple[list[int], list[bytes]]:
        """The oldest batches, whole, up to ``max_records`` (at least one batch)."""
        seqs: list[int] = []
        out: list[bytes] = []
        while True:
            with self._lock:  # only the head: a long backlog must not cost O(n) per request
                entries, n = [], 0
                for e in self._entries:
                    if entries and n + e.nrecords > max_records:
                        break
                    entries.append(e)
                    n += e.nrecords
            for e in entries:
                if seqs and len(out) + e.nrecords > max_records:
                    break
                try:
                    with open(self._path(e.seq), "rb") as f:
                        recs = _decode(f.read())
                except FileNotFoundError:
                    # dropped by the overflow policy meanwhile (it forgets the entry
                    # first), or removed by someone else: then forget it here, or
                    # every peek would find it again and the replay thread would spin
                    with self._lock:
                        gone = self._forget(e.seq)
                    if gone is not None:
                        self.dropped += gone.nrecords
                        log.error("sink %r: spool batch %s is gone (removed by hand?); its %d events are "
                                  "lost (%d dropped so far)", self.name, self._path(e.seq), gone.nrecords,
                                  self.dropped)
                    continue
                except (OSError, ValueError) as err:
                    with self._lock:
                        self._forget(e.seq)
                    self._quarantine(e.seq, str(err))
                    continue
                seqs.append(e.seq)
                out.extend(recs)
            return seqs, out

    def commit(self, seqs: list[int]) -> None:
        """The records of these batches were delivered: forget them."""
        with self._lock:
            for seq in seqs:
                e = self._forget(seq)
                if e is not None:
                    try:
                        os.unlink(self._path(seq))
                    except FileNotFoundError:
                        pass

    def _forget(self, seq: int) -> _Entry | None:
        for i, e in enumerate(self._entries):
            if e.seq == seq:
                del self._entries[i]
                self.bytes -= e.nbytes
                self.records -= e.nrecords
                return e
        return None

    def _unlink(self, e: _Entry) -> None:
        self.bytes -= e.nbytes
        self.records -= e.nrecords
        try:
            os.unlink(self._path(e.seq))
        except FileNotFoundError:
            pass

    def _quarantine(self, seq: int, why: str) -> None:
        path = self._path(seq)
        log.error("sink %r: spooled batch %s is unreadable (%s); kept as %s.corrupt, not replayed",
                  self.name, path, why, path)
        try:
            os.rename(path, path + ".corrupt")
        except OSError:
            pass

    def reject(self, records: list[tuple[bytes, str]]) -> None:
        """Keep records the receiver refused for good, with the reason."""
        if not records:
            return
        path = os.path.join(self.dir, "rejected")
        with self._lock, open(path, "ab") as f:
            for rec, why in records:
                f.write(why.replace("\n", " ").encode("utf-8", "replace") + b"\t" + rec.replace(b"\n", b"\\n") + b"\n")
        log.error("sink %r: the receiver rejected %d events for good (%s); kept in %s",
                  self.name, len(records), records[0][1], path)

    def close(self) -> None:
        try:
            fcntl.flock(self._lockfd, fcntl.LOCK_UN)
            os.close(self._lockfd)
        except OSError:
            pass


class _Dropped(SpoolFull):
    """Dropped by policy drop-newest: not an error for the caller."""


def _encode(records: list[bytes]) -> bytes:
    parts = [_MAGIC, _U32.pack(len(records))]
    for r in records:
        parts.append(_U32.pack(len(r)))
        parts.append(r)
    body = b"".join(parts)
    return body + _U32.pack(zlib.crc32(body))


def _decode(blob: bytes) -> list[bytes]:
    if len(blob) < len(_MAGIC) + 8 or not blob.startswith(_MAGIC):
        raise ValueError("not a spool file")
    body, crc = blob[:-4], _U32.unpack(blob[-4:])[0]
    if zlib.crc32(body) != crc:
        raise ValueError("checksum mismatch")
    n = _U32.unpack_from(body, len(_MAGIC))[0]
    pos = len(_MAGIC) + 4
    out = []
    for _ in range(n):
        ln = _U32.unpack_from(body, pos)[0]
        pos += 4
        out.append(body[pos:pos + ln])
        pos += ln
    if pos != len(body):
        raise ValueError("trailing bytes")
    return out


def _count(path: str) -> int:
    with open(path, "rb") as f:
        return len(_decode(f.read()))

