"""plugin/parse_worker.py: ``parse`` of a big file with a worker process
writes exactly what one process writes (events, their order, the summary,
causes inherited across lines and files), and loses nothing when the file
ends badly."""

from __future__ import annotations

import gzip
import io
import json
import multiprocessing
import pickle
import pickletools
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bouncewatch.parsers.records import Delivery, Envelope, MessageInfo, MessageOutcome, Relay, Reply
from bouncewatch.plugin import cli, parse_worker
from bouncewatch.plugin.lineparse import LineParser
from bouncewatch.plugin.correlate import Correlator
from bouncewatch.plugin.event import event_id
from bouncewatch.plugin.parse_worker import ParsedLines, _Causes, _dumps, _rows

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "bench" / "generate.py"

# Lines whose records or envelopes take the less common paths: a message that
# is not the line's tail (journald JSON), a Sendmail line naming two
# recipients (a tuple of records), an Exim main-log line, invalid UTF-8, a
# line of another program, garbage, and a last line without its newline.
ODD_LINES = [
    json.dumps({"SYSLOG_IDENTIFIER": "postfix/smtp", "_PID": "314", "_HOSTNAME": "mx",
                "__REALTIME_TIMESTAMP": "1795000000000000",
                "MESSAGE": "4F00A1: to=<a@Example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, "
                           "dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: "
                           "550 5.1.1 <a@example.org>: user unknown (in reply to RCPT TO command))"}),
    "Nov 22 10:00:00 mx sendmail[10]: 5AMA0000000010: to=a@grey.example,b@down.example, "
    "ctladdr=www-data (33/33), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30300, "
    "relay=[127.0.0.1] [127.0.0.1], dsn=4.0.0, stat=Deferred: Connection refused by [127.0.0.1]",
    "2026-11-22 10:00:01 1rA2b3-000AB4-C5 ** bob@example.net R=dnslookup T=remote_smtp "
    "H=mx.example.net [192.0.2.7]: SMTP error from remote mail server after RCPT TO:<bob@example.net>: "
    "550 5.1.1 No such user",
    "Nov 22 10:00:02 mx postfix/smtp[11]: 4F00A2: to=<caf\udcc3@example.org>, status=deferred (x)",
    "Nov 22 10:00:03 mx CRON[12]: (root) CMD (true)",
    "not a log line at all",
]


def _log(tmp_path: Path, lines: int = 6000) -> Path:
    log = tmp_path / "mail.log"
    subprocess.run([sys.executable, str(GENERATE), "--lines", str(lines), "--msg-rate", "0.25",
                    "--min-backoff", "60", "--queue-lifetime", "400", "--failure-scale", "5",
                    "--seed", "3", "-o", str(log)], check=True, timeout=60)
    odd = "\n".join(ODD_LINES).encode("utf-8", "surrogateescape")
    with log.open("ab") as f:
        f.write(odd + b"\n" + b"Nov 22 10:00:04 mx postfix/qmgr[13]: 4F00A3: removed")
    return log


def _parse(monkeypatch, capsys, argv: list[str], *, worker: bool) -> tuple[str, str]:
    monkeypatch.setattr(parse_worker, "MIN_BYTES", 0 if worker else 1 << 62)
    monkeypatch.setattr(parse_worker, "BATCH", 97)  # many batches, one ending mid-file
    used = []
    real = parse_worker.worth_a_worker
    monkeypatch.setattr(parse_worker, "worth_a_worker", lambda *a: used.append(real(*a)) or used[-1])
    assert cli.main(argv) in (0, 1)
    assert used == [worker]
    return capsys.readouterr()


@pytest.fixture
def two_cores(monkeypatch):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform: parse always runs in one process")
    monkeypatch.setattr(parse_worker.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


@pytest.mark.parametrize("extra", [["--all"], []])
def test_worker_writes_what_one_process_writes(tmp_path, monkeypatch, capsys, two_cores, extra):
    log = _log(tmp_path)
    argv = ["parse", "--no-progress", *extra, str(log)]
    one = _parse(monkeypatch, capsys, argv, worker=False)
    two = _parse(monkeypatch, capsys, argv, worker=True)
    assert one.out.count("\n") > 100
    assert two.out == one.out
    assert two.err == one.err
    assert "unterminated_last_line=1" in one.err and "invalid_utf8=1" in one.err


def test_files_after_a_worker_continue_its_tables(tmp_path, monkeypatch, capsys, two_cores):
    """``parse a b``: b's worker starts from the tables a's worker built
    (they come back at the end), with the causes the main process kept:
    expiries in b inherit the causes of failures in a."""
    lines = _log(tmp_path, 9000).read_bytes().splitlines(keepends=True)
    parts = [tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"]
    for part, chunk in zip(parts, (lines[:3000], lines[3000:6000], lines[6000:])):
        part.write_bytes(b"".join(chunk))
    argv = ["parse", "--no-progress", "--all", *map(str, parts)]
    monkeypatch.setattr(parse_worker, "MIN_BYTES", 1 << 62)
    assert cli.main(argv) in (0, 1)
    one = capsys.readouterr()
    monkeypatch.setattr(parse_worker, "MIN_BYTES", 0)
    monkeypatch.setattr(parse_worker, "BATCH", 97)
    assert cli.main(argv) in (0, 1)
    two = capsys.readouterr()
    assert (two.out, two.err) == (one.out, one.err)
    evs = [json.loads(x) for x in one.out.splitlines()]
    inherited = [e for e in evs if e["classification"]["cause"] and e["source"]["path"] != str(parts[0])]
    assert inherited and any(e["attempt"] for e in inherited)


def test_the_worker_is_used_only_when_it_pays(tmp_path, two_cores, monkeypatch):
    log = _log(tmp_path, 500)
    with log.open("rb") as fp:
        assert not parse_worker.worth_a_worker(str(log), fp)   # small
        monkeypatch.setattr(parse_worker, "MIN_BYTES", 0)
        assert parse_worker.worth_a_worker(str(log), fp)
        assert not parse_worker.worth_a_worker("-", fp)        # stdin
        monkeypatch.setattr(parse_worker.os, "sched_getaffinity", lambda pid: {0})
        assert not parse_worker.worth_a_worker(str(log), fp)   # one core


def test_truncated_gzip_keeps_the_events_before_the_damage(tmp_path, monkeypatch, capsys, two_cores):
    data = gzip.compress(_log(tmp_path).read_bytes())
    bad = tmp_path / "mail.log.gz"
    bad.write_bytes(data[: len(data) * 2 // 3])
    argv = ["parse", "--no-progress", "--all", str(bad)]
    one = _parse(monkeypatch, capsys, argv, worker=False)
    two = _parse(monkeypatch, capsys, argv, worker=True)
    assert "error reading" in one.err and one.out.count("\n") > 50
    assert (two.out, two.err) == (one.out, one.err)


def test_records_cross_as_class_and_fields_and_come_back_equal():
    recs = [
        Delivery("postfix", "4F00A1", "a@example.org", "bounced", "550 no", orig_recipient="b@example.org",
                 relay=Relay("mx.example.org", "192.0.2.1", 25), delay=1.5, dsn="5.1.1",
                 reply=Reply(550, "5.1.1", "RCPT TO", "no", "mx.example.org"), sender="s@example.net",
                 size=10, message_id="id@x", bounce_of="4F00A0"),
        Delivery("postfix", "4F00A2", "a@example.org", "sent"),
        MessageInfo("postfix", "4F00A1", sender="", size=3, message_id="m", nrcpt=2, bounce_of="X"),
        MessageOutcome("postfix", "4F00A1", "expired", "expired, returned", sender="s@x"),
        MessageOutcome("postfix", "4F00A1", None),
        Envelope(datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc), "mx", "postfix/smtp", 12, "4F00A1: to=<a>"),
    ]
    data = _dumps((recs, tuple(recs[:2])))
    # each crosses as a call of its class with its fields, not as pickle's
    # default object state (which the main process would load field by field)
    ops = {op.name for op, _, _ in pickletools.genops(data)}
    assert "REDUCE" in ops and not ops & {"NEWOBJ", "NEWOBJ_EX", "BUILD"}
    assert pickle.loads(data) == (recs, tuple(recs[:2]))


def _copy(rec):
    return tuple(map(_copy, rec)) if isinstance(rec, tuple) else pickle.loads(pickle.dumps(rec))


def test_a_line_crosses_with_its_correlated_deliveries():
    """A row is what correlating the line here gives: the deliveries with
    what the tables joined, attempts, the recipient's state by its key, and
    each event's id, hashed from the line, which itself stays in the worker."""
    ts = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
    line = "Nov 22 10:00:00 mx postfix/smtp[12]: 4F00A1: to=<a>"
    recs = [
        MessageInfo("postfix", "4F00A1", sender="s@example.net", size=3, message_id="m"),
        Delivery("postfix", "4F00A1", "a@example.org", "deferred", "450 later",
                 relay=Relay("mx.example.org", "192.0.2.1", 25), reply=Reply(450, None, None, "later", None)),
        (Delivery("sendmail", "S1", "a@example.org", "deferred"), Delivery("sendmail", "S1", "b@example.org", "sent")),
        Delivery("postfix", "4F00A1", "b@example.org", "sent"),
        MessageOutcome("postfix", "4F00A1", "expired", "expired, returned"),
        MessageOutcome("postfix", "4F00A1", None),
    ]
    here, there = Correlator(), Correlator()
    causes = _Causes(there)
    # (LineParser.parse_block's split=True items: where the message starts, or the message)
    for at in (37, "not the line's tail"):
        env = Envelope(ts, "mx", "postfix/smtp", 12, "")
        for rec in recs:
            expected = []
            for r in (rec if isinstance(rec, tuple) else (rec,)):
                expected += here.feed(_copy(r), ts)
            rows = pickle.loads(_dumps(_rows([line], [7], [(0, ts, "mx", "postfix/smtp", 12, at, _copy(rec))],
                                             there.feed)))
            if not expected:  # what a message is, or that it is done: nothing crosses
                assert rows == []
                continue
            [(text, got_env, got, offset)] = map(causes.unrow, rows)
            assert (text, got_env, offset) == (None, env, 7)
            assert [(c.delivery, c.attempt) for c in got] == [(c.delivery, c.attempt) for c in expected]
            assert [c.event_id for c in got] == [event_id(line, c.delivery.recipient) for c in expected]
            # the recipient's state, by key, where a cause can be kept (a failure; nothing
            # is classified yet, so no cause was kept to be read)
            assert [c.state.key if c.state else None for c in got] == \
                [c.state.key if c.delivery.status != "sent" else None for c in expected]


def test_deliveries_nobody_reads_do_not_cross():
    ts = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
    parsed = [(0, ts, "mx", "postfix/smtp", 1, 0, Delivery("postfix", "Q", "a@x", "sent")),
              (1, ts, "mx", "postfix/smtp", 1, 0, Delivery("postfix", "Q", "b@x", "bounced"))]
    rows = _rows(["l0", "l1"], [0, 3], parsed, Correlator().feed, skip={"sent"})
    assert [(r[0], [i[0][3] for i in r[5]]) for r in rows] == [(3, ["bounced"])]  # (offset, statuses)


def test_in_process_lines_are_the_same_records(tmp_path):
    from types import SimpleNamespace
    log = _log(tmp_path, 800)
    source = SimpleNamespace(lines=LineParser(), counts=Counter(), correlator=Correlator())
    with log.open("rb") as fp:
        here = [(t, e, [(c.delivery, c.attempt) for c in cs], o)
                for t, e, cs, o in ParsedLines(fp, source, parallel=False)]
    direct: Counter[str] = Counter()
    lp, correlator = LineParser(), Correlator()
    expected = []
    for offset_text in _lines_with_offsets(log.read_bytes()):
        offset, text = offset_text
        parsed = lp.parse(text, direct)
        if parsed is not None:
            recs = parsed[1] if isinstance(parsed[1], tuple) else (parsed[1],)
            cs = [c for r in recs for c in correlator.feed(r, parsed[0].timestamp)]
            if cs:
                expected.append((text, parsed[0], [(c.delivery, c.attempt) for c in cs], offset))
    assert len(here) > 50 and here == expected
    assert source.counts["lines"] == direct["lines"]


def _lines_with_offsets(data: bytes):
    offset = 0
    for raw in io.BytesIO(data):
        body = raw.rstrip(b"\n")
        yield offset, body.decode("utf-8", "backslashreplace")
        offset += len(raw)
