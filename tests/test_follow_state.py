"""The follower wired to the recipient history and the metrics endpoint:
every classified event (``sent`` too) reaches state.db before its chunk is
checkpointed, alerts go out through the sinks, ``--metrics`` serves
counters that move while it follows."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bouncewatch.plugin.agent import Agent, Settings, SinkSlot
from bouncewatch.plugin.checkpoint import CheckpointStore
from bouncewatch.plugin.follow import FileSource
from bouncewatch.plugin.recorder import Recorder
from bouncewatch.plugin.state import open_store
from bouncewatch.plugin.statedb import StateError
from followkit import Follower, delivery_line, sink_events as lines_of
from statelog import at, delivery

BW = [sys.executable, "-m", "bouncewatch"]


@pytest.fixture(autouse=True)
def _reap():
    yield
    Follower.reap()


def wait_until(pred, timeout=20.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def append(log: Path, lines: list[str]) -> None:
    with open(log, "a") as f:
        f.write("".join(x + "\n" for x in lines))


def scenario() -> list[str]:
    """A delivery, a hard bounce (suppresses at once) and a blocklist hit (an alert)."""
    return (delivery(at(0), "M1", "ok@corp.example", "sent")
            + delivery(at(0, 1), "M2", "gone@corp.example", "hard")
            + delivery(at(0, 2), "M3", "x@bl.example", "spamhaus"))


def test_follow_records_every_event_and_ships_alerts(tmp_path):
    log, state, out = tmp_path / "mail.log", tmp_path / "state", tmp_path / "events.jsonl"
    log.write_text("")
    f = Follower(log, out, state)
    f.argv.remove("--all")   # sent is not emitted, but must still reach the history
    f.start()
    append(log, scenario())
    assert wait_until(lambda: any(e.get("kind") == "alert" for e in lines_of(out))), f.errors()
    assert f.stop() == 0
    evs = lines_of(out)
    assert sorted(e["status"] for e in evs if "status" in e) == ["bounced", "bounced"]
    alert = next(e for e in evs if e.get("kind") == "alert")
    assert alert["alert"] == "blocklisted" and alert["classification"]["blocklist"]
    assert "events recorded" in f.errors()
    store = open_store(state)
    try:
        assert store.recipient("ok@corp.example")["sent"] == 1
        assert [s.recipient for s in store.suppressions()] == ["gone@corp.example"]
    finally:
        store.close()
    assert (state / "state.db").exists()


def test_rereading_after_a_lost_checkpoint_counts_nothing_twice(tmp_path):
    log, state, out = tmp_path / "mail.log", tmp_path / "state", tmp_path / "events.jsonl"
    log.write_text("".join(x + "\n" for x in scenario()))
    for _ in range(2):
        f = Follower(log, out, state, "--from-start")
        f.start()
        assert wait_until(lambda: _checkpointed(state, log)), f.errors()
        assert f.stop() == 0
        (state / "follow-checkpoint.json").unlink()   # the next start reads it all again
    alerts = [e for e in lines_of(out) if e.get("kind") == "alert"]
    assert len(alerts) == 1   # the second reading raised none: the store had every event_id
    store = open_store(state)
    try:
        r = store.recipient("gone@corp.example")
        assert (r["bounced"], store.recipient("ok@corp.example")["sent"]) == (1, 1)
    finally:
        store.close()


def _checkpointed(state: Path, log: Path) -> bool:
    try:
        doc = json.loads((state / "follow-checkpoint.json").read_text())
        return doc["sources"][str(log)]["tails"][-1]["offset"] == log.stat().st_size
    except (OSError, KeyError, ValueError, IndexError):
        return False


def test_no_history_keeps_only_checkpoints(tmp_path):
    log, state, out = tmp_path / "mail.log", tmp_path / "state", tmp_path / "events.jsonl"
    log.write_text("".join(x + "\n" for x in scenario()))
    f = Follower(log, out, state, "--from-start", "--no-history")
    f.start()
    assert wait_until(lambda: _checkpointed(state, log)), f.errors()
    assert f.stop() == 0
    assert not (state / "state.db").exists()
    assert not any(e.get("kind") == "alert" for e in lines_of(out))


class FlakyStore:
    """A store that fails ``failures`` times (disk full, database restarting)."""

    def __init__(self, inner, failures: int) -> None:
        self.inner, self.failures, self.calls = inner, failures, 0

    def record(self, events):
        self.calls += 1
        if self.calls <= self.failures:
            raise StateError("database is locked")
        return self.inner.record(events)

    def suppressed_count(self):
        return self.inner.suppressed_count()

    def close(self):
        self.inner.close()


class ListSink:
    def __init__(self) -> None:
        self.got: list[dict] = []

    def send(self, events):
        self.got.extend(events)

    def reopen(self):
        pass

    def close(self):
        pass


def test_failing_store_holds_the_chunk_its_events_and_the_checkpoint(tmp_path, classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    log = tmp_path / "mail.log"
    log.write_text("".join(delivery_line(n, "bounced") for n in range(300)))
    pipe = Pipeline(classifier)
    sink = ListSink()
    ck = CheckpointStore(tmp_path / "st")
    store = FlakyStore(open_store(tmp_path / "st"), failures=3)
    recorder = Recorder(store)
    settings = Settings(max_batch=100, retry_min=0.2, retry_max=0.4, checkpoint_interval=0.0)
    logs: list[str] = []
    agent = Agent([], pipe, [SinkSlot(sink, None, "list")], ck, settings, log=logs.append, recorder=recorder)
    agent.sources = [FileSource(str(log), pipe.counts, logs.append)]
    t = threading.Thread(target=agent.run, kwargs={"from_start": True})
    t.start()
    try:
        assert wait_until(lambda: store.calls >= 2)
        # while the store fails: one chunk read, nothing sent, nothing committed
        assert pipe.counts["lines"] == 100 and sink.got == []
        doc = json.loads(ck.path.read_text())
        assert doc["sources"][str(log)]["tails"][-1]["offset"] == 0
        assert wait_until(lambda: len([e for e in sink.got if e.get("status")]) == 300)
    finally:
        agent.stop_requested = True
        agent.wake.set()
        t.join(10)
    assert any("database is locked" in m for m in logs) and any("state accepts events again" in m for m in logs)
    assert recorder.recorded == 300
    s = open_store(tmp_path / "st")
    try:
        assert s.suppressed_count() == 300   # each hard bounce suppresses its recipient
    finally:
        s.close()


# -- metrics -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$", line)
        if m:
            out[m[1]] = float(m[2])
    return out


def test_metrics_endpoint_moves_while_following(tmp_path):
    log, state, out = tmp_path / "mail.log", tmp_path / "state", tmp_path / "events.jsonl"
    log.write_text("")
    port = free_port()
    f = Follower(log, out, state, "--metrics", f"127.0.0.1:{port}")
    f.start()
    append(log, scenario() + ["this is not a log line"])
    lines = "bouncewatch_lines_read_total"

    def at_least(key, n):
        return lambda: scrape(port).get(key, 0) >= n
    assert wait_until(at_least(lines, 7)), f.errors()
    assert wait_until(at_least("bouncewatch_suppressed_addresses", 1)), scrape(port)
    m = scrape(port)
    assert m['bouncewatch_events_total{category="bad_mailbox",mta="postfix",provider="",status="bounced",'
             'type="hard"}'] == 1
    assert m['bouncewatch_events_total{category="delivered",mta="postfix",provider="",status="sent",'
             'type="none"}'] == 1
    assert m['bouncewatch_alerts_total{alert="blocklisted"}'] == 1
    assert m['bouncewatch_lines_skipped_total{reason="unrecognized"}'] == 1
    assert m[f'bouncewatch_follow_lag_seconds{{path="{log}"}}'] == 0
    assert m[f'bouncewatch_sink_queue_depth{{sink="file:{out}"}}'] == 0
    assert m["bouncewatch_process_resident_memory_bytes"] > 1e6
    assert m["bouncewatch_process_cpu_seconds_total"] > 0
    # and they keep moving
    append(log, delivery(at(0, 5), "M4", "b@corp.example", "sent") * 1)
    assert wait_until(at_least(lines, 9)), scrape(port)
    assert wait_until(at_least('bouncewatch_events_total{category="delivered",mta="postfix",provider="",'
                               'status="sent",type="none"}', 2)), scrape(port)
    assert f.stop() == 0


def test_metrics_port_in_use_is_a_clear_start_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        log = tmp_path / "mail.log"
        log.write_text("")
        r = subprocess.run(BW + ["follow", str(log), "--state-dir", str(tmp_path / "st"),
                                 "--metrics", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert f"metrics: cannot listen on 127.0.0.1:{port}" in r.stderr


# -- config ------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("mta", ["postfix", "exim", "sendmail"])
def test_contrib_configs_set_state_policies_and_metrics(mta):
    import tomllib

    from bouncewatch.plugin.alerts import AlertPolicy
    from bouncewatch.plugin.config import parse_config
    from bouncewatch.plugin.policy import Policy
    path = ROOT / "contrib" / mta / "bouncewatch.toml"
    text = path.read_text()
    doc = tomllib.loads(text)
    cfg = parse_config(text, str(path))
    assert cfg.history_target == cfg.state_dir == doc["state_dir"]
    assert cfg.retention_days == doc["state"]["retention_days"] == 90
    assert cfg.suppression == Policy.from_dict(doc["suppression"]) and cfg.suppression.soft.days == 15
    assert cfg.alerts == AlertPolicy.from_dict(doc["alerts"])
    assert cfg.metrics_listen == doc["metrics"]["listen"] == "127.0.0.1:9469"
    # the commented PostgreSQL line works as written once uncommented
    url_line = next(ln for ln in text.splitlines() if ln.startswith("# url = "))
    cfg = parse_config(text.replace(url_line, url_line[2:]), str(path))
    assert cfg.history_target == "postgresql://bouncewatch@db.example.net/bouncewatch"
    cfg = parse_config(text.replace("history = true ", "history = false"), str(path))
    assert cfg.history_target is None


def test_embedded_default_keeps_history_in_the_state_dir(tmp_path):
    from bouncewatch.plugin.config import default_config
    cfg = default_config(str(tmp_path))
    assert cfg.history_target == str(tmp_path) and cfg.metrics_listen is None


def test_run_uses_state_suppression_alerts_and_metrics_tables(tmp_path):
    log, state, hist, out = tmp_path / "mail.log", tmp_path / "ck", tmp_path / "hist", tmp_path / "all.jsonl"
    log.write_text("")
    port = free_port()
    cfg = tmp_path / "bw.toml"
    cfg.write_text(f'''state_dir = "{state}"
status_interval = 3600
include_sent = true
[[source]]
path = "{log}"
[[sink]]
uri = "file:{out}"
[[sink]]
uri = "file:{tmp_path / 'alerts.jsonl'}"
where = "kind = 'alert'"
[state]
dir = "{hist}"
retention_days = 45
[suppression]
hard = {{ messages = 2, days = 0 }}
[alerts]
blocklist_quiet_hours = 1
[metrics]
listen = "127.0.0.1:{port}"
''')
    r = subprocess.run(BW + ["check-config", "-c", str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and f"history in {hist}/state.db keeping 45 days of events" in r.stdout, r.stderr
    f = Follower(log, out, state)
    f.argv = BW + ["run", "-c", str(cfg)]
    f.start()
    append(log, scenario() + delivery(at(0, 3), "M5", "x@bl.example", "spamhaus"))
    assert wait_until(lambda: len(lines_of(out)) >= 5), f.errors()
    assert wait_until(lambda: scrape(port).get("bouncewatch_lines_read_total", 0) >= 8), f.errors()
    assert f.stop() == 0
    alerts = lines_of(tmp_path / "alerts.jsonl")
    assert [a["alert"] for a in alerts] == ["blocklisted"] and all(a["kind"] == "alert" for a in alerts)
    assert (hist / "state.db").exists() and not (state / "state.db").exists()
    store = open_store(hist)
    try:
        assert store.suppressed_count() == 0   # one hard bounce; this config wants two
        assert store.recipient("gone@corp.example")["bounced"] == 1
        assert store.retention_days == 45   # the config's, kept in the store for parse and ingest-mail
    finally:
        store.close()


# -- correlation across restarts --------------------------------------------------------------
def test_kill_between_qmgr_line_and_delivery_keeps_sender_size_and_attempt(tmp_path):
    from statelog import qid
    log, state, out = tmp_path / "mail.log", tmp_path / "state", tmp_path / "events.jsonl"
    q = qid("M7")
    stamp = at(0).isoformat()
    qmgr, first_try = delivery(at(0), "M7", "slow@corp.example", "soft", sender="shop@news.example")
    log.write_text(f"{stamp} mx1 postfix/cleanup[199]: {q}: message-id=<m7@news.example>\n"
                   f"{qmgr}\n{first_try}\n")
    f = Follower(log, out, state, "--from-start")
    f.start()
    assert wait_until(lambda: _checkpointed(state, log)), f.errors()
    doc = json.loads((state / "follow-checkpoint.json").read_text())
    assert [r[1] for r in doc["correlator"]] == [q]
    f.kill()   # kill -9: no shutdown, only the last checkpoint
    _, retry = delivery(at(0, 10), "M7", "slow@corp.example", "soft")
    _, done = delivery(at(0, 20), "M7", "slow@corp.example", "sent")
    append(log, [retry, done])
    f = Follower(log, out, state)
    f.start()
    assert wait_until(lambda: len(lines_of(out)) >= 3), f.errors()
    assert f.stop() == 0
    evs = lines_of(out)
    assert [e["status"] for e in evs] == ["deferred", "deferred", "sent"]
    for e in evs:
        assert (e["sender"], e["size"], e["message_id"]) == ("shop@news.example", 2100, "m7@news.example"), e
    assert [e.get("attempt") for e in evs] == [1, 2, 2]


def test_correlator_snapshot_is_bounded_and_round_trips():
    from datetime import timedelta

    from bouncewatch.parsers.records import Delivery, MessageInfo
    from bouncewatch.plugin.correlate import Correlator
    c = Correlator()
    for n in range(50):
        c.feed(MessageInfo(mta="postfix", queue_id=f"Q{n}", sender=f"s{n}@x.example", size=n), at(0, n))
        c.feed(Delivery(mta="postfix", queue_id=f"Q{n}", recipient="r@y.example", status="deferred"), at(0, n))
    rows = c.snapshot(max_messages=10)
    assert [r[1] for r in rows] == [f"Q{n}" for n in range(49, 39, -1)]
    json.dumps(rows)   # JSON-ready
    d = Correlator()
    assert d.restore(rows + [["bad"]]) == 10
    got = d.feed(Delivery(mta="postfix", queue_id="Q45", recipient="r@y.example", status="deferred"),
                 at(0, 60))[0]
    assert (got.delivery.sender, got.delivery.size, got.attempt) == ("s45@x.example", 45, 2)
    assert d.snapshot()[0][1] == "Q45"   # most recently seen first
    late = Correlator(ttl=timedelta(days=1))
    late.restore(rows)
    late.feed(MessageInfo(mta="postfix", queue_id="NEW", sender="a@b.example"), at(3))
    assert len(late) == 1   # restored rows age out like any others (ttl of log time)


def test_metrics_show_a_network_sinks_spool_and_errors(tmp_path):
    """An HTTP receiver that is down: the events wait in the sink's disk
    spool, and the endpoint says how many, how big, and how many failures."""
    log, state, out = tmp_path / "mail.log", tmp_path / "state", tmp_path / "events.jsonl"
    log.write_text("")
    port, dead = free_port(), free_port()
    f = Follower(log, out, state, "--metrics", f"127.0.0.1:{port}", "--sink", f"http://127.0.0.1:{dead}/in")
    f.start()
    append(log, scenario())
    sink = f"http://127.0.0.1:{dead}/in"
    assert wait_until(lambda: scrape(port).get(f'bouncewatch_sink_queue_depth{{sink="{sink}"}}', 0) >= 4), \
        (scrape(port), f.errors())
    m = scrape(port)
    assert m[f'bouncewatch_sink_spool_bytes{{sink="{sink}"}}'] > 0
    assert wait_until(lambda: scrape(port).get(f'bouncewatch_sink_errors_total{{sink="{sink}"}}', 0) >= 1)
    assert m[f'bouncewatch_sink_queue_depth{{sink="file:{out}"}}'] == 0
    assert f.stop() == 0


def test_follower_history_checkpoints_its_wal_in_the_background(tmp_path, classifier):
    """The follower's commits never checkpoint the WAL themselves (a
    checkpoint fsyncs: on a busy disk, hundreds of ms without events); a
    thread of the store does, so the WAL is still copied into state.db."""
    from bouncewatch.plugin.pipeline import Pipeline
    from bouncewatch.plugin.recorder import open_recorder
    rec = open_recorder(str(tmp_path / "st"), wal_interval=0.05)
    db = rec.store.db
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    pipe = Pipeline(classifier, include_sent=True)
    lines = [x for n in range(300) for x in delivery(at(0, n), f"W{n}", f"u{n}@corp.example", "hard")]
    evs = [e for i, line in enumerate(lines) for e in pipe.feed(line, "/var/log/mail.log", i)]
    for i in range(0, len(evs), 10):
        rec.pending.extend(evs[i:i + 10])
        rec.record()
    assert wait_until(lambda: db.wal_checkpoints >= 1, timeout=5)
    # only after commits: idle, the thread sleeps (no wake-up a second on a quiet server)
    time.sleep(0.3)
    idle = db.wal_checkpoints
    time.sleep(0.3)
    assert db.wal_checkpoints == idle
    for line in delivery(at(1, 0), "W999", "late@corp.example", "hard"):
        rec.pending.extend(pipe.feed(line, "/var/log/mail.log", len(lines)))
    rec.record()
    assert wait_until(lambda: db.wal_checkpoints == idle + 1, timeout=5)
    rec.close()
    assert db._wal_thread is None
    s = open_store(tmp_path / "st")
    try:
        assert s.db.execute("SELECT count(*) FROM events").fetchone()[0] == 301
    finally:
        s.close()
