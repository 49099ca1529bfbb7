"""The history's retention window ([state] retention_days): the events table
(and alerts, idle episodes, hourly counts) keeps the last N days of log
time; the recipient and domain history and the suppressions stay. A log
older than the window read again is not recorded, so nothing counts twice."""

from __future__ import annotations

import sqlite3

import pytest

from statelog import at, delivery

from bouncewatch.plugin.state import DEFAULT_RETENTION_DAYS, open_store
from bouncewatch.plugin.config import ConfigError, parse_config


def events(classifier, *attempts):
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier, include_sent=True)
    lines = [line for a in attempts for line in delivery(*a)]
    return [e for i, line in enumerate(lines) for e in p.feed(line, "/var/log/mail.log", i)]


def stored(tmp_path, table="events"):
    with sqlite3.connect(tmp_path / "state" / "state.db") as c:
        return c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture
def state(tmp_path):
    (tmp_path / "state").mkdir()
    return tmp_path / "state"


# Every date here lies before today's wall clock (statelog's T0 is 2026-09-01):
# a stamp later than now plus a day would not move the window.
OLD, MID, NEW = at(-200), at(-150), at(-100)


def test_old_events_are_forgotten_as_log_time_moves_on_and_the_history_stays(state, tmp_path, classifier):
    store = open_store(state, retention_days=30)
    gone = events(classifier, (OLD, "Q1", "gone@corp.example", "hard"), (OLD, "Q2", "ok@corp.example", "sent"))
    store.record(gone)
    assert stored(tmp_path) == 2
    store.record(events(classifier, (MID, "Q3", "new@corp.example", "sent")))   # 50 days later
    assert stored(tmp_path) == 1
    assert [s.recipient for s in store.suppressions()] == ["gone@corp.example"]   # still suppressed
    assert store.domain("corp.example")["sent"] == 2 and store.domain("corp.example")["hard"] == 1
    assert store.applied == 3 and store.too_old == 0
    store.close()


def test_a_log_older_than_the_window_read_again_counts_nothing_twice(state, classifier):
    store = open_store(state, retention_days=30)
    first = events(classifier, (OLD, "Q1", "slow@corp.example", "soft"))
    store.record(first)
    store.record(events(classifier, (MID, "Q2", "slow@corp.example", "soft")))
    store.record(first)   # its row is gone: the window decides, not the table
    store.record(events(classifier, (MID, "Q2", "slow@corp.example", "soft")))   # inside: known by its id
    assert (store.applied, store.too_old) == (2, 1)
    assert store.domain("corp.example")["deferred"] == 2
    store.close()


def test_a_backfill_read_oldest_first_counts_every_event(state, classifier):
    """The window is where it stood before each batch, so a backfill across
    more than the window counts all it reads, the same in one batch or many."""
    attempts = [(at(-300 + 10 * i), f"Q{i}", f"r{i}@corp.example", "hard") for i in range(20)]
    store = open_store(state, retention_days=30)
    store.record(events(classifier, *attempts))
    assert (store.applied, store.too_old, len(store.suppressions())) == (20, 0, 20)
    store.close()
    (state / "state.db").unlink()
    store = open_store(state, retention_days=30)
    for a in attempts:
        store.record(events(classifier, a))
    assert (store.applied, store.too_old, len(store.suppressions())) == (20, 0, 20)
    store.close()


def test_the_window_is_the_stores_own(state, classifier):
    """Set once (the follower's config), kept by every later user of the store
    (parse --state-dir, ingest-mail), which read no configuration."""
    assert open_store(state).retention_days == DEFAULT_RETENTION_DAYS == 90
    open_store(state, retention_days=7).close()
    store = open_store(state)
    assert store.retention_days == 7
    store.record(events(classifier, (OLD, "Q1", "a@corp.example", "sent")))
    store.record(events(classifier, (at(-190), "Q2", "a@corp.example", "sent")))
    store.record(events(classifier, (OLD, "Q1", "a@corp.example", "sent")))
    assert store.too_old == 1
    store.close()


def test_zero_keeps_every_event(state, tmp_path, classifier):
    store = open_store(state, retention_days=0)
    first = events(classifier, (OLD, "Q1", "a@corp.example", "soft"))
    store.record(first)
    store.record(events(classifier, (NEW, "Q2", "a@corp.example", "sent")))
    store.record(first)
    assert (stored(tmp_path), store.applied, store.too_old) == (2, 2, 0)
    store.close()


def test_a_stamp_from_the_future_does_not_move_the_window(state, tmp_path, classifier):
    """A wrongly inferred year (or a host's clock) must not make the store
    forget everything, nor refuse every event after it."""
    store = open_store(state, retention_days=30)
    store.clock = lambda: at(-150).timestamp()
    store.record(events(classifier, (at(-160), "Q1", "a@corp.example", "sent")))
    store.record(events(classifier, (at(500), "Q2", "b@corp.example", "sent")))   # a year and more ahead
    store.record(events(classifier, (at(-155), "Q3", "c@corp.example", "sent")))
    assert (stored(tmp_path), store.applied, store.too_old) == (3, 3, 0)
    store.close()


def test_alerts_episodes_and_hourly_counts_are_kept_for_the_window(state, tmp_path, classifier):
    store = open_store(state, retention_days=30)
    burst = [(at(-200, minutes=i), f"B{i}", f"u{i}@corp.example", "spamhaus") for i in range(5)]
    alerts = store.record(events(classifier, *burst))
    assert alerts and stored(tmp_path, "alerts") and stored(tmp_path, "episodes") and stored(tmp_path, "sender_hours")
    store.record(events(classifier, (MID, "Q9", "later@else.example", "sent")))
    assert stored(tmp_path, "alerts") == stored(tmp_path, "episodes") == 0
    assert stored(tmp_path, "sender_hours") == 1   # the hour of the new event
    store.close()


@pytest.mark.parametrize("value,ok", [(0, True), (30, True), (400.5, True), (-1, False), ("90", False),
                                      (True, False), (40_000, False)])
def test_config_key(value, ok):
    text = (f"[state]\nretention_days = {value!r}\n".replace("'", '"').replace("True", "true")
            + '[[sink]]\nuri = "-"\n')
    if ok:
        assert parse_config(text, "bw.toml").retention_days == float(value)
    else:
        with pytest.raises(ConfigError) as e:
            parse_config(text, "bw.toml")
        assert "bw.toml:2" in str(e.value) and "retention_days" in str(e.value)


def test_parse_says_what_it_did_not_record(tmp_path, classifier, capsys):
    from bouncewatch.plugin import cli
    (tmp_path / "state").mkdir()
    old = tmp_path / "old.log"
    new = tmp_path / "new.log"
    old.write_text("\n".join(delivery(OLD, "Q1", "a@corp.example", "soft")) + "\n")
    new.write_text("\n".join(delivery(NEW, "Q2", "a@corp.example", "soft")) + "\n")
    open_store(tmp_path / "state", retention_days=30).close()
    for f in (new, old):
        assert cli.main(["parse", "--state-dir", str(tmp_path / "state"), str(f)]) == 0
    err = capsys.readouterr().err
    assert "1 events recorded (0 new, 1 older than the history's retention window" in err


def test_the_followers_status_line_says_what_it_did_not_record(state, classifier):
    from bouncewatch.plugin.recorder import open_recorder
    open_store(state, retention_days=30).close()
    rec = open_recorder(str(state), wal_interval=60)
    try:
        rec.pending.extend(events(classifier, (NEW, "Q2", "a@corp.example", "sent")))
        rec.record()
        assert "older than" not in rec.summary()
        rec.pending.extend(events(classifier, (OLD, "Q1", "a@corp.example", "soft")))
        rec.record()
        assert rec.summary().endswith(", 1 older than the history's retention window (not recorded)")
        assert rec.store.retention_days == 30
    finally:
        rec.close()


def test_a_large_backlog_is_deleted_a_part_per_batch(state, tmp_path, classifier):
    """A store kept for ever before (an upgrade) is not emptied in one
    transaction: each batch deletes at most prune_rows old events."""
    store = open_store(state, retention_days=0)
    store.record(events(classifier, *[(at(-300, minutes=i), f"Q{i}", f"r{i}@corp.example", "sent")
                                      for i in range(25)]))
    store.close()
    store = open_store(state, retention_days=30)
    store.prune_rows = 10
    for i in range(4):
        store.record(events(classifier, (at(-100, minutes=i), f"N{i}", "new@corp.example", "sent")))
        assert stored(tmp_path) == max(25 - 10 * (i + 1), 0) + i + 1
    store.close()


def test_parse_sets_the_window_for_a_backfill(tmp_path, capsys):
    """A site without a follower backfills half a year: --retention-days
    keeps it, and the store keeps that window for later runs."""
    from bouncewatch.plugin import cli
    state = tmp_path / "state"
    state.mkdir()
    logs = []
    for n, day in enumerate((-300, -200, -100)):
        f = tmp_path / f"mail.log.{n}"
        f.write_text("\n".join(delivery(at(day), f"Q{n}", f"r{n}@corp.example", "hard")) + "\n")
        logs.append(str(f))
    assert cli.main(["parse", "--state-dir", str(state), "--retention-days", "400", logs[2]]) == 0
    assert cli.main(["parse", "--state-dir", str(state), *logs[:2]]) == 0   # newest first, then older
    assert "older than" not in capsys.readouterr().err
    store = open_store(state)
    assert store.retention_days == 400 and len(store.suppressions()) == 3
    store.close()
    assert cli.main(["parse", "--retention-days", "30", logs[0]]) == 2
    assert "--retention-days needs --state-dir" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["parse", "--state-dir", str(state), "--retention-days", "-3", logs[0]])
    assert "must be 0 (keep every event) to 36500 days" in capsys.readouterr().err


def test_a_batch_retried_after_an_error_counts_its_old_events_once(state, classifier):
    """The follower keeps a chunk whose history failed (disk full, PostgreSQL
    restarting) and records it again: its old events are counted once."""
    store = open_store(state, retention_days=30)
    store.record(events(classifier, (MID, "Q1", "a@corp.example", "sent")))
    batch = events(classifier, (OLD, "Q2", "b@corp.example", "soft"), (MID, "Q3", "c@corp.example", "soft"))
    save = store._save

    def failing(*a):
        raise OSError("disk full")
    store._save = failing
    with pytest.raises(OSError):
        store.record(batch)
    store._save = save
    store.record(batch)
    assert (store.too_old, store.applied) == (1, 2)
    store.close()
