"""The sink API the config loader and the follower use: SinkSpec, per-sink
format / where / statuses, several sinks at once, pseudonymization, file
sink formats, configuration errors at start, the spool on its own."""

from __future__ import annotations

import json
import logging

import pytest

from bouncewatch.plugin.privacy import Pseudonymizer
from bouncewatch.plugin.sinks import ConfigError, SinkSpec, open_sink
from bouncewatch.plugin.sinks.spool import DiskSpool, SpoolFull
from sink_helpers import event, parse_cef


def _mixed():
    evs = [event(i, status="bounced" if i % 3 == 0 else "deferred") for i in range(9)]
    evs.append(event(9, status="sent"))
    return evs


def test_several_sinks_each_with_format_and_filter(tmp_path):
    specs = [
        SinkSpec(uri=f"file:{tmp_path}/all.jsonl"),
        SinkSpec(uri=f"file:{tmp_path}/hard.cef", format="cef", where="type = 'hard'"),
        SinkSpec(uri=f"file:{tmp_path}/deferred.ecs", format="ecs", statuses=["deferred"]),
        SinkSpec(uri=f"file:{tmp_path}/both.leef?format=leef&statuses=bounced,sent&where=smtp_code%20%3E=%20500"),
    ]
    sinks = [s.open() for s in specs]
    evs = _mixed()
    for s in sinks:
        s.send(evs)
        s.close()
    lines = lambda name: (tmp_path / name).read_text().splitlines()  # noqa: E731
    assert [json.loads(x)["event_id"] for x in lines("all.jsonl")] == [e["event_id"] for e in evs]
    hard = [parse_cef(x)[1]["externalId"] for x in lines("hard.cef")]
    assert hard == [e["event_id"] for e in evs if e["classification"]["type"] == "hard"]
    ecs = [json.loads(x) for x in lines("deferred.ecs")]
    assert [d["event"]["action"] for d in ecs] == ["deferred"] * 6
    leef = lines("both.leef")
    assert len(leef) == 3 and all(x.startswith("LEEF:2.0|") for x in leef)   # bounced (550), sent has 451


def test_statuses_and_where_from_uri_and_keywords(tmp_path):
    s = open_sink(f"file:{tmp_path}/x.jsonl", statuses="bounced", where="recipient ~ /user[0-3]@/")
    s.send(_mixed())
    s.close()
    got = [json.loads(x)["recipient"] for x in (tmp_path / "x.jsonl").read_text().splitlines()]
    assert got == ["user0@example.com", "user3@example.com"]


def test_keyword_options_override_the_uri(tmp_path):
    s = open_sink(f"file:{tmp_path}/x.out?format=leef", format="cef")
    s.send([event(1)])
    s.close()
    assert (tmp_path / "x.out").read_text().startswith("CEF:0|")


@pytest.mark.parametrize("uri, kw, key", [
    ("kafkax://broker/topic", {}, "unknown scheme 'kafkax'"),
    ("file:/tmp/x", {"format": "xml"}, "key 'format'"),
    ("file:/tmp/x", {"where": "status = "}, "key 'where'"),
    ("file:/tmp/x", {"statuses": []}, "key 'statuses'"),
    ("file:/tmp/x", {"fsync": "always"}, "key 'fsync'"),
    ("file:/tmp/x?fsnyc=batch", {}, "unknown key 'fsnyc'"),
    ("file:/tmp/x", {"pseudonymize_key": "/nonexistent/key"}, "key 'pseudonymize_key'"),
    ("-", {"colour": "red"}, "unknown key 'colour'"),
])
def test_bad_configuration_names_sink_and_key(uri, kw, key):
    with pytest.raises(ConfigError) as ei:
        open_sink(uri, **kw)
    assert key in str(ei.value) and "sink '" in str(ei.value)


def test_unwritable_file_refused_at_start(tmp_path):
    (tmp_path / "ro").mkdir(mode=0o500)
    target = tmp_path / "ro" / "sub" / "x.jsonl"
    import os
    if os.geteuid() == 0:
        target = tmp_path / "file-not-dir"
        target.write_text("")
        target = target / "x.jsonl"
    with pytest.raises(ConfigError, match="cannot open"):
        open_sink(f"file:{target}")


def test_pseudonymization(tmp_path):
    key = tmp_path / "k"
    key.write_bytes(b"0123456789abcdef0123456789abcdef")
    p = Pseudonymizer.from_file(str(key))
    a = p.address("Bob.Smith@Example.com")
    assert a.endswith("@Example.com") and a.startswith("p-") and "Bob" not in a
    assert p.address("Bob.Smith@other.org").split("@")[0] == a.split("@")[0]   # same local part, same pseudonym
    assert p.address("bob.smith@Example.com") != a                            # local parts are case-sensitive
    other = Pseudonymizer(b"another key, another pseudonym!!")
    assert other.address("Bob.Smith@Example.com") != a

    s = open_sink(f"file:{tmp_path}/p.jsonl", pseudonymize_key=str(key))
    ev = event(1, recipient="alice@example.com", orig_recipient="Alice@example.com")
    s.send([ev])
    s.close()
    out = json.loads((tmp_path / "p.jsonl").read_text())
    assert out["recipient"] == p.address("alice@example.com")
    assert out["recipient_domain"] == "example.com"
    assert "alice" not in out["reason"].lower() and out["recipient"] in out["reason"]
    assert out["event_id"] == ev["event_id"]            # dedupe still works
    assert ev["recipient"] == "alice@example.com"       # the caller's event is untouched


def test_short_key_refused(tmp_path):
    key = tmp_path / "k"
    key.write_bytes(b"short")
    with pytest.raises(ConfigError, match="pseudonymize_key.*at least 16"):
        open_sink(f"file:{tmp_path}/p.jsonl", pseudonymize_key=str(key))


def test_file_reopen_after_rotation(tmp_path):
    path = tmp_path / "ev.jsonl"
    s = open_sink(f"file:{path}?fsync=batch")
    s.send([event(1)])
    path.rename(tmp_path / "ev.jsonl.1")
    s.reopen()
    s.send([event(2)])
    s.close()
    assert json.loads(path.read_text())["event_id"] == event(2)["event_id"]
    assert json.loads((tmp_path / "ev.jsonl.1").read_text())["event_id"] == event(1)["event_id"]


def test_spool_order_bound_and_crash_safety(tmp_path, caplog):
    d = tmp_path / "sp"
    sp = DiskSpool(str(d), 4096, "block", "t")
    sp.append([b"a", b"b"])
    sp.append([b"c"])
    sp.append([b"z"], front=True)
    seqs, recs = sp.peek(10)
    assert recs == [b"z", b"a", b"b", b"c"]
    sp.commit(seqs[:1])
    with pytest.raises(SpoolFull):
        sp.append([b"x" * 5000])
    with pytest.raises(Exception, match="in use"):
        DiskSpool(str(d), 4096, "block", "t2")          # one process per spool
    sp.close()
    # a half-written batch (crash before rename) is ignored; a corrupt one is quarantined
    (d / "0000009999999999.batch.tmp").write_bytes(b"partial")
    files = sorted(d.glob("*.batch"))
    files[-1].write_bytes(files[-1].read_bytes()[:-1] + b"\x00")
    with caplog.at_level(logging.ERROR):
        sp2 = DiskSpool(str(d), 4096, "block", "t")
    assert sp2.peek(10)[1] == [b"a", b"b"]
    assert "unreadable" in caplog.text and list(d.glob("*.corrupt"))
    assert not list(d.glob("*.tmp"))
    sp2.close()


def test_spool_batch_removed_by_hand_is_forgotten_and_counted(tmp_path, caplog):
    """A batch file someone deletes is forgotten with an error and counted as
    dropped; before, every peek found its entry again, returned nothing, and
    the replay thread spun at full CPU."""
    d = tmp_path / "sp"
    sp = DiskSpool(str(d), 1 << 20, "block", "t")
    sp.append([b"a", b"b"])
    sp.append([b"c"])
    sorted(d.glob("*.batch"))[0].unlink()
    with caplog.at_level(logging.ERROR):
        seqs, recs = sp.peek(10)
    assert recs == [b"c"] and sp.dropped == 2 and "is gone" in caplog.text
    sp.commit(seqs)
    assert sp.empty() and sp.peek(10) == ([], [])
    sp.close()


@pytest.mark.parametrize("uri, leaves", [
    ("-", False), ("file:/var/log/x.jsonl", False), ("syslog:/dev/log", False),
    ("syslog+tcp://127.0.0.1:514", False), ("syslog+tls://siem.example.net:6514", True),
    ("https://splunk.example.net:8088?preset=splunk", True), ("http://localhost:9200", False),
    ("kafka://broker:9092/t", True),
])
def test_leaves_host(uri, leaves):
    from bouncewatch.plugin.sinks import leaves_host
    assert leaves_host(uri) is leaves


def test_check_sink_validates_without_side_effects(tmp_path, monkeypatch):
    from bouncewatch.plugin.sinks import check_sink
    state = tmp_path / "state"
    check_sink(f"file:{tmp_path}/new/dir/x.jsonl", format="cef")
    check_sink("https://siem.example.net/in?gzip=true", state_dir=str(state))
    check_sink("syslog+tcp://127.0.0.1:1", state_dir=str(state), where="type = 'hard'")
    assert not (tmp_path / "new").exists() and not state.exists()   # nothing created, nothing connected
    with pytest.raises(ConfigError, match="key 'auth_env'"):
        check_sink("https://siem.example.net/in?auth_env=BW_TEST_UNSET_VAR", state_dir=str(state))
    blocker = tmp_path / "plainfile"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="key 'spool'"):
        check_sink("https://siem.example.net/in", state_dir=str(blocker))
    # while a running sink holds its spool, check_sink of the same URI still passes
    held = open_sink("http://127.0.0.1:9/in", state_dir=str(state))
    check_sink("http://127.0.0.1:9/in", state_dir=str(state))
    held.close()
