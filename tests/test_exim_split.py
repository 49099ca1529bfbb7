"""Exim's main log split the way LineParser.parse_block splits syslog lines.

parse_block reads a line in the common RFC 3164 form with
EnvelopeParser.match_head and the MTA module's ``parse_at(program, line,
start)``, building an Envelope only for a line that yields a record. Exim's
own main log has the same pieces: EnvelopeParser.match_exim (the head, only
where the message needs no more work), exim_stamp (its datetime) and
exim.parse_at. Split that way, every line must give what the whole envelope
parser and exim.parse give: on the bench's lines, the corpus' shapes, and
thousands of mutations of them.
"""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest

from bouncewatch.parsers import exim
from bouncewatch.parsers.address import normalize_address
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Envelope
from bouncewatch.plugin.lineparse import LineParser

from test_exim_fastpath import ARRIVALS, DELIVERIES, NOISE, QID, mutations

HEADS = [
    "2026-11-20 06:00:00.072 +0100 [63116] ",   # contrib/exim's log_selector (+pid +millisec log_timezone)
    "2026-11-20 06:00:00 ",                      # Debian's default
    "2026-11-20 06:00:00.999 ",
    "2026-11-20 06:00:00 -0530 ",
    "2026-11-20 06:00:00 [7] ",
]
MESSAGES = [QID + " " + d for d in DELIVERIES] + [QID + " <= " + a for a in ARRIVALS] + [
    QID + " Completed", QID + " Completed QT=1s", QID + " Frozen (delivery error message)",
    QID + " removed by root", QID + " cancelled by timeout_frozen_after", QID + " cancelled by system filter: x",
    QID + " cancelled by admin", QID + " Message is frozen", QID + " frozen by root", QID + " C",
    QID + " H=mx.example [192.0.2.1] Connection refused", "Start queue run: pid=6562",
    "SMTP connection from app1.example.net [192.0.2.10]:37605 (TCP/IP connection count = 9)",
    "H=(x) [203.0.113.235] F=<spam@x.example> rejected RCPT <info@example.net>: relay not permitted",
    "[1\\3] " + QID + " => a@b R=r T=t", "[2\\3] rest of it", "2026-11-20 06:00:00 " + QID + " Completed",
    "1rABCD-00000000XY-ABCD => a@b R=r T=t H=mx [192.0.2.1] C=\"250 ok\"", "", " ", "x",
]


def split(ep: EnvelopeParser, line: str):
    """What parse_block makes of a main-log line by the split path:
    (envelope, record), None (no record), "generic" (the whole envelope
    parser's line), "unrecognized" (no date)."""
    m = ep.match_exim(line)
    if m is None:
        return "generic"
    ts = ep.exim_stamp(line, m)
    if ts is None:
        return "unrecognized"
    start = m.end()
    rec = exim.parse_at("exim", line, start)
    if rec is None:
        return None
    pid = m[3]
    return Envelope(ts, None, "exim", int(pid) if pid else None, line[start:]), rec


def whole(ep: EnvelopeParser, line: str):
    """The same through the whole envelope parser and exim.parse."""
    env = ep.parse(line)
    if env is None:
        return "unrecognized"
    if env.program != "exim":
        return "generic"
    rec = exim.parse(env)
    return None if rec is None else (env, rec)


def agree(line: str) -> None:
    ep_split, ep_whole = EnvelopeParser(), EnvelopeParser()
    try:
        got = split(ep_split, line)
    except Exception as e:
        with pytest.raises(type(e)):
            whole(ep_whole, line)
        return
    if got == "generic":  # parse_block hands it to the whole envelope parser, as before
        return
    assert got == whole(ep_whole, line), line


@pytest.mark.parametrize("head", HEADS)
def test_split_reads_what_the_whole_parser_reads(head):
    for msg in MESSAGES:
        agree(head + msg)
        # only a message that needs more (a piece mark, a second stamp) is left to the whole parser
        needs_more = msg[:1] == "[" or msg[4:5] == "-"
        assert (EnvelopeParser().match_exim(head + msg) is None) == needs_more, msg


def test_split_on_mutated_lines():
    rng = random.Random(1123)
    n = 0
    for msg in MESSAGES[:len(DELIVERIES) + len(ARRIVALS)]:
        for line in mutations(rng.choice(HEADS) + msg, rng, 150):
            agree(line)
            n += 1
    assert n == 150 * (len(DELIVERIES) + len(ARRIVALS))


def test_split_on_mutated_heads():
    """Heads that need more (a piece mark, a second stamp, an odd zone) are
    left to the whole envelope parser; none is read a shorter way."""
    rng = random.Random(7)
    parts = ["2026-11-20 06:00:00", ".072", ".07", " +0100", " -0530", " +01", " +9999", " [63116]", " [", "]",
             " ", "  ", "[1\\3] ", "2026-11-20 06:00:00 ", "abcd-", QID + " Completed", "+0100 2026-", "\n",
             "\u0662\u0660\u0662\u0666", "2026-13-45 25:61:61", "x", QID + " => a@b R=r T=t"]
    for _ in range(20000):
        line = "".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.7:
            line = "2026-11-20 06:00:00" + line
        agree(line)


def test_split_keeps_the_stamp_cache_right_across_seconds_and_zones():
    """exim_stamp keeps the last second's datetime: a line of another second
    or zone must not get it."""
    lines = ["2026-11-20 06:00:00.001 +0100 x", "2026-11-20 06:00:00.002 +0200 x", "2026-11-20 06:00:00.003 x",
             "2026-11-20 06:00:01.004 +0100 x", "2026-11-20 06:00:00.005 +0100 x", "2026-11-20 06:00:00 x",
             "2026-11-20 06:00:00.006 +0200 x"]
    ep = EnvelopeParser()
    for line in lines * 2:
        m = ep.match_exim(line)
        assert ep.exim_stamp(line, m) == EnvelopeParser().parse(line).timestamp, line


def test_stamps_read_from_caches_equal_stamps_built_afresh():
    """Seconds, minutes, zones, leap seconds, impossible dates and odd digits
    in any order: a parser that has seen other lines (its caches of the last
    second, of seconds and of minutes) gives what a new parser gives."""
    rng = random.Random(17)
    days = ["2026-11-20", "2026-11-21", "2024-02-29", "2026-02-29", "2026-12-31"]
    times = ["06:00", "06:01", "23:59", "00:00", "24:00", "06:6\u0661"]
    seconds = ["00", "01", "59", "60", "07", "\u0660\u0661", "1\u0662"]
    zones = ["", " +0100", " +0200", " -0530", " +9999", " +0000"]
    ep = EnvelopeParser()
    for _ in range(5000):
        line = (rng.choice(days) + " " + rng.choice(times) + ":" + rng.choice(seconds)
                + rng.choice(["", ".000", ".999", ".5\u0661\u0662"]) + rng.choice(zones) + " " + QID + " Completed")
        fresh = EnvelopeParser().parse(line)
        got = ep.parse(line)
        assert got == fresh, line
        m = ep.match_exim(line)
        if m is not None:
            assert ep.exim_stamp(line, m) == (fresh.timestamp if fresh is not None else None), line


def test_parse_block_gives_what_parse_gives():
    """LineParser.parse_block (whichever way it reads Exim's lines) and parse agree, counts included."""
    rng = random.Random(3)
    lines = [h + m for h in HEADS for m in MESSAGES]
    lines += [line for msg in MESSAGES[:12] for line in mutations(HEADS[0] + msg, rng, 40)]
    for mta in ("auto", "exim", "postfix"):
        lp_block, lp_line = LineParser(mta), LineParser(mta)
        c_block, c_line = Counter(), Counter()
        got = lp_block.parse_block(lines, c_block)
        want = []
        for i, line in enumerate(lines):
            r = lp_line.parse(line, c_line)
            if r is not None:
                want.append((i, *r))
        assert got == want
        assert c_block == c_line


def test_normal_form_shortcut_gives_normalize_address():
    """_DELIVERY_SHAPE's first address group takes only an address already in
    normal form (kept as it is); everything else goes through normalize_address."""
    addrs = ["a@b", "anna7883@gmail.com", "Anna@Gmail.com", "a@B", "<a@b>", "a@b>", "<a@b", " a@b", "a@b ",
             "\ta@b", "a@b\t", "a@b\x1c", "\x85a@b", "a@b\xa0", "\u00e9@b", "a@\u00c9", "1@2", "ab", "a",
             "|/usr/bin/x arg", "/var/mail/mail", "a@b.example.", "\u2028a@b"]
    rng = random.Random(11)
    addrs += ["".join(rng.choice("aB@<> \t.\u00e9\xa0x1") for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    kept = 0
    for addr in addrs:
        for shape in (exim._DELIVERY_SHAPE, exim._DELIVERY_SHAPE_NO_ESCAPE):
            m = shape.match(addr + " R=r T=t")
            if m is not None and m[1] is not None:
                assert m[1] == addr and normalize_address(addr) == addr, repr(addr)
                kept += 1
        body = addr + " R=r T=t"
        rec = exim._delivery("sent", QID, QID + " => " + body, len(QID) + 4)
        assert rec == exim._delivery_fields(QID, "sent", body), repr(addr)
    assert kept > 100


def test_message_id_shortcut_gives_strip_angle():
    """_arrival keeps an id strip_angle would leave alone as it is."""
    ids = ["x@y", "<x@y>", "<>", "<", ">", "x@y>", "\tx", "x\t", "\xa0x", "x\u2028", "\u00e9@y", "a b", " x", "x "]
    rng = random.Random(5)
    ids += ["".join(rng.choice("a<> \t\xa0\u00e9@.") for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    for mid in ids:
        for line in ("u@x S=1 id=" + mid, "u@x S=1 id=\"" + mid + "\"", "u@x id=<" + mid + ">"):
            want = exim._arrival_fields(QID, line)
            assert exim._arrival(QID, line, 0) == want, repr(line)


@pytest.mark.parametrize("msg", ["[" * 1_000_000, "2026-11-20 06:00:00 " * 50_000, QID + " => " + "a" * 1_000_000,
                                 " " * 1_000_000, QID + " " + "C" * 1_000_000])
def test_split_stays_linear(msg):
    ep = EnvelopeParser()
    line = HEADS[0] + msg
    t = time.perf_counter()
    split(ep, line)
    assert time.perf_counter() - t < 1.0, "super-linear matching on a 1 MB line"


assert NOISE  # the mutations draw from test_exim_fastpath's noise
