#!/usr/bin/env python3
"""Exim and Sendmail parsing speed, against Postfix parsing and against eximstats.

1. Generates an Exim main log (bench/generate_exim.py) and a Sendmail syslog
   (bench/generate_sendmail.py) of the same simulated traffic, and takes a
   Postfix log (``--postfix FILE``, or bench/generate.py when it is there).
2. For each: lines/s of the parser alone (envelope + MTA parser, line by
   line as the follower runs it, LineParser.parse; also per line that yields a record, since an
   Exim main log is mostly delivery lines and a Postfix syslog mostly not),
   of ``LineParser.parse_block`` (block by block, as ``parse`` of a file
   runs it in its worker, split=True) and of the whole pipeline (parse,
   correlate, classify, build events), in-process, the best of ``--repeat``
   rounds in which the logs take turns.
3. ``bouncewatch parse --mta exim`` against ``eximstats`` (Debian's
   exim4-base; unpacked into a cache folder when not installed) on the same
   main log: wall time of each command, and what each counted.

    python bench/exim_sendmail.py --lines 200000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
CACHE = Path(os.environ.get("BOUNCEWATCH_CACHE", "/var/cache/bouncewatch"))
BLOCK_LINES = 1000   # about the lines of one 128 KiB block of reader.iter_blocks
PREFETCH = Path("/var/cache/bouncewatch-debs-prefetch")  # a hint only


def generate(workdir: Path, lines: int, seed: int, postfix: str | None) -> dict[str, Path]:
    import generate_exim
    import generate_sendmail
    logs = {}
    for name, mod in (("exim", generate_exim), ("sendmail", generate_sendmail)):
        path = workdir / f"{name}.log"
        if not path.exists() or path.stat().st_size == 0:
            argv = ["--lines", str(lines), "--seed", str(seed), "-o", str(path),
                    "--truth", str(workdir / f"{name}.truth.json")]
            if name == "exim":  # Debian 12's Exim 4.96 ids; its eximstats reads only those
                argv.append("--old-ids")
            mod.main(argv)
        logs[name] = path
    if postfix:
        logs["postfix"] = Path(postfix)
    elif (BENCH / "generate.py").exists():
        path = workdir / "postfix.log"
        if not path.exists() or path.stat().st_size == 0:
            subprocess.run([sys.executable, str(BENCH / "generate.py"), "--lines", str(lines), "--seed", str(seed),
                            "-o", str(path)], check=True)
        logs["postfix"] = path
    else:
        print("no Postfix log: pass --postfix FILE (bench/generate.py is not here)", file=sys.stderr)
    return logs


def rates(logs: dict[str, Path], repeat: int) -> dict[str, dict[str, float]]:
    """Each figure the best of ``repeat`` rounds; within a round the logs take
    turns, so that load from elsewhere on a shared machine falls on all of them."""
    from bouncewatch.plugin.classify.engine import Classifier
    from bouncewatch.plugin.lineparse import LineParser
    from bouncewatch.plugin.pipeline import Pipeline
    texts = {mta: path.read_text(encoding="utf-8", errors="backslashreplace").splitlines()
             for mta, path in logs.items()}
    best = {mta: {"parse": float("inf"), "block": float("inf"), "pipe": float("inf")} for mta in logs}
    records: dict[str, int] = {}
    events: dict[str, int] = {}
    for _ in range(repeat):
        for mta, lines in texts.items():
            # what the follower runs for each line: LineParser.parse (the envelope, then the MTA's parser)
            parse, counts = LineParser(mta).parse, Counter()
            n = 0
            t = time.perf_counter()
            for line in lines:
                if parse(line, counts) is not None:
                    n += 1
            best[mta]["parse"] = min(best[mta]["parse"], time.perf_counter() - t)
            records[mta] = n
        for mta, lines in texts.items():
            # what `parse` of a file runs in its worker (a big one): a block of lines at a time
            lp = LineParser(mta)
            t = time.perf_counter()
            for i in range(0, len(lines), BLOCK_LINES):
                lp.parse_block(lines[i:i + BLOCK_LINES], Counter(), split=True)  # the worker's way
            best[mta]["block"] = min(best[mta]["block"], time.perf_counter() - t)
        for mta, lines in texts.items():
            p = Pipeline(Classifier.load(), mta=mta)
            t = time.perf_counter()
            for line in lines:
                p.feed(line)
            best[mta]["pipe"] = min(best[mta]["pipe"], time.perf_counter() - t)
            events[mta] = p.counts["events"]
    return {mta: {"lines": len(lines), "records": records[mta], "parse_lps": len(lines) / best[mta]["parse"],
                  "block_lps": len(lines) / best[mta]["block"], "records_ps": records[mta] / best[mta]["parse"],
                  "pipeline_lps": len(lines) / best[mta]["pipe"], "events": events[mta]}
            for mta, lines in texts.items()}


def eximstats_path() -> Path:
    """The installed eximstats, or Debian's, unpacked into CACHE."""
    found = shutil.which("eximstats")
    if found:
        return Path(found)
    root = CACHE / "exim4-base"
    script = root / "usr/sbin/eximstats"
    if script.exists():
        return script
    debs = sorted(PREFETCH.glob("exim4-base_*.deb")) if PREFETCH.is_dir() else []
    if not debs:
        dl = CACHE / "debs"
        dl.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "exim4-base"], cwd=dl, check=True, capture_output=True)
        debs = sorted(dl.glob("exim4-base_*.deb"))
    subprocess.run(["dpkg", "-x", str(debs[-1]), str(root)], check=True)
    return script


def timed(cmd: list[str], repeat: int) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(repeat):
        t = time.perf_counter()
        r = subprocess.run(cmd, check=True, capture_output=True, text=True, errors="replace")
        best = min(best, time.perf_counter() - t)
        out = r.stdout
    return best, out


def eximstats_vs_bouncewatch(log: Path, repeat: int) -> dict[str, object]:
    es = eximstats_path()
    # -nr: no relay table, -t0: no top lists; the summary still reads every line
    t_es, out = timed(["perl", str(es), "-nr", "-t0", str(log)], repeat)
    summary = {}
    rec = re.search(r"^\s*Received\s+\S+\s+(\d+)\s+\d+\s+(\d+)\s+\S+\s+(\d+)", out, re.M)
    if rec:  # Received: volume, messages, hosts, delayed (n %), failed (n %)
        summary.update(received_messages=int(rec[1]), messages_delayed=int(rec[2]), messages_failed=int(rec[3]))
    dlv = re.search(r"^\s*Delivered\s+\S+\s+(\d+)\s+(\d+)", out, re.M)
    if dlv:
        summary["delivered_addresses"] = int(dlv[2])
    # --all: every delivery becomes an event too, so both tools do the whole log's work
    t_bw, events = timed([sys.executable, "-m", "bouncewatch", "parse", "--mta", "exim", "--all", "--no-progress",
                          str(log)], repeat)
    ours = Counter(json.loads(line)["status"] for line in events.splitlines() if line)
    return {"eximstats_s": t_es, "bouncewatch_s": t_bw, "eximstats_counted": summary,
            "bouncewatch_events": dict(ours), "eximstats": str(es)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    ap.add_argument("--postfix", metavar="FILE", help="a Postfix log to compare with")
    ap.add_argument("--workdir", help="where the generated logs go (default: a temporary folder)")
    ap.add_argument("--no-eximstats", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args(argv)
    tmp = None
    if a.workdir:
        workdir = Path(a.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bouncewatch-bench-")
        workdir = Path(tmp.name)
    try:
        logs = generate(workdir, a.lines, a.seed, a.postfix)
        report: dict[str, object] = dict(rates(logs, a.repeat))
        if not a.no_eximstats:
            from run import bytecode_compiled
            bytecode_compiled()
            report["eximstats"] = eximstats_vs_bouncewatch(logs["exim"], a.repeat)
    finally:
        if tmp is not None:
            tmp.cleanup()
    if a.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"{'log':10} {'lines':>8} {'records':>8} {'parse lines/s':>14} {'records/s':>10} "
          f"{'block lines/s':>14} {'pipeline lines/s':>17} {'events':>8}")
    for mta in ("postfix", "exim", "sendmail"):
        r = report.get(mta)
        if isinstance(r, dict):
            print(f"{mta:10} {r['lines']:>8} {r['records']:>8} {r['parse_lps']:>14,.0f} {r['records_ps']:>10,.0f} "
                  f"{r['block_lps']:>14,.0f} {r['pipeline_lps']:>17,.0f} {r['events']:>8}")
    pf = report.get("postfix")
    if isinstance(pf, dict):  # the measure: per line, against Postfix's parsing
        for mta in ("exim", "sendmail"):
            r = report.get(mta)
            if isinstance(r, dict):
                print(f"{mta} per line vs Postfix: parse {r['parse_lps'] / pf['parse_lps']:.2f}x, "
                      f"block {r['block_lps'] / pf['block_lps']:.2f}x")
    es = report.get("eximstats")
    if isinstance(es, dict):
        n = report["exim"]["lines"]  # type: ignore[index]
        print(f"\nsame Exim main log ({n} lines), wall time incl. start-up:")
        print(f"  eximstats -nr -t0        {es['eximstats_s']:6.2f} s  {n / es['eximstats_s']:>9,.0f} lines/s"
              f"  counted {es['eximstats_counted']}")
        print(f"  bouncewatch parse --all  {es['bouncewatch_s']:6.2f} s  {n / es['bouncewatch_s']:>9,.0f} lines/s"
              f"  events {es['bouncewatch_events']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
