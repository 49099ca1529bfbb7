"""``parse`` of a big file on two cores: a forked worker reads, parses and
correlates lines, the main process classifies and writes.

The worker runs :class:`.lineparse.LineParser` and a copy of the pipeline's
:class:`.correlate.Correlator` over the file, and sends only the lines that
correlate to a delivery (about a third of a Postfix log: a qmgr ``from=``,
a cleanup ``message-id=`` or a ``removed`` line only feeds the tables), each
with its correlated deliveries, in batches of flat tuples (unpickling the
record objects themselves costs twenty times as much as the tuples do). The
main process rebuilds them and runs :meth:`.pipeline.Pipeline.emit` in file
order, so the output is the same as from one process.

The main process is the slower of the two (classifying, building and
encoding every event), so what needs only the line is done by the worker:
it hashes each delivery's event id (:func:`.event.event_id`) and sends the
id, not the line, which the main process reads for nothing else.

Correlation and classification meet in one place: a classified failure is
the cause a later expiry of the same recipient inherits, and the cause is
kept on the recipient's state in the correlator's tables. The worker's
states never learn causes; it names each by its key, and the main process
keeps the causes it classified by key (:class:`_Causes`), forgetting those
of messages the worker's tables forget (their keys come with each batch). A
cause is read when a delivery is classified, in file order, so it is the
one a single process would have read. When another file follows, the
worker's tables come back at the end and become the pipeline's, with those
causes (:meth:`.Correlator.take`).

Only for regular files of at least :data:`MIN_BYTES` on a machine with two
usable cores and ``fork``; otherwise :class:`ParsedLines` parses and
correlates in-process. The pipe between the two holds a few batches
(:data:`PIPE_BYTES`): memory stays bounded whichever side is slower.
multiprocessing and pickle are imported only for a worker: they cost a
small file's ``parse`` more than its lines.
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
from typing import Any, BinaryIO, Callable, Collection, Iterator

from bouncewatch.parsers.records import Delivery, Envelope, MessageInfo, MessageOutcome, Relay, Reply

from .classify.engine import FAILURE_STATUSES
from .correlate import Correlated, Correlator, RecipientState
from .event import event_id
from .lineparse import LineParser
from .reader import iter_blocks, regular_size

MIN_BYTES = 8 << 20    # below this (~40k lines) a second process does not pay for itself
BATCH = 250            # lines with deliveries per message from the worker, at least: whole blocks go
PIPE_BYTES = 1 << 20   # Linux's default pipe-max-size for an unprivileged process

# (line, envelope, its deliveries, offset); the line None from a worker (see the module doc)
Parsed_line = tuple[str | None, Envelope, list[Correlated], int]

# -- records across the pipe ------------------------------------------------------
# A correlated delivery crosses as a tuple of its fields, taken by attrgetter
# (C, no Python call per object), and the main process calls Delivery with
# them. What is nested deeper (its Relay and Reply) crosses as its class and
# fields through the Pickler's dispatch table, so that unpickling is one
# call of the class: pickle's default for a dataclass (a state dict, set
# attribute by attribute) costs the main process many times as much. Relays
# and replies are shared objects (parser caches): most cross once per batch.
# The table is this module's Pickler's own, not copyreg's: nothing else that
# pickles records changes.
_DELIVERY = attrgetter(*[f.name for f in fields(Delivery)])


def _reducer(cls: type) -> Any:
    get = attrgetter(*[f.name for f in fields(cls)])
    return lambda obj: (cls, get(obj))


_TABLE = {cls: _reducer(cls) for cls in (Envelope, Delivery, MessageInfo, MessageOutcome, Relay, Reply)}


def _dumps(obj: Any) -> bytes:
    import pickle
    buf = io.BytesIO()
    p = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    p.dispatch_table = _TABLE  # type: ignore[attr-defined]
    p.dump(obj)
    return buf.getvalue()


def _rows(texts: list[str], offsets: list[int], parsed: list[tuple],
          correlate: Callable[[Any, Any], list[Correlated]], skip: Collection[str] = ()) -> list[tuple]:
    """What crosses for each line of a block that correlates to a delivery
    (:meth:`.LineParser.parse_block`'s list with ``split=True``: the
    envelope's fields, never an Envelope; see :meth:`_Causes.unrow`): one
    call per block, not per line. A row is ``(offset, stamp, host, program,
    pid, items)``, an item a delivery's ``(fields, attempt, state key,
    event id)``; the line itself does not cross. Deliveries of a status in
    ``skip`` (what the main process would pass over unclassified) are left out."""
    rows, get = [], _DELIVERY
    for i, ts, host, program, pid, _, rec in parsed:
        if type(rec) is tuple:  # a Sendmail line naming several recipients
            cs = [c for r in rec for c in correlate(r, ts)]
        else:
            cs = correlate(rec, ts)
        if cs:
            line = texts[i]
            items = [(get(d), c.attempt, c.state.key if c.state is not None else None,
                      event_id(line, d.recipient))
                     for c in cs if (d := c.delivery).status not in skip]
            if items:
                rows.append((offsets[i], ts, host, program, pid, items))
    return rows


class _Causes:
    """The main process's side of the worker's correlator: the causes of
    its recipients, by key (see the module doc), and the rows turned back
    into what :meth:`.Pipeline.emit` takes. A recipient gets a state here
    when a failure of it comes (only a failure leaves a cause) or when it
    had a cause before the worker started (an earlier file's)."""

    def __init__(self, correlator: Correlator) -> None:
        self.states: dict[int, RecipientState] = correlator.causes()

    def unrow(self, row: tuple) -> Parsed_line:
        offset, ts, host, program, pid, items = row
        env = Envelope(ts, host, program, pid, "")  # the message stayed with the line, in the worker
        states, failures = self.states, FAILURE_STATUSES
        out = []
        for fields_, attempt, key, eid in items:
            d = Delivery(*fields_)
            state = states.get(key) if key is not None else None
            if state is None and key is not None and d.status in failures:
                state = states[key] = RecipientState(key=key)
            out.append(Correlated(d, attempt, state, eid))
        return None, env, out, offset

    def forget(self, keys: list[int]) -> None:
        pop = self.states.pop
        for k in keys:
            pop(k, None)


# -- the worker ------------------------------------------------------------------------
def _work(conn: Any, fp: BinaryIO, mta: str, ref: datetime | None, tz: tzinfo | None,
          correlator: Correlator, skip: Collection[str], tables_back: bool) -> None:
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
        _parse_into(conn, fp, mta, ref, tz, correlator, skip, tables_back)
    except OSError:  # the main process went away (closed the pipe): nobody to tell
        pass
    finally:
        conn.close()


def _parse_into(conn: Any, fp: BinaryIO, mta: str, ref: datetime | None, tz: tzinfo | None,
                correlator: Correlator, skip: Collection[str] = (), tables_back: bool = False) -> None:
    """Messages: ``(rows, dropped keys, position)`` per batch, then
    ``(counts, error or None, the correlator's tables or None)``."""
    counts: Counter[str] = Counter()
    lines = LineParser(mta, ref=ref, tz=tz)
    raw = getattr(fp, "fileobj", None) or fp   # gzip: progress is the position in the compressed file
    rows: list[tuple] = []
    correlator.dropped = dropped = []
    correlate = correlator.feed
    error = None
    try:
        for texts, offsets, terminated in iter_blocks(fp, counts):
            if not terminated:
                counts["unterminated_last_line"] += 1
            rows += _rows(texts, offsets, lines.parse_block(texts, counts, split=True), correlate, skip)
            if len(rows) >= BATCH:
                conn.send_bytes(_dumps((rows, dropped, _tell(raw))))
                rows = []
                dropped.clear()
    except (OSError, EOFError) as e:  # vanished, truncated .gz, I/O error: keep what we have
        error = str(e)
    except Exception as e:  # a bug: the main process reports it and stops
        error = f"internal error in the parse worker: {type(e).__name__}: {e}"
    conn.send_bytes(_dumps((rows, dropped, _tell(raw))))
    correlator.dropped = None
    conn.send_bytes(_dumps((dict(counts), error, correlator.tables() if tables_back else None)))


def _tell(raw: Any) -> int:
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0


class WorkerError(OSError):
    """The worker could not finish the file; its message says why."""


# -- the main side ---------------------------------------------------------------------
class ParsedLines:
    """An iterator of ``(line, envelope, correlated deliveries, offset)``
    for every line of ``fp`` that correlates to a delivery, counting every
    line into the pipeline's counts and feeding every record to its
    correlator; from a worker process when it pays (see module doc), else
    in-process. Pass what it yields to :meth:`.Pipeline.emit`.

    ``tell()`` is how far the file has been read (for a progress bar).
    Reading errors are raised at the point of the file where they happened,
    as :class:`WorkerError` (an ``OSError``) from a worker."""

    def __init__(self, fp: BinaryIO, pipeline: Any, *, parallel: bool, tables_back: bool = True,
                 after_block: Callable[[], None] | None = None) -> None:
        """``pipeline``: a :class:`.Pipeline` (its line parser, counts and
        correlator). ``tables_back``: whether the pipeline's correlator must
        know, after the file, what the worker's learnt (another file
        follows); otherwise it is left as it was. ``after_block``: called
        in-process after each block's lines (a pipe's reader flushes its
        output there, before it waits for more)."""
        self.fp, self.lines, self.counts = fp, pipeline.lines, pipeline.counts
        self.correlator: Correlator = pipeline.correlator
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
            self._causes = _Causes(self.correlator)
            for stream in (sys.stdout, sys.stderr):  # the child must not write our buffers again
                stream.flush()
            lines = self.lines
            self._proc = ctx.Process(target=_work, args=(child, fp, lines.mta, lines.envelopes.ref,
                                                         lines.envelopes.tz, self.correlator,
                                                         pipeline.passed_over, tables_back),
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
        counts, parse, correlate = self.counts, self.lines.parse_block, self.correlator.feed
        for texts, offsets, terminated in iter_blocks(self.fp, counts):
            if not terminated:
                counts["unterminated_last_line"] += 1
            for i, env, rec in parse(texts, counts):
                if type(rec) is tuple:  # a Sendmail line naming several recipients
                    cs = [c for r in rec for c in correlate(r, env.timestamp)]
                else:
                    cs = correlate(rec, env.timestamp)
                if cs:
                    yield texts[i], env, cs, offsets[i]
            if self._after_block is not None:
                self._after_block()

    def _from_worker(self) -> Iterator[Parsed_line]:
        import pickle
        recv, causes = self._conn.recv_bytes, self._causes
        while True:
            try:
                msg = pickle.loads(recv())
            except EOFError:
                raise WorkerError(f"the parse worker stopped (exit code {self._proc.exitcode})") from None
            if isinstance(msg[0], dict):  # the end: counts of every line, a reading error if any, the tables
                counts, error, tables = msg
                self.counts.update(counts)
                if tables is not None:
                    self.correlator.take(tables, causes.states)
                if error is not None:
                    raise WorkerError(error)
                return
            rows, dropped, self._pos = msg
            yield from map(causes.unrow, rows)
            causes.forget(dropped)  # after the batch's lines: none of them is named again

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
