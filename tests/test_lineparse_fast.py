"""LineParser.parse (the follower's path) splits Exim's main log lines in one
match (_EXIM_LINE: head, id, flag) and, while Sendmail's lines come one after
another, syslog lines as parse_block does (_sendmail_line). Both must give
exactly what the whole envelope parser and the claiming module's ``parse``
give, counts included, whatever order the lines come in; parse_block must
agree with both; and a hostile 1 MB line stays linear."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bouncewatch.parsers.envelope import PROG_HEAD, EnvelopeParser
from bouncewatch.plugin.lineparse import LineParser, _claimant

from test_exim_fastpath import mutations
from test_exim_split import HEADS, MESSAGES
from test_sendmail import _AGREE_MSGS

REF = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
SM_HEADS = ["Nov 20 06:00:00 mx-out1 sm-mta[16595]: ", "Nov 20 06:00:01 mx-out1 sendmail[7]: ",
            "Nov 20 06:01:00 mx sm-msp-queue[1]: ", "Nov 20 06:00:61 mx sm-mta[2]: ", "<22>Nov  2 13:31:27 h sm-mta[1]: ",
            "Nov  2 13:31:27 h sm-mta: ", "Nov 20 06:00:02 mx-out1 postfix/smtp[9]: ", "Nov 20 06:00:02 mx exim4[3]: ",
            # no host name (a container's syslog on its stdout)
            "Nov 20 06:00:03 sm-mta[16595]: ", "Nov 20 06:00:03 postfix/smtp[9]: ", "<22>Nov  2 13:31:28 sendmail: ",
            "Nov 20 06:00:03 exim4[3]: ", "Nov 20 06:00:03 opendkim[3]: ", "Nov 20 06:00:03 fe80:: postfix/qmgr[1]: ",
            # no stamp at all (docker logs without --timestamps)
            "postfix/smtp[9]: ", "sm-mta[2]: ", "opendkim[3]: "]
SM_MESSAGES = [p.values[0] for p in _AGREE_MSGS] + [
    "kAK6004039066: kAK6004039067: DSN: Cannot send message for 5 days",
    "STARTTLS=client, relay=mx.example., version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384",
    "kAK6004039066: lost input channel from [192.0.2.1] to MTA after rcpt", "kAK6004039066:", "", ": ",
    "89970329DC: to=<a@b>, relay=mx[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)",
    "2026-11-20 06:00:00 1rABCD-000123-AB => a@b R=r T=t"]
def whole(ep: EnvelopeParser, mta: str, line: str, counts: Counter):
    """LineParser.parse as it was before its shortcuts: the reference."""
    counts["lines"] += 1
    env = ep.parse(line)
    if env is None:
        head = PROG_HEAD.match(line)  # an MTA's line with no stamp at all
        counts["skipped:no_timestamp" if head and _claimant(head[1], mta) else "skipped:unrecognized"] += 1
        return None
    mod = _claimant(env.program, mta)
    if mod is None:
        counts["other_program"] += 1
        return None
    try:
        rec = mod.parse(env)
    except Exception as e:
        counts[f"skipped:parser_error:{type(e).__name__}"] += 1
        return None
    if rec is None:
        counts["mta_other"] += 1
        return None
    return env, rec


def agree(lines: list[str], mta: str) -> None:
    lp = LineParser(mta, ref=REF)
    ep = EnvelopeParser(ref=REF, syslog_claims=lambda program: _claimant(program, mta) is not None)  # as LineParser's
    got, want = Counter(), Counter()
    for line in lines:
        assert lp.parse(line, got) == whole(ep, mta, line, want), line
    assert got == want
    block, c_block = LineParser(mta, ref=REF), Counter()
    lp2, c_line = LineParser(mta, ref=REF), Counter()
    parsed = [(i, *r) for i, line in enumerate(lines) if (r := lp2.parse(line, c_line)) is not None]
    assert block.parse_block(lines, c_block) == parsed
    assert c_block == c_line


def corpus_lines(rng: random.Random) -> list[str]:
    exim_lines = [h + m for h in HEADS for m in MESSAGES]
    sm_lines = [h + m for h in SM_HEADS for m in SM_MESSAGES]
    for msg in MESSAGES[:20]:
        exim_lines += mutations(rng.choice(HEADS) + msg, rng, 30)
    for msg in SM_MESSAGES[:20]:
        sm_lines += mutations(rng.choice(SM_HEADS[:3]) + msg, rng, 30)
    return exim_lines + sm_lines


@pytest.mark.parametrize("mta", ["auto", "exim", "sendmail", "postfix"])
def test_parse_gives_what_the_whole_parser_gives(mta):
    rng = random.Random(41)
    lines = corpus_lines(rng)
    agree(lines, mta)             # in runs of one MTA
    rng.shuffle(lines)
    agree(lines, mta)             # mixed: the Sendmail run breaks at every other line
    agree(sorted(lines), mta)     # the same stamps and seconds side by side


def test_runs_of_the_same_second_and_zone():
    """The stamp of the Exim line before is reused only for its second and zone."""
    lines = ["2026-11-20 06:00:00.001 +0100 1rABCD-000123-AB Completed",
             "2026-11-20 06:00:00.002 +0200 1rABCD-000123-AB Completed",
             "2026-11-20 06:00:00 1rABCD-000123-AB Completed", "2026-11-20 06:00:00.000 1rABCD-000123-AB Completed",
             "2026-11-20 06:00:01.999 +0100 1rABCD-000123-AB Completed",
             "2026-11-20 06:00:01.5 +0100 1rABCD-000123-AB Completed",
             "2026-11-20 06:00:01 +9999 1rABCD-000123-AB Completed", "2026-13-20 06:00:01 1rABCD-000123-AB Completed",
             "2026-11-20 06:00:01 [5] Start queue run: pid=5", "\0" * 19 + " 1rABCD-000123-AB Completed",
             "\0" * 10 + " " + "\0" * 8 + " 1rABCD-000123-AB Completed"]
    for order in (lines, lines[::-1], lines + lines):
        agree(order, "auto")


@pytest.fixture(scope="module")
def bench_logs() -> list[list[str]]:
    """3,000 lines of each of the bench's generators: Exim (both id
    formats, with and without log_selector's extras), Sendmail, Postfix."""
    import importlib.util
    import io
    import sys
    from datetime import datetime, timedelta
    bench = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        mods = {}
        for name in ("generate", "generate_exim", "generate_sendmail"):
            spec = importlib.util.spec_from_file_location(name, bench / f"{name}.py")
            mods[name] = importlib.util.module_from_spec(spec)
            sys.modules.setdefault(name, mods[name])   # dataclasses look their module up there
            spec.loader.exec_module(mods[name])
    finally:
        sys.path.remove(str(bench))
    start, life = datetime(2026, 11, 20, 6), timedelta(minutes=6)
    logs = []
    for write in (lambda b: mods["generate_exim"].write(b, 3000, 3, plain=False, old_ids=False, start=start, lifetime=life),
                  lambda b: mods["generate_exim"].write(b, 3000, 4, plain=True, old_ids=True, start=start, lifetime=life),
                  lambda b: mods["generate_sendmail"].write(b, 3000, 5, start=start, lifetime=life)):
        buf = io.StringIO()
        write(buf)
        logs.append(buf.getvalue().splitlines()[:3000])
    gen = mods["generate"]
    buf = io.StringIO()
    gen.write_batch(buf, gen.Relay(gen.Config(seed=6, start=start, failure_scale=5.0)), 3000, start)
    logs.append(buf.getvalue().splitlines())
    return logs


@pytest.mark.parametrize("mta", ["auto", "exim", "sendmail"])
def test_bench_logs(mta, bench_logs):
    """The bench's logs: each whole, and all interleaved line by line."""
    assert all(len(chunk) >= 2900 for chunk in bench_logs)
    agree([line for chunk in bench_logs for line in chunk], mta)
    agree([line for group in zip(*bench_logs) for line in group], mta)


@pytest.mark.parametrize("line", [
    "2026-11-20 06:00:00 1rABCD-000123-AB => " + "a" * 1_000_000,
    "2026-11-20 06:00:00 " + "[" * 1_000_000, "2026-11-20 06:00:00 " * 50_000,
    "2026-11-20 06:00:00 1rABCD-000123-AB <= " + "a=b " * 250_000,
    "Nov 20 06:00:00 mx-out1 sm-mta[1]: kAK6004039066: to=" + "<" * 1_000_000,
    "Nov 20 06:00:00 mx-out1 sm-mta[1]: " + "Nov 20 06:00:00 mx-out1 sm-mta[1]: " * 25_000,
    "postfix/smtp" * 90_000, "postfix/smtp" + "[1" * 500_000, "Nov 20 06:00:00 " + "postfix/smtp[1]:" * 60_000])
def test_hostile_lines_stay_linear(line):
    lp = LineParser("auto")
    lp.parse("Nov 20 06:00:00 mx-out1 sm-mta[1]: kAK6004039066: from=<a@b>, size=1, class=0, nrcpts=1", Counter())
    lp.parse("2026-11-20 06:00:00 1rABCD-000123-AB Completed", Counter())
    t = time.perf_counter()
    lp.parse(line, Counter())
    lp.parse_block([line], Counter(), split=True)
    assert time.perf_counter() - t < 2.0, "super-linear matching on a 1 MB line"
