"""Every Postfix delivery-status line of ../shared/corpus parses.

Two checks per file: an independent count (a plain regex for Postfix
delivery-status lines) must equal what the parser returns, and both must
equal the figure recorded here, so a regression in either shows. Message-only
files (grok / patterndb / SIEM fixtures that kept only the message) get the
program their .origin.tsv names, wrapped in a syslog prefix; that is the
knowing part of "parse or knowingly skip". Lines of other programs are
skipped and counted, never parsed as Postfix.
"""

from __future__ import annotations

import lzma
from ipaddress import ip_address
import re
from collections import Counter
from pathlib import Path

import pytest

from bouncewatch.parsers import postfix
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Delivery, MessageOutcome

# file -> delivery-status lines (to=... status=, qmgr status=expired)
EXPECTED = {
    "Anantg21-postfix/maillog": 8,
    "Brian881215-mail_log_parser/mail.log": 2,
    "JuliePradelli-LINK-postfix/mail.log": 15,
    "JuliePradelli-LINK-postfix/mail.log.1": 34,
    "NoLE-MailLog/mail.log": 182,
    "Postfix-Maillog-Dump/maillog": 51,
    "Postfix-Maillog-Dump/mailog2": 48,
    "Sampistaroy-postfix/mail.log": 13,
    "akosej-tools_reportIfMail/mail.log": 20,
    "colog/mail.log": 4,
    "config-mailgateway/maillog": 2019,
    "gomaillex/maillog": 227,
    "kdent-postfix_log_analysis/mail.log": 602,
    "lightmeter/complete/logs_sample/mail.log": 119,
    "lightmeter/complete/logs_sample/mail.log.1": 254,
    "mail-log-parse/log": 313,
    "pflgviewer/mail.log": 2955,
    "pixelpark-postfix-logsums/mail.log.xz": 365,
    "postfix-grok-patterns/postfix-grok-patterns-test-data.log": 24,
    "sekoia-intake-formats/postfix-tests.extracted.log": 41,
    "syslog-ng-patterndb/postfix.xml.test_messages.log": 2,
}

INDEPENDENT = re.compile(r"\b[0-9A-Za-z]{5,20}: (?:to=.*\bstatus=[a-z-]+|from=<?[^>,]*>?, status=(?:force-)?expired)")
GROK_PROGRAM = re.compile(r"POSTFIX_([A-Z]+)")
MESSAGE_ONLY = {"postfix-grok-patterns", "sekoia-intake-formats", "syslog-ng-patterndb"}


def read_lines(path: Path) -> list[str]:
    raw = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
    return raw.decode("utf-8", "backslashreplace").splitlines()


def with_programs(path: Path, lines: list[str]) -> list[str]:
    """Message-only fixtures: prefix each line with the program its origin names."""
    origin = path.with_name(path.name.replace(".log", ".origin.tsv"))
    if path.parts[-2] not in MESSAGE_ONLY or not origin.exists():
        return lines
    out = []
    for line, o in zip(lines, origin.read_text().splitlines()):
        m = re.search(r"(?:appname|program)=(\S*)", o)
        g = GROK_PROGRAM.search(o)
        program = m[1] if m else (f"postfix/{g[1].lower()}" if g else "")
        if "/" not in program:  # fixtures that lost the program name ("appname=", "-", "postfix")
            program = "postfix/unknown"
        out.append(f"Jan  1 00:00:00 host {program}[1]: {line}")
    return out


def postfix_files(root: Path) -> list[Path]:
    files = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix not in (".md", ".tsv") and p.name != "SOURCES.md":
            rel = p.relative_to(root).as_posix()
            if rel in EXPECTED or b"postfix/" in (lzma.decompress(p.read_bytes()) if p.suffix == ".xz"
                                                  else p.read_bytes()):
                files.append(p)
    return files


def test_every_postfix_status_line_parses(corpus):
    env = EnvelopeParser()
    checked = Counter()
    ips = 0
    for path in postfix_files(corpus):
        rel = path.relative_to(corpus).as_posix()
        parsed = independent = 0
        for line in with_programs(path, read_lines(path)):
            e = env.parse(line)
            is_postfix = e is not None and postfix.claims(e.program)
            if is_postfix and INDEPENDENT.search(e.message):
                independent += 1
            rec = postfix.parse(e) if is_postfix else None
            if isinstance(rec, Delivery) or (isinstance(rec, MessageOutcome) and rec.status == "expired"):
                parsed += 1
            if isinstance(rec, Delivery) and rec.relay is not None and rec.relay.ip is not None:
                ip_address(rec.relay.ip)   # an address, never an LMTP socket's path or an anonymized "1.2.x.y"
                ips += 1
        assert parsed == independent, f"{rel}: parsed {parsed} of {independent} delivery-status lines"
        if rel in EXPECTED:
            assert parsed == EXPECTED[rel], f"{rel}: {parsed} delivery-status lines, expected {EXPECTED[rel]}"
            checked[rel] = parsed
    missing = set(EXPECTED) - set(checked)
    assert not missing, f"corpus files not found: {sorted(missing)}"
    assert ips > 5000


def test_corpus_through_pipeline_never_raises(corpus, classifier):
    """Whole files through the whole pipeline: every line is an event, a
    counted skip, or another program's line; no unclassified event."""
    from bouncewatch.plugin.pipeline import Pipeline
    for rel in ("pflgviewer/mail.log", "kdent-postfix_log_analysis/mail.log", "config-mailgateway/maillog",
                "pixelpark-postfix-logsums/mail.log.xz"):
        p = Pipeline(classifier, include_sent=True)
        events = []
        for line in read_lines(corpus / rel):
            events.extend(p.feed(line))
        c = p.counts
        assert not any(k.startswith("skipped:parser_error") for k in c), c
        assert events and all(e["classification"]["category"] for e in events)
        assert c["skipped:unrecognized"] == 0, f"{rel}: {c['skipped:unrecognized']} lines without a known prefix"
