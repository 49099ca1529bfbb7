"""kill -9 during updates never corrupts the store, and reading the log
again afterwards gives exactly the history of a clean replay."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from statelog import REPLIES, at, delivery

TABLES = {
    "recipients": "recipient", "domains": "domain", "suppressions": "recipient", "episodes": "key",
    "alerts": "event_id", "sender_hours": "sender_domain, hour", "events": "event_id",
    "suppression_log": "recipient, action, at",
}


def write_log(path: Path, n: int, seed: int = 3) -> None:
    rnd = random.Random(seed)
    kinds = [k for k in REPLIES if k != "nxdomain"]
    weights = [30 if k == "sent" else 3 for k in kinds]
    lines = []
    for i in range(n):
        rcpt = f"u{rnd.randrange(n // 3)}@d{rnd.randrange(40)}.example"
        lines += delivery(at(i * 30 / n * 1.0, minutes=0), f"M{i // 2}", rcpt,
                          rnd.choices(kinds, weights)[0], sender=f"news@s{i % 3}.example")
    path.write_text("\n".join(lines) + "\n")


def dump(state_dir: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(state_dir / "state.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY {k}").fetchall() for t, k in TABLES.items()}
    finally:
        con.close()


RECORDER = r"""
import sys
from bouncewatch.plugin.classify.engine import Classifier
from bouncewatch.plugin.pipeline import Pipeline
from bouncewatch.plugin.state import open_store
evs = []
p = Pipeline(Classifier.load(), tap=evs.append)
for i, line in enumerate(open(sys.argv[2])):
    p.feed(line.rstrip("\n"), sys.argv[2], i)
store = open_store(sys.argv[1])
store.batch_size = int(sys.argv[3])
print("ready", (len(evs) + 999) // 1000, flush=True)
for i in range(0, len(evs), 1000):
    store.record(evs[i:i + 1000])
    print("recorded", flush=True)
store.close()
"""


def _clean(tmp_path: Path, log: Path) -> dict:
    env = dict(os.environ, BOUNCEWATCH_STATE_INPROCESS="1")
    subprocess.run([sys.executable, "-m", "bouncewatch", "parse", "--no-progress", "--state-dir",
                    str(tmp_path / "clean"), str(log)], check=True, stdout=subprocess.DEVNULL, env=env,
                   stderr=subprocess.DEVNULL, timeout=300)
    return dump(tmp_path / "clean")


def test_kill_9_during_store_updates_then_replay(tmp_path):
    log = tmp_path / "mail.log"
    write_log(log, 6000)
    state = tmp_path / "killed"
    rnd = random.Random(11)
    kills = 0
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", RECORDER, str(state), str(log), "300"],
                                stdout=subprocess.PIPE, text=True)
        word, batches = proc.stdout.readline().split()
        assert word == "ready" and int(batches) >= 3
        # Kill after a random number of committed batches (never the last), a few
        # ms into the next one: mid-run however fast the machine, sometimes mid-commit.
        for _ in range(rnd.randrange(int(batches) - 1)):
            assert proc.stdout.readline().strip() == "recorded"
        time.sleep(rnd.uniform(0.0, 0.03))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=120)
        dump(state)  # opens, integrity ok after every kill
    assert kills >= 1, "the recorder always finished before the kill; nothing was tested"
    subprocess.run([sys.executable, "-c", RECORDER, str(state), str(log), "300"], check=True,
                   stdout=subprocess.DEVNULL, timeout=300)
    got, want = dump(state), _clean(tmp_path, log)
    assert len(want["events"]) > 5000 and want["suppressions"] and want["alerts"]
    assert got == want


@pytest.mark.slow
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the background state writer needs two CPUs")
def test_kill_9_of_parse_state_dir_process_group(tmp_path):
    """The CLI with its background writer: kill the whole group mid-run."""
    log = tmp_path / "mail.log"
    write_log(log, 26000, seed=5)
    state = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "bouncewatch", "parse", "--no-progress", "--state-dir",
                             str(state), str(log)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # wait for the first commit
        try:
            con = sqlite3.connect(state / "state.db", timeout=1)
            n = con.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            con.close()
        except sqlite3.Error:
            n = 0
        if n:
            break
        time.sleep(0.1)
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    dump(state)
    subprocess.run([sys.executable, "-m", "bouncewatch", "parse", "--no-progress", "--state-dir", str(state),
                    str(log)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    assert dump(state) == _clean(tmp_path, log)
    if not killed:
        pytest.skip("parse finished before the first commit was seen; only the replay was checked")
