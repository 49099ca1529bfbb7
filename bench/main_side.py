"""What each process of ``parse --all`` on two cores costs on its own.

    .venv/bin/python bench/main_side.py LOG [--lines N] [--rounds R] [--worker] [--setup-only] [--out FILE]

``parse`` of a big file runs a worker process (plugin/parse_worker.py) that
reads, parses and correlates lines and pickles their deliveries (with
their event ids) across; the main process unpickles them and classifies, builds and writes
the events (:meth:`.pipeline.Pipeline.emit`, ``cli._EventLines``). Wall time
is the slower of the two.

By default this measures the main side: it runs the worker's own code over
the first N lines of LOG once (not timed), keeping the messages it would
send, then reads them as the main process does (a fresh pipeline, a fresh
classifier from the rule cache, as ``parse`` loads it) and writes the JSON
R times, reporting the best CPU time (``time.process_time``). ``--worker``
measures the worker side instead: reading, parsing, correlating and
pickling N lines, the messages dropped.

``--setup-only`` stops before the measured part: run both under ``valgrind
--tool=callgrind`` with ``--rounds 1`` and the difference of the two
instruction counts is that side, free of the machine's load. ``--out``
writes the events of the last round there (compare two versions' outputs
byte for byte).
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
import time
from itertools import islice
from typing import Any

from bouncewatch.plugin import parse_worker
from bouncewatch.plugin.classify.engine import Classifier
from bouncewatch.plugin.cli import _EventLines
from bouncewatch.plugin.correlate import Correlator
from bouncewatch.plugin.formats import get_format
from bouncewatch.plugin.pipeline import Pipeline


class _Keep:
    """A worker's end of the pipe that keeps what is sent (or only counts it)."""

    def __init__(self, keep: bool) -> None:
        self.messages: list[bytes] = []
        self.sent = 0
        self.keep = keep

    def send_bytes(self, data: bytes) -> None:
        self.sent += len(data)
        if self.keep:
            self.messages.append(data)


def head(path: str, n: int) -> io.BytesIO:
    with open(path, "rb") as fp:
        return io.BytesIO(b"".join(islice(fp, n)))


def worker_side(data: io.BytesIO, keep: bool) -> _Keep:
    """The worker's work (parse_worker._parse_into) over ``data``."""
    conn = _Keep(keep)
    data.seek(0)
    parse_worker._parse_into(conn, data, "auto", None, None, Correlator(), frozenset())
    return conn


def main_side(messages: list[bytes], stream: io.TextIOWrapper) -> int:
    """The main process's work over the worker's messages: ParsedLines'
    reading of them (a ParsedLines with no process behind it, fed the
    messages), then Pipeline.emit and the JSON output, as cmd_parse runs them."""
    pipeline = Pipeline(Classifier.load(), mta="auto", include_sent=True)
    source: Any = parse_worker.ParsedLines.__new__(parse_worker.ParsedLines)
    source.counts, source.correlator = pipeline.counts, pipeline.correlator
    source._causes = parse_worker._Causes(pipeline.correlator)
    source._conn = type("Conn", (), {"recv_bytes": iter(messages).__next__})()
    out = _EventLines(get_format("json"), stream)
    emit, event = pipeline.emit, out.event
    n = 0
    for text, env, correlated, offset in source._from_worker():
        for ev in emit(text, env, correlated, "/bench/mail.log", offset):
            event(ev)
            n += 1
    out.flush()
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--lines", type=int, default=60_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--worker", action="store_true", help="measure the worker side instead")
    ap.add_argument("--setup-only", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    data = head(args.log, args.lines)
    messages = [] if args.worker else worker_side(data, keep=True).messages
    Classifier.load()  # the rule cache written, as by any earlier run
    if args.setup_only:
        return
    gc.collect()
    gc.freeze()  # what setup made is not the measured side's garbage to walk
    best, what = float("inf"), ""
    for _ in range(args.rounds):
        if args.worker:
            gc.set_threshold(10_000)  # as the worker sets it
            t = time.process_time()
            sent = worker_side(data, keep=False).sent
            best = min(best, time.process_time() - t)
            what = f"worker: {args.lines} lines, {sent} bytes sent"
            continue
        stream = open(args.out or "/dev/null", "w", encoding="utf-8")
        t = time.process_time()
        n = main_side(messages, stream)
        best = min(best, time.process_time() - t)
        stream.close()
        what = f"main: {len(messages)} messages, {n} events"
    print(f"{what}: best of {args.rounds} {best * 1000:.1f} ms CPU", file=sys.stderr)


if __name__ == "__main__":
    main()
