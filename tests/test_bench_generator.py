"""bench/generate.py: deterministic, and what it writes is what the parser
finds (its ground-truth sidecar against a real Pipeline run)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "bench" / "generate.py"
# Short backoff and lifetime, many failures: expiries and operator removals
# show up within a few thousand lines.
SMALL = ["--lines", "6000", "--msg-rate", "0.25", "--min-backoff", "60", "--queue-lifetime", "400",
         "--failure-scale", "5"]


def generate(tmp_path: Path, *args: str, name: str = "mail.log") -> tuple[bytes, dict]:
    log, truth = tmp_path / name, tmp_path / (name + ".truth.json")
    subprocess.run([sys.executable, str(GENERATE), *args, "-o", str(log), "--truth", str(truth)],
                   check=True, timeout=60)
    return log.read_bytes(), json.loads(truth.read_text())


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[bytes, dict]:
    return generate(tmp_path_factory.mktemp("gen"), *SMALL, "--seed", "1")


def test_deterministic_per_seed(tmp_path, small):
    again, truth = generate(tmp_path, *SMALL, "--seed", "1")
    assert again == small[0] and truth == small[1]
    other, _ = generate(tmp_path, *SMALL, "--seed", "2", name="other.log")
    assert other != small[0]


def test_shape_of_the_log(small):
    text = small[0].decode()
    lines = text.splitlines()
    assert len(lines) == 6000 == small[1]["lines"]
    stamp = re.compile(r"^(Nov) ([ \d]\d) (\d\d:\d\d:\d\d) mx-out1 ")
    stamps = [stamp.match(x) for x in lines]
    assert all(stamps)
    times = [m[3] for m in stamps]
    assert times == sorted(times)  # time only moves forward
    programs = Counter(x.split()[4].split("[")[0] for x in lines)
    for p in ("postfix/smtpd", "postfix/cleanup", "postfix/qmgr", "postfix/smtp", "postfix/postscreen",
              "postfix/bounce", "amavis", "opendkim"):
        assert programs[p], p
    assert "NOQUEUE: reject:" in text and "TLS connection established" in text
    # retries reuse the queue id; expiry is the per-message qmgr line
    deferred_qids = Counter(re.findall(r": ([0-9A-F]{10,11}): to=<[^>]+>, .*status=deferred", text))
    assert max(deferred_qids.values()) >= 3
    assert "status=expired, returned to sender" in text


def test_parser_finds_the_ground_truth(small, classifier):
    from bouncewatch.plugin.pipeline import Pipeline

    truth = small[1]
    assert all(truth["events"][s] > 0 for s in ("sent", "deferred", "bounced", "expired", "removed"))
    pipeline = Pipeline(classifier, include_sent=True)
    found: Counter[str] = Counter()
    for line in small[0].decode().splitlines():
        for ev in pipeline.feed(line):
            found[ev["status"]] += 1
    assert dict(found) == {k: v for k, v in truth["events"].items() if v}
    assert pipeline.counts["other_program"] == truth["other_program"]
    assert pipeline.counts["lines"] == truth["lines"]


def test_reply_texts_are_not_a_handful(small):
    """Receiver replies carry per-message ids and addresses: a classifier's
    cache must not be able to answer from a few dozen distinct strings."""
    reasons = re.findall(r"status=(?:sent|deferred|bounced) \((.*)\)$", small[0].decode(), re.M)
    assert len(set(reasons)) > 0.8 * len(reasons)


def test_follow_appends_live(tmp_path):
    log = tmp_path / "live.log"
    log.write_text("existing line\n")
    subprocess.run([sys.executable, str(GENERATE), "--follow", str(log), "--rate", "400", "--lines", "80"],
                   check=True, timeout=30)
    lines = log.read_text().splitlines()
    assert lines[0] == "existing line" and len(lines) == 81
    assert all(re.match(r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d mx-out1 ", x) for x in lines[1:])
