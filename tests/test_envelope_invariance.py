"""The same real log line under every prefix ``parse`` reads gives the same event.

tests/data/real-log-lines.txt holds about 430 delivery lines that Postfix,
Exim and Sendmail really logged. A log reaches us in many envelopes: rsyslog's
ISO stamps, RFC 5424, ``journalctl -o json``, a container's output behind
``docker compose logs``' column, Kubernetes' CRI files, Docker's json-file
logs, a shipper's JSON document (README, "Log prefixes read"). Each line is
rewritten into each envelope (its message untouched: quotes, brackets,
escapes, non-ASCII as logged) and must give the same events: recipient,
status, relay, reply fields, reason and classification. Only the time's
form and the host (which some envelopes do not carry) may differ. Exim's
main-log lines have no syslog head; they are checked in the container
envelopes only, where a mail container's mainlog output appears.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from bouncewatch.plugin.lineparse import LineParser
from bouncewatch.plugin.pipeline import Pipeline

from test_classify_loglines import load_blocks

SAME = ("mta", "program", "pid", "queue_id", "recipient", "orig_recipient", "status", "relay", "delay",
        "smtp_code", "dsn", "reply_dsn", "smtp_command", "reason", "classification")
SYSLOG_FORMS = ("iso", "rfc5424", "journal", "compose", "cri", "docker-json", "shipper-json")
CONTAINER_FORMS = ("compose", "cri", "docker-json")
LINES = [line for block in load_blocks() for line in block.lines]


def _iso(ts: datetime) -> str:
    if ts.tzinfo is None:
        return ts.strftime("%Y-%m-%dT%H:%M:%S") + ".123456+00:00"
    return ts.isoformat(timespec="microseconds")


def rewrap(line: str, form: str) -> str | None:
    """``line`` in envelope ``form``; None where that envelope does not apply."""
    env = LineParser("auto").envelopes.parse(line)
    assert env is not None, line
    iso = _iso(env.timestamp)
    if form == "compose":
        return f"mail-1  | {line}"
    if form == "cri":
        return f"{iso} stdout F {line}"
    if form == "docker-json":
        return json.dumps({"log": line + "\n", "stream": "stdout", "time": iso})
    if line[:4].isdigit() and line[4:5] == "-" and env.program.startswith("exim"):
        return None  # Exim's main log: no syslog head to put in another form
    msg, prog, pid = env.message, env.program, env.pid
    if form == "iso":
        return f"{iso} {env.host} {prog}{f'[{pid}]' if pid is not None else ''}: {msg}"
    if form == "rfc5424":
        return f"<22>1 {iso} {env.host} {prog} {pid if pid is not None else '-'} - - {msg}"
    if form == "journal":
        doc = {"MESSAGE": msg, "SYSLOG_IDENTIFIER": prog, "_HOSTNAME": env.host}
        if pid is not None:
            doc["_PID"] = str(pid)
        if env.timestamp.tzinfo is not None:
            doc["__REALTIME_TIMESTAMP"] = str(int(env.timestamp.timestamp() * 1_000_000))
        return json.dumps(doc)
    if form == "shipper-json":
        return json.dumps({"@timestamp": iso, "message": line})
    raise ValueError(form)


def _events(classifier: Any, line: str) -> tuple[list[dict[str, Any]], Counter[str]]:
    p = Pipeline(classifier, include_sent=True)
    return [{k: e[k] for k in SAME} for e in p.feed(line)], p.counts


@pytest.mark.parametrize("form", SYSLOG_FORMS)
def test_every_envelope_gives_the_same_events(classifier, form):
    compared, differ = 0, []
    for line in LINES:
        want, _ = _events(classifier, line)
        if not want:
            continue  # a line that emits only with the lines around it (qmgr's expiry)
        wrapped = rewrap(line, form)
        if wrapped is None:
            continue
        got, counts = _events(classifier, wrapped)
        compared += 1
        if got != want:
            fields = {k: (want[0][k], got[0][k]) for k in SAME if got and want[0][k] != got[0][k]}
            differ.append(f"{wrapped[:160]}\n    {fields or dict(counts)}")
    assert compared >= (400 if form in CONTAINER_FORMS else 320), compared
    assert not differ, "\n".join(differ[:20])
