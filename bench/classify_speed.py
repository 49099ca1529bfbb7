"""How fast the built-in rule set classifies replies, without and with the cache.

    .venv/bin/python bench/classify_speed.py [--unique N] [--cached N] [--rounds R]

The seed texts are the real receiver replies of tests/test_classify_replies.py
(about 200, every provider and category). Two measurements:

* unique: every call sees a text never seen before (each seed gets a distinct
  trailing tracking id, as real replies carry: Gmail's ``x1si... - gsmtp``,
  Microsoft's ``[BN8NAM11FT066...]``), so every call is a cache miss and runs
  the provider, blocklist and rule passes in full;
* cached: the seeds over and over, as a busy server repeats the same replies;
  after the first round every call is a cache hit.

Both time ``Classifier.classify`` on prepared contexts (the classifier's own
cost), and the unique run also reports the end-to-end cost with
``parse_reply`` and ``rule_context`` (what the pipeline pays per line).
The best of R rounds is reported, to damp noise on a shared machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from bouncewatch.parsers.records import Delivery, Envelope, Relay
from bouncewatch.parsers.smtp import parse_reply
from bouncewatch.plugin.classify.engine import Classifier
from bouncewatch.plugin.event import rule_context

ROOT = Path(__file__).resolve().parent.parent
ENVELOPE = Envelope(None, None, "postfix/smtp", 1, "")


def seed_cases() -> list[tuple]:
    """The reply table of the test suite: (reason, relay, recipient, ...)."""
    path = ROOT / "tests" / "test_classify_replies.py"
    spec = importlib.util.spec_from_file_location("classify_replies_table", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load the reply table from {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return [(c[0], c[1], c[2], mod._status(c)) for c in mod.CASES]


def delivery(reason: str, relay: str | None, rcpt: str, status: str) -> Delivery:
    return Delivery("postfix", "Q", rcpt, status, reason=reason, relay=Relay(relay) if relay else None,
                    reply=parse_reply(reason))


def unique_reasons(seeds: list[tuple], n: int, salt: int) -> list[tuple]:
    out = []
    for i in range(n):
        reason, relay, rcpt, status = seeds[i % len(seeds)]
        out.append((f"{reason} [id {salt:02x}{i:08x}]", relay, rcpt, status))
    return out


def rate(calls: int, seconds: float) -> str:
    return f"{calls / seconds:>10,.0f}/s  ({seconds / calls * 1e6:6.1f} µs each)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unique", type=int, default=20000, help="distinct texts per round (default 20000)")
    ap.add_argument("--cached", type=int, default=200000, help="cached calls per round (default 200000)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the best is reported (default 3)")
    args = ap.parse_args(argv)
    seeds = seed_cases()

    probe = Classifier.load()
    n_rules = len(probe.providers) + len(probe.blocklists) + len(probe.rules)
    print(f"rule set: {len(probe.providers)} provider, {len(probe.blocklists)} blocklist, "
          f"{len(probe.rules)} category rules ({n_rules} in all); {len(seeds)} seed replies")

    best_miss = best_e2e = best_hit = float("inf")
    for r in range(args.rounds):
        # unique texts, classifier only: contexts built beforehand
        items = unique_reasons(seeds, args.unique, r)
        ctxs = [rule_context(ENVELOPE, delivery(*it)) for it in items]
        clf = Classifier.load()
        t0 = time.perf_counter()
        for ctx in ctxs:
            clf.classify(ctx)
        best_miss = min(best_miss, time.perf_counter() - t0)

        # unique texts, end to end: reply parsing + context + classification
        items = unique_reasons(seeds, args.unique, r + 100)
        clf = Classifier.load()
        t0 = time.perf_counter()
        for it in items:
            clf.classify(rule_context(ENVELOPE, delivery(*it)))
        best_e2e = min(best_e2e, time.perf_counter() - t0)

        # repeated texts: warm the cache with one pass, then time hits only
        seed_ctxs = [rule_context(ENVELOPE, delivery(*s)) for s in seeds]
        clf = Classifier.load()
        for ctx in seed_ctxs:
            clf.classify(ctx)
        calls = [seed_ctxs[i % len(seed_ctxs)] for i in range(args.cached)]
        t0 = time.perf_counter()
        for ctx in calls:
            clf.classify(ctx)
        best_hit = min(best_hit, time.perf_counter() - t0)

    print(f"unique texts (all cache misses), classify only : {rate(args.unique, best_miss)}")
    print(f"unique texts, parse_reply + context + classify : {rate(args.unique, best_e2e)}")
    print(f"repeated texts (all cache hits), classify only : {rate(args.cached, best_hit)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
