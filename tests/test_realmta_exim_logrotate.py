"""``bouncewatch follow`` of the main log of Debian's real Exim, rotated by
Debian's real logrotate with the exim4-base package's own stanza
(``/etc/logrotate.d/exim4-base``: compress, delaycompress, ``nocreate``:
Exim makes a new mainlog itself when it next writes, having noticed the
rename), while mail is logged and while we are down after a kill -9.

Every recipient the scripted peer refused (550 5.1.1) must come out as its
bounce event: once each before the kill, at least once after it.

Needs root and Debian's exim4-daemon-light, exim4-base (for its stanza),
logrotate and libpopt0; skips with the reason otherwise.
"""

from __future__ import annotations

import gzip
import re
import time
from pathlib import Path

import pytest

from followkit import Follower, SinkReader, sink_events
from realmta import debs
from realmta.exim import LIBRARIES, PACKAGE, EximInstance, available
from realmta.logrotate import logrotate_or_skip
from realmta.scenarios import BY_NAME, NAMESERVER, SENDER, World, unpacked_or_skip

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

DOMAIN = BY_NAME["user_unknown"].domain   # the peer answers 550 5.1.1 for every recipient there
BATCH = 12
_FAILED = re.compile(r" \*\* (u\d+@" + re.escape(DOMAIN) + ") ")


def recipients(batch: int) -> list[str]:
    return [f"u{batch * BATCH + i}@{DOMAIN}" for i in range(BATCH)]


def logged_bounces(ex: EximInstance) -> set[str]:
    """Recipients whose ``**`` line is in any of the main logs (live, rotated, gzip)."""
    found = set()
    for p in ex.logdir.glob("mainlog*"):
        data = gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
        found.update(m[1] for m in _FAILED.finditer(data.decode("utf-8", "replace")))
    return found


def send_batch(ex: EximInstance, batch: int) -> None:
    rcpts = recipients(batch)
    ex.submit(SENDER, rcpts, f"From: <{SENDER}>\nTo: <{rcpts[0]}>\nSubject: batch {batch}\n\nbody\n")
    deadline = time.monotonic() + 60
    while not set(rcpts) <= logged_bounces(ex):
        assert time.monotonic() < deadline, f"Exim did not log batch {batch}'s failures"
        time.sleep(0.2)


def wait_events(sink: SinkReader, wanted: set[str], f: Follower) -> None:
    deadline = time.monotonic() + 60
    while sink.poll() or not wanted <= {e["recipient"] for e in sink.events}:
        assert time.monotonic() < deadline, f.errors()[-2000:]
        time.sleep(0.1)


def test_follow_through_exim4_base_logrotate_and_a_kill_9(tmp_path: Path) -> None:
    tree, library_path = unpacked_or_skip(PACKAGE, available, LIBRARIES)
    logrotate = logrotate_or_skip()
    try:
        stock = (debs.unpacked("exim4-base") / "etc/logrotate.d/exim4-base").read_text()
    except debs.PackageUnavailable as e:
        pytest.skip(f"cannot fetch Debian's exim4-base package: {e}")
    assert "nocreate" in stock and "delaycompress" in stock
    world = World().start_or_skip()
    try:
        ex = EximInstance(world.ns, tree, nameserver=NAMESERVER, library_path=library_path)
        try:
            ex.start()
            conf = tmp_path / "logrotate.conf"
            # the package's stanza for our mainlog alone (its rejectlog is not written here)
            conf.write_text(f"{logrotate.defaults()}\n{ex.log_path} {stock[stock.index('{'):]}")
            out = tmp_path / "events.jsonl"
            f = Follower(ex.log_path, out, tmp_path / "state", "--from-start")
            f.start()
            sink = SinkReader(out)
            send_batch(ex, 0)
            logrotate.force(conf, world.ns)   # mainlog -> mainlog.1, no new mainlog until Exim writes
            send_batch(ex, 1)
            wait_events(sink, set(recipients(0) + recipients(1)), f)
            before_kill = [e["recipient"] for e in sink.events if e["recipient"].endswith("@" + DOMAIN)]
            f.kill()
            logrotate.force(conf, world.ns)   # while we are down: mainlog.1 -> mainlog.2.gz
            send_batch(ex, 2)
            logrotate.force(conf, world.ns)
            send_batch(ex, 3)
            f = Follower(ex.log_path, out, tmp_path / "state")
            f.start()
            wanted = {r for b in range(4) for r in recipients(b)}
            wait_events(sink, wanted, f)
            time.sleep(0.5)
            assert f.stop() == 0
            assert logged_bounces(ex) == wanted
            assert sorted(p.name for p in ex.logdir.glob("mainlog*")) == [
                "mainlog", "mainlog.1", "mainlog.2.gz", "mainlog.3.gz"]
        finally:
            ex.close()
    finally:
        world.close()
    assert sorted(before_kill) == sorted(recipients(0) + recipients(1))
    ours = [e for e in sink_events(out) if e.get("recipient", "").endswith("@" + DOMAIN)]
    assert {e["recipient"] for e in ours} == wanted
    for e in ours:
        assert (e["status"], e["dsn"], e["classification"]["category"]) == ("bounced", "5.1.1", "bad_mailbox"), e
        assert e["sender"] == SENDER and e["mta"] == "exim", e
