"""Bad input never raises and is counted: binary junk, invalid UTF-8, NUL
bytes, a 1 MB line, a truncated last line; parsers stay linear on lines
built to make backtracking regexes blow up."""

import io
import time
from collections import Counter

import pytest

from bouncewatch.plugin.reader import iter_lines

GOOD = (b"Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@x.example>, relay=none, delay=1, "
        b"delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to x.example[192.0.2.1]:25: Connection refused)")


def feed_bytes(pipeline, data: bytes):
    evs = []
    for line in iter_lines(io.BytesIO(data), pipeline.counts):
        evs.extend(pipeline.feed(line.text))
    return evs


def test_junk_utf8_nul_long_and_truncated(pipeline):
    data = (b"\xff\xfe\x00garbage\x01\x02\n" + GOOD + b"\n"
            + GOOD.replace(b"AAA111", b"AAA112").replace(b"a@x", b"\xc3(@x") + b"\n"
            + b"\x00" * 100 + GOOD.replace(b"AAA111", b"AAA113") + b"\n"
            + b"x" * (1 << 20) + b"\n"
            + GOOD.replace(b"AAA111", b"AAA114")[:60])
    evs = feed_bytes(pipeline, data)
    assert [e["queue_id"] for e in evs] == ["AAA111", "AAA112", "AAA113"]
    c = pipeline.counts
    assert c["too_long"] == 1 and c["invalid_utf8"] >= 1 and c["nul_bytes"] == 2
    assert c["skipped:unrecognized"] == 1  # the junk line
    assert "skipped" in pipeline.summary() and "too_long=1" in pipeline.summary()
    assert pipeline.summary().startswith("bouncewatch: 6 lines read;")  # the overlong one too


def test_overlong_line_memory_bounded():
    counts = Counter()
    lines = list(iter_lines(io.BytesIO(b"a" * (5 << 20) + b"\nok\n"), counts, max_line=4096))
    assert [ln.text for ln in lines] == ["ok"] and counts["too_long"] == 1
    assert lines[0].offset == (5 << 20) + 1


HOSTILE = [
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<" + "<" * 1_000_000,
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: " + "to=<a>, " * 120_000,
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@b>, relay=" + "[" * 1_000_000,
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@b>, status=bounced (" + "host x said: 550 " * 60_000,
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@b>, status=bounced (" + "550-5.1.1 " * 100_000 + ")",
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@b>, status=deferred (" + "lost connection with " * 50_000,
    "Nov 20 10:00:01 " + "a" * 1_000_000,
    "<1" + "3" * 1_000_000,
    "2026-11-22T" + "1" * 1_000_000,
    "{" + '"a":' * 250_000,
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@b>, status=bounced (SMTP error from remote mail server "
    "after " + "RCPT TO:<" * 100_000,
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@b>, status=bounced (" + "a" * 1_000_000 + " said: 5",
    "postfix-1" + " " * 1_000_000 + "| x",
    "postfix-1  | " * 80_000,
]


@pytest.mark.parametrize("line", HOSTILE, ids=range(len(HOSTILE)))
def test_linear_on_hostile_lines(pipeline, line):
    start = time.perf_counter()
    pipeline.feed(line)
    assert time.perf_counter() - start < 2.0, "super-linear matching on a 1 MB line"


# A count or port that str.isdigit() takes and int() refuses (a superscript
# digit, more than int's 4300 digits) raised in the parser: the whole line was
# lost as skipped:parser_error:ValueError, a delivery with it. The field is
# dropped, the line kept.
ODD_NUMBERS = [
    ("Nov 20 06:12:44 mx postfix/smtp[3]: AAA111: to=<a@x.example>, relay=x[192.0.2.1]:\u00b25, delay=1, "
     "delays=0/0/0/1, dsn=4.4.1, status=deferred (x)", "port"),
    ("Nov 20 06:12:44 mx postfix/qmgr[7]: AAA111: from=<a@b.example>, size=\u00b2689, nrcpt=1 (queue active)",
     "size"),
    ("Nov 20 06:12:44 mx postfix/qmgr[7]: AAA111: from=<a@b.example>, size=" + "9" * 5000 + ", nrcpt=1 "
     "(queue active)", "size"),
    ("2026-11-20 06:17:32 1xUHwA-006Kux-AB => a@b.example R=dnslookup T=remote_smtp "
     "H=mx.b.example [192.0.2.1]:\u00b25 C=\"250 OK\"", "port"),
    ("2026-11-20 06:17:32 1xUHwA-006Kux-AB <= a@b.example H=x [192.0.2.1] P=esmtp S=\u00b223 id=x@y", "size"),
    ("Nov 20 06:12:44 mx sm-mta[3]: kAK6Cid021317: from=<a@b.example>, size=" + "2" * 5000 + ", class=0, "
     "nrcpts=1, msgid=<x@y>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]", "size"),
    ("Nov 20 06:12:44 mx sm-mta[3]: kAK6Cid021317: from=<a@b.example>, size=27, class=0, nrcpts=\u00b9, "
     "msgid=<x@y>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]", "nrcpt"),
]


@pytest.mark.parametrize("line,field", ODD_NUMBERS, ids=range(len(ODD_NUMBERS)))
def test_odd_number_drops_the_field_not_the_line(line, field):
    from bouncewatch.plugin.lineparse import LineParser
    counts = Counter()
    parsed = LineParser().parse(line, counts)
    block = LineParser().parse_block([line], counts)
    assert parsed is not None and len(block) == 1, counts
    rec = parsed[1]
    value = rec.relay.port if field == "port" else getattr(rec, field)
    assert value is None and block[0][2] == rec
