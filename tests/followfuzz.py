#!/usr/bin/env python3
"""An in-process, deterministic interleaving fuzzer for :class:`FileFollower`.

A writer (a syslog daemon and logrotate: writes, rename / delaycompress /
compress / copytruncate rotations, a HUP that may come late, gzip in two
steps) and the follower (polls, reads, checkpoints, kill -9 and restarts,
rotations while it is down) are stepped by one seeded RNG, on a virtual
clock. The writer's steps can also run *inside* the follower's system calls
(listdir, stat, fstat, pread, open), where the races of real rotations live.
At the end every line written must have been read, and none twice except
across a kill -9 (the at-least-once checkpoint); a loss is allowed only
where the follower said so and the README says it can happen.

Every bug it found has a deterministic test of its own in
``tests/test_follow_faults.py`` / ``tests/test_follow.py``;
``tests/test_follow_fuzz.py`` runs a bounded set of seeds on every ``make
test``. A longer campaign::

    .venv/bin/python tests/followfuzz.py --seed 1 --count 3000 [--ops 150] [--nohook] [--show]
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import shutil
import tempfile
import traceback
from collections import Counter, defaultdict
from typing import Iterator

from bouncewatch.plugin import follow as fmod

REAL_OS = os
REAL_OPEN = open


class Clock:
    t = 1_000_000.0

    def monotonic(self) -> float:
        return self.t

    def time(self) -> float:
        return self.t


CLOCK = Clock()


class Hook:
    """Runs writer operations from inside the follower's system calls."""
    rng: random.Random | None = None
    p = 0.0
    action = None
    busy = False
    trace: list = []

    @classmethod
    def maybe(cls, where: str) -> None:
        if cls.busy or cls.rng is None or cls.action is None or not cls.p:
            return
        if cls.rng.random() < cls.p:
            cls.busy = True
            try:
                cls.trace.append(f"  (inside {where})")
                cls.action()
            finally:
                cls.busy = False


class OsProxy:
    def __getattr__(self, name):
        return getattr(REAL_OS, name)

    def listdir(self, *a):
        Hook.maybe("listdir")
        return REAL_OS.listdir(*a)

    def stat(self, *a, **k):
        Hook.maybe("stat")
        return REAL_OS.stat(*a, **k)

    def fstat(self, *a):
        Hook.maybe("fstat")
        return REAL_OS.fstat(*a)

    def pread(self, *a):
        Hook.maybe("pread")
        return REAL_OS.pread(*a)


def hooked_open(*a, **k):
    Hook.maybe("open")
    return REAL_OPEN(*a, **k)


def hooked(real):
    def call(*a, **k):
        Hook.maybe("open_log")
        return real(*a, **k)
    return call


class FakeTime:
    def monotonic(self):
        return CLOCK.t

    def time(self):
        return CLOCK.t


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """The follower module's os, open, open_log and time, hooked (undone after)."""
    saved = {k: getattr(fmod, k) for k in ("os", "open_log", "time", "DRAIN_GRACE")}
    had_open = "open" in vars(fmod)
    fmod.os, fmod.open_log, fmod.time = OsProxy(), hooked(saved["open_log"]), FakeTime()
    fmod.open = hooked_open
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(fmod, k, v)
        if not had_open:
            del fmod.open


def line(n: int, rng: random.Random) -> bytes:
    pad = "x" * rng.randrange(30, 90)
    return f"line [{n}] {pad}\n".encode()


class Writer:
    def __init__(self, d: str, rng: random.Random, trace: list, allow_remove: bool) -> None:
        self.d = d
        self.path = os.path.join(d, "mail.log")
        self.rng, self.trace = rng, trace
        self.n = 0
        self.fd = self._open()
        self.hup_pending = False
        self.after_hup: list = []
        self.gz_pending: list = []       # step 2 of a gzip (utime + unlink src)
        self.allow_remove = allow_remove
        self.removed_lines: set[int] = set()   # lines a remove may lose
        self.removed_open = False
        self.live_first = 0                    # the first line the live file holds
        self.rot_ok = True                     # the follower looked since the last rotation
        self.rotated_in_poll = False

    def p(self, s: str) -> str:
        return os.path.join(self.d, "mail.log" + s)

    def touch_mtime(self, target) -> None:
        CLOCK.t += 0.001
        ns = int(CLOCK.t * 1e9)
        os.utime(target, ns=(ns, ns))

    def _open(self) -> int:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.touch_mtime(fd)
        return fd

    def write(self, k: int) -> None:
        data = b"".join(line(self.n + i, self.rng) for i in range(k))
        if self.removed_open:
            self.removed_lines.update(range(self.n, self.n + k))
        self.n += k
        os.write(self.fd, data)
        self.touch_mtime(self.fd)

    def hup(self) -> None:
        os.close(self.fd)
        self.fd = self._open()
        self.hup_pending = False
        self.removed_open = False
        self.live_first = self.n    # a new live file (or the same, if nothing rotated): lines from here
        for a in self.after_hup:
            a()
        self.after_hup = []

    def _rotated(self):
        out = []
        for n in os.listdir(self.d):
            if n.startswith("mail.log."):
                num = n[len("mail.log."):].split(".", 1)[0]
                if num.isdigit():
                    out.append((int(num), n))
        return sorted(out, reverse=True)

    def shift(self) -> None:
        for num, n in self._rotated():
            new = n.replace(f"mail.log.{num}", f"mail.log.{num + 1}", 1)
            os.rename(os.path.join(self.d, n), os.path.join(self.d, new))

    def gzip1(self, src: str, dst: str) -> None:
        if not os.path.exists(src):
            return
        with open(src, "rb") as a, gzip.open(dst, "wb") as b:
            shutil.copyfileobj(a, b)
        self.touch_mtime(dst)
        self.gz_pending.append((src, dst))

    def gzip2(self) -> None:
        src, dst = self.gz_pending.pop(0)
        st = os.stat(src)
        os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.unlink(src)

    def settle(self) -> None:
        """What a new logrotate run needs: the previous HUP and gzips done."""
        if self.hup_pending:
            self.trace.append("  hup (settle)")
            self.hup()
        while self.gz_pending:
            self.trace.append("  gzip2 (settle)")
            self.gzip2()

    def step(self) -> None:
        """One random writer operation."""
        r = self.rng
        choices = ["write"] * 6 + (["rotate"] * 2 if self.rot_ok else [])
        if self.hup_pending:
            choices += ["hup"] * 2
        if self.gz_pending:
            choices += ["gzip2"] * 2
        op = r.choice(choices)
        if op == "write":
            k = r.choice((1, 1, 2, 5, 20))
            self.trace.append(f"write {k} ({self.n}..{self.n + k - 1})")
            self.write(k)
        elif op == "hup":
            self.trace.append("hup")
            self.hup()
        elif op == "gzip2":
            self.trace.append(f"gzip2 {os.path.basename(self.gz_pending[0][0])}")
            self.gzip2()
        else:
            kinds = ["rename", "delaycompress", "compress", "copytruncate", "copytruncate_gz"]
            if self.allow_remove:
                kinds.append("remove")
            kind = r.choice(kinds)
            self.rot_ok = False
            self.rotated_in_poll = True
            self.settle()
            lag = r.random() < 0.5
            self.trace.append(f"rotate {kind} lag={lag} live ino={os.stat(self.path).st_ino}")
            if kind in ("rename", "delaycompress", "compress"):
                self.shift()
                os.rename(self.path, self.p(".1"))
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
                self.touch_mtime(fd)
                os.close(fd)
                if kind == "delaycompress":
                    self.after_hup.append(lambda: self.gzip1(self.p(".2"), self.p(".2.gz")))
                elif kind == "compress":
                    self.after_hup.append(lambda: self.gzip1(self.p(".1"), self.p(".1.gz")))
                self.hup_pending = True
                if not lag:
                    self.hup()
            elif kind.startswith("copytruncate"):
                self.shift()
                shutil.copyfile(self.path, self.p(".1"))
                self.touch_mtime(self.p(".1"))
                os.truncate(self.path, 0)
                self.touch_mtime(self.path)
                self.live_first = self.n   # what it held is in the copy now
                if kind == "copytruncate_gz":
                    self.gzip1(self.p(".1"), self.p(".1.gz"))
            elif kind == "remove":
                os.unlink(self.path)
                # what the removed file holds is in no other file: a follower that
                # did not hold it open (down, or behind on older files) may lose it
                self.removed_lines.update(range(self.live_first, self.n))
                self.removed_open = True
                self.hup_pending = True
                if not lag:
                    self.hup()

    def close(self) -> None:
        self.settle()
        os.close(self.fd)


MSGS = ("no rotated copy", "is gone", "could not be read")


def one(seed: int, nops: int = 150, allow_remove: bool = False, hooks: bool = True) -> tuple[bool, str]:
    """Run seed ``seed``: (no problem, the report: problems, the trace, what the follower said).
    Call inside :func:`installed`."""
    rng = random.Random(seed)
    d = tempfile.mkdtemp(prefix="bwfz-")
    trace: list[str] = []
    logs: list[str] = []
    try:
        w = Writer(d, rng, trace, allow_remove)
        Hook.rng, Hook.trace = rng, trace
        Hook.p = rng.choice((0.0, 0.05, 0.2))
        if not hooks:
            Hook.p = 0.0
        Hook.action = None
        fmod.DRAIN_GRACE = 2.0
        got: dict[int, list[int]] = defaultdict(list)   # line -> epochs read in
        epoch = 0
        crashes_after: set[int] = set()   # epochs that ended with a crash
        log = lambda m: (logs.append(m), trace.append(f"  LOG {m}"))

        def new_follower(saved):
            f = fmod.FileFollower(w.path, Counter(), log)
            f.restore(saved, True)
            return f

        if rng.random() < 0.3:
            w.write(rng.choice((1, 3)))
            trace.append(f"pre-write ..{w.n - 1}")
        f = new_follower(None)
        saved = None
        Hook.action = w.step

        def read_chunk():
            c = f.next_chunk(rng.choice((1, 3, 100)))
            if c is None:
                return False
            nums = []
            for text, _off in c.lines:
                try:
                    n = int(text.split("[", 1)[1].split("]", 1)[0])
                except (IndexError, ValueError):
                    n = -1
                nums.append(n)
                got[n].append(epoch)
            trace.append(f"chunk {os.path.basename(c.path)} ino={c.tail.ident.ino} @{c.lines[0][1]}-{c.end} -> {nums[0]}..{nums[-1]} ({len(nums)})")
            f.commit(c)
            return True

        for _ in range(nops):
            op = rng.choices(["w", "poll", "chunk", "time", "ckpt", "crash", "term"],
                             [8, 4, 5, 2, 1, 0.4, 0.4])[0]
            if op == "w":
                w.step()
            elif op == "poll":
                trace.append("poll")
                w.rotated_in_poll = False
                f.poll()
                if not w.rotated_in_poll:
                    w.rot_ok = True
            elif op == "chunk":
                read_chunk()
            elif op == "time":
                dt = rng.choice((0.3, 1.0, 2.5))
                if w.hup_pending and dt > 1:
                    trace.append("  hup (before time passes)")
                    w.hup()
                CLOCK.t += dt
                trace.append(f"time +{dt}")
            elif op == "ckpt":
                saved = json.loads(json.dumps(f.state()))
                trace.append("checkpoint")
            elif op in ("crash", "term"):
                if op == "term":
                    saved = json.loads(json.dumps(f.state()))
                    trace.append("  saved " + str([(t.get("path", "")[-10:], t["ino"], t["offset"], t["fp_len"], t.get("live"), t.get("prev") and (t["prev"]["ino"], t["prev"]["fp_len"])) for t in saved["tails"]]))
                else:
                    crashes_after.add(epoch)
                    f.log = lambda _msg: None   # a kill -9 says nothing on its way out
                f.close()
                trace.append(f"{op}; while down:")
                Hook.action = None
                for _ in range(rng.choice((0, 0, 1, 3, 8))):
                    w.rot_ok = True
                    w.step()
                w.rot_ok = False   # the new follower looks first
                CLOCK.t += rng.choice((0.1, 1.0))
                epoch += 1
                trace.append(f"start epoch {epoch}")
                f = new_follower(saved)
                Hook.action = w.step
        Hook.action = None
        w.close()
        trace.append("final")
        for _ in range(6):
            CLOCK.t += 3.0
            f.poll()
            while read_chunk():
                pass
        # verdict
        problems = []
        lost = [n for n in range(w.n) if n not in got]
        reported = any(any(m in x for m in MSGS) for x in logs)
        lost_bad = [n for n in lost if not (reported and n in w.removed_lines)]
        if lost_bad:
            in_removed = sum(n in w.removed_lines for n in lost_bad)
            problems.append(f"lost {len(lost_bad)} ({in_removed} in a removed file): {lost_bad[:10]}")
        dups = []
        for n, eps in got.items():
            eps = sorted(eps)
            for a, b in zip(eps, eps[1:]):
                if not any(e in crashes_after for e in range(a, b)):
                    dups.append(n)
                    break
        if dups:
            problems.append(f"dup {len(dups)}: {sorted(dups)[:10]}")
        if -1 in got:
            problems.append("garbage line")
        f.close()
        ok = not problems
        return ok, "; ".join(problems) + "\n" + "\n".join(trace) + "\nLOGS:\n" + "\n".join(logs)
    except Exception:
        return False, "EXC " + traceback.format_exc() + "\n".join(trace[-60:])
    finally:
        Hook.action = None
        shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description="interleaving fuzzer for follow's FileFollower")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--ops", type=int, default=150)
    ap.add_argument("--remove", action="store_true", help="also remove the live file (losing lines that were only in a removed file is allowed if said)")
    ap.add_argument("--show", action="store_true", help="print every seed's trace")
    ap.add_argument("--nohook", action="store_true", help="no writer steps inside the follower's calls")
    a = ap.parse_args()
    bad = 0
    with installed():
        for s in range(a.seed, a.seed + a.count):
            ok, txt = one(s, a.ops, a.remove, not a.nohook)
            if not ok or a.show:
                bad += not ok
                tags = [k for k in ("no rotated copy", "is gone", "(inside") if k in txt]
                print(f"=== seed {s}: {txt.splitlines()[0][:80]} {tags}", flush=True)
                if a.show:
                    print(txt)
    print(f"done {a.count} seeds, {bad} bad", flush=True)


if __name__ == "__main__":
    main()
