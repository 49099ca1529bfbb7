"""ingest-mail's spool-only path while an agent holds the consumer lock, and
the agent's pickup of what was spooled (plugin/mailspool.py, mailpickup.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bouncewatch.plugin import ingest
from bouncewatch.plugin.mailspool import Options, consumer_running, take_consumer_lock

from followkit import Follower

SISIMAI = Path(__file__).parent / "data" / "mail" / "sisimai"

# Runs the CLI like the console script, then reports which heavy modules it loaded.
WRAPPER = """
import json, sys
from bouncewatch.plugin.cli import main
rc = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m in ("email", "dataclasses", "hashlib") or m.startswith((
               "email.", "bouncewatch.plugin.classify",
               "bouncewatch.parsers.mailmsg", "bouncewatch.plugin.ingest", "re2", "_re2", "orjson")))
sys.stderr.write("HEAVY=" + json.dumps(heavy) + "\\n")
sys.exit(rc)
"""


@pytest.fixture(autouse=True)
def _reap():
    yield
    Follower.reap()


def arf() -> bytes:
    return (SISIMAI / "arf-01.eml").read_bytes().replace(
        b"Subject: Kijitora cat family", b"Subject: Kijitora cat family\nX-Campaign-ID: spring-42", 1)


def run_ingest(state: Path, raw: bytes, *args: str) -> tuple[int, str, list[str]]:
    r = subprocess.run([sys.executable, "-c", WRAPPER, "ingest-mail", "--state-dir", str(state), *args],
                       input=raw, capture_output=True, timeout=60)
    err = r.stderr.decode()
    heavy = json.loads(err.rpartition("HEAVY=")[2])
    return r.returncode, err, heavy


def held_lock(state: Path) -> int:
    (state / "spool").mkdir(parents=True, exist_ok=True)
    fd = take_consumer_lock(state)
    assert fd is not None
    return fd


def events_of(state: Path) -> list[dict]:
    p = state / "mail-events.jsonl"
    return [json.loads(x) for x in p.read_text().splitlines()] if p.exists() else []


def test_spool_only_while_an_agent_holds_the_lock(tmp_path, classifier):
    state = tmp_path / "state"
    fd = held_lock(state)
    try:
        assert consumer_running(state)
        rc, err, heavy = run_ingest(state, arf(), "--envelope-to", "fbl+carol=example.com@ours.example",
                                    "--tracking-header", "X-Campaign-ID")
        assert rc == 0, err
        assert heavy == []  # neither email, the rules nor the returned-mail parsers were loaded
        assert "event(s)" not in err and not (state / "mail-events.jsonl").exists()
        spooled = list((state / "spool" / "new").iterdir())
        assert len(spooled) == 1 and spooled[0].read_bytes() == arf()
        sidecar = json.loads((state / "spool" / "opts" / (spooled[0].name + ".json")).read_text())
        assert sidecar["envelope_to"] == "fbl+carol=example.com@ours.example"
        assert sidecar["tracking_headers"] == ["X-Campaign-ID"]
        # the stored options, not the defaults, reach processing
        log = io.StringIO()
        assert ingest.process_leftovers(state, classifier, log, min_age=0) == 1
    finally:
        os.close(fd)
    events = events_of(state)
    assert [(e["recipient"], e["status"]) for e in events] == [("carol@example.com", "complained")]
    assert events[0]["source"]["tracking"] == {"X-Campaign-ID": "spring-42"}
    assert list((state / "spool" / "new").iterdir()) == []
    assert list((state / "spool" / "opts").iterdir()) == []


def test_without_an_agent_it_processes_in_process(tmp_path):
    state = tmp_path / "state"
    rc, err, heavy = run_ingest(state, arf(), "--envelope-to", "fbl+carol=example.com@ours.example")
    assert rc == 0 and "1 event(s)" in err, err
    assert {"bouncewatch.plugin.ingest", "email", "bouncewatch.plugin.classify"} <= set(heavy)
    assert [e["recipient"] for e in events_of(state)] == ["carol@example.com"]
    assert list((state / "spool" / "new").iterdir()) == [] and list((state / "spool" / "opts").iterdir()) == []


def test_a_message_without_options_file_uses_the_defaults(tmp_path, classifier):
    state = tmp_path / "state"
    fd = held_lock(state)
    try:
        rc, err, _ = run_ingest(state, arf())
        assert rc == 0, err
        assert list((state / "spool" / "opts").iterdir()) == []  # defaults: nothing stored
        assert ingest.process_leftovers(state, classifier, io.StringIO(), min_age=0) == 1
    finally:
        os.close(fd)
    want = ingest.dry_run(io.BytesIO(arf()), classifier, Options(), out=io.StringIO(), log=io.StringIO())
    assert [e["recipient"] for e in events_of(state)] == [e["recipient"] for e in want] != ["carol@example.com"]


def test_broken_options_file_parks_the_message(tmp_path, classifier):
    state = tmp_path / "state"
    fd = held_lock(state)
    try:
        run_ingest(state, arf(), "--envelope-to", "x@example.com")
        (sidecar,) = (state / "spool" / "opts").iterdir()
        sidecar.write_text('{"verp_delimiters": "+"}')
        log = io.StringIO()
        ingest.process_leftovers(state, classifier, log, min_age=0)
    finally:
        os.close(fd)
    assert events_of(state) == []  # never processed with other options than its own
    failed = state / "spool" / "failed"
    assert sorted(p.name.endswith(".opts.json") for p in failed.iterdir()) == [False, True]
    assert "verp_delimiters" in log.getvalue()


def test_options_round_trip():
    o = Options("a+b=c.example@ours.example", "-=", ("X-Campaign-ID", "X-Job"))
    assert Options.from_json(o.to_json()) == o


def _wait(cond, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def test_running_follower_picks_up_spooled_mail_and_survives_kill(tmp_path):
    state = tmp_path / "state"
    log = tmp_path / "mail.log"
    log.write_text("")
    # a message spooled while an agent ran, that agent killed before processing it
    fd = held_lock(state)
    rc, err, _ = run_ingest(state, (SISIMAI / "qmail-02.eml").read_bytes())
    assert rc == 0, err
    os.close(fd)
    assert len(list((state / "spool" / "new").iterdir())) == 1

    fol = Follower(log, tmp_path / "out.jsonl", state)
    fol.start()
    assert _wait(lambda: consumer_running(state)), fol.errors()
    # the leftover is processed on start
    assert _wait(lambda: len(events_of(state)) == 2), fol.errors()
    rc, err, heavy = run_ingest(state, arf(), "--envelope-to", "fbl+carol=example.com@ours.example")
    assert rc == 0 and heavy == [], err
    assert _wait(lambda: len(events_of(state)) == 3, 5.0), fol.errors()
    assert events_of(state)[-1]["recipient"] == "carol@example.com"
    assert "returned mail that ingest-mail spools in" in fol.errors()
    assert list((state / "spool" / "new").iterdir()) == []

    fol.kill()  # kill -9: the lock goes with the process, in-process ingest resumes
    assert not consumer_running(state)
    rc, err, _ = run_ingest(state, (SISIMAI / "yandex-01.eml").read_bytes())
    assert rc == 0 and "event(s)" in err, err
    assert len(events_of(state)) == 4


def test_second_agent_does_not_consume(tmp_path, classifier):
    from bouncewatch.plugin.mailpickup import MailPickup
    state = tmp_path / "state"
    fd = held_lock(state)
    try:
        msgs: list[str] = []
        p = MailPickup(state, msgs.append)
        run_ingest(state, arf())
        assert p.poll(classifier) is False and p.fd is None and p.processed == 0
        assert len(list((state / "spool" / "new").iterdir())) == 1
    finally:
        os.close(fd)
    assert p.poll(classifier) is False and p.processed == 1 and p.fd is not None
    p.close()
    assert not consumer_running(state)


def test_orphaned_options_are_swept_when_old(tmp_path):
    from bouncewatch.plugin.mailspool import spool, sweep_options
    state = tmp_path / "state"
    kept = spool(io.BytesIO(arf()), state, Options("a@example.com"))
    opts = state / "spool" / "opts"
    old_orphan, fresh_orphan = opts / "1.1.a.eml.json", opts / "2.2.b.eml.json"
    for p in (old_orphan, fresh_orphan):
        p.write_bytes(Options("b@example.com").to_json())
    old = time.time() - 7200
    for p in (old_orphan, opts / (kept.name + ".json")):
        os.utime(p, (old, old))
    assert sweep_options(state) == 1
    assert sorted(p.name for p in opts.iterdir()) == sorted([fresh_orphan.name, kept.name + ".json"])
