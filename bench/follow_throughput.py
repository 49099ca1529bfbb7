"""Follower throughput at saturation, with and without the recipient history.

    python bench/follow_throughput.py [MESSAGES] [ROUNDS]

Writes a Postfix log of MESSAGES whole messages (7 lines each, a third of
them failures; tests/followkit.message_lines), then for each mode runs
``bouncewatch follow --from-start --all`` on it with a file sink and times
the checkpoint from its first advance to the end of the file (start-up is
not counted). Modes: ``--no-history``, history in state.db, history plus
``--metrics``. Lines/s is lines read over that time; the modes take turns
for ROUNDS rounds (the machine is shared) and the best and median are shown.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from followkit import message_lines  # noqa: E402


def offset(ck: Path, log: Path) -> int:
    try:
        return json.loads(ck.read_text())["sources"][str(log)]["tails"][-1]["offset"]
    except (OSError, KeyError, ValueError, IndexError):
        return 0


def run(log: Path, work: Path, extra: list[str]) -> float:
    state = work / "state"
    ck = state / "follow-checkpoint.json"
    size = log.stat().st_size
    p = subprocess.Popen([sys.executable, "-m", "bouncewatch", "follow", str(log), "--from-start", "--all",
                          "--sink", f"file:{work / 'out.jsonl'}", "--state-dir", str(state),
                          "--status-interval", "3600", *extra], stderr=subprocess.DEVNULL)
    try:
        while offset(ck, log) == 0:
            time.sleep(0.005)
        t0 = time.monotonic()
        while offset(ck, log) < size:
            time.sleep(0.005)
        return time.monotonic() - t0
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("messages", nargs="?", type=int, default=30_000, help="whole messages in the log (7 lines each)")
    ap.add_argument("rounds", nargs="?", type=int, default=3, help="rounds of the three modes in turn")
    a = ap.parse_args()
    messages, rounds = a.messages, a.rounds
    with tempfile.TemporaryDirectory() as d:
        log = Path(d) / "mail.log"
        with open(log, "w") as f:
            for n in range(messages):
                f.write(message_lines(n))
        lines = messages * 7
        modes = {"no history": ["--no-history"], "history (state.db)": [],
                 "history + metrics": ["--metrics", "127.0.0.1:0"]}
        took: dict[str, list[float]] = {name: [] for name in modes}
        for _ in range(rounds):
            for name, extra in modes.items():
                with tempfile.TemporaryDirectory(dir=d) as work:
                    took[name].append(run(log, Path(work), extra))
                os.sync()
        for name, secs in took.items():
            secs.sort()
            print(f"{name:>20}: {lines} lines; best {lines / secs[0]:,.0f} lines/s, "
                  f"median {lines / secs[len(secs) // 2]:,.0f} lines/s over {len(secs)} runs", flush=True)


if __name__ == "__main__":
    main()
