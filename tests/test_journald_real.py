"""``bouncewatch follow journal:`` against a real systemd-journald and journalctl.

Postfix's lines go in as syslog(3) datagrams, the way Postfix logs on a host
with no maillog_file (tests/realmta/journald.py runs journald in a private
mount and PID namespace). What is asserted comes from what was logged:
every recipient's event once, in order, with the sender and size of its
qmgr line, across a stop, a journal rotated and vacuumed while we were down,
a kill -9, and a journald restart.

Needs root and Debian's systemd package; skips with the reason otherwise.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from followkit import sink_events
from realmta.journald import Inner, Journald, unavailable

pytestmark = [pytest.mark.realmta]

WHY = unavailable()
if WHY:
    pytest.skip(WHY, allow_module_level=True)


@pytest.fixture
def journal():
    with Journald() as j:
        yield j


def message(j: Journald, n: int) -> None:
    """Recipient ``n``'s message: qmgr's from= line, then its delivery line,
    a hard bounce, a greylisting or a reply with a byte that is not UTF-8
    (which journald keeps, and exports as an array of numbers)."""
    qid = f"4Q{n:08X}"
    rcpt = f"r{n}@d{n % 7}.example"
    j.log("postfix/qmgr", 900, f"{qid}: from=<list{n % 3}@example.org>, size={1000 + n}, nrcpt=1 (queue active)")
    head = (f"{qid}: to=<{rcpt}>, relay=mx.d{n % 7}.example[192.0.2.{n % 200 + 1}]:25, delay=1.2, "
            "delays=0.1/0/0.5/0.6, ")
    kind = n % 3
    if kind == 0:
        tail = (f"dsn=5.1.1, status=bounced (host mx.d{n % 7}.example[192.0.2.{n % 200 + 1}] said: 550 5.1.1 "
                f"<{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table "
                "(in reply to RCPT TO command))").encode()
    elif kind == 1:
        tail = (f"dsn=4.2.0, status=deferred (host mx.d{n % 7}.example[192.0.2.{n % 200 + 1}] said: 450 4.2.0 "
                f"<{rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/ "
                "(in reply to RCPT TO command))").encode()
    else:
        tail = (f"dsn=5.1.1, status=bounced (host mx.d{n % 7}.example[192.0.2.{n % 200 + 1}] said: 550 5.1.1 "
                f"<{rcpt}>: Benutzer ".encode() + b"\xfcnbekannt (in reply to RCPT TO command))")
    j.log("postfix/smtp", 1000 + n % 50, head.encode() + tail)


EXPECTED = {0: ("bounced", "bad_mailbox"), 1: ("deferred", "greylisted"), 2: ("bounced", "bad_mailbox")}


def check(events: list[dict], first: int, last: int) -> None:
    """Recipients ``first`` .. ``last`` once each, in order, each with its
    qmgr line's sender and size and the category of its reply."""
    assert [e["recipient"] for e in events] == [f"r{n}@d{n % 7}.example" for n in range(first, last + 1)]
    for n, e in zip(range(first, last + 1), events):
        assert (e["status"], e["classification"]["category"]) == EXPECTED[n % 3], e
        assert (e["sender"], e["size"]) == (f"list{n % 3}@example.org", 1000 + n), e
        assert (e["program"], e["host"], e["source"]["path"]) == ("postfix/smtp", socket.gethostname(), "journald")
    odd = [e for n, e in zip(range(first, last + 1), events) if n % 3 == 2]
    assert all("Benutzer \\xfcnbekannt" in e["reason"] for e in odd), odd


def follower(j: Journald, tmp_path: Path, *extra: str) -> Inner:
    err = open(tmp_path / "stderr.txt", "ab")
    return j.spawn([sys.executable, "-m", "bouncewatch", "follow", "journal:", "--sink",
                    f"file:{tmp_path / 'events.jsonl'}", "--state-dir", str(tmp_path / "state"), *extra],
                   "follower", stdout=subprocess.DEVNULL, stderr=err)


def deliveries(tmp_path: Path) -> list[dict]:
    """The sink's delivery events (alerts, such as the hard-bounce rate these make, left out)."""
    return [e for e in sink_events(tmp_path / "events.jsonl") if "kind" not in e]


def wait_events(tmp_path: Path, count: int, timeout: float = 30.0, *, distinct: bool = False) -> list[dict]:
    """The delivery events once there are ``count`` (of distinct recipients if ``distinct``)."""
    deadline = time.monotonic() + timeout
    while True:
        events = deliveries(tmp_path)
        n = len({e["recipient"] for e in events}) if distinct else len(events)
        if n >= count:
            return events
        if time.monotonic() > deadline:
            raise AssertionError(f"{n} events, not {count}; stderr: "
                                 + (tmp_path / "stderr.txt").read_text()[-2000:])
        time.sleep(0.05)


def saved_cursor(tmp_path: Path) -> str:
    return json.loads((tmp_path / "state" / "follow-checkpoint.json").read_text())["sources"]["journal"]["cursor"]


def seqnum(cursor: str) -> str:
    return dict(p.split("=", 1) for p in cursor.split(";"))["i"]


def test_follow_stop_vacuum_resume(journal: Journald, tmp_path: Path) -> None:
    for n in range(4):
        message(journal, n)
    journal.wait_for_entries(8)
    f = follower(journal, tmp_path, "--from-start")
    check(wait_events(tmp_path, 4), 0, 3)
    assert f.stop() == 0
    # While we are down the journal rotates and the file that holds our
    # cursor's entry is vacuumed; then more mail comes.
    cursor = saved_cursor(tmp_path)
    journal.journalctl("--rotate")
    journal.journalctl("--vacuum-files=1")
    left = [json.loads(x)["__CURSOR"] for x in journal.journalctl("-o", "json").stdout.splitlines()]
    assert seqnum(cursor) not in {seqnum(c) for c in left}, "the cursor's entry was not vacuumed"
    for n in range(4, 6):
        message(journal, n)
    journal.wait_for_entries(4)
    f = follower(journal, tmp_path)
    events = wait_events(tmp_path, 6)
    time.sleep(0.5)  # nothing more may come
    assert f.stop() == 0
    check(deliveries(tmp_path), 0, 5)
    assert len(events) == 6


def test_kill_9_and_a_journald_restart_lose_nothing(journal: Journald, tmp_path: Path) -> None:
    total = 1500
    for n in range(total):
        message(journal, n)
    journal.wait_for_entries(2 * total, timeout=30)
    f = follower(journal, tmp_path, "--from-start")
    killed_at = len(wait_events(tmp_path, 100))
    f.stop("KILL")
    assert killed_at < total, "every event was out before the kill: nothing was tested"
    f = follower(journal, tmp_path)
    events = wait_events(tmp_path, total, 90, distinct=True)  # a loaded CI host is slow
    # the events after the last checkpoint come again (at least once), none is lost
    assert {e["recipient"] for e in events} == {f"r{n}@d{n % 7}.example" for n in range(total)}
    assert all(e["sender"] for e in events)
    before = len(events)
    journal.stop_daemon()
    journal.start_daemon()
    for n in range(total, total + 10):
        message(journal, n)
    events = wait_events(tmp_path, before + 10)
    time.sleep(0.5)
    assert f.stop() == 0
    check(deliveries(tmp_path)[before:], total, total + 9)


def test_a_first_run_at_the_end_keeps_its_place_through_a_kill_9(journal: Journald, tmp_path: Path) -> None:
    """Without --from-start the first run starts at the journal's end. Killed
    before any record of ours came (no cursor to save yet), the next start
    must resume at that end, not at a later one."""
    for n in range(3):  # before our first start: not ours to read
        message(journal, n)
    journal.wait_for_entries(6)
    f = follower(journal, tmp_path)
    ck = tmp_path / "state" / "follow-checkpoint.json"
    deadline = time.monotonic() + 10
    while not (ck.exists() and "journal" in json.loads(ck.read_text())["sources"]):
        assert time.monotonic() < deadline, "no checkpoint with the journal's place"
        time.sleep(0.05)
    f.stop("KILL")
    for n in range(3, 6):  # while we are down
        message(journal, n)
    journal.wait_for_entries(12)
    f = follower(journal, tmp_path)
    wait_events(tmp_path, 3)
    time.sleep(0.5)
    assert f.stop() == 0
    check(deliveries(tmp_path), 3, 5)


def test_follow_with_no_path_finds_the_journal(journal: Journald, tmp_path: Path) -> None:
    """Debian 12 installs no syslog daemon: Postfix logs to the journal only.
    ``follow`` with no PATH (what ``make run`` and the unit run) must find
    it and say so."""
    message(journal, 0)
    journal.wait_for_entries(2)
    err = open(tmp_path / "stderr.txt", "ab")
    f = journal.spawn([sys.executable, "-m", "bouncewatch", "follow", "--sink", f"file:{tmp_path / 'events.jsonl'}",
                       "--state-dir", str(tmp_path / "state"), "--from-start"],
                      "follower", stdout=subprocess.DEVNULL, stderr=err)
    check(wait_events(tmp_path, 1), 0, 0)
    for n in range(1, 3):
        message(journal, n)
    wait_events(tmp_path, 3)
    assert f.stop() == 0
    check(deliveries(tmp_path), 0, 2)
    assert "the journal has mail records" in (tmp_path / "stderr.txt").read_text()


def test_a_user_who_may_not_read_the_journal_is_told_so(journal: Journald, tmp_path: Path) -> None:
    """Not root and in neither group adm nor systemd-journal, journalctl
    opens no file: that is said, with what to do, not taken for a journal
    without mail (no PATH), nor repeated at every retry (journal:)."""
    message(journal, 0)
    journal.wait_for_entries(2)
    work = journal.dir / "nobody"  # pytest's own folders are root's alone
    work.mkdir(mode=0o777)
    work.chmod(0o777)
    journal.dir.chmod(0o711)
    journal.ns.reachable(Path(sys.executable), journal.dir / "reachable")  # a Python under a 0700 /root
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
    bw = [sys.executable, "-m", "bouncewatch", "follow", "--sink", f"file:{work / 'events.jsonl'}",
          "--state-dir", str(work / "state")]
    r = journal.ns.run(nobody + bw, check=False)
    assert r.returncode == 1
    assert ("journal: the journal cannot be read by this user (No journal files were opened due to insufficient "
            "permissions): run as root, or as a member of group adm or systemd-journal") in r.stderr, r.stderr
    err = open(tmp_path / "stderr.txt", "ab")
    f = journal.spawn(nobody + [*bw[:4], "journal:", *bw[4:]], "follower", stdout=subprocess.DEVNULL, stderr=err)
    time.sleep(4)  # journalctl fails, is retried after 1 s, then 2 s
    assert f.stop() == 0
    said = [x for x in (tmp_path / "stderr.txt").read_text().splitlines() if "insufficient permissions" in x]
    assert said == ["bouncewatch: journal: journalctl exited with status 1 (No journal files were opened due to "
                    "insufficient permissions; run as root, or as a member of group adm or systemd-journal); "
                    "retrying"], said


def test_rotations_and_vacuums_while_following_lose_nothing(journal: Journald, tmp_path: Path) -> None:
    """A vacuum that removes files journalctl -f has read, four rounds of it
    while we follow, repeats nothing and stops nothing: each round's mail
    comes out once, then the next round's from the new file.

    Not tested, because it is journald's and not ours to keep: a file that
    is deleted before journalctl reached its end is lost with what it still
    held (sd-journal drops a file at its inotify IN_DELETE, read or not).
    Each round here waits for its mail before the vacuum; a vacuum at once
    after the rotate lost 18 of 400 records once in CI (README, journald)."""
    for n in range(200):
        message(journal, n)
    journal.wait_for_entries(400)
    f = follower(journal, tmp_path, "--from-start")
    wait_events(tmp_path, 200)
    for r in range(4):
        for n in range(200 + r * 100, 300 + r * 100):
            message(journal, n)
        journal.journalctl("--rotate")
        wait_events(tmp_path, 300 + r * 100, 60)
        journal.journalctl("--vacuum-files=1")
    for n in range(600, 650):
        message(journal, n)
    wait_events(tmp_path, 650, 60)
    time.sleep(0.5)
    assert f.stop() == 0
    check(deliveries(tmp_path), 0, 649)
