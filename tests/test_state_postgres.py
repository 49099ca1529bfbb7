"""The PostgreSQL store against a real server: Debian's PostgreSQL, started by
the test on loopback in a temporary cluster, as ``nobody`` when we are root
(postgres refuses to run as root). Skips with the reason when there is no
server to be had (no package, no psycopg)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from statelog import at, delivery

psycopg = pytest.importorskip("psycopg", reason="psycopg (the PostgreSQL driver) is not installed")

CACHE = Path("/var/cache/bouncewatch/postgresql")


def _bindir() -> Path | None:
    """Installed server binaries, else the Debian package unpacked (dpkg -x) into CACHE."""
    for root in ("/usr/lib/postgresql", str(CACHE / "usr/lib/postgresql")):
        found = sorted(glob.glob(f"{root}/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
        if found:
            return Path(found[-1]).parent
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None or os.geteuid() != 0:
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["apt-get", "download", "postgresql-15"], cwd=CACHE, capture_output=True, timeout=300)
    debs = sorted(CACHE.glob("postgresql-15_*.deb"))
    if r.returncode != 0 or not debs:
        return None
    subprocess.run(["dpkg", "-x", str(debs[-1]), str(CACHE)], check=True, timeout=300)
    found = sorted(glob.glob(f"{CACHE}/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def _as_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    for tool in (["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"],
                 ["runuser", "-u", "nobody", "--"]):
        if shutil.which(tool[0]):
            return tool + cmd
    pytest.skip("running as root and neither setpriv nor runuser is available to drop to nobody")
    return cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (install postgresql, or apt-get download postgresql-15 failed)")
    tmp = Path(tempfile.mkdtemp(prefix="bw-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    data.mkdir()
    sock.mkdir()
    if os.geteuid() == 0:
        for p in (tmp, data, sock):
            shutil.chown(p, "nobody", "nogroup")
    r = subprocess.run(_as_user([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "bw",
                                 "--no-sync", "-E", "UTF8"]), capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.skip(f"initdb failed: {r.stderr.strip()[-300:]}")
    port = _free_port()
    proc = subprocess.Popen(_as_user([str(bindir / "postgres"), "-D", str(data), "-h", "127.0.0.1",
                                      "-p", str(port), "-k", str(sock), "-c", "fsync=off"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"postgresql://bw@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read().decode(errors="replace")[-300:]
                shutil.rmtree(tmp, ignore_errors=True)
                pytest.skip(f"postgres did not start: {err}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def db(pg_url):
    """A fresh schema for each test: drop what the previous one left."""
    with psycopg.connect(pg_url, autocommit=True) as c:
        for t in ("meta", "events", "recipients", "domains", "suppressions", "suppression_log", "episodes",
                  "alerts", "sender_hours"):
            c.execute(f"DROP TABLE IF EXISTS {t}")
    return pg_url


def events(classifier, attempts, host="mx1"):
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier, include_sent=True)
    lines = [line for a in attempts for line in delivery(*a, host=host)]
    return [e for i, line in enumerate(lines) for e in p.feed(line, "/var/log/mail.log", i)]


def test_two_hosts_share_history_and_suppressions(db, classifier):
    from bouncewatch.plugin.state import open_store
    a, b = open_store(db), open_store(db)
    r = "slow@corp.example"
    a.record(events(classifier, [(at(0), "Q1", r, "soft"), (at(0), "H1", "gone@corp.example", "hard")], "mx1"))
    b.record(events(classifier, [(at(8), "Q2", r, "soft")], "mx2"))
    assert r not in {s.recipient for s in b.suppressions()}
    a.record(events(classifier, [(at(16), "Q3", r, "soft")], "mx1"))
    got = {s.recipient: s for s in b.suppressions()}  # host B sees what host A decided
    assert set(got) == {r, "gone@corp.example"}
    assert got[r].rule == "soft" and len(got[r].events) == 3
    assert b.recipient(r)["deferred"] == 3
    # idempotent: the same lines again change nothing
    a.record(events(classifier, [(at(16), "Q3", r, "soft")], "mx1"))
    assert b.recipient(r)["deferred"] == 3
    assert b.remove([r]) == [r] and r not in {s.recipient for s in a.suppressions()}
    a.close()
    b.close()


def test_policy_on_postgres(db, classifier):
    from bouncewatch.plugin.state import open_store
    s = open_store(db)
    s.record(events(classifier, [(at(0), "W1", "w@corp.example", "soft"), (at(2), "W2", "w@corp.example", "soft"),
                                 (at(5), "W3", "w@corp.example", "soft"),
                                 *[(at(d), f"B{d}", "b@corp.example", "spamhaus") for d in (0, 8, 17)],
                                 (at(0), "G1", "g@corp.example", "grey"), (at(0.01), "G1", "g@corp.example", "sent"),
                                 (at(9), "G2", "g@corp.example", "grey"), (at(9.01), "G2", "g@corp.example", "sent"),
                                 (at(18), "G3", "g@corp.example", "grey")]))
    assert s.suppressions() == []
    assert [a["alert"] for a in s.alerts()].count("blocklisted") == 3
    s.close()


def test_retention_on_postgres(db, classifier):
    """The window is the store's (every host reads it), and old events go."""
    import psycopg
    from bouncewatch.plugin.state import open_store
    a = open_store(db, retention_days=30)
    first = events(classifier, [(at(-200), "R1", "old@corp.example", "hard")])
    a.record(first)
    b = open_store(db)
    assert b.retention_days == 30
    b.record(events(classifier, [(at(-150), "R2", "new@corp.example", "sent")], host="mx2"))
    a.record(first)   # read again, older than the window: not counted twice
    assert (a.applied, a.too_old, b.applied) == (1, 1, 1)
    with psycopg.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
    assert [s.recipient for s in a.suppressions()] == ["old@corp.example"]
    a.close()
    b.close()


WRITER = r"""
import sys
from bouncewatch.plugin.state import open_store
import json
store = open_store(sys.argv[1])
evs = [json.loads(l) for l in open(sys.argv[2])]
for i in range(0, len(evs), 50):
    store.record(evs[i:i + 50])
store.close()
"""


def test_concurrent_writers_lose_no_update(db, classifier, tmp_path):
    """Two MTA hosts writing at once about the same recipients."""
    import json
    from bouncewatch.plugin.state import open_store
    files = []
    for host in ("mx1", "mx2"):
        attempts = [(at(i / 100), f"{host}-{i}", f"u{i % 40}@corp.example", "soft" if i % 2 else "sent")
                    for i in range(600)]
        f = tmp_path / f"{host}.jsonl"
        f.write_text("".join(json.dumps(e) + "\n" for e in events(classifier, attempts, host)))
        files.append(f)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db, str(f)]) for f in files]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    s = open_store(db)
    totals = [s.recipient(f"u{i}@corp.example") for i in range(40)]
    assert sum(t["sent"] + t["deferred"] for t in totals) == 1200
    assert sum(t["deferred"] for t in totals) == 600
    s.close()


def test_bad_url_is_a_clear_error():
    from bouncewatch.plugin.state import StateError, open_store
    port = _free_port()
    with pytest.raises(StateError, match=r"postgresql://bw:\*\*\*@127.0.0.1") as e:
        open_store(f"postgresql://bw:secret@127.0.0.1:{port}/x?connect_timeout=2")
    assert "secret" not in str(e.value)


def test_cli_with_a_postgresql_url(db, tmp_path):
    log = tmp_path / "mail.log"
    log.write_text("\n".join(delivery(at(0), "C1", "gone@corp.example", "hard")
                             + delivery(at(1), "C2", "ok@corp.example", "sent")) + "\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "bouncewatch", *a], capture_output=True,  # noqa: E731
                                    text=True, timeout=120)
    r = run("parse", "--state-dir", db, str(log))
    assert r.returncode == 0 and "2 events recorded (2 new)" in r.stderr, r.stderr
    r = run("suppressions", "export", "--state-dir", db)
    assert r.stdout.splitlines() == ["email,reason,since", f"gone@corp.example,hard bounce: bad_mailbox,{at(0).isoformat()}"]
    r = run("report", "--state-dir", db)
    assert r.returncode == 0 and "Suppressed addresses: 1" in r.stdout
