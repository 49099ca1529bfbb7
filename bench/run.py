#!/usr/bin/env python3
"""``make bench``: bouncewatch against its peers on the same Postfix log.

1. Generates (bench/generate.py, fixed seed) a 400k-line log of a busy relay
   and a 1M-line one for memory, in bench/out/ (reused while generate.py is
   unchanged).
2. Finds ``pflogsumm`` and ``mtail`` (Debian packages): on PATH, else unpacked
   from their .deb into /var/cache/bouncewatch/bench/ (``apt-get download`` +
   ``dpkg -x``; nothing is installed system-wide). It says which it used.
3. Runs, ``--runs`` rounds of each in turn (best wall time counts; the
   machine may be shared): ``bouncewatch parse --all``, ``bouncewatch parse`` (failures
   only), ``pflogsumm``, ``mtail --one_shot`` with bench/mtail/postfix_status.mtail.
   Peak RSS and CPU time come from wait4() of each run; on the 1M-line log
   bouncewatch's RSS is also sampled while it runs (flat = correlation memory
   bounded).
4. Prints lines/s, the ratios and the targets (>= 2x pflogsumm, >= 1.5x mtail,
   < 80 MB on 1M lines), and writes bench/out/result-<time>.json (and latest.json).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CACHE = Path(os.environ.get("BOUNCEWATCH_BENCH_CACHE", "/var/cache/bouncewatch/bench"))
PREFETCH = Path("/var/cache/bouncewatch-debs-prefetch")   # a hint only; apt-get download otherwise
MTAIL_PROG = HERE / "mtail" / "postfix_status.mtail"

TARGET_VS_PFLOGSUMM = 2.0
TARGET_VS_MTAIL = 1.5
TARGET_RSS_MB = 80.0


@dataclass
class Run:
    tool: str
    command: list[str]
    lines: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    rss_samples_mb: list[float] = field(default_factory=list)   # 1M-line memory run only
    stderr_tail: str = ""

    @property
    def best_wall(self) -> float:
        return min(self.wall)

    @property
    def lines_per_s(self) -> float:
        return self.lines / self.best_wall

    @property
    def lines_per_cpu_s(self) -> float:
        return self.lines / min(self.cpu)


def say(msg: str) -> None:
    print(msg, flush=True)


# -- inputs --------------------------------------------------------------------------
def generated_log(lines: int, seed: int) -> tuple[Path, dict]:
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / f"mail-{lines}-seed{seed}.log"
    truth = log.with_suffix(".truth.json")
    gen = HERE / "generate.py"
    if not (log.exists() and truth.exists() and log.stat().st_mtime >= gen.stat().st_mtime):
        say(f"generating {log.relative_to(HERE.parent)} ({lines} lines, seed {seed}) ...")
        subprocess.run([sys.executable, str(gen), "--lines", str(lines), "--seed", str(seed),
                        "-o", str(log), "--truth", str(truth)], check=True)
    return log, json.loads(truth.read_text())


def debian_tool(package: str, relpath: str) -> Path:
    """The tool from PATH, else from its .deb unpacked under CACHE."""
    name = Path(relpath).name
    found = shutil.which(name)
    if found:
        say(f"{package}: using {found} (installed)")
        return Path(found)
    root = CACHE / package
    exe = root / relpath
    if exe.exists():
        say(f"{package}: using {exe} (unpacked earlier from the Debian package)")
        return exe
    CACHE.mkdir(parents=True, exist_ok=True)
    debs = sorted(PREFETCH.glob(f"{package}_*.deb")) if PREFETCH.is_dir() else []
    if not debs:
        say(f"{package}: not installed; apt-get download {package} into {CACHE} ...")
        r = subprocess.run(["apt-get", "download", package], cwd=CACHE, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"bench: cannot get {package}: apt-get download failed: {r.stderr.strip()}\n"
                             f"install it (apt-get install {package}) or rerun with --skip-peers")
        debs = sorted(CACHE.glob(f"{package}_*.deb"))
    say(f"{package}: not installed; unpacking {debs[-1].name} into {root} (dpkg -x, nothing installed)")
    subprocess.run(["dpkg", "-x", str(debs[-1]), str(root)], check=True)
    if not exe.exists():
        raise SystemExit(f"bench: {debs[-1].name} holds no {relpath}")
    return exe


# -- measuring --------------------------------------------------------------------------
def measure(run: Run, sample_rss: bool = False) -> None:
    """One run: wall time, CPU (user+sys) and peak RSS of this child and the
    children it waited for (wait4: CPU summed, RSS the largest one); with
    ``sample_rss`` the peak is at least the largest sample."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(run.command, stdout=subprocess.DEVNULL, stderr=err)
        sampler = _RssSampler(p.pid) if sample_rss else None
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            run.rss_samples_mb = sampler.stop()
            run.peak_rss_mb = max([run.peak_rss_mb, *run.rss_samples_mb])
        err.seek(0)
        run.stderr_tail = err.read().decode("utf-8", "replace").strip()[-600:]
    if p.returncode != 0:
        raise SystemExit(f"bench: {run.tool} failed (exit {p.returncode}): {' '.join(run.command)}\n"
                         f"{run.stderr_tail}")
    run.wall.append(wall)
    run.cpu.append(ru.ru_utime + ru.ru_stime)
    run.peak_rss_mb = max(run.peak_rss_mb, ru.ru_maxrss / 1024)


class _RssSampler:
    """Memory of a running child every 0.25 s (psutil), to show it stays flat:
    its RSS, or, once it has children (``parse`` of a big file forks a worker,
    plugin/parse_worker.py), the PSS of all of them summed, which counts the
    pages the fork shares once (their RSS summed would count them twice)."""

    def __init__(self, pid: int) -> None:
        import psutil
        self.proc = psutil.Process(pid)
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self) -> None:
        import psutil
        while not self._stop.wait(0.25):
            try:
                children = self.proc.children(recursive=True)
                if not children:
                    rss = self.proc.memory_info().rss
                else:
                    rss = self.proc.memory_full_info().pss
                    for child in children:
                        try:
                            rss += child.memory_full_info().pss
                        except psutil.Error:
                            pass
            except psutil.Error:
                return
            if not rss:  # exited, not yet reaped
                return
            self.samples.append(round(rss / 2**20, 1))

    def stop(self) -> list[float]:
        self._stop.set()
        self._t.join()
        return self.samples


def bytecode_compiled() -> None:
    """Writes bouncewatch's ``.pyc`` files before anything is timed. An
    installed package has them (pip compiles at install), and a checkout
    gets them at its first run, unless the shell says
    ``PYTHONDONTWRITEBYTECODE`` (some CI images and sandboxes do): then
    every run would compile all its modules again (about 70 ms) and we
    would time the compiler, not what a user runs."""
    import compileall
    import importlib
    for name in ("bouncewatch", "bouncewatch.parsers", "bouncewatch.plugin"):
        for d in importlib.import_module(name).__path__:
            compileall.compile_dir(d, quiet=1)


def bouncewatch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "bouncewatch", "parse", "--no-progress", *args]


def summary_events(stderr: str) -> int | None:
    """The summary line 'bouncewatch: 400000 lines read; 67740 events; ...' -> 67740"""
    last = stderr.splitlines()[-1] if stderr else ""
    for part in last.split(";"):
        words = part.split()
        if len(words) == 2 and words[1] == "events" and words[0].isdigit():
            return int(words[0])
    return None


# -- main ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="bouncewatch vs pflogsumm and mtail on the same Postfix log")
    ap.add_argument("--lines", type=int, default=400_000, help="lines of the throughput log")
    ap.add_argument("--memory-lines", type=int, default=1_000_000, help="lines of the memory log (0: skip)")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool; the best wall time counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-peers", action="store_true", help="measure bouncewatch only")
    a = ap.parse_args(argv)

    log, truth = generated_log(a.lines, a.seed)
    n = truth["lines"]
    bytecode_compiled()
    runs = [Run("bouncewatch parse --all", bouncewatch_cmd("--all", str(log)), n),
            Run("bouncewatch parse", bouncewatch_cmd(str(log)), n)]
    if not a.skip_peers:
        pflogsumm = debian_tool("pflogsumm", "usr/sbin/pflogsumm")
        mtail = debian_tool("mtail", "usr/bin/mtail")
        progs = Path(tempfile.mkdtemp(prefix="bw-mtail-"))
        atexit.register(shutil.rmtree, progs, True)  # however the run ends
        shutil.copy(MTAIL_PROG, progs)
        runs += [Run("pflogsumm", ["perl", str(pflogsumm), str(log)], n),
                 # one_shot still serves HTTP: keep it on loopback, any free port; glog to stderr, not /tmp
                 Run("mtail --one_shot", [str(mtail), "--one_shot", "--progs", str(progs), "--logs", str(log),
                                          "--address", "127.0.0.1", "--port", "0", "--logtostderr"], n)]
    # Round-robin, so a busy moment on a shared machine hits every tool alike.
    for round_ in range(1, a.runs + 1):
        say(f"round {round_}/{a.runs} on {n} lines: {', '.join(r.tool for r in runs)} ...")
        for r in runs:
            measure(r)

    # The events bouncewatch reports must be the ones the generator wrote.
    ev = truth["events"]
    expect_all, expect_fail = sum(ev.values()), sum(v for k, v in ev.items() if k != "sent")
    got_all, got_fail = summary_events(runs[0].stderr_tail), summary_events(runs[1].stderr_tail)
    if (got_all, got_fail) != (expect_all, expect_fail):
        raise SystemExit(f"bench: bouncewatch found {got_all}/{got_fail} events (all/failures), "
                         f"the generator wrote {expect_all}/{expect_fail}")

    memory = None
    if a.memory_lines:
        mlog, mtruth = generated_log(a.memory_lines, a.seed)
        memory = Run("bouncewatch parse --all", bouncewatch_cmd("--all", str(mlog)), mtruth["lines"])
        say(f"running {memory.tool} on {memory.lines} lines (memory) ...")
        measure(memory, sample_rss=True)

    report(runs, memory, a, log)
    return 0


def report(runs: list[Run], memory: Run | None, a: argparse.Namespace, log: Path) -> None:
    by = {r.tool: r for r in runs}
    bw = by["bouncewatch parse --all"]
    say("")
    say(f"{'tool':32s} {'best wall s':>11s} {'lines/s':>10s} {'cpu s':>7s} {'lines/cpu-s':>11s} {'peak RSS MB':>11s}")
    for r in runs + ([memory] if memory else []):
        label = r.tool + (f" ({r.lines // 1000}k)" if r is memory else "")
        say(f"{label:32s} {r.best_wall:11.2f} {r.lines_per_s:10,.0f} {min(r.cpu):7.2f} "
            f"{r.lines_per_cpu_s:11,.0f} {r.peak_rss_mb:11.1f}")
    ratios = {}
    checks = {}
    for peer, target in (("pflogsumm", TARGET_VS_PFLOGSUMM), ("mtail --one_shot", TARGET_VS_MTAIL)):
        if peer in by:
            key = "bouncewatch/" + peer.split()[0]
            ratios[key] = {"wall": round(bw.lines_per_s / by[peer].lines_per_s, 3),
                           "cpu": round(bw.lines_per_cpu_s / by[peer].lines_per_cpu_s, 3)}
            checks[f"{key} >= {target}"] = ratios[key]["wall"] >= target
    if memory:
        checks[f"peak RSS on {memory.lines} lines < {TARGET_RSS_MB:g} MB"] = memory.peak_rss_mb < TARGET_RSS_MB
    say("")
    for k, v in ratios.items():
        say(f"{k:24s} {v['wall']:.2f}x (wall)  {v['cpu']:.2f}x (cpu)")
    say(f"{'failures only vs --all':24s} {by['bouncewatch parse'].lines_per_s / bw.lines_per_s:.2f}x")
    if memory and memory.rss_samples_mb:
        s = memory.rss_samples_mb
        quart = [s[min(len(s) - 1, int(len(s) * q))] for q in (0.25, 0.5, 0.75)] + [s[-1]]
        say(f"RSS while parsing {memory.lines} lines (25/50/75/100%): {' / '.join(f'{x:.0f}' for x in quart)} MB")
    say("")
    for k, ok in checks.items():
        say(f"target {k}: {'met' if ok else 'NOT met'}")
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "loadavg_1m": os.getloadavg()[0]},
        "log": {"path": str(log), "lines": bw.lines, "seed": a.seed, "bytes": log.stat().st_size},
        "runs_per_tool": a.runs,
        "results": [{**asdict(r), "best_wall": r.best_wall, "lines_per_s": round(r.lines_per_s),
                     "lines_per_cpu_s": round(r.lines_per_cpu_s)} for r in runs],
        "memory": ({**asdict(memory), "lines_per_s": round(memory.lines_per_s)} if memory else None),
        "ratios": ratios,
        "targets": checks,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"result-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    text = json.dumps(result, indent=2) + "\n"
    path.write_text(text)
    (OUT / "latest.json").write_text(text)
    say(f"\nwritten: {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    raise SystemExit(main())
