"""What the main process of ``parse --all`` costs on its own: correlate,
classify, build and write the events of lines parsed beforehand.

    .venv/bin/python bench/main_side.py LOG [--lines N] [--rounds R] [--setup-only] [--out FILE]

``parse`` of a big file parses lines in a worker process and the main
process runs :meth:`.pipeline.Pipeline.feed_parsed` and the output path
(``cli._EventLines``) over them; on two cores the main side sets the pace.
This parses the first N lines of LOG once (not timed), then runs a fresh
pipeline (a fresh classifier from the rule cache, as ``parse`` loads it)
and the JSON output over them R times and reports the best CPU time
(``time.process_time``). ``--setup-only`` stops after parsing: run both
under ``valgrind --tool=callgrind`` with ``--rounds 1`` and the difference
of the two instruction counts is the main side, free of the machine's load.
``--out`` writes the events of the last round there (compare two versions'
outputs byte for byte).
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
import time
from collections import Counter
from itertools import islice

from bouncewatch.plugin.classify.engine import Classifier
from bouncewatch.plugin.cli import _EventLines
from bouncewatch.plugin.formats import get_format
from bouncewatch.plugin.lineparse import LineParser
from bouncewatch.plugin.pipeline import Pipeline


def parsed_lines(path: str, n: int) -> list[tuple[str, object, object, int]]:
    with open(path, "rb") as fp:
        raw = list(islice(fp, n))
    texts, offsets, pos = [], [], 0
    for b in raw:
        texts.append(b.rstrip(b"\n").decode("utf-8"))
        offsets.append(pos)
        pos += len(b)
    lines = LineParser("auto")
    return [(texts[i], env, rec, offsets[i]) for i, env, rec in lines.parse_block(texts, Counter())]


def run_once(parsed: list, stream: io.TextIOWrapper) -> int:
    pipeline = Pipeline(Classifier.load(), mta="auto", include_sent=True)
    out = _EventLines(get_format("json"), stream)
    event, feed = out.event, pipeline.feed_parsed
    n = 0
    for text, env, rec, offset in parsed:
        for ev in feed(text, env, rec, "/bench/mail.log", offset):
            event(ev)
            n += 1
    out.flush()
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--lines", type=int, default=60_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--setup-only", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    parsed = parsed_lines(args.log, args.lines)
    Classifier.load()  # the rule cache written, as by any earlier run
    if args.setup_only:
        return
    gc.collect()
    gc.freeze()  # the parsed lines are not the main side's garbage to walk
    best, n = float("inf"), 0
    for _ in range(args.rounds):
        stream = open(args.out or "/dev/null", "w", encoding="utf-8")
        t = time.process_time()
        n = run_once(parsed, stream)
        best = min(best, time.process_time() - t)
        stream.close()
    print(f"{len(parsed)} parsed lines, {n} events: best of {args.rounds} {best * 1000:.1f} ms CPU",
          file=sys.stderr)


if __name__ == "__main__":
    main()
