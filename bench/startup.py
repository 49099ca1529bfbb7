"""What does one short-lived ``bouncewatch`` process cost?

    .venv/bin/python bench/startup.py [--runs N] [--cold] [--python PY ...]

``ingest-mail`` is forked by the MTA once per returned message, and
``explain`` and ``parse`` of a small file are interactive: for all three the
start-up (interpreter, imports, loading the rules) is most of the work.
Prints the median and p90 of user+sys CPU of whole child processes, taken
round-robin so a change in the machine's load hits every command alike.
The rule cache (classify/rulecache.py) is warmed once before measuring
unless ``--cold``, which gives every run an empty cache directory.
Children run with their bytecode cached (in a temporary PYTHONPYCACHEPREFIX),
as an installed package does; ``--no-bytecode`` keeps the caller's
PYTHONDONTWRITEBYTECODE, which makes every run compile every module it loads.
``--python`` (repeatable) compares interpreters with bouncewatch installed,
e.g. before and after a change, taking turns run by run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIL = ROOT / "tests" / "data" / "mail" / "sisimai" / "postfix-04.eml"
TINY_LOG = (b"Nov 23 03:00:00 mx postfix/smtp[123]: 4A1B2C3D4E: to=<bob@example.org>, "
            b"relay=mx.example.org[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, "
            b"status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>: "
            b"Recipient address rejected: User unknown (in reply to RCPT TO command))\n")


def cpu_of(argv: list[str], stdin: Path | None, env: dict[str, str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin or os.devnull, "rb") as fp:
        # cwd: not the checkout, whose bouncewatch/ would shadow an installed one
        subprocess.run(argv, stdin=fp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env,
                       cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--cold", action="store_true", help="an empty rule cache for every run")
    ap.add_argument("--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE as given")
    ap.add_argument("--python", action="append", default=[], metavar="PY",
                    help="interpreter(s) to compare (default: this one)")
    a = ap.parse_args()
    pythons = [os.path.abspath(p) for p in a.python] or [sys.executable]  # abspath: children run elsewhere
    with tempfile.TemporaryDirectory() as td:
        tdp = Path(td)
        log = tdp / "tiny.log"
        log.write_bytes(TINY_LOG)
        commands: dict[str, tuple[list[str], Path | None]] = {}
        for n, py in enumerate(pythons):
            bw = [py, "-m", "bouncewatch"]
            tag = f" [{py}]" if len(pythons) > 1 else ""
            commands.update({
                "python -c pass" + tag: ([py, "-c", "pass"], None),
                "ingest-mail --dry-run" + tag: ([*bw, "ingest-mail", "--dry-run"], MAIL),
                "ingest-mail (spool)" + tag: ([*bw, "ingest-mail", "--state-dir", str(tdp / f"state{n}{{run}}")], MAIL),
                "explain" + tag: ([*bw, "explain", "550 5.1.1 <bob@example.org>: Recipient address rejected: "
                                                   "User unknown"], None),
                "parse (1 line)" + tag: ([*bw, "parse", str(log)], None),
            })
        env = dict(os.environ)
        if not a.no_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(tdp / "pycache")
        samples: dict[str, list[float]] = {name: [] for name in commands}
        env["XDG_CACHE_HOME"] = str(tdp / "cache")
        for i in range(a.runs + 1):
            for k, (name, (argv, stdin)) in enumerate(commands.items()):
                run = f"-{i}" if a.cold else ""  # cold: a new state dir (ingest-mail keeps its cache there)
                if a.cold:
                    env["XDG_CACHE_HOME"] = str(tdp / f"cache-{i}-{k}")
                t = cpu_of([x.replace("{run}", run) for x in argv], stdin, env, tdp)
                if i:  # the first round warms the page cache (and the rule cache)
                    samples[name].append(t)
    print(f"user+sys CPU per process, {a.runs} runs each, rule cache {'cold' if a.cold else 'warm'}, "
          f"bytecode {'as given' if a.no_bytecode else 'cached'}:")
    for name, xs in samples.items():
        xs = sorted(x * 1000 for x in xs)
        p90 = xs[min(len(xs) - 1, int(round(0.9 * len(xs))) - 1)]
        print(f"  {name:<40} median {statistics.median(xs):6.1f} ms   p90 {p90:6.1f} ms")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
