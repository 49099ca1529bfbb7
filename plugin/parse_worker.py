"""``parse`` of a big file on two cores: a forked worker reads and parses
lines, the main process correlates, classifies and writes.

Correlation and classification cannot be split (a classified failure is the
cause a later expiry of the same recipient inherits), and they cost about as
much as reading, the envelope and the MTA parser together, so that is where
the file is cut. The worker runs :class:`.lineparse.LineParser` over the
file and sends only the lines that yield a record, in batches of flat tuples
(unpickling the record objects themselves costs twenty times as much as the
tuples do); the main process rebuilds them and feeds them to
:meth:`.pipeline.Pipeline.feed_parsed` in file order, so the output is the
same as from one process. Lines that yield nothing (about half a Postfix
log: smtpd, TLS, postscreen ...) never cross, only their counts, at the end.

Only for regular files of at least :data:`MIN_BYTES` on a machine with two
usable cores and ``fork``; otherwise :class:`ParsedLines` parses in-process. The
pipe between the two holds a few batches (:data:`PIPE_BYTES`): memory stays
bounded whichever side is slower. multiprocessing and pickle are imported
only for a worker: they cost a small file's ``parse`` more than its lines.
"""

from __future__ import annotations

import gc
import io
import os
import signal
import sys
from collections import Counter
from dataclasses import fields
from datetime import datetime, tzinfo
from operator import attrgetter
from typing import Any, BinaryIO, Callable, Iterator

from bouncewatch.parsers.records import Delivery, Envelope, MessageInfo, MessageOutcome, Relay, Reply

from .lineparse import LineParser
from .reader import iter_blocks, regular_size

MIN_BYTES = 8 << 20    # below this (~40k lines) a second process does not pay for itself
BATCH = 250            # parsed lines per message from the worker, at least: whole blocks go (~340 lines, ~120 KB of a Postfix log)
PIPE_BYTES = 1 << 20   # Linux's default pipe-max-size for an unprivileged process

Parsed_line = tuple[str, Envelope, Any, int]   # (line, envelope, record(s), offset)

# -- records across the pipe ------------------------------------------------------
# A line's envelope and record cross as tuples of their fields, taken by
# attrgetter (C, no Python call per object), and the main process calls the
# classes with them. What is nested deeper (a Delivery's Relay and Reply, the
# records of a Sendmail line naming several recipients) crosses as its class
# and fields through the Pickler's dispatch table, so that unpickling is one
# call of the class: pickle's default for a dataclass (a state dict, set
# attribute by attribute) costs the main process many times as much. Relays
# and replies are shared objects (parser caches): most cross once per batch.
# The table is this module's Pickler's own, not copyreg's: nothing else that
# pickles records changes.
_RECORDS = (Delivery, MessageInfo, MessageOutcome)
_KIND = {cls: kind for kind, cls in enumerate(_RECORDS)}
_FIELDS = [attrgetter(*[f.name for f in fields(cls)]) for cls in _RECORDS]
_ENVELOPE = attrgetter("timestamp", "host", "program", "pid")


def _reducer(cls: type) -> Any:
    get = attrgetter(*[f.name for f in fields(cls)])
    return lambda obj: (cls, get(obj))


_TABLE = {cls: _reducer(cls) for cls in (Envelope, *_RECORDS, Relay, Reply)}


def _dumps(obj: Any) -> bytes:
    import pickle
    buf = io.BytesIO()
    p = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    p.dispatch_table = _TABLE  # type: ignore[attr-defined]
    p.dump(obj)
    return buf.getvalue()


def _rows(texts: list[str], offsets: list[int], parsed: list[tuple]) -> list[tuple]:
    """What crosses for each line of a block that yields a record
    (:meth:`.LineParser.parse_block`'s list with ``split=True``: the
    envelope's fields, never an Envelope; see :func:`_unrow`): one call
    per block, not per line."""
    rows, kinds, getters = [], _KIND, _FIELDS
    for i, ts, host, program, pid, at, rec in parsed:
        kind = kinds.get(type(rec), -1)
        rows.append((texts[i], offsets[i], (ts, host, program, pid), at, kind, rec if kind < 0 else getters[kind](rec)))
    return rows


def _unrow(row: tuple) -> Parsed_line:
    text, offset, (ts, host, program, pid), at, kind, rec = row
    env = Envelope(ts, host, program, pid, text[at:] if type(at) is int else at)
    return text, env, rec if kind < 0 else _RECORDS[kind](*rec), offset


# -- the worker ------------------------------------------------------------------------
def _work(conn: Any, fp: BinaryIO, mta: str, ref: datetime | None, tz: tzinfo | None) -> None:
    # Ctrl-C reaches both processes: the main one stops us (ParsedLines.close)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What we inherited (the main process's classifier, rules, caches) is
    # never garbage here: out of the collector's sight, a collection does not
    # walk it, nor copy its pages (writing their GC headers) from the parent.
    gc.freeze()
    # What the worker makes (lines, records, rows) dies young, by reference
    # counting, within a batch: a collection every 700 allocations (the
    # default) mostly walks the batch in flight, 3% of the worker's time.
    # Every 10,000 still collects any cycle, at a cost too small to measure.
    gc.set_threshold(10_000)
    try:
        _parse_into(conn, fp, mta, ref, tz)
    except OSError:  # the main process went away (closed the pipe): nobody to tell
        pass
    finally:
        conn.close()


def _parse_into(conn: Any, fp: BinaryIO, mta: str, ref: datetime | None, tz: tzinfo | None) -> None:
    counts: Counter[str] = Counter()
    lines = LineParser(mta, ref=ref, tz=tz)
    raw = getattr(fp, "fileobj", None) or fp   # gzip: progress is the position in the compressed file
    rows: list[tuple] = []
    error = None
    try:
        for texts, offsets, terminated in iter_blocks(fp, counts):
            if not terminated:
                counts["unterminated_last_line"] += 1
            rows += _rows(texts, offsets, lines.parse_block(texts, counts, split=True))
            if len(rows) >= BATCH:
                conn.send_bytes(_dumps((rows, _tell(raw))))
                rows = []
    except (OSError, EOFError) as e:  # vanished, truncated .gz, I/O error: keep what we have
        error = str(e)
    except Exception as e:  # a bug: the main process reports it and stops
        error = f"internal error in the parse worker: {type(e).__name__}: {e}"
    conn.send_bytes(_dumps((rows, _tell(raw))))
    conn.send_bytes(_dumps((dict(counts), error)))


def _tell(raw: Any) -> int:
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0


class WorkerError(OSError):
    """The worker could not finish the file; its message says why."""


# -- the main side ---------------------------------------------------------------------
class ParsedLines:
    """An iterator of ``(line, envelope, record(s), offset)`` for every line
    of ``fp`` that yields a record, counting the rest into ``counts``; from
    a worker process when it pays (see module doc), else in-process.

    ``tell()`` is how far the file has been read (for a progress bar).
    Reading errors are raised at the point of the file where they happened,
    as :class:`WorkerError` (an ``OSError``) from a worker."""

    def __init__(self, fp: BinaryIO, lines: LineParser, counts: Counter[str], *, parallel: bool,
                 after_block: Callable[[], None] | None = None) -> None:
        """``after_block``: called in-process after each block's lines (a
        pipe's reader flushes its output there, before it waits for more)."""
        self.fp, self.lines, self.counts = fp, lines, counts
        self._after_block = after_block
        self._raw = getattr(fp, "fileobj", None) or fp
        self._pos = 0
        self._proc: Any = None
        self._conn: Any = None
        if parallel:
            import multiprocessing
            ctx = multiprocessing.get_context("fork")
            self._conn, child = ctx.Pipe(duplex=False)
            _widen(child)
            for stream in (sys.stdout, sys.stderr):  # the child must not write our buffers again
                stream.flush()
            self._proc = ctx.Process(target=_work, args=(child, fp, lines.mta, lines.envelopes.ref, lines.envelopes.tz),
                                     daemon=True, name="bouncewatch-parse")
            self._proc.start()
            child.close()

    @property
    def parallel(self) -> bool:
        return self._proc is not None

    def tell(self) -> int:
        return self._pos if self._proc is not None else _tell(self._raw)

    def __iter__(self) -> Iterator[Parsed_line]:
        if self._proc is None:
            return self._here()
        return self._from_worker()

    def _here(self) -> Iterator[Parsed_line]:
        counts, parse = self.counts, self.lines.parse_block
        for texts, offsets, terminated in iter_blocks(self.fp, counts):
            if not terminated:
                counts["unterminated_last_line"] += 1
            for i, env, rec in parse(texts, counts):
                yield texts[i], env, rec, offsets[i]
            if self._after_block is not None:
                self._after_block()

    def _from_worker(self) -> Iterator[Parsed_line]:
        import pickle
        recv = self._conn.recv_bytes
        while True:
            try:
                msg = pickle.loads(recv())
            except EOFError:
                raise WorkerError(f"the parse worker stopped (exit code {self._proc.exitcode})") from None
            rows, tail = msg
            if isinstance(rows, dict):  # the end: counts of every line, and a reading error if any
                self.counts.update(rows)
                if tail is not None:
                    raise WorkerError(tail)
                return
            self._pos = tail
            yield from map(_unrow, rows)

    def close(self) -> None:
        """Stops the worker if it still runs (the reader of our output went away)."""
        if self._proc is None:
            return
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._conn.close()
        self._proc = None


def _widen(conn: Any) -> None:
    """A pipe of PIPE_BYTES (Linux; 64 KiB otherwise): the worker can leave
    a few batches and parse on while the main process is busy, instead of
    waiting for it at every batch."""
    try:
        import fcntl
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def worth_a_worker(path: str, fp: BinaryIO) -> bool:
    """Two processes for a regular file of MIN_BYTES or more, when two cores
    are ours to use and processes can fork (Linux, BSD; not stdin)."""
    if path == "-":
        return False
    size = regular_size(fp)
    if size is None or size < MIN_BYTES:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    import multiprocessing
    return "fork" in multiprocessing.get_all_start_methods()
