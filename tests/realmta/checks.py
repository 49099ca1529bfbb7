"""Assertions every real-MTA test makes about its run, one function per
check; each test module wraps them in its own test functions (so a failure
names the MTA) and adds what only its MTA does.

Registered for pytest's assertion rewriting in tests/conftest.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .scenarios import SENDER, Expect, Run, Scenario


def params(cases: list[tuple[Scenario, Expect]], known_wrong: dict[str, str]) -> list:
    """pytest params, one per scenario; a scenario in ``known_wrong`` (name
    -> the mistake, with the real line) is a strict xfail, so the fix turns
    it into a failure until it is removed from the table."""
    return [pytest.param(s, e, id=s.name,
                         marks=[pytest.mark.xfail(strict=True, reason=known_wrong[s.name])]
                         if s.name in known_wrong else [])
            for s, e in cases]


def first_event(run: Run, s: Scenario, e: Expect, mta: str) -> None:
    evs = run.events.get(s.recipient)
    assert evs, f"no event for {s.recipient}; log lines naming it: " + "\n".join(
        x for x in run.lines if s.recipient in x)
    ev = evs[0]
    got = {"status": ev["status"], "dsn": ev["dsn"], "category": ev["classification"]["category"],
           "type": ev["classification"]["type"], "smtp_command": ev["smtp_command"]}
    want = {"status": e.status, "dsn": e.dsn, "category": e.category, "type": e.type,
            "smtp_command": e.command}
    assert got == want, f"reason: {ev['reason']!r} (rule {ev['classification']['rule']}); its lines:\n" + "\n".join(
        x for x in run.lines if ev["queue_id"] and ev["queue_id"] in x)
    assert e.reason_has in ev["reason"]
    assert ev["mta"] == mta and ev["queue_id"] and ev["sender"] == SENDER
    assert ev["message_id"] == s.message_id


def last_event(run: Run, s: Scenario, e: Expect) -> None:
    ev = run.events[s.recipient][-1]
    assert (ev["status"], ev["classification"]["category"]) == e.then, ev["reason"]


def greylisted_then_delivered(run: Run, s: Scenario) -> None:
    """The peer said 450 first and 250 on a retry; the events say the same."""
    rcpt_replies = [x.reply[:3] for x in run.peer.exchanges("RCPT", s.recipient)]
    assert rcpt_replies[:1] == ["450"] and len(rcpt_replies) >= 2
    statuses = [e["status"] for e in run.events[s.recipient]]
    assert statuses[0] == "deferred" and statuses[-1] == "sent"
    assert run.events[s.recipient][-1]["attempt"] == statuses.count("deferred")


def expired_with_cause(run: Run, recipient: str, cause: str) -> None:
    evs = run.events[recipient]
    expired = [e for e in evs if e["status"] == "expired"]
    assert len(expired) == 1, [e["status"] for e in evs]
    cls = expired[0]["classification"]
    assert (cls["category"], cls["type"], cls["cause"]) == ("expired", "soft", cause)
    assert expired[0]["attempt"] == sum(e["status"] == "deferred" for e in evs) >= 2


def bounces_returned(run: Run, cases: list[tuple[Scenario, Expect]]) -> None:
    """Every bounced recipient and the expired one produce a DSN that the
    MTA delivers to the sender (a ``sent`` event from the null sender)."""
    returned = [e for e in run.events.get(SENDER, []) if e["status"] == "sent"]
    want = sum(e.status == "bounced" for _s, e in cases) + 1
    assert len(returned) == want, f"{len(returned)} returned, {want} expected"
    assert all(e["sender"] == "" for e in returned)


def resolver_asked_the_stub(run: Run, names: set[str]) -> None:
    asked = {name for name, _type in run.dns_queries}
    assert names <= asked, f"never asked: {sorted(names - asked)}"


def cli_agrees(run: Run, tmp_path: Path) -> None:
    """``bouncewatch parse --all`` over the same log gives the same events."""
    log = tmp_path / "maillog"
    log.write_text("\n".join(run.lines) + "\n")
    out = subprocess.run([sys.executable, "-m", "bouncewatch", "parse", "--all", "--no-progress", str(log)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    cli = [json.loads(x) for x in out.splitlines()]
    mine = [e for evs in run.events.values() for e in evs]
    key = lambda e: (e["event_id"], e["status"], e["classification"]["category"])  # noqa: E731
    assert sorted(map(key, cli)) == sorted(map(key, mine))


def no_line_skipped(run: Run) -> None:
    assert not [k for k in run.counts if k.startswith("skipped:")], run.counts
    assert run.counts["lines"] == len(run.lines)


def leaves_nothing_behind(run: Run) -> None:
    assert not Path(f"/proc/{run.init_pid}").exists(), "namespace init still running"
    assert not run.base.exists(), f"instance directory left behind: {run.base}"
    mounts = Path("/proc/self/mountinfo").read_text()
    assert str(run.base) not in mounts


def bounded(run: Run, limit: float = 180) -> None:
    assert run.seconds < limit, f"real-MTA run took {run.seconds:.0f}s"

