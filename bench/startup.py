"""What does one short-lived ``bouncewatch`` process cost?

    .venv/bin/python bench/startup.py [--runs N] [--cold] [--python PY ...] [--wheel [REF] ...]

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
e.g. before and after a change, taking turns run by run; each has its own
rule cache (the cache key covers the classifier's source, so two versions
sharing one would keep replacing each other's). ``--wheel`` (repeatable)
adds a regular install, ``pip install`` into a new venv in a temporary
directory, of this checkout as it is (no REF) or of a git REF (``--wheel
HEAD~3``): an editable install's import hook costs every process more than
the changes being measured.

``ingest-mail (spool-only)`` is the same delivery while an agent holds the
spool's consumer lock (here: the bench holds it): the process stores the
message and exits; then the agent classifies it. What that costs the agent
per message is measured last, in this process with the classifier loaded
(``process_leftovers`` over copies of the sample mails, as ``follow`` does).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
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


def wheel_venv(ref: str, where: Path) -> str:
    """A venv in ``where`` with the checkout (``ref`` "."), or git ``ref``,
    installed as a regular wheel (dependencies from the package index).
    -> its python."""
    src = where / "src"
    src.mkdir(parents=True)
    if ref == ".":  # the working tree as it is: tracked and new files, not what .gitignore leaves out
        names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                               capture_output=True, check=True).stdout.split(b"\0")
        for name in filter(None, (n.decode() for n in names)):
            if (ROOT / name).is_file():
                (src / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, src / name)
    else:
        tar = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=tar, check=True)
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", str(src)], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"pip install of {ref} failed:\n{r.stderr[-2000:]}")
    return str(py)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--cold", action="store_true", help="an empty rule cache for every run")
    ap.add_argument("--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE as given")
    ap.add_argument("--python", action="append", default=[], metavar="PY",
                    help="interpreter(s) to compare (default: this one)")
    ap.add_argument("--wheel", action="append", default=[], nargs="?", const=".", metavar="REF",
                    help="also a wheel install of this checkout (or of git REF) in a temporary venv")
    a = ap.parse_args()
    pythons = [os.path.abspath(p) for p in a.python]  # abspath: children run elsewhere
    with tempfile.TemporaryDirectory() as td:
        tdp = Path(td)
        for n, ref in enumerate(a.wheel):
            print(f"installing {'this checkout' if ref == '.' else ref} as a wheel ...", file=sys.stderr)
            pythons.append(wheel_venv(ref, tdp / f"wheel{n}"))
        pythons = pythons or [sys.executable]
        labels = {py: py for py in pythons}
        for n, ref in enumerate(a.wheel):
            labels[pythons[len(pythons) - len(a.wheel) + n]] = f"wheel {ref}"
        log = tdp / "tiny.log"
        log.write_bytes(TINY_LOG)
        commands: dict[str, tuple[list[str], Path | None, int]] = {}
        held: list[int] = []  # the consumer locks the bench holds, as a running agent would
        for n, py in enumerate(pythons):
            bw = [py, "-m", "bouncewatch"]
            tag = f" [{labels[py]}]" if len(pythons) > 1 else ""
            commands.update({
                "python -c pass" + tag: ([py, "-c", "pass"], None, n),
                "ingest-mail --dry-run" + tag: ([*bw, "ingest-mail", "--dry-run"], MAIL, n),
                "ingest-mail (spool-only, agent running)" + tag: (
                    [*bw, "ingest-mail", "--state-dir", str(consumer_state(tdp / f"agent{n}", held))], MAIL, n),
                "ingest-mail (spool)" + tag: ([*bw, "ingest-mail", "--state-dir", str(tdp / f"state{n}{{run}}")],
                                              MAIL, n),
                "explain" + tag: ([*bw, "explain", "550 5.1.1 <bob@example.org>: Recipient address rejected: "
                                                   "User unknown"], None, n),
                "parse (1 line)" + tag: ([*bw, "parse", str(log)], None, n),
            })
        env = dict(os.environ)
        if not a.no_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(tdp / "pycache")
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(a.runs + 1):
            for k, (name, (argv, stdin, n)) in enumerate(commands.items()):
                run = f"-{i}" if a.cold else ""  # cold: a new state dir (ingest-mail keeps its cache there)
                env["XDG_CACHE_HOME"] = str(tdp / (f"cache-{i}-{k}" if a.cold else f"cache{n}"))
                t = cpu_of([x.replace("{run}", run) for x in argv], stdin, env, tdp)
                if i:  # the first round warms the page cache (and the rule cache)
                    samples[name].append(t)
        for fd in held:
            os.close(fd)
        agent_cpu = agent_cost(tdp / "pickup", a.runs)
    print(f"user+sys CPU per process, {a.runs} runs each, rule cache {'cold' if a.cold else 'warm'}, "
          f"bytecode {'as given' if a.no_bytecode else 'cached'}:")
    width = max(40, *map(len, samples))
    for name, xs in samples.items():
        xs = sorted(x * 1000 for x in xs)
        p90 = xs[min(len(xs) - 1, int(round(0.9 * len(xs))) - 1)]
        print(f"  {name:<{width}} median {statistics.median(xs):6.1f} ms   p90 {p90:6.1f} ms")
    print(f"agent (follow/run) CPU per spooled message, warm classifier, {agent_cpu[0]} messages: "
          f"median {agent_cpu[1]:.1f} ms   p90 {agent_cpu[2]:.1f} ms   (sample mails: tests/data/mail/sisimai)")
    return 0


def consumer_state(state: Path, held: list[int]) -> Path:
    """A state directory whose spool's consumer lock this process holds."""
    from bouncewatch.plugin.mailspool import take_consumer_lock
    (state / "spool").mkdir(parents=True)
    fd = take_consumer_lock(state)
    assert fd is not None
    held.append(fd)
    return state


def agent_cost(state: Path, runs: int) -> tuple[int, float, float]:
    """CPU of the agent's pickup per message: every sample mail spooled
    ``runs`` times, then processed one pass per round, one message at a
    time (process_leftovers with limit 1). -> (messages, median ms, p90 ms)."""
    import io
    import time

    from bouncewatch.plugin.classify.engine import Classifier
    from bouncewatch.plugin.ingest import process_leftovers
    from bouncewatch.plugin.mailspool import Options, spool

    classifier = Classifier.load()
    mails = sorted((ROOT / "tests" / "data" / "mail" / "sisimai").glob("*.eml"))
    xs: list[float] = []
    for _ in range(max(1, runs // 5)):
        for m in mails:
            with open(m, "rb") as fp:
                spool(fp, state, Options())
        while True:
            t = time.process_time()
            done = process_leftovers(state, classifier, io.StringIO(), min_age=0, limit=1)
            if not done:
                break
            xs.append(time.process_time() - t)
    xs = sorted(x * 1000 for x in xs)
    return len(xs), statistics.median(xs), xs[min(len(xs) - 1, int(round(0.9 * len(xs))) - 1)]


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
