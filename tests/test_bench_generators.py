"""bench/generate_exim.py and bench/generate_sendmail.py write logs whose
delivery outcomes the pipeline finds exactly (the generators' --truth), with
no line left unrecognized or failing in a parser."""

from __future__ import annotations

import importlib.util
import io
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load(name):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize("gen,args", [("generate_exim", {"plain": False, "old_ids": False}),
                                      ("generate_exim", {"plain": True, "old_ids": True}),
                                      ("generate_sendmail", {})])
def test_generated_outcomes_are_found(gen, args, classifier):
    from datetime import datetime, timedelta

    from bouncewatch.plugin.pipeline import Pipeline
    mod = load(gen)
    buf = io.StringIO()
    # a 6-minute queue lifetime, so that 12000 lines (about 12 minutes of mail) hold expiries
    truth = mod.write(buf, 12_000, 7, start=datetime(2026, 11, 20, 6), lifetime=timedelta(minutes=6), **args)
    p = Pipeline(classifier, include_sent=True)
    found = Counter()
    for line in buf.getvalue().splitlines():
        for e in p.feed(line):
            found[e["status"]] += 1
            assert e["recipient"] and e["classification"]["category"]
    assert p.counts["lines"] == truth["lines"]
    assert p.counts["skipped:unrecognized"] == 0 and not any(k.startswith("skipped:parser") for k in p.counts)
    expected = {k: v for k, v in truth.items() if k != "lines"}
    assert truth["expired"] > 0 and truth["bounced"] > 0
    assert dict(found) == expected
