"""A bounded run of the follower's interleaving fuzzer (tests/followfuzz.py):
fixed seeds, so a run of main is reproducible; a longer campaign is
``python tests/followfuzz.py --seed N --count 3000``. Seeds that found a bug
are kept here by number, besides the deterministic test each bug got."""

from __future__ import annotations

import time

import pytest

import followfuzz

FOUND = [6127]        # a writer HUP'd more than DRAIN_GRACE late (test_writer_slow_to_reopen_...)
SEEDS = list(range(1, 301)) + FOUND
BUDGET_S = 120.0       # bounded in time as well as in count, on a loaded machine


def test_fuzzer_seeds_lose_and_repeat_nothing():
    started = time.monotonic()
    bad, ran = [], 0
    with followfuzz.installed():
        for seed in SEEDS:
            if time.monotonic() - started > BUDGET_S and seed not in FOUND:
                continue
            ok, report = followfuzz.one(seed)
            ran += 1
            if not ok:
                bad.append(f"seed {seed}: {report[:3000]}")
    assert ran >= len(FOUND) + 10, f"only {ran} seeds ran within {BUDGET_S} s"
    assert not bad, "\n\n".join(bad)


def test_fuzzer_catches_the_loss_it_found(monkeypatch):
    """The oracle can fail: with the fix undone (the old rule, a rotated
    file let go after DRAIN_GRACE whatever the live file holds), seed 6127
    loses its lines again."""
    from bouncewatch.plugin import follow as fmod
    monkeypatch.setattr(fmod.FileFollower, "_live_written", lambda self: True)
    with followfuzz.installed():
        ok, report = followfuzz.one(6127)
    assert not ok and report.startswith("lost 6"), report[:500]
