"""``bouncewatch follow`` of the maillog_file of Debian's real Postfix, rotated
by ``postfix logrotate`` (rename with a date suffix, then
``maillog_file_compressor``, gzip) while mail is logged and while we are
down after a kill -9.

The other follow tests play postfix logrotate's steps themselves; here
Postfix's postlogd writes the file and Postfix's own command rotates it.
Every recipient the scripted peer refused (550 5.1.1) must come out as its
bounce event: once each before the kill, at least once after it.

Needs root (namespaces, the postfix account) and the Debian package;
skips with the reason otherwise.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from followkit import Follower, SinkReader, sink_events
from realmta.postfix import PostfixInstance, available
from realmta.scenarios import BY_NAME, NAMESERVER, SENDER, World, unpacked_or_skip

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

DOMAIN = BY_NAME["user_unknown"].domain   # the peer answers 550 5.1.1 for every recipient there
BATCH = 12


def recipients(batch: int) -> list[str]:
    return [f"u{batch * BATCH + i}@{DOMAIN}" for i in range(BATCH)]


def logged_bounces(pf: PostfixInstance) -> set[str]:
    """The recipients whose bounce line is in any of Postfix's log files (live, rotated, gzip)."""
    found = set()
    for p in pf.base.glob("maillog*"):
        data = gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
        for line in data.decode("utf-8", "replace").splitlines():
            if "status=bounced" in line and f"@{DOMAIN}>" in line:
                found.add(line.split("to=<", 1)[1].split(">", 1)[0])
    return found


def send_batch(pf: PostfixInstance, batch: int) -> None:
    rcpts = recipients(batch)
    pf.sendmail(SENDER, rcpts, f"From: <{SENDER}>\nTo: <{rcpts[0]}>\nSubject: batch {batch}\n\nbody\n")
    deadline = time.monotonic() + 60
    while not set(rcpts) <= logged_bounces(pf):
        assert time.monotonic() < deadline, f"Postfix did not log batch {batch}'s bounces"
        time.sleep(0.2)


def rotate(pf: PostfixInstance) -> None:
    before = len(list(pf.base.glob("maillog.*")))
    pf.command("postfix", "-c", str(pf.config_dir), "logrotate")
    deadline = time.monotonic() + 30
    while len(list(pf.base.glob("maillog.*.gz"))) <= before:  # gzip runs in the background
        assert time.monotonic() < deadline, "postfix logrotate left no .gz"
        time.sleep(0.1)


def test_follow_through_postfix_logrotate_and_a_kill_9(tmp_path: Path) -> None:
    tree, _ = unpacked_or_skip("postfix", lambda tree, _libs: available(tree))
    world = World().start_or_skip()
    try:
        pf = PostfixInstance(world.ns, tree, nameserver=NAMESERVER, settings={"maillog_file_compressor": "gzip"})
        try:
            pf.start()
            out = tmp_path / "events.jsonl"
            f = Follower(pf.maillog, out, tmp_path / "state", "--from-start")
            f.start()
            send_batch(pf, 0)
            rotate(pf)                  # while we follow
            send_batch(pf, 1)
            sink = SinkReader(out)
            wanted = set(recipients(0) + recipients(1))
            deadline = time.monotonic() + 60
            while sink.poll() or not wanted <= {e["recipient"] for e in sink.events}:
                assert time.monotonic() < deadline, f.errors()[-2000:]
                time.sleep(0.1)
            before_kill = [e for e in sink.events if e["recipient"].endswith("@" + DOMAIN)]
            f.kill()
            rotate(pf)                  # while we are down
            send_batch(pf, 2)
            rotate(pf)
            send_batch(pf, 3)
            f = Follower(pf.maillog, out, tmp_path / "state")
            f.start()
            wanted = {r for b in range(4) for r in recipients(b)}
            deadline = time.monotonic() + 60
            while sink.poll() or not wanted <= {e["recipient"] for e in sink.events}:
                assert time.monotonic() < deadline, f.errors()[-2000:]
                time.sleep(0.1)
            time.sleep(0.5)
            assert f.stop() == 0
            sink.poll()
            assert logged_bounces(pf) == wanted
            assert len(list(pf.base.glob("maillog.*.gz"))) == 3
        finally:
            pf.close()
    finally:
        world.close()
    ours = [e for e in sink_events(out) if e.get("recipient", "").endswith("@" + DOMAIN)]
    assert sorted(e["recipient"] for e in before_kill) == sorted(recipients(0) + recipients(1))
    assert {e["recipient"] for e in ours} == wanted
    for e in ours:
        assert (e["status"], e["dsn"], e["classification"]["category"]) == ("bounced", "5.1.1", "bad_mailbox"), e
        assert e["sender"] == SENDER and e["message_id"], e
