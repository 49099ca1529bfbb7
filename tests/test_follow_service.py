"""``bouncewatch follow`` / ``run`` / ``check-config`` as processes: the
journal source (a fake journalctl), signals, systemd notify, status lines,
permissions, sink failures, the config and the contrib unit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bouncewatch.plugin.agent import Agent, Settings, SinkSlot
from bouncewatch.plugin.checkpoint import CheckpointStore
from bouncewatch.plugin.follow import FileSource
from bouncewatch.plugin.sinks import SinkError
from followkit import delivery_line, sink_events as lines_of

ROOT = Path(__file__).resolve().parent.parent
BW = [sys.executable, "-m", "bouncewatch"]


def wait_until(pred, timeout=10.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


_procs: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _reap():
    """A failed assertion must not leave a follower running."""
    yield
    while _procs:
        p = _procs.pop()
        if p.poll() is None:
            p.kill()
            p.wait(10)


def start(args, tmp_path, env=None, **kw):
    err = open(tmp_path / "stderr.txt", "ab")
    p = subprocess.Popen(BW + args, stdout=kw.pop("stdout", subprocess.DEVNULL), stderr=err,
                         env={**os.environ, **(env or {})}, **kw)
    p.err_path = tmp_path / "stderr.txt"  # type: ignore[attr-defined]
    _procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM) -> int:
    p.send_signal(sig)
    return p.wait(20)


# -- journald -------------------------------------------------------------------------
FAKE_JOURNALCTL = r'''#!{python}
"""A stand-in for journalctl -o json -f: records from $FAKE_JOURNAL, one JSON
object per line, each with __CURSOR; honours --cursor, --after-cursor, --since
and -n as journalctl 252 does (tests/test_journald_real.py checks the real one):
a cursor whose entry is gone seeks to the first entry at or after its time,
and --after-cursor then skips that entry whatever it is; a cursor that does
not parse is an error; follows."""
import json, os, sys, time
args = sys.argv[1:]
at = args[args.index("--cursor") + 1] if "--cursor" in args else None
after = args[args.index("--after-cursor") + 1] if "--after-cursor" in args else None
n = args[args.index("-n") + 1] if "-n" in args else "all"
if os.environ.get("FAKE_JOURNAL_NOISE"):  # warnings on stderr first, more than a pipe holds
    sys.stderr.write("Warning: journal file is corrupted, ignoring file.\n" * int(os.environ["FAKE_JOURNAL_NOISE"]))
    sys.stderr.flush()
with open(os.environ["FAKE_JOURNAL_ARGS"], "a") as f:
    f.write(" ".join(args) + "\n")
path = os.environ["FAKE_JOURNAL"]
seen = 0
def records():
    with open(path) as f:
        return [l for l in f.read().splitlines() if l]
recs = records()
if at or after:
    cursor = at or after
    fields = dict(p.split("=", 1) for p in cursor.split(";") if "=" in p)
    if "t" not in fields:
        sys.stderr.write("Failed to seek to cursor: Invalid argument\n")
        sys.exit(1)
    cursors = [json.loads(r)["__CURSOR"] for r in recs]
    if cursor in cursors:
        seen = cursors.index(cursor)
    else:
        t = int(fields["t"], 16)
        seen = sum(1 for r in recs if int(json.loads(r)["__REALTIME_TIMESTAMP"]) < t)
    if after:
        seen += 1
elif "--since" in args:
    since = int(args[args.index("--since") + 1].lstrip("@")) * 1000000
    seen = sum(1 for r in recs if int(json.loads(r)["__REALTIME_TIMESTAMP"]) < since)
elif n == "0":
    seen = len(recs)
while True:
    recs = records()
    for r in recs[seen:]:
        sys.stdout.write(r + "\n")
    sys.stdout.flush()
    seen = len(recs)
    if "-f" not in args:
        break
    time.sleep(0.05)
'''


def journal_record(n: int) -> str:
    line = delivery_line(n, "bounced").rstrip("\n")
    msg = line.split(": ", 1)[1]
    usec = 1763800000000000 + n * 1000000
    return json.dumps({"__CURSOR": f"s=abc;i={n:x};t={usec:x}", "__REALTIME_TIMESTAMP": str(usec),
                       "_HOSTNAME": "mx", "SYSLOG_IDENTIFIER": "postfix/smtp", "SYSLOG_PID": "123",
                       "SYSLOG_FACILITY": "2", "MESSAGE": msg})


def fake_journal(tmp_path, records: int, **extra: str) -> tuple[Path, dict[str, str]]:
    """A fake journalctl first on PATH, over a journal of ``records`` records:
    (the journal file, the environment to run bouncewatch in)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "journalctl"
    fake.write_text(FAKE_JOURNALCTL.replace("{python}", sys.executable))
    fake.chmod(0o755)
    journal = tmp_path / "journal.jsonl"
    journal.write_text("".join(journal_record(n) + "\n" for n in range(records)))
    return journal, {"PATH": f"{bindir}:{os.environ['PATH']}", "FAKE_JOURNAL": str(journal),
                     "FAKE_JOURNAL_ARGS": str(tmp_path / "args.txt"), **extra}


def test_journal_source_resumes_from_its_cursor(tmp_path):
    journal, env = fake_journal(tmp_path, 3)
    out, state = tmp_path / "events.jsonl", tmp_path / "state"
    args = ["follow", "journal:", "--sink", f"file:{out}", "--state-dir", str(state), "--from-start"]
    p = start(args, tmp_path, env)
    assert wait_until(lambda: len(lines_of(out)) == 3), p.err_path.read_text()
    with open(journal, "a") as f:
        f.write(journal_record(3) + "\n")
    assert wait_until(lambda: len(lines_of(out)) == 4)
    assert stop(p) == 0
    with open(journal, "a") as f:             # written while we are down
        f.write(journal_record(4) + "\n" + journal_record(5) + "\n")
    p = start(args, tmp_path, env)
    assert wait_until(lambda: len(lines_of(out)) == 6), p.err_path.read_text()
    time.sleep(0.3)
    assert stop(p) == 0
    evs = lines_of(out)
    assert [e["recipient"] for e in evs] == [f"r{n}@d{n}.example" for n in range(6)]
    assert {e["source"]["path"] for e in evs} == {"journald"}
    calls = (tmp_path / "args.txt").read_text().splitlines()
    assert "-n all" in calls[0] and "SYSLOG_FACILITY=2" in calls[0]
    assert "--cursor s=abc;i=3;t=" in calls[1]


def test_journal_stderr_larger_than_a_pipe_does_not_stall(tmp_path):
    """journalctl's stderr is read as it comes: left in its pipe until exit,
    200 KB of warnings would block journalctl, and us waiting on its stdout."""
    _, env = fake_journal(tmp_path, 3, FAKE_JOURNAL_NOISE="4000")
    out, state = tmp_path / "events.jsonl", tmp_path / "state"
    p = start(["follow", "journal:", "--sink", f"file:{out}", "--state-dir", str(state), "--from-start"],
              tmp_path, env)
    assert wait_until(lambda: len(lines_of(out)) == 3), p.err_path.read_text()
    assert stop(p) == 0


def _journal_with_saved_cursor(tmp_path, cursor: str, records: int = 5):
    """A fake journal of ``records`` records and a state dir whose checkpoint holds ``cursor``."""
    _, env = fake_journal(tmp_path, records)
    state = tmp_path / "state"
    state.mkdir()
    (state / "follow-checkpoint.json").write_text(json.dumps(
        {"version": 1, "sources": {"journal": {"cursor": cursor}}}))
    return state, env


def test_journal_cursor_whose_entry_is_gone_resumes_at_the_next_entry(tmp_path):
    """Vacuumed: journalctl seeks to the next entry (by time here), which is
    read, not skipped as ``--after-cursor`` would skip it."""
    lost = f"s=other;i=99;t={1763800000000000 + 3 * 1000000 - 1:x}"    # between records 2 and 3
    state, env = _journal_with_saved_cursor(tmp_path, lost)
    out = tmp_path / "events.jsonl"
    p = start(["follow", "journal:", "--sink", f"file:{out}", "--state-dir", str(state)], tmp_path, env)
    assert wait_until(lambda: len(lines_of(out)) == 2), p.err_path.read_text()
    time.sleep(0.3)
    assert stop(p) == 0
    assert [e["recipient"] for e in lines_of(out)] == ["r3@d3.example", "r4@d4.example"]


def test_journal_cursor_that_does_not_parse_reads_the_whole_journal(tmp_path):
    state, env = _journal_with_saved_cursor(tmp_path, "not a cursor", records=3)
    out = tmp_path / "events.jsonl"
    p = start(["follow", "journal:", "--sink", f"file:{out}", "--state-dir", str(state)], tmp_path, env)
    assert wait_until(lambda: len(lines_of(out)) == 3), p.err_path.read_text()
    time.sleep(0.3)
    assert stop(p) == 0
    assert [e["recipient"] for e in lines_of(out)] == [f"r{n}@d{n}.example" for n in range(3)]
    err = p.err_path.read_text()
    assert "cannot seek to the saved cursor (Failed to seek to cursor: Invalid argument); reading the whole journal" in err


def test_journal_first_run_pins_the_end_before_any_record(tmp_path):
    """A first run (no --from-start) starts at the end; that end is saved at
    once, so a kill -9 before any record came loses nothing written after it."""
    journal, env = fake_journal(tmp_path, 3)
    out, state = tmp_path / "events.jsonl", tmp_path / "state"
    args = ["follow", "journal:", "--sink", f"file:{out}", "--state-dir", str(state)]
    p = start(args, tmp_path, env)
    ck = state / "follow-checkpoint.json"
    assert wait_until(lambda: ck.exists() and "journal" in json.loads(ck.read_text())["sources"]), \
        p.err_path.read_text()
    assert json.loads(ck.read_text())["sources"]["journal"] == {"cursor": json.loads(journal_record(2))["__CURSOR"]}
    assert stop(p, signal.SIGKILL) == -signal.SIGKILL
    with open(journal, "a") as f:             # written while we are down
        f.write(journal_record(3) + "\n" + journal_record(4) + "\n")
    p = start(args, tmp_path, env)
    assert wait_until(lambda: len(lines_of(out)) == 2), p.err_path.read_text()
    time.sleep(0.3)
    assert stop(p) == 0
    assert [e["recipient"] for e in lines_of(out)] == ["r3@d3.example", "r4@d4.example"]


# -- signals, notify, status ---------------------------------------------------------------
def test_sighup_reopens_output_and_sigterm_checkpoints(tmp_path):
    log, out, state = tmp_path / "mail.log", tmp_path / "events.jsonl", tmp_path / "state"
    log.write_text(delivery_line(0, "bounced"))
    p = start(["follow", str(log), "--sink", f"file:{out}", "--state-dir", str(state), "--from-start"],
              tmp_path)
    assert wait_until(lambda: len(lines_of(out)) == 1)
    os.rename(out, tmp_path / "events.jsonl.1")      # logrotate moves our output
    p.send_signal(signal.SIGHUP)
    assert wait_until(lambda: "reopened" in p.err_path.read_text())
    with open(log, "a") as f:
        f.write(delivery_line(1, "bounced"))
    assert wait_until(lambda: len(lines_of(out)) == 1)
    assert stop(p) == 0
    ck = json.loads((state / "follow-checkpoint.json").read_text())
    tail = ck["sources"][str(log)]["tails"][-1]
    assert tail["offset"] == log.stat().st_size
    # the next start reads nothing again
    p = start(["follow", str(log), "--sink", f"file:{out}", "--state-dir", str(state)], tmp_path)
    time.sleep(1.0)
    assert stop(p) == 0
    assert len(lines_of(out)) == 1


def test_systemd_notify_ready_status_watchdog_and_status_line(tmp_path):
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(0.2)
    log = tmp_path / "mail.log"
    log.touch()
    env = {"NOTIFY_SOCKET": str(sock_path), "WATCHDOG_USEC": "400000"}
    p = start(["follow", str(log), "--sink", f"file:{tmp_path / 'o.jsonl'}", "--state-dir",
               str(tmp_path / "st"), "--status-interval", "0.5"], tmp_path, env)
    got: list[str] = []
    end = time.monotonic() + 5
    while time.monotonic() < end and not (any("READY=1" in g for g in got)
                                          and sum("WATCHDOG=1" in g for g in got) >= 3
                                          and any("STATUS=" in g and "READY" not in g for g in got)):
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            pass
    assert stop(p) == 0
    try:
        while True:
            got.append(sock.recv(4096).decode())
    except socket.timeout:
        pass
    sock.close()
    assert any(g.startswith("READY=1") and "STATUS=" in g for g in got), got
    assert sum("WATCHDOG=1" in g for g in got) >= 3, got
    assert any("STOPPING=1" in g for g in got), got
    err = p.err_path.read_text()
    status = [x for x in err.splitlines() if " status " in x]
    assert status, err
    for key in ("lines=", "events=", "lag=", "skipped=", "rss=", "cpu="):
        assert key in status[0]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv (to drop CAP_DAC_OVERRIDE and be denied a log)")
def test_permission_denied_is_said_and_retried(tmp_path):
    log, out = tmp_path / "mail.log", tmp_path / "events.jsonl"
    log.write_text(delivery_line(0, "bounced"))
    os.chown(log, 65534, 65534)       # someone else's log, mode 0600: root without
    log.chmod(0o600)                  # CAP_DAC_OVERRIDE may not read it
    argv = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all",
            *BW, "follow", str(log), "--sink", f"file:{out}", "--state-dir", str(tmp_path / "st"),
            "--from-start"]
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as ef:
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=ef)
    _procs.append(p)
    try:
        assert wait_until(lambda: "permission denied" in err.read_text(), 10), err.read_text()
        assert "SupplementaryGroups=adm" in err.read_text()
        time.sleep(0.5)
        assert err.read_text().count("permission denied") == 1   # said once, retried quietly
        log.chmod(0o644)
        assert wait_until(lambda: len(lines_of(out)) == 1, 10), err.read_text()
        assert "reading it now" in err.read_text()
    finally:
        assert stop(p) == 0


# -- sinks that fail ------------------------------------------------------------------------
class FlakySink:
    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures, self.calls, self.got = failures, 0, []

    def send(self, events):
        self.calls += 1
        if self.calls <= self.failures:
            raise SinkError("endpoint down")
        self.got.extend(events)

    def reopen(self):
        pass

    def close(self):
        pass


def test_failing_sink_keeps_the_batch_and_the_checkpoint(tmp_path, classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    log = tmp_path / "mail.log"
    log.write_text("".join(delivery_line(n, "bounced") for n in range(600)))
    pipe = Pipeline(classifier)
    sink = FlakySink(failures=3)
    store = CheckpointStore(tmp_path / "st")
    settings = Settings(max_batch=100, retry_min=0.2, retry_max=0.4, checkpoint_interval=0.0)
    logs: list[str] = []
    agent = Agent([], pipe, [SinkSlot(sink, None, "flaky")], store, settings, log=logs.append)
    agent.sources = [FileSource(str(log), pipe.counts, logs.append)]
    t = threading.Thread(target=agent.run, kwargs={"from_start": True})
    t.start()
    # while the sink fails: one chunk read, nothing committed
    assert wait_until(lambda: sink.calls >= 2)
    assert pipe.counts["lines"] == 100
    ck = json.loads(store.path.read_text())["sources"][str(log)]["tails"][-1]
    assert ck["offset"] == 0
    assert wait_until(lambda: len(sink.got) == 600)
    agent.stop_requested = True
    agent.wake.set()
    t.join(10)
    assert [e["recipient"] for e in sink.got] == [f"r{n}@d{n % 97}.example" for n in range(600)]
    ck = json.loads(store.path.read_text())["sources"][str(log)]["tails"][-1]
    assert ck["offset"] == log.stat().st_size
    assert any("endpoint down" in m for m in logs) and any("accept events again" in m for m in logs)


def _slow_fsync(monkeypatch, seconds: float) -> list[float]:
    """os.fsync that takes ``seconds``, as on a disk busy with writeback."""
    import os
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(time.monotonic())
        time.sleep(seconds)
        real(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def test_checkpoint_written_in_the_background_newest_wins(tmp_path, monkeypatch):
    store = CheckpointStore(tmp_path / "st")
    store.lock()
    store.save({"a": 0})
    calls = _slow_fsync(monkeypatch, 0.3)
    t0 = time.monotonic()
    for n in range(1, 6):
        store.submit(store.encode({"a": n}, [["t", n]]))
    assert time.monotonic() - t0 < 0.25         # handing over never waits for the disk (3 s if it did)
    store.drain()
    assert json.loads(store.path.read_text()) == {"version": 2, "sources": {"a": 5}, "correlator": [["t", 5]]}
    assert len(calls) <= 4                         # the ones in between were replaced, not all written
    assert store.load() == {"a": 5} and store.tables == [["t", 5]]


def test_checkpoint_temp_file_of_a_killed_writer_is_removed(tmp_path):
    st = tmp_path / "st"
    st.mkdir()
    stale = st / ".follow-checkpoint.json.4242.tmp"
    stale.write_bytes(b'{"version":1,"sour')   # kill -9 in the middle of a write
    other = st / "unrelated.tmp"
    other.write_text("x")
    store = CheckpointStore(st)
    store.lock()
    assert not stale.exists() and other.exists()
    assert store.load() == {}


def test_checkpoint_write_error_said_once_and_its_end(tmp_path, monkeypatch, classifier):
    """A disk that refuses checkpoints (full): the follower goes on
    delivering events, says so once (not every 250 ms), retries, and says
    when checkpoints are written again; the last good one stays whole."""
    import errno
    import os

    from bouncewatch.plugin.pipeline import Pipeline
    log = tmp_path / "mail.log"
    log.write_text("")
    pipe = Pipeline(classifier)
    sink = FlakySink(failures=0)
    store = CheckpointStore(tmp_path / "st")
    settings = Settings(checkpoint_interval=0.05, poll_interval=0.01)
    logs: list[str] = []
    agent = Agent([], pipe, [SinkSlot(sink, None, "ok")], store, settings, log=logs.append)
    agent.sources = [FileSource(str(log), pipe.counts, logs.append)]
    real, attempts = os.replace, []

    def full(src, dst):
        if str(dst) == str(store.path):
            attempts.append(1)
            os.unlink(src)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)
    t = threading.Thread(target=agent.run, kwargs={"from_start": True})
    t.start()
    try:
        assert wait_until(lambda: store.path.exists())
        good = store.path.read_bytes()
        monkeypatch.setattr(os, "replace", full)
        for n in range(20):
            with open(log, "a") as f:
                f.write(delivery_line(n, "bounced"))
            time.sleep(0.05)
        assert wait_until(lambda: len(sink.got) == 20)
        assert len(attempts) >= 3                        # retried
        assert store.path.read_bytes() == good           # the last good one, whole
        said = [m for m in logs if "cannot write checkpoint" in m]
        assert len(said) == 1 and "No space left on device" in said[0]
        monkeypatch.setattr(os, "replace", real)
        with open(log, "a") as f:
            f.write(delivery_line(20, "bounced"))
        assert wait_until(lambda: any("checkpoints are written again" in m for m in logs))
    finally:
        agent.stop_requested = True
        agent.wake.set()
        t.join(10)
    ck = json.loads(store.path.read_text())["sources"][str(log)]["tails"][-1]
    assert ck["offset"] == log.stat().st_size
    assert len([m for m in logs if "cannot write checkpoint" in m]) == 1


def test_slow_disk_does_not_hold_events(tmp_path, monkeypatch, classifier):
    """A checkpoint's fsyncs taking 800 ms each (a disk busy with
    writeback) must not delay events: they go to the sinks while the
    checkpoint is written, and the last checkpoint is still whole."""
    from bouncewatch.plugin.pipeline import Pipeline
    log = tmp_path / "mail.log"
    log.write_text("")
    pipe = Pipeline(classifier)
    sink = FlakySink(failures=0)
    store = CheckpointStore(tmp_path / "st")
    settings = Settings(checkpoint_interval=0.0, poll_interval=0.01)
    logs: list[str] = []
    agent = Agent([], pipe, [SinkSlot(sink, None, "ok")], store, settings, log=logs.append)
    agent.sources = [FileSource(str(log), pipe.counts, logs.append)]
    t = threading.Thread(target=agent.run, kwargs={"from_start": True})
    t.start()
    try:
        assert wait_until(lambda: store.path.exists())
        calls = _slow_fsync(monkeypatch, 0.8)
        lat = []
        for n in range(40):
            with open(log, "a") as f:
                f.write(delivery_line(n, "bounced"))
            t0 = time.monotonic()
            assert wait_until(lambda: len(sink.got) == n + 1, timeout=5, step=0.001)
            lat.append(time.monotonic() - t0)
            time.sleep(0.02)
        assert len(calls) >= 2                      # checkpoints were being written all along
        assert max(lat) < 0.4, f"an event waited {max(lat):.3f}s for a checkpoint"
    finally:
        agent.stop_requested = True
        agent.wake.set()
        t.join(10)
    ck = json.loads(store.path.read_text())["sources"][str(log)]["tails"][-1]
    assert ck["offset"] == log.stat().st_size        # the last one, written on the way out
    assert not any("cannot write checkpoint" in m for m in logs)


# -- config ---------------------------------------------------------------------------------------
def bw(*args, **kw):
    return subprocess.run(BW + list(args), capture_output=True, text=True, timeout=60, **kw)


def test_contrib_example_config_is_valid():
    r = bw("check-config", "-c", str(ROOT / "contrib/postfix/bouncewatch.toml"))
    if os.access("/var/log", os.W_OK):
        assert r.returncode == 0, r.stderr
        assert "ok" in r.stdout
    else:   # its file sinks are under /var/log/bouncewatch: only the service's user may write there
        assert r.returncode == 2 and "/var/log is not writable" in r.stderr, r.stderr


@pytest.mark.parametrize("text,expect", [
    ('[[sink]]\nuri = "-"\n[[sink]]\nuri = "file:/tmp/x"\nwhere = "type ="\n', ":5: sink[1].where: syntax error"),
    ('state_dir = "/tmp/x"\nstatus_intervall = 5\n[[sink]]\nuri = "-"\n', ":2: status_intervall: unknown key"),
    ('[[source]]\npath = "relative.log"\n[[sink]]\nuri = "-"\n', ":2: source[0].path: must be an absolute path"),
    ('[[sink]]\nuri = "gopher://x"\n', ":2: sink[0].uri: unknown scheme"),
    ('[[sink]]\nuri = "-"\n[metrics]\nlisten = "localhost"\n', ":4: metrics.listen: 'localhost' is not HOST:PORT"),
    ('include_sent = "yes"\n[[sink]]\nuri = "-"\n', ":1: include_sent: must be true or false"),
    ('[[sink]]\nuri = "-"\nformat = "xml"\n', ":3: sink[0].format:"),
    ('[[sink]\nuri = "-"\n', ":1: invalid TOML"),
    ('state_dir = "/tmp/x"\n', "no [[sink]]"),
    ('[[sink]]\nuri = "-"\n[state]\nurl = "/var/lib/x"\n', ":4: state.url: must be a postgresql:// URL"),
    ('[[sink]]\nuri = "-"\n[state]\ndir = "/a"\nurl = "postgresql://x/y"\n', ":5: state.url: give url"),
    ('[[sink]]\nuri = "-"\n[state]\nhistory = "no"\n', ":4: state.history: must be true or false"),
    ('[[sink]]\nuri = "-"\n[state]\ndir = "rel"\n', ":4: state.dir: must be an absolute path"),
    ('[[sink]]\nuri = "-"\n[suppression]\nsoft = { messages = 3, dayz = 15 }\n', ":4: suppression.soft: unknown key"),
    ('[[sink]]\nuri = "-"\n[suppression]\nhard = { messages = 1 }\nbogus = 1\n', ":5: suppression: unknown key 'bogus'"),
    ('[[sink]]\nuri = "-"\n[suppression.category]\ndns_failure = "soft"\nnope = "hard"\n',
     ":5: suppression.category.nope: unknown category"),
    ('[[sink]]\nuri = "-"\n[suppression]\ncategory = { mailbox_full = "sometimes" }\n',
     ":4: suppression.category.mailbox_full: must be one of"),
    ('[[sink]]\nuri = "-"\n[alerts]\ndomain_minutes = 30\nprovider_recipients = 2.5\n',
     ":5: alerts.provider_recipients: must be a whole number"),
    ('[[sink]]\nuri = "-"\n[alerts]\ndomain_minute = 30\n', ":4: alerts: unknown key 'domain_minute'"),
    # what only opening the sink used to find: run refused a config check-config had passed
    ('[[sink]]\nuri = "-"\n[[sink]]\nuri = "file:/tmp/bw-check.jsonl"\nfsync = "batch"\nfoo = 1\n',
     ":6: sink[1].foo: unknown key 'foo'"),
    ('state_dir = "/tmp/bw-check-state"\n[[sink]]\nuri = "https://siem.example.net/in"\n'
     'auth_env = "BW_TEST_UNSET_VAR"\n', ":4: sink[0].auth_env:"),
])
def test_config_errors_name_file_line_and_key(tmp_path, text, expect):
    cfg = tmp_path / "bw.toml"
    cfg.write_text(text)
    r = bw("check-config", "-c", str(cfg))
    assert r.returncode == 2
    assert str(cfg) in r.stderr and expect in r.stderr, r.stderr


def test_run_refuses_a_bad_sink_option_with_file_and_line(tmp_path):
    cfg = tmp_path / "bw.toml"
    cfg.write_text(f'state_dir = "{tmp_path}/state"\n[[source]]\npath = "{tmp_path}/mail.log"\n'
                   f'[[sink]]\nuri = "file:{tmp_path}/out.jsonl"\nfsnyc = "batch"\n')
    r = bw("run", "-c", str(cfg))
    assert r.returncode == 2 and f"{cfg}:6: sink[0].fsnyc: unknown key 'fsnyc'" in r.stderr, r.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_follow_never_prints_a_secret_of_a_sink_uri(tmp_path):
    log = tmp_path / "mail.log"
    log.write_text("")
    for uri in ("https://u:TOPSECRET-42@siem.example.net/x", "https://siem.example.net/x?token=TOPSECRET-42"):
        r = bw("follow", str(log), "--state-dir", str(tmp_path / "state"), "--sink", uri)
        assert r.returncode == 2 and "siem.example.net" in r.stderr, r.stderr
        assert "TOPSECRET" not in r.stderr + r.stdout, r.stderr


def test_run_with_config_and_sighup_reload(tmp_path):
    log, state = tmp_path / "mail.log", tmp_path / "state"
    a, b = tmp_path / "all.jsonl", tmp_path / "hard.jsonl"
    log.write_text(delivery_line(0, "bounced") + delivery_line(1, "deferred"))
    cfg = tmp_path / "bw.toml"
    cfg.write_text(textwrap.dedent(f"""\
        state_dir = "{state}"
        from_start = true
        [[source]]
        path = "{log}"
        [[sink]]
        uri = "file:{a}"
        """))
    p = start(["run", "-c", str(cfg)], tmp_path)
    assert wait_until(lambda: len(lines_of(a)) == 2), p.err_path.read_text()
    cfg.write_text(cfg.read_text() + f'[[sink]]\nuri = "file:{b}"\nwhere = "type = \'hard\'"\n')
    p.send_signal(signal.SIGHUP)
    assert wait_until(lambda: "reloaded" in p.err_path.read_text()), p.err_path.read_text()
    with open(log, "a") as f:
        f.write(delivery_line(2, "bounced") + delivery_line(3, "deferred"))
    assert wait_until(lambda: len(lines_of(a)) == 4 and len(lines_of(b)) == 1), p.err_path.read_text()
    good = cfg.read_text()
    cfg.write_text(good.replace(f'uri = "file:{b}"', f'uri = "file:{b}"\nfsnyc = "batch"'))
    p.send_signal(signal.SIGHUP)   # a sink option refused with file and line, as check-config says it
    assert wait_until(lambda: "not reloaded" in p.err_path.read_text()), p.err_path.read_text()
    assert f"{cfg}:9: sink[1].fsnyc: unknown key 'fsnyc'" in p.err_path.read_text()
    cfg.write_text("this is = = not toml\n")
    p.send_signal(signal.SIGHUP)
    assert wait_until(lambda: p.err_path.read_text().count("not reloaded") == 2)
    assert p.poll() is None
    assert stop(p) == 0
    assert [e["recipient"] for e in lines_of(b)] == ["r2@d2.example"]


def test_follow_without_path_says_what_it_chose_or_why_not(tmp_path):
    r = subprocess.run(BW + ["follow", "--state-dir", str(tmp_path / "st")], capture_output=True, text=True,
                       timeout=30, env={**os.environ, "PATH": "/nonexistent"})
    if r.returncode == 1:
        assert "no MTA log found" in r.stderr and "bouncewatch follow /path/to/mail.log" in r.stderr
    else:  # this machine has a mail log; it was named
        assert "following " in r.stderr


def test_default_state_dir(monkeypatch, tmp_path):
    from bouncewatch.plugin.checkpoint import default_state_dir
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_state_dir() == tmp_path / "bouncewatch"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_state_dir() == tmp_path / ".local" / "state" / "bouncewatch"
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert str(default_state_dir()) == "/var/lib/bouncewatch"
    monkeypatch.setenv("STATE_DIRECTORY", "/run/x")
    assert str(default_state_dir()) == "/run/x"


def test_second_follower_on_one_state_dir_is_refused(tmp_path):
    log = tmp_path / "mail.log"
    log.touch()
    args = ["follow", str(log), "--sink", f"file:{tmp_path / 'o'}", "--state-dir", str(tmp_path / "st")]
    p = start(args, tmp_path)
    assert wait_until(lambda: (tmp_path / "st" / "follow-checkpoint.json").exists())
    r = bw(*args)
    assert r.returncode == 2 and "in use by another" in r.stderr
    assert stop(p) == 0


# -- contrib and make run ---------------------------------------------------------------------------
def test_systemd_unit_verifies(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    exe = shutil.which("bouncewatch") or str(Path(sys.executable).parent / "bouncewatch")
    unit = (ROOT / "contrib/postfix/bouncewatch.service").read_text().replace("/usr/local/bin/bouncewatch", exe)
    for key in ("Type=notify", "DynamicUser=yes", "SupplementaryGroups=adm", "ProtectSystem=strict",
                "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "ReadOnlyPaths=/var/log",
                "StateDirectory=bouncewatch", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
                "WatchdogSec="):
        assert key in unit
    path = tmp_path / "bouncewatch.service"
    path.write_text(unit)
    r = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "bouncewatch.service" not in r.stderr, r.stderr  # no warnings about our unit


def test_make_run_demo_classifies_a_live_log(tmp_path):
    p = subprocess.Popen([sys.executable, "-m", "bouncewatch.plugin.demo"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "BOUNCEWATCH_DEMO": "1", "BOUNCEWATCH_DEMO_RATE": "20",
                              "TMPDIR": str(tmp_path)})  # the demo keeps its folder for the user: not ours
    _procs.append(p)
    time.sleep(3.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert "no MTA log on this machine" in err and "bouncewatch follow /path/to/mail.log" in err
    evs = [json.loads(x) for x in out.splitlines()]
    assert len(evs) >= 5, err
    cats = Counter(e["classification"]["category"] for e in evs)
    assert "delivered" not in cats and len(cats) >= 2
    assert "Traceback" not in err
    kept = list(tmp_path.glob("bouncewatch-demo-*/events.jsonl"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0  # the folder the demo names, left for a look


def test_locate_prefers_the_running_mtas_configured_log(monkeypatch, tmp_path):
    from bouncewatch.plugin import locate
    maillog = tmp_path / "postfix.log"
    maillog.touch()
    answers = {"postconf": str(maillog), "exim4": "log_file_path = /var/log/exim4/%slog : syslog"}
    monkeypatch.setattr(locate, "_run", lambda argv: answers.get(argv[0]))
    monkeypatch.setattr(locate, "running_mtas", lambda: ["postfix"])
    f = locate.find_mta_log()
    assert f.paths == [str(maillog)] and "postconf -h maillog_file" in f.why
    monkeypatch.setattr(locate, "running_mtas", lambda: ["exim"])
    f = locate.find_mta_log()
    assert f.paths == ["/var/log/exim4/mainlog"] and "waiting" in f.why
    answers["exim4"] = "log_file_path = syslog"
    monkeypatch.setattr(locate, "SYSLOG_FILES", (str(tmp_path / "mail.log"),))
    monkeypatch.setattr(locate, "journal_mail", lambda: None)
    f = locate.find_mta_log()
    assert f.paths == ["journal:"] and str(tmp_path / "mail.log") in f.tried


def test_journal_lost_cursor_time_is_kept_until_a_record_comes():
    """A cursor journalctl refused is replaced by its time (--since); that
    time is checkpointed, so a restart before any record came goes on from
    it, not from the journal's end."""
    from bouncewatch.plugin.journal import JournalSource
    src = JournalSource(Counter(), lambda m: None, threading.Event(), journalctl="no-such-journalctl")
    src.start({"journal": {"since": "@1763800003"}}, from_start=False)
    try:
        assert src.state() == {"journal": {"since": "@1763800003"}}
        assert src._argv()[-3:] == ["--since", "@1763800003", "SYSLOG_FACILITY=2"]
        src.cursor = "s=abc;i=4;t=1"  # a record was committed
        assert src.state() == {"journal": {"cursor": "s=abc;i=4;t=1"}}
    finally:
        src.close()
