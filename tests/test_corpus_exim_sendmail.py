"""Every Exim and Sendmail delivery line of ../shared/corpus parses.

As for Postfix (test_corpus_postfix.py), two checks per file: an independent
count (plain regexes for Exim's delivery flags and Sendmail's ``to= ...
stat=`` lines, run on the raw line) must equal what the parsers return, and
both must equal the figure recorded here, so a regression in either shows.
The 650 Exim test-suite files that hold delivery lines have their figures in
tests/data/exim_testsuite_counts.tsv (written from the independent count).

Knowingly transformed, not skipped: Loghub's Thunderbird lines carry Loghub's
own columns before the syslog line (stripped), and the Proofpoint-on-Demand
record wraps a Sendmail line in JSON (its ``data`` field is parsed).
"""

from __future__ import annotations

import json
import re
from ipaddress import ip_address
from pathlib import Path

import pytest

from bouncewatch.parsers import exim, sendmail
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Delivery

HERE = Path(__file__).resolve().parent

EXPECTED = {
    "Luisfc68-exim/mainlog": 5,
    "ParisNw-Debian-VM/mainlog": 55,
    "ParisNw-Debian-VM/mainlog.1": 51,
    "RaspIM-exim/mainlog": 33,
    "RaspIM-exim/mainlog.1": 158,
    "ddgrey/mainlog": 47,
    "dreamplug-exim/mainlog.1": 1,
    "exim_exporter/mainlog": 13,
    "heavybrain101-exim/mainlog": 4,
    "logstash-patterns-core/exim_spec.extracted.log": 1,
    "Postfix-Maillog-Dump/maillog": 954,
    "config-mailgateway/maillog": 1435,
    "fluent-plugin-sendmail/data": 6,
    "gomaillex/maillog": 68,
    "loghub/Thunderbird_2k.mail-lines.log": 10,
    "parse-syslog-mail/sendmail-custom-dsn.log": 4,
    "parse-syslog-mail/sendmail-plain.log": 116,
    "sekoia-intake-formats/proofpoint-pod-test_maillog.extracted.jsonl": 1,
}
TESTSUITE_TABLE = HERE / "data" / "exim_testsuite_counts.tsv"

EXIM_LINE = re.compile(r"(?:^|\s)[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (?:=>|->|>>|\*>|\*\*|==) ")
SENDMAIL_LINE = re.compile(r"\b(?:sendmail|sm-mta|sm-msp-queue)\[\d+\]: [0-9A-Za-z]{8,20}: to=.*\bstat=")
LOGHUB = re.compile(r"- \d+ \d{4}\.\d\d\.\d\d \S+ ")
# a cheap pre-filter: files that may hold either MTA's lines
MAYBE = re.compile(rb"exim|sendmail|sm-mta|sm-msp|[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} ")


def unwrap(line: str) -> str:
    """The two known wrappers around a syslog line (see the module doc)."""
    if line.startswith("{") and '"data":' in line:
        data = json.loads(line).get("data")
        return data if isinstance(data, str) else line
    m = LOGHUB.match(line)
    return line[m.end():] if m else line


def count(path: Path, env: EnvelopeParser) -> tuple[int, int]:
    """-> (independent count, lines the parsers turned into deliveries)."""
    independent = parsed = 0
    for raw in path.read_bytes().decode("utf-8", "backslashreplace").splitlines():
        if not (EXIM_LINE.search(raw) or SENDMAIL_LINE.search(raw)):
            continue
        independent += 1
        e = env.parse(unwrap(raw))
        if e is None:
            continue
        mod = exim if exim.claims(e.program) else sendmail if sendmail.claims(e.program) else None
        rec = mod.parse(e) if mod else None
        recs = rec if isinstance(rec, tuple) else (rec,)
        if any(isinstance(r, Delivery) for r in recs):
            parsed += 1
            for r in recs:  # what the brackets held when it was no address ("V4NET.0.0.1", "[IPv6:...]" tag)
                assert r.relay is None or r.relay.ip is None or ip_address(r.relay.ip), (path, raw)
    return independent, parsed


def candidates(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix not in (".md", ".tsv", ".xz") and MAYBE.search(p.read_bytes())]


def test_every_exim_and_sendmail_delivery_line_parses(corpus):
    env = EnvelopeParser()
    table = dict(line.split("\t") for line in TESTSUITE_TABLE.read_text().splitlines() if line)
    seen: dict[str, int] = {}
    for path in candidates(corpus):
        rel = path.relative_to(corpus).as_posix()
        independent, parsed = count(path, env)
        assert parsed == independent, f"{rel}: parsed {parsed} of {independent} delivery lines"
        if independent:
            seen[rel] = parsed
    for rel, n in EXPECTED.items():
        assert seen.get(rel) == n, f"{rel}: {seen.get(rel)} delivery lines, expected {n}"
    suite = {rel: n for rel, n in seen.items() if rel.startswith("exim-testsuite/")}
    assert suite == {rel: int(n) for rel, n in table.items()}, "exim-testsuite counts differ from the table"
    assert sum(suite.values()) == 4471 and len(suite) == 650
    assert not set(seen) - set(EXPECTED) - set(suite), f"unrecorded files: {set(seen) - set(EXPECTED) - set(suite)}"


def run(pipeline, paths):
    events = []
    for p in paths:
        for line in p.read_bytes().decode("utf-8", "backslashreplace").splitlines():
            events.extend(pipeline.feed(line, str(p)))
    return events


def test_mixed_postfix_and_sendmail_submission_in_one_run(corpus, classifier):
    """FreeBSD: sendmail(8) hands root's mail to Postfix; one file, --mta auto."""
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier, include_sent=True)
    evs = run(p, [corpus / "config-mailgateway/maillog"])
    by = {(e["mta"], e["status"]) for e in evs}
    assert ("sendmail", "handed_over") in by and ("postfix", "sent") in by
    assert not any(k.startswith("skipped:parser_error") for k in p.counts), p.counts
    quiet = run(Pipeline(classifier), [corpus / "config-mailgateway/maillog"])
    assert quiet and not any(e["status"] in ("sent", "handed_over") for e in quiet)


def test_exim_mainlog_and_syslog_file_in_one_run(corpus, classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier)
    evs = run(p, [corpus / "exim_exporter/mainlog", corpus / "dreamplug-exim/mail.log",
                  corpus / "ParisNw-Debian-VM/mainlog.1"])
    assert {e["mta"] for e in evs} == {"exim"}
    assert p.counts["skipped:unrecognized"] == 0 and not any(
        k.startswith("skipped:parser_error") for k in p.counts), p.counts
    exp = [e for e in evs if e["status"] == "expired"]
    assert exp and exp[0]["recipient"] == "bob@null.corp" and exp[0]["classification"]["category"] == "expired"
    assert exp[0]["sender"] == "noreply@test.corp" and exp[0]["size"] == 7386
    bounced = [e for e in evs if e["queue_id"] == "1jmFas-0004f6-EB"]
    assert all(e["bounce_of"] == "1jmFYj-00039V-QX" for e in bounced)


@pytest.mark.parametrize("subset", ["log", "paniclog", "rejectlog"])
def test_exim_testsuite_through_pipeline_never_raises(corpus, classifier, subset):
    from bouncewatch.plugin.pipeline import Pipeline
    folder = corpus / "exim-testsuite" / subset
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    p = Pipeline(classifier, include_sent=True)
    evs = run(p, sorted(folder.iterdir()))
    assert not any(k.startswith("skipped:parser_error") for k in p.counts), p.counts
    assert all(e["classification"]["category"] for e in evs)
    if subset == "log":
        assert len(evs) > 4000
