"""``parse --state-dir`` (backfill, rotated .gz included) and
``suppressions list|export|remove|import``."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys

from statelog import at, delivery


def bw(*args, stdin=None, env=None):
    import os
    return subprocess.run([sys.executable, "-m", "bouncewatch", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def rotated_logs(tmp_path):
    """Weeks of a log, rotated: mail.log.2.gz (oldest), mail.log.1.gz, mail.log."""
    old = (delivery(at(0), "A1", "gone@corp.example", "hard")
           + delivery(at(1), "S1", "slow@corp.example", "soft")
           + delivery(at(1), "K1", "ok@corp.example", "spamhaus"))
    mid = (delivery(at(9), "S2", "slow@corp.example", "soft")
           + delivery(at(9), "T1", "bob@gamil.com", "nxdomain"))
    new = (delivery(at(17), "S3", "slow@corp.example", "soft")
           + delivery(at(17), "K2", "ok@corp.example", "spamhaus"))
    paths = []
    for name, lines in (("mail.log.2.gz", old), ("mail.log.1.gz", mid), ("mail.log", new)):
        p = tmp_path / name
        data = ("\n".join(lines) + "\n").encode()
        p.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        paths.append(str(p))
    return paths


def test_parse_state_dir_backfill_then_suppressions(tmp_path):
    state = str(tmp_path / "state")
    logs = rotated_logs(tmp_path)
    for inprocess in ("0", "1"):
        d = state + inprocess
        r = bw("parse", "--state-dir", d, *reversed(logs), env={"BOUNCEWATCH_STATE_INPROCESS": inprocess})
        assert r.returncode == 0, r.stderr
        out = [json.loads(x) for x in r.stdout.splitlines()]
        assert "sent" not in {e.get("status") for e in out}
        assert [a["alert"] for a in out if a.get("kind") == "alert"].count("blocklisted") >= 1
        assert "state: 7 events recorded (7 new)" in r.stderr
        assert "3 addresses suppressed" in r.stderr  # gone (hard), slow (soft x3), bob@gamil.com (bad domain)
        r = bw("suppressions", "list", "--state-dir", d)
        rows = [json.loads(x) for x in r.stdout.splitlines()]
        assert {x["recipient"]: x["rule"] for x in rows} == {
            "gone@corp.example": "hard", "slow@corp.example": "soft", "bob@gamil.com": "hard"}
        for x in rows:
            assert {"recipient", "category", "since", "rule", "events"} <= set(x) and x["events"]
    # re-reading changes nothing
    before = bw("suppressions", "list", "--state-dir", state + "0").stdout
    r = bw("parse", "--state-dir", state + "0", *logs)
    assert "(0 new), 0 alerts" in r.stderr and bw("suppressions", "list", "--state-dir", state + "0").stdout == before


def test_export_remove_import(tmp_path):
    state = str(tmp_path / "state")
    assert bw("parse", "--state-dir", state, *rotated_logs(tmp_path)).returncode == 0
    r = bw("suppressions", "export", "--state-dir", state)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert r.stdout.splitlines()[0] == "email,reason,since"
    assert {x["email"]: x["reason"] for x in rows}["gone@corp.example"] == "hard bounce: bad_mailbox"
    r = bw("suppressions", "list", "--state-dir", state, "--format", "csv")
    assert r.stdout.splitlines()[0].startswith("recipient,domain,category,since,rule")

    r = bw("suppressions", "remove", "--state-dir", state, "gone@CORP.example", "nobody@x.example")
    assert r.returncode == 0 and "removed 1 of 2" in r.stderr and "nobody@x.example was not suppressed" in r.stderr
    assert "gone@corp.example" not in bw("suppressions", "export", "--state-dir", state).stdout

    imp = tmp_path / "other.csv"
    imp.write_text("Email,Reason,Since\nold@legacy.example,complaint,2026-01-02T00:00:00Z\n"
                   "slow@corp.example,dup,\n")
    r = bw("suppressions", "import", "--state-dir", state, str(imp))
    assert r.returncode == 0 and "imported 1 new of 2" in r.stderr, r.stderr
    got = {x["recipient"]: x for x in map(json.loads, bw("suppressions", "list", "--state-dir", state).stdout.splitlines())}
    assert got["old@legacy.example"]["source"] == "import"
    assert got["old@legacy.example"]["since"] == "2026-01-02T00:00:00+00:00"
    # round trip: export of one store imports into another
    exp = tmp_path / "exp.csv"
    exp.write_text(bw("suppressions", "export", "--state-dir", state).stdout)
    other = str(tmp_path / "other")
    (tmp_path / "other").mkdir()
    r = bw("suppressions", "import", "--state-dir", other, str(exp))
    assert r.returncode == 0 and f"imported {len(got)} new of {len(got)}" in r.stderr


def test_bad_import_and_usage(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,reason\nx,y\n")
    r = bw("suppressions", "import", "--state-dir", str(state), str(bad))
    assert r.returncode == 1 and "no email column" in r.stderr
    bad.write_text("email\nnot-an-address\n")
    r = bw("suppressions", "import", "--state-dir", str(state), str(bad))
    assert r.returncode == 1 and "bad.csv:2" in r.stderr
    r = bw("suppressions", "list", "--state-dir", str(tmp_path / "missing"))
    assert r.returncode == 2 and "no such directory" in r.stderr
    r = bw("suppressions", "remove", "--state-dir", str(state))
    assert r.returncode == 2


def test_state_errors_are_reported(tmp_path):
    """A state dir that cannot be created is a usage error; nothing half-written."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = bw("parse", "--state-dir", str(blocker / "sub"), stdin="")
    assert r.returncode == 2 and "--state-dir" in r.stderr


def test_background_writer_death_is_an_error(tmp_path):
    import os
    import signal
    import pytest
    from bouncewatch.plugin.state import StateError
    from bouncewatch.plugin.state_writer import BackgroundStore
    s = BackgroundStore(tmp_path / "st")
    os.kill(s._proc.pid, signal.SIGKILL)
    s._proc.join(10)
    ev = {"event_id": "x", "recipient": "a@b.example", "status": "sent", "classification": {}}
    with pytest.raises(StateError, match="exited unexpectedly"):
        s.record([ev])
        s.record([ev])
