"""How fast and how right is ``bouncewatch ingest-mail``?

    .venv/bin/python bench/ingest_speed.py [--repeat N]

Measures, on the returned-mail samples of tests/data/mail:

* CPU per message for parse + classify + event building, in process (what a
  long-running consumer of a spool would pay), classifier cache cleared
  before every message so no reply text is classified for free;
* CPU of one whole ``bouncewatch ingest-mail`` process (what an MTA pipe
  pays per message: interpreter start, imports, rule loading, spool, fsync);
* the same for a message carrying a 20 MB attachment;
* accuracy on flufl.bounce's table of expected failed recipients: messages
  exactly right, and recipient-level precision and recall.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "mail"


def per_message_cpu(files: list[Path], repeat: int) -> list[float]:
    from bouncewatch.plugin.classify.engine import Classifier
    from bouncewatch.plugin.ingest import Options, analyze_bytes, build_events

    classifier = Classifier.load()
    opts = Options()
    now = datetime.now(timezone.utc)
    out = []
    for f in files:
        raw = f.read_bytes()
        best = float("inf")
        for _ in range(repeat):
            classifier._decisions.clear()
            t = time.process_time()
            rm = analyze_bytes(raw, False, opts)
            build_events(rm, classifier, digest="0" * 64, received=now)
            best = min(best, time.process_time() - t)
        out.append(best)
    return out


def process_cpu(args: list[str], stdin: Path, runs: int, python_args: list[str] | None = None) -> float:
    """Median user+sys CPU seconds of one child process."""
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(stdin, "rb") as fp:
            argv = [sys.executable, *(python_args or ["-m", "bouncewatch"]), *args]
            subprocess.run(argv, stdin=fp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(samples)


def big_message(dirpath: Path) -> Path:
    head = (DATA / "sisimai" / "postfix-04.eml").read_bytes()
    head = head[: head.rindex(b"--6265E1AC124")]
    big = dirpath / "big.eml"
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
    with open(big, "wb") as fp:
        fp.write(head)
        fp.write(b"--6265E1AC124.1274695610/mv-osn-hcb007.ocn.ad.jp\nContent-Type: application/pdf\n"
                 b"Content-Transfer-Encoding: base64\n\n")
        fp.write(line * (20 * 1024 * 1024 // len(line)))
        fp.write(b"--6265E1AC124.1274695610/mv-osn-hcb007.ocn.ad.jp--\n")
    return big


def accuracy() -> dict:
    from bouncewatch.parsers.returned import analyze

    expected = json.loads((DATA / "flufl" / "expected.json").read_text())
    exact = tp = fp = fn = 0
    misses = []
    families: dict[str, list[int]] = {}
    for name, want in sorted(expected.items()):
        rm = analyze((DATA / "flufl" / name).read_bytes())
        got = {f.recipient.lower() for f in rm.findings if f.recipient and f.status in ("bounced", "deferred")}
        exp = {a.lower() for a in want["recipients"]}
        tp += len(got & exp)
        fp += len(got - exp)
        fn += len(exp - got)
        fam = families.setdefault(f"{rm.kind}/{rm.family}", [0, 0])
        fam[1] += 1
        if got == exp:
            exact += 1
            fam[0] += 1
        else:
            misses.append(name)
    return {"messages": len(expected), "exact": exact, "recipients_expected": tp + fn, "found": tp,
            "wrong": fp, "missed": fn, "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0, "misses": misses, "families": families}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per message; the fastest counts")
    ap.add_argument("--process-runs", type=int, default=5)
    a = ap.parse_args()
    files = sorted((DATA / "flufl").glob("*.txt")) + sorted((DATA / "sisimai").glob("*.eml"))
    cpu = per_message_cpu(files, a.repeat)
    ms = sorted(x * 1000 for x in cpu)
    print(f"in-process, parse+classify+event, {len(files)} messages (best of {a.repeat}):")
    print(f"  median {statistics.median(ms):.2f} ms  p95 {ms[int(len(ms) * 0.95) - 1]:.2f} ms  "
          f"max {ms[-1]:.2f} ms CPU per message")
    with tempfile.TemporaryDirectory() as td:
        tdp = Path(td)
        sample = DATA / "sisimai" / "postfix-04.eml"
        dry = process_cpu(["ingest-mail", "--dry-run"], sample, a.process_runs)
        full = process_cpu(["ingest-mail", "--state-dir", str(tdp / "st")], sample, a.process_runs)
        base = process_cpu([], sample, a.process_runs, ["-c", "pass"])
        imports = process_cpu([], sample, a.process_runs, [
            "-c", "import bouncewatch.plugin.cli, bouncewatch.plugin.ingest, bouncewatch.plugin.classify.engine"])
        rules = process_cpu([], sample, a.process_runs, [
            "-c", "from bouncewatch.plugin.classify.engine import Classifier; Classifier.load()"])
        big = big_message(tdp)
        bigcpu = process_cpu(["ingest-mail", "--state-dir", str(tdp / "st2")], big, 3)
    print("whole process per message (median):")
    print(f"  interpreter alone: {base * 1000:.0f} ms CPU; + bouncewatch imports: {imports * 1000:.0f} ms; "
          f"+ loading the rule files: {rules * 1000:.0f} ms")
    print(f"  ingest-mail --dry-run: {dry * 1000:.0f} ms CPU; ingest-mail (spool, fsync, events): "
          f"{full * 1000:.0f} ms CPU")
    print(f"  ingest-mail with a 20 MB attachment: {bigcpu * 1000:.0f} ms CPU")
    acc = accuracy()
    print(f"accuracy on flufl.bounce's expected recipients: {acc['exact']}/{acc['messages']} messages exact; "
          f"recipients found {acc['found']}/{acc['recipients_expected']} (recall {acc['recall']:.3f}), "
          f"wrong {acc['wrong']} (precision {acc['precision']:.3f}); misses: {', '.join(acc['misses']) or '-'}")
    print("  by what they were recognized as (exact/messages): " + ", ".join(
        f"{k} {v[0]}/{v[1]}" for k, v in sorted(acc["families"].items(), key=lambda kv: -kv[1][1])))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
