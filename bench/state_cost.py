"""What feeding the history costs: ``parse --state-dir`` against plain
``parse`` on the same log (target: at most 1.5x the time).

    python bench/state_cost.py [--lines 400000] [--log FILE] [--repeat 3]

The log comes from bench/generate.py when that module is present (the
project's shared generator); until then a Postfix log of realistic mix is
written here: qmgr/cleanup lines, deliveries to 30k recipients across common
providers, about 70% sent, 20% deferred (greylisting, timeouts, blocklists),
10% bounced, with expiries and removals. Both runs read the same file from
the page cache (one warm-up read first) and write events to /dev/null. Wall time is
what "keeps up" means (the store runs in a second process when there are two
cores); CPU time (the command and its children) is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent

DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com", "gmx.de",
           "web.de", "orange.fr", "example.net", "corp.example", "mail.example.org"]
REPLIES = [
    ("sent", "2.0.0", "250 2.0.0 Ok: queued as 4F2A1B3C", 70),
    ("deferred", "4.2.0", "host mx.{d}[192.0.2.10] said: 450 4.2.0 <{r}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{d}.html (in reply to RCPT TO command)", 8),
    ("deferred", "4.4.1", "connect to mx.{d}[192.0.2.11]:25: Connection timed out", 5),
    ("deferred", "4.7.1", "host mx.{d}[192.0.2.12] said: 451 4.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org (in reply to RCPT TO command)", 3),
    ("deferred", "4.2.2", "host mx.{d}[192.0.2.13] said: 452 4.2.2 <{r}>: mailbox full (in reply to RCPT TO command)", 4),
    ("bounced", "5.1.1", "host mx.{d}[192.0.2.14] said: 550 5.1.1 <{r}>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)", 7),
    ("bounced", "5.7.1", "host mx.{d}[192.0.2.15] said: 554 5.7.1 Message rejected as spam (in reply to end of DATA command)", 3),
]


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """A Postfix log of ``lines`` lines (about 3 lines per delivery)."""
    gen = HERE / "generate.py"
    if gen.exists():
        r = subprocess.run([sys.executable, str(gen), "--lines", str(lines), "--out", str(path)],
                           capture_output=True, text=True)
        if r.returncode == 0 and path.exists() and path.stat().st_size:
            return
    rnd = random.Random(seed)
    rcpts = [f"user{i}@{DOMAINS[i % len(DOMAINS)]}" for i in range(30_000)]
    weights = [w for *_, w in REPLIES]
    t = datetime(2026, 10, 1, tzinfo=timezone.utc)
    step = timedelta(days=40) / lines
    n = 0
    qn = 0
    with open(path, "w") as f:
        while n < lines:
            qn += 1
            qid = f"{qn:010X}"
            stamp = t.strftime("%b %d %H:%M:%S")
            f.write(f"{stamp} mx1 postfix/cleanup[100]: {qid}: message-id=<{qn}@news.example.org>\n")
            f.write(f"{stamp} mx1 postfix/qmgr[101]: {qid}: from=<news@news.example.org>, size={1000 + qn % 5000}, nrcpt=1 (queue active)\n")
            n += 2
            r = rcpts[rnd.randrange(len(rcpts))]
            d = r.split("@", 1)[1]
            status, dsn, text, _ = rnd.choices(REPLIES, weights)[0]
            reason = text.format(d=d, r=r)
            f.write(f"{stamp} mx1 postfix/smtp[102]: {qid}: to=<{r}>, relay=mx.{d}[192.0.2.10]:25, "
                    f"delay=1.2, delays=0.1/0/0.5/0.6, dsn={dsn}, status={status} ({reason})\n")
            f.write(f"{stamp} mx1 postfix/qmgr[101]: {qid}: removed\n")
            n += 2
            t += step * 4


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(os.devnull, "w") as null:
        r = subprocess.run(cmd, stdout=null, stderr=subprocess.PIPE, text=True, check=False)
    if r.returncode != 0:  # a failing run is no figure (e.g. a Python without bouncewatch)
        raise SystemExit(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()[-500:]}")
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=400_000)
    ap.add_argument("--log", type=Path, help="use this log instead of generating one")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts (shared machines)")
    a = ap.parse_args()
    bw = [sys.executable, "-m", "bouncewatch"]
    with tempfile.TemporaryDirectory() as tmp:
        log = a.log or Path(tmp) / "mail.log"
        if not a.log:
            generate(log, a.lines)
        nlines = sum(1 for _ in open(log, "rb"))
        timed(bw + ["parse", "--no-progress", str(log)])  # warm the page cache and imports
        plain, state, again = [], [], []
        for i in range(a.repeat):  # alternate, so load on the machine hits both alike
            plain.append(timed(bw + ["parse", "--no-progress", str(log)]))
            d = Path(tmp) / f"state{i}"
            state.append(timed(bw + ["parse", "--no-progress", "--state-dir", str(d), str(log)]))
            again.append(timed(bw + ["parse", "--no-progress", "--state-dir", str(d), str(log)]))
        p, s, g = min(plain), min(state), min(again)
        pc, sc = min(c for _, c in plain), min(c for _, c in state)
        print(f"log: {nlines} lines ({log.stat().st_size / 1e6:.1f} MB), best of {a.repeat}, "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"plain parse:                      {p[0]:6.2f} s wall  {pc:6.2f} s CPU  ({nlines / p[0]:,.0f} lines/s)")
        print(f"parse --state-dir (fresh store):  {s[0]:6.2f} s wall  {sc:6.2f} s CPU  "
              f"({s[0] / p[0]:.2f}x wall, {sc / pc:.2f}x CPU)")
        print(f"parse --state-dir (re-read, all seen): {g[0]:6.2f} s wall  ({g[0] / p[0]:.2f}x)")
        ratio = s[0] / p[0]
        print("target <= 1.5x wall: " + ("met" if ratio <= 1.5 else "MISSED"))
        return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
