"""formats.py: each renderer's shape, and that no recipient address can
forge a field or a second record in any format (property tests with
reference parsers written from the specs, in sink_helpers)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from bouncewatch.plugin.formats import FORMATS, FormatError, get_format, render
from bouncewatch.plugin.sinks.syslog import Renderer
from sink_helpers import event, parse_cef, parse_leef, parse_rfc5424

HOSTILE = st.text(alphabet=st.sampled_from(list('ab|=\\\n\r\t "]x[{}') + ["\u00e9", "\u2028", "\x00"]),
                  min_size=1, max_size=30)


def test_json_is_the_event():
    ev = event(1)
    assert json.loads(render(ev, "json")) == ev


def test_ecs_fields():
    ev = event(1)
    d = json.loads(render(ev, "ecs"))
    assert d["@timestamp"] == ev["timestamp"]
    assert d["event"]["id"] == ev["event_id"] and d["event"]["outcome"] == "failure"
    assert d["event"]["category"] == ["email"] and d["event"]["action"] == "bounced"
    assert d["email"]["from"]["address"] == ["news@example.org"]
    assert d["email"]["to"]["address"] == ["user1@example.com"]
    assert d["email"]["message_id"] == "<m1@example.org>"
    assert d["destination"] == {"domain": "mx.example.com", "address": "192.0.2.7", "ip": "192.0.2.7", "port": 25}
    assert d["host"]["name"] == "mx1"
    assert d["bouncewatch"]["classification"]["category"] == "bad_mailbox"
    assert d["bouncewatch"]["dsn"] == "5.1.1"


def test_ocsf_email_activity():
    d = json.loads(render(event(1), "ocsf"))
    assert (d["class_uid"], d["category_uid"], d["activity_id"], d["type_uid"]) == (4009, 4, 1, 400901)
    assert d["time"] == 1795348801000
    assert d["status_id"] == 2 and d["severity_id"] == 4
    assert d["email"]["to"] == ["user1@example.com"] and d["email"]["from"] == "news@example.org"
    assert d["metadata"]["uid"] == event(1)["event_id"] and d["metadata"]["version"]
    assert d["dst_endpoint"]["ip"] == "192.0.2.7"
    sent = json.loads(render(event(2, status="sent"), "ocsf"))
    assert sent["status_id"] == 1 and sent["severity_id"] == 1


def test_cef_fields():
    header, ext = parse_cef(render(event(1), "cef"))
    assert header[:4] == ["CEF:0", "bouncewatch", "bouncewatch", header[3]]
    assert header[4] == "bounced:bad_mailbox" and header[6] == "8"
    assert ext["duser"] == "user1@example.com" and ext["suser"] == "news@example.org"
    assert ext["externalId"] == event(1)["event_id"] and ext["rt"] == "1795348801000"
    assert ext["cs1Label"] == "dsn" and ext["cs1"] == "5.1.1"
    assert "cs5" not in ext and "cs5Label" not in ext  # no provider: neither label nor value


def test_leef_fields():
    header, attrs = parse_leef(render(event(1), "leef"))
    assert header == ["LEEF:2.0", "bouncewatch", "bouncewatch", header[3], "bounced", "x09"]
    assert attrs["recipient"] == "user1@example.com" and attrs["cat"] == "bad_mailbox"
    assert attrs["devTime"] == "1795348801000" and attrs["devTimeFormat"] == "epoch"


def _keys(fmt: str, ev: dict) -> set[str]:
    parse = parse_cef if fmt == "cef" else parse_leef
    return set(parse(render(ev, fmt))[1])


@settings(max_examples=300, deadline=None)
@given(local=HOSTILE, reason=HOSTILE)
def test_hostile_recipient_cannot_forge_cef_or_leef(local, reason):
    rcpt = f"{local}@example.com"
    benign = event(3)
    ev = event(3, recipient=rcpt, reason=reason)
    for fmt in ("cef", "leef"):
        line = render(ev, fmt)
        assert "\n" not in line and "\r" not in line
        header, fields = (parse_cef if fmt == "cef" else parse_leef)(line)
        assert fields["duser" if fmt == "cef" else "recipient"] == rcpt
        assert fields["reason"] == reason
        assert set(fields) == _keys(fmt, benign)  # no extra key appeared
        assert len(header) == (7 if fmt == "cef" else 6)


@settings(max_examples=200, deadline=None)
@given(local=HOSTILE)
def test_hostile_recipient_cannot_forge_json_formats(local):
    rcpt = f"{local}@example.com"
    ev = event(3, recipient=rcpt)
    for fmt, path in (("json", ("recipient",)), ("ecs", ("email", "to", "address")),
                      ("ocsf", ("email", "smtp_to"))):
        line = render(ev, fmt)
        assert "\n" not in line and "\r" not in line
        v = json.loads(line)
        for p in path:
            v = v[p]
        assert v in (rcpt, [rcpt])


@settings(max_examples=200, deadline=None)
@given(local=HOSTILE)
def test_hostile_recipient_cannot_forge_syslog_structured_data(local):
    rcpt = f"{local}@example.com"
    for fmt in FORMATS:
        line = Renderer(get_format(fmt), "5424", 2, "bouncewatch", "bouncewatch@32473", "h")(
            event(3, recipient=rcpt)).decode()
        assert "\n" not in line and "\r" not in line
        m = parse_rfc5424(line)
        assert list(m["sd"]) == ["bouncewatch@32473"]
        sd = m["sd"]["bouncewatch@32473"]
        # CR/LF travel as the two characters \r / \n (RFC 5424 has no escape for them).
        assert sd["recipient"] == rcpt.replace("\r", "\\r").replace("\n", "\\n")
        assert sd["event_id"] == event(3)["event_id"]


def test_unknown_format():
    with pytest.raises(FormatError, match="unknown format 'xml'"):
        get_format("xml")


def test_cli_parse_format(tmp_path):
    log = tmp_path / "mail.log"
    log.write_text(
        "Nov 22 13:31:27 mx1 postfix/smtp[123]: 3F1A2B: to=<bob@example.com>, relay=mx.example.com"
        "[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com"
        "[192.0.2.1] said: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown "
        "(in reply to RCPT TO command))\n")
    def run(fmt):
        return subprocess.run([sys.executable, "-m", "bouncewatch", "parse", "--format", fmt, str(log)],
                              capture_output=True, text=True, timeout=60)
    r = run("cef")
    assert r.returncode == 0, r.stderr
    header, ext = parse_cef(r.stdout.strip())
    assert ext["duser"] == "bob@example.com" and header[4] == "bounced:bad_mailbox"
    r = run("ecs")
    assert json.loads(r.stdout)["email"]["to"]["address"] == ["bob@example.com"]
    r = run("xml")
    assert r.returncode == 2 and "unknown format 'xml'" in r.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_line_encoder_is_render_bytes_and_a_newline(fmt):
    """What ``parse`` writes per event (cli._EventLines) is the record and
    one newline, also for the values orjson refuses (the stdlib fallback)."""
    f = get_format(fmt)
    line = f.line_encoder()
    for ev in (event(1), dict(event(2), size=10**30), dict(event(3), reason="lone \udc80 surrogate")):
        try:
            expected = f.render_bytes(ev) + b"\n"
        except UnicodeEncodeError:  # cef/leef text of a lone surrogate: not encodable either way
            with pytest.raises(UnicodeEncodeError):
                line(ev)
            continue
        assert line(ev) == expected
