"""Returned mail: DSNs, non-standard bounces, feedback reports, auto-replies
(parsers/returned.py and friends) and ``bouncewatch ingest-mail``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bouncewatch.parsers import dsn
from bouncewatch.parsers.returned import analyze
from bouncewatch.parsers.verp import decode_verp

DATA = Path(__file__).parent / "data" / "mail"
FLUFL = DATA / "flufl"
SISIMAI = DATA / "sisimai"

# Where the heuristics still miss (see the accuracy report in README's
# ingest-mail section). A miss outside this set is a regression.
KNOWN_MISSES = {
    "microsoft_03.txt",  # the generator put the failed address in its own X-Original-To header
    "yale_01.txt",       # Yale's directory robot names a bare user and suggests other domains
}


def bw(*args, stdin: bytes | None = None, env: dict | None = None, timeout: int = 60):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "bouncewatch", *args], input=stdin, capture_output=True,
                          timeout=timeout, env=e)


def failed_recipients(rm) -> set[str]:
    return {f.recipient.lower() for f in rm.findings if f.recipient and f.status in ("bounced", "deferred")}


# --- accuracy on the flufl.bounce / Mailman corpus --------------------------------
def _flufl_cases():
    expected = json.loads((FLUFL / "expected.json").read_text())
    return sorted(expected.items())


@pytest.mark.parametrize(("name", "want"), _flufl_cases(), ids=[n for n, _ in _flufl_cases()])
def test_flufl_sample(name, want):
    rm = analyze((FLUFL / name).read_bytes())
    got = failed_recipients(rm)
    expected = {a.lower() for a in want["recipients"]}
    if name in KNOWN_MISSES:
        pytest.xfail(f"known miss: got {sorted(got)}, want {sorted(expected)}")
    assert got == expected, (rm.kind, rm.family)
    if expected:
        statuses = {f.status for f in rm.findings if f.recipient}
        assert statuses == {"deferred" if want["temporary"] else "bounced"}


def test_flufl_accuracy_floor():
    cases = _flufl_cases()
    exact = sum(failed_recipients(analyze((FLUFL / n).read_bytes())) == {a.lower() for a in w["recipients"]}
                for n, w in cases)
    assert exact >= len(cases) - len(KNOWN_MISSES)


# --- the Sisimai samples: kind, family, recipients, classification ---------------
SISIMAI_EXPECTED = {
    "postfix-04.eml": ("dsn", "postfix", [("kijitora@example.co.jp", "bounced", "bad_mailbox", 550, "5.1.1")]),
    "yandex-01.eml": ("dsn", "yandex", [("kijitora@example.jp", "bounced", "bad_mailbox", 550, "5.1.1")]),
    "qmail-02.eml": ("nonstandard", "qmail", [("userunknown@example.jp", "bounced", "bad_mailbox", 550, "5.1.1"),
                                              ("filtered@example.jp", "bounced", "inactive_mailbox", 550, "5.2.1")]),
    "exim-01-crlf.eml": ("nonstandard", "exim", [("kijitora@example.ed.jp", "bounced", "policy_block", 550, "5.7.0")]),
    "mailru-04.eml": ("nonstandard", "exim", [("kijitora@example.jp", "bounced", "bad_mailbox", 550, "5.1.1")]),
    "exchange-02.eml": ("nonstandard", "exchange", [("kijitora@example.co.jp", "bounced", "bad_mailbox", None, None),
                                                    ("mikeneko@example.co.jp", "bounced", "bad_mailbox", None, None)]),
    # Lotus Notes' Japanese "not in the directory list" (ディレクトリのリストにありません): user unknown.
    "notes-02.eml": ("nonstandard", "notes", [("kijitora@u1.example.co.jp", "bounced", "bad_mailbox", None, None)]),
    "arf-01.eml": ("complaint", "arf", [("", "complained", "spam_complaint", None, None)]),
    "arf-03.eml": ("complaint", "arf", [("", "complained", "spam_complaint", None, None)]),
    "rfc3834-01.eml": ("auto_reply", "rfc3834", [("fred@example.com", "auto_replied", "auto_reply", None, None)]),
}


def _dry(path_or_bytes, *extra):
    if isinstance(path_or_bytes, Path):
        r = bw("ingest-mail", "--dry-run", str(path_or_bytes), *extra)
    else:
        r = bw("ingest-mail", "--dry-run", *extra, stdin=path_or_bytes)
    assert r.returncode == 0, r.stderr.decode()
    return [json.loads(x) for x in r.stdout.decode().splitlines()], r.stderr.decode()


@pytest.mark.parametrize("name", sorted(SISIMAI_EXPECTED))
def test_sisimai_sample_events(name):
    kind, family, rows = SISIMAI_EXPECTED[name]
    events, _ = _dry(SISIMAI / name)
    got = [(e["recipient"], e["status"], e["classification"]["category"], e["smtp_code"], e["reply_dsn"])
           for e in events]
    assert got == rows
    for e in events:
        assert e["source"]["kind"] == "mail" and e["source"]["report"] == kind and e["source"]["family"] == family
        assert e["schema"] == "bouncewatch/1" and e["program"] == "ingest-mail"


def test_event_has_every_design_field_and_ties_to_the_original():
    events, _ = _dry(SISIMAI / "postfix-04.eml")
    e = events[0]
    for k in ("schema", "event_id", "timestamp", "host", "mta", "program", "pid", "queue_id", "message_id",
              "sender", "size", "recipient", "orig_recipient", "recipient_domain", "status", "relay", "delay",
              "attempt", "smtp_code", "dsn", "smtp_command", "reason", "classification", "source"):
        assert k in e, k
    assert e["message_id"] == "A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp"
    assert e["sender"] == "shironeko@example.ne.jp"      # X-Postfix-Sender
    assert e["queue_id"] == "6265E1AC124"
    assert e["relay"]["host"] == "mx01.example.co.jp"
    assert e["smtp_command"] == "RCPT TO"                 # from the notification text
    assert e["timestamp"] == "2010-05-24T19:06:50+09:00"
    assert e["classification"]["type"] == "hard" and e["classification"]["action"] == "suppress"
    again, _ = _dry(SISIMAI / "postfix-04.eml")
    assert again[0]["event_id"] == e["event_id"]          # the same message, the same id


# --- DSN field parsing ------------------------------------------------------------
def test_dsn_blocks_without_blank_lines_folding_and_actions():
    text = ("Reporting-MTA: dns; mx.example.org\nX-Postfix-Queue-ID: 3F1A2B\n"
            "Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n"
            "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does\n"
            "    not exist. Please try\n"
            "Final-Recipient: rfc822;<b@example.com>\nAction: delayed\nStatus: 4.4.1\n\n"
            "Original-Recipient: rfc822;c@example.com\nFinal-Recipient: RFC822; C@EXAMPLE.NET\n"
            "action: Delivered\nstatus: 2.0.0\n")
    ds = dsn.parse_delivery_status(text)
    assert ds.queue_id == "3F1A2B" and ds.reporting_mta == "mx.example.org"
    assert [(r.final_recipient, r.action, r.status) for r in ds.recipients] == [
        ("a@example.com", "failed", "5.1.1"), ("b@example.com", "delayed", "4.4.1"),
        ("C@EXAMPLE.NET", "delivered", "2.0.0")]
    assert ds.recipients[0].diagnostic.endswith("does not exist. Please try")
    assert ds.recipients[2].original_recipient == "c@example.com"
    assert dsn.address("x400; /S=zzzzz/OU=example/") is None
    assert dsn.address("rfc822;david...@gmail.com") is None


def test_dsn_statuses_map_to_event_statuses():
    def report(action):
        return (b"From: MAILER-DAEMON@mx.example.org\nTo: bounces@ours.example\nSubject: Delivery Status\n"
                b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
                b"Content-Type: text/plain\n\nsee below\n--B\nContent-Type: message/delivery-status\n\n"
                b"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; bob@example.com\n"
                b"Action: " + action + b"\nStatus: 4.2.2\nDiagnostic-Code: smtp; 452 4.2.2 Mailbox full\n--B--\n")
    assert [f.status for f in analyze(report(b"delayed")).findings] == ["deferred"]
    assert [f.status for f in analyze(report(b"failed")).findings] == ["bounced"]
    assert [f.status for f in analyze(report(b"relayed")).findings] == ["sent"]
    events, _ = _dry(report(b"delayed"))
    assert events[0]["classification"]["category"] == "mailbox_full"
    assert events[0]["classification"]["type"] == "soft"


def test_global_delivery_status_rfc6533_with_utf8_addresses():
    raw = ("From: MAILER-DAEMON@mx.example.org\nTo: bounces@ours.example\nSubject: Undelivered Mail\n"
           "Content-Type: multipart/report; report-type=global-delivery-status; boundary=G\n\n--G\n"
           "Content-Type: text/plain; charset=utf-8\n\nDelivery failed.\n--G\n"
           "Content-Type: message/global-delivery-status\n\n"
           "Reporting-MTA: dns; mx.example.org\nArrival-Date: Mon, 23 Nov 2026 10:00:00 +0000\n\n"
           "Original-Recipient: utf-8; δοκιμή@παράδειγμα.δοκιμή\nFinal-Recipient: utf-8; δοκιμή@παράδειγμα.δοκιμή\n"
           "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n\n"
           "Final-Recipient: rfc822; second@example.com\nAction: delayed\nStatus: 4.4.1\n"
           "Diagnostic-Code: smtp; 421 4.4.1 connection timed out\n--G--\n").encode()
    rm = analyze(raw)
    assert rm.kind == "dsn"
    assert [(f.recipient, f.status, f.dsn) for f in rm.findings] == [
        ("δοκιμή@παράδειγμα.δοκιμή", "bounced", "5.1.1"), ("second@example.com", "deferred", "4.4.1")]


# --- VERP, feedback reports, auto-replies, challenges, unsubscribes ---------------
def test_verp_decoding():
    assert decode_verp("bounces+bob=example.com@ours.example") == "bob@example.com"
    assert decode_verp("list-bounces+a.b+tag=Sub.Example.ORG@lists.example") == "a.b+tag@sub.example.org"
    assert decode_verp("bounces-bob=example.com@ours.example", "-=") == "bob@example.com"
    for bad in ("bounces@ours.example", "bounces+bob@ours.example", "+bob=example.com@x.example",
                "bounces+python=david...@python.org", None, ""):
        assert decode_verp(bad) is None


def test_feedback_report_recipient_from_verp_and_original_headers():
    raw = (SISIMAI / "arf-01.eml").read_bytes().replace(
        b"To: fbl-abuse@example.org.com", b"To: fbl+alice=example.net@ours.example", 1).replace(
        b"Subject: Kijitora cat family", b"Subject: Kijitora cat family\nX-Campaign-ID: spring-42", 1)
    events, _ = _dry(raw, "--tracking-header", "X-Campaign-ID")
    assert [(e["recipient"], e["status"], e["classification"]["category"]) for e in events] == [
        ("alice@example.net", "complained", "spam_complaint")]
    assert events[0]["source"]["tracking"] == {"X-Campaign-ID": "spring-42"}
    assert events[0]["classification"]["code"] == 200
    assert events[0]["sender"] == "support@example.ed.jp"
    # --envelope-to (what Postfix passes as ${original_recipient}) wins over the headers
    events, _ = _dry(raw, "--envelope-to", "fbl+carol=example.com@ours.example")
    assert events[0]["recipient"] == "carol@example.com"


def test_feedback_report_with_original_rcpt_to():
    raw = (b"From: feedback@fbl.example.net\nTo: abuse@ours.example\nSubject: FW: spam\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/report; report-type=feedback-report; boundary=\"X\"\n\n--X\n"
           b"Content-Type: text/plain\n\nA complaint.\n--X\nContent-Type: message/feedback-report\n\n"
           b"Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\nOriginal-Mail-From: <news@ours.example>\n"
           b"Original-Rcpt-To: <Dave@Example.COM>\nSource-IP: 192.0.2.1\n--X\nContent-Type: text/rfc822-headers\n\n"
           b"From: news@ours.example\nTo: dave@example.com\nMessage-ID: <n1@ours.example>\n--X--\n")
    rm = analyze(raw)
    assert rm.kind == "complaint" and rm.message_id == "n1@ours.example"
    assert [(f.recipient, f.feedback_type) for f in rm.findings] == [("Dave@example.com", "abuse")]


@pytest.mark.parametrize(("headers", "body", "kind"), [
    ("From: Ann <ann@example.com>\nSubject: Automatic reply: Spring sale\nAuto-Submitted: auto-replied\n",
     "I am out of the office until Monday.", "auto_reply"),
    ("From: Bernd <bernd@example.de>\nSubject: Abwesenheitsnotiz: Newsletter\n",
     "Ich bin bis 3. Mai nicht im Büro.", "auto_reply"),
    ("From: Ivan <ivan@example.ru>\nSubject: =?UTF-8?B?0JDQstGC0L7QvtGC0LLQtdGCOiBOZXdz?=\n",
     "Я в отпуске.", "auto_reply"),
    ("From: Carl <carl@example.org>\nSubject: Please verify your message\n",
     "I use a challenge-response system. Please confirm that you are a human by clicking below "
     "to be added to my approved senders list.", "challenge"),
    ("From: Dana <dana@example.com>\nSubject: unsubscribe\n", "", "unsubscribe"),
    ("From: Eve <eve@example.com>\nSubject: Re: your newsletter\n", "unsubscribe\n", "unsubscribe"),
])
def test_replies_that_are_not_bounces(headers, body, kind):
    raw = f"{headers}To: news+x=y.example@ours.example\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
    rm = analyze(raw.encode())
    assert rm.kind == kind, rm
    f = rm.findings[0]
    expected = {"auto_reply": "auto_replied", "challenge": "challenged", "unsubscribe": "unsubscribed"}[kind]
    assert f.status == expected
    if kind == "unsubscribe":  # the one asking is the one to remove, whatever the VERP says
        assert f.recipient.split("@")[0] in ("dana", "eve")
    else:
        assert f.recipient == "x@y.example"


def test_bounce_marked_auto_submitted_is_still_a_bounce():
    rm = analyze((SISIMAI / "exim-01-crlf.eml").read_bytes())
    assert rm.kind == "nonstandard"  # Exim sets Auto-Submitted: auto-replied on its bounces


def test_bounce_without_any_recipient_is_no_address_unless_verp():
    raw = (b"From: MAILER-DAEMON@mx.example.org\nTo: bounces@ours.example\nSubject: Undeliverable mail\n\n"
           b"Your message could not be delivered. Reason: mailbox unavailable.\n")
    events, _ = _dry(raw)
    assert [(e["recipient"], e["classification"]["category"]) for e in events] == [("", "no_address")]
    events, _ = _dry(raw.replace(b"To: bounces@", b"To: bounces+zed=example.com@"))
    assert [e["recipient"] for e in events] == ["zed@example.com"]
    assert events[0]["classification"]["category"] != "no_address"


def test_exim_bounce_names_its_failed_recipients_and_receiving_host():
    """Exim's prose bounce: X-Failed-Recipients is the list of failed
    addresses (an address the reply quotes is not one), and the indented
    ``host NAME [ip]`` is the receiving host, whose provider the event names
    (as relay= or H= names it in the log)."""
    raw = ("Return-path: <>\nFrom: Mail Delivery System <Mailer-Daemon@mx.ours.example>\n"
           "To: bounces@ours.example\nSubject: Mail delivery failed: returning message to sender\n"
           "Auto-Submitted: auto-replied\nX-Failed-Recipients: ann@example.com\n\n"
           "This message was created automatically by mail delivery software.\n\n"
           "A message that you sent could not be delivered to one or more of its\n"
           "recipients. This is a permanent error. The following address(es) failed:\n\n"
           "  ann@example.com\n    host alt1.aspmx.l.google.com [192.0.2.27]\n"
           "    SMTP error from remote mail server after RCPT TO:<ann@example.com>:\n"
           "    550 5.1.1 <ann@example.com>: forwarded to <ann.old@elsewhere.example>, which does not exist\n\n"
           "------ This is a copy of the message, including all the headers. ------\n\n"
           "From: <news@ours.example>\nTo: <ann@example.com>\nSubject: hello\n\nhello\n").encode()
    rm = analyze(raw)
    assert failed_recipients(rm) == {"ann@example.com"}
    assert [f.remote_mta for f in rm.findings] == ["alt1.aspmx.l.google.com"]
    events, _ = _dry(raw)
    assert [(e["recipient"], e["classification"]["category"], e["classification"]["provider"],
             e["relay"]["host"]) for e in events] == [("ann@example.com", "bad_mailbox", "gmail",
                                                       "alt1.aspmx.l.google.com")]


# --- malformed input: clear note, nothing lost, bounded --------------------------
def test_missing_boundary_still_reads_the_text():
    raw = (SISIMAI / "postfix-04.eml").read_bytes().replace(
        b'boundary="6265E1AC124.1274695610/mv-osn-hcb007.ocn.ad.jp"', b'boundary="not-there"')
    rm = analyze(raw)
    assert "kijitora@example.co.jp" in failed_recipients(rm)
    assert any("boundary" in d for d in rm.defects)


def test_truncated_message_and_no_closing_boundary():
    raw = (SISIMAI / "yandex-01.eml").read_bytes()
    cut = raw[: raw.index(b"Content-Description: Undelivered Message")]
    rm = analyze(cut)
    assert failed_recipients(rm) == {"kijitora@example.jp"}


def test_unknown_and_lying_charsets():
    raw = (b"From: MAILER-DAEMON@mx.example.org\nTo: b@ours.example\nSubject: failure notice\n"
           b"Content-Type: text/plain; charset=x-no-such-charset\n\n"
           b"I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
           b"<m\xfcller@example.de>:\nUnbekannter Empf\xe4nger \xe2\x80\x94 550 5.1.1 user unknown\n")
    rm = analyze(raw)
    assert any("x-no-such-charset" in d for d in rm.defects)
    assert [f.recipient for f in rm.findings] == ["müller@example.de"]
    # a lying label (ISO-2022-JP on UTF-8 bytes) still decodes
    rm = analyze((SISIMAI / "notes-02.eml").read_bytes())
    assert "ディレクトリ" in rm.findings[0].reason


def test_garbage_is_not_an_error():
    for raw in (b"", b"\x00\xff" * 5000, b"Subject: hi\n\nhello", b"Content-Type: multipart/mixed\n\n--\n--\n"):
        rm = analyze(raw)
        assert rm.kind is None and rm.findings == []


def test_hostile_text_stays_fast():
    body = ("a" * 60 + "@" + "b." * 40 + " ") * 3000 + "." * 100000 + "-" * 100000
    raw = (f"From: MAILER-DAEMON@x.example\nTo: b@ours.example\nSubject: Undelivered Mail\n\n"
           f"could not be delivered to the following addresses:\n{body}\n").encode()
    t = time.process_time()
    analyze(raw)
    assert time.process_time() - t < 5.0


# --- the command: spool, events, exit codes -----------------------------------------
def test_dry_run_stores_nothing(tmp_path):
    r = bw("ingest-mail", "--dry-run", "--state-dir", str(tmp_path / "st"), str(SISIMAI / "qmail-02.eml"))
    assert r.returncode == 0
    assert len(r.stdout.splitlines()) == 2
    assert not (tmp_path / "st").exists()


def test_ingest_spools_then_writes_events_and_cleans_up(tmp_path):
    st = tmp_path / "state"
    r = bw("ingest-mail", "--state-dir", str(st), stdin=(SISIMAI / "postfix-04.eml").read_bytes())
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b""
    lines = (st / "mail-events.jsonl").read_text().splitlines()
    assert [json.loads(x)["recipient"] for x in lines] == ["kijitora@example.co.jp"]
    assert list((st / "spool" / "new").iterdir()) == []
    assert list((st / "spool" / "tmp").iterdir()) == []
    assert "1 event(s)" in r.stderr.decode()


def test_unrecognized_message_is_kept_and_exit_is_zero(tmp_path):
    st = tmp_path / "state"
    r = bw("ingest-mail", "--state-dir", str(st), stdin=b"Subject: lunch?\n\nSee you at noon.\n")
    assert r.returncode == 0
    kept = list((st / "spool" / "unrecognized").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == b"Subject: lunch?\n\nSee you at noon.\n"
    assert "not a bounce" in r.stderr.decode()


def test_exit_75_only_when_it_cannot_be_stored(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    r = bw("ingest-mail", "--state-dir", str(blocker / "state"), stdin=b"Subject: x\n\ny\n")
    assert r.returncode == 75
    assert "will retry" in r.stderr.decode()
    r = bw("ingest-mail", "--state-dir", str(tmp_path / "ok"), str(tmp_path / "missing.eml"))
    assert r.returncode == 75  # the MTA passed a file we cannot read: it keeps the message


def test_read_error_midway_leaves_no_partial_copy(tmp_path, classifier):
    import io

    from bouncewatch.plugin import ingest

    class Failing(io.RawIOBase):
        def __init__(self):
            self.n = 0

        def readable(self):
            return True

        def read(self, size=-1):
            self.n += 1
            if self.n > 2:
                raise OSError(5, "Input/output error")
            return b"x" * 1000

    log = io.StringIO()
    assert ingest.ingest(Failing(), tmp_path, classifier, ingest.Options(), log=log) == 75
    assert list((tmp_path / "spool" / "tmp").iterdir()) == []
    assert list((tmp_path / "spool" / "new").iterdir()) == []
    assert "Input/output error" in log.getvalue()


def test_processing_failure_keeps_the_message_and_exits_zero(tmp_path, classifier):
    import io

    from bouncewatch.plugin import ingest

    class Broken:
        def classify(self, ctx, prior=None):
            raise RuntimeError("boom")

    log = io.StringIO()
    rc = ingest.ingest(io.BytesIO((SISIMAI / "qmail-02.eml").read_bytes()), tmp_path, Broken(), ingest.Options(),
                       log=log)
    assert rc == 0
    kept = list((tmp_path / "spool" / "failed").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == (SISIMAI / "qmail-02.eml").read_bytes()
    assert "RuntimeError: boom" in log.getvalue()
    # replaying it works once the bug is gone
    rc = ingest.ingest(open(kept[0], "rb"), tmp_path, classifier, ingest.Options(), log=log)
    assert rc == 0 and len((tmp_path / "mail-events.jsonl").read_text().splitlines()) == 2


def test_leftover_from_a_crash_is_processed_by_the_next_run(tmp_path, classifier):
    import io

    from bouncewatch.plugin import ingest

    new = tmp_path / "spool" / "new"
    new.mkdir(parents=True)
    left = new / "1.2.abc.eml"
    left.write_bytes((SISIMAI / "yandex-01.eml").read_bytes())
    old = time.time() - 3600
    os.utime(left, (old, old))
    rc = ingest.ingest(io.BytesIO((SISIMAI / "qmail-02.eml").read_bytes()), tmp_path, classifier,
                       ingest.Options(), log=io.StringIO())
    assert rc == 0 and not left.exists()
    rcpts = [json.loads(x)["recipient"] for x in (tmp_path / "mail-events.jsonl").read_text().splitlines()]
    assert sorted(rcpts) == ["filtered@example.jp", "kijitora@example.jp", "userunknown@example.jp"]


def test_broken_rules_dir_spools_instead_of_losing(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.toml").write_text("[[rule]]\nname = 'x'\ncategory = 'nope'\nwhen = 'status = \"x\"'\n")
    st = tmp_path / "st"
    r = bw("ingest-mail", "--state-dir", str(st), "--rules-dir", str(rules), stdin=b"Subject: x\n\ny\n")
    assert r.returncode == 0
    assert len(list((st / "spool" / "new").iterdir())) == 1
    assert "unknown category" in r.stderr.decode()


def test_exim_pipe_environment_gives_the_envelope_recipient(tmp_path):
    raw = (b"From: MAILER-DAEMON@mx.example.org\nTo: someone@ours.example\nSubject: Undeliverable mail\n\n"
           b"Your message could not be delivered.\n")
    r = bw("ingest-mail", "--dry-run", stdin=raw,
           env={"LOCAL_PART": "bounces", "LOCAL_PART_SUFFIX": "+kim=example.org", "DOMAIN": "ours.example"})
    evs = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert [e["recipient"] for e in evs] == ["kim@example.org"]
    assert evs[0]["source"]["envelope_to"] == "bounces+kim=example.org@ours.example"


def test_twenty_megabyte_attachment_memory_is_bounded(tmp_path):
    """The returned copy carries a 20 MB base64 attachment: spooled whole,
    parsed only at its head; peak memory stays far below the message size."""
    head = (SISIMAI / "postfix-04.eml").read_bytes()
    head = head[: head.rindex(b"--6265E1AC124")]
    big = tmp_path / "big.eml"
    with open(big, "wb") as fp:
        fp.write(head.replace(b"Content-Type: message/rfc822\n\n", b"Content-Type: message/rfc822\n\n"))
        fp.write(b"--6265E1AC124.1274695610/mv-osn-hcb007.ocn.ad.jp\nContent-Type: application/pdf\n"
                 b"Content-Transfer-Encoding: base64\n\n")
        line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
        for _ in range(20 * 1024 * 1024 // len(line)):
            fp.write(line)
        fp.write(b"--6265E1AC124.1274695610/mv-osn-hcb007.ocn.ad.jp--\n")
    st = tmp_path / "st"
    probe = ("import resource, runpy, sys; sys.argv = ['bouncewatch'] + sys.argv[1:]\n"
             "from bouncewatch.plugin.cli import main\n"
             "rc = main(sys.argv[1:])\n"
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
             "sys.exit(rc)\n")

    def run(path):
        with open(path, "rb") as fp:
            r = subprocess.run([sys.executable, "-c", probe, "ingest-mail", "--state-dir", str(st)], stdin=fp,
                               capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode()
        return int(r.stderr.decode().strip().splitlines()[-1])

    small_kb = run(SISIMAI / "postfix-04.eml")
    big_kb = run(big)
    assert big_kb - small_kb < 24 * 1024, (small_kb, big_kb)  # well under the 20 MB message + its decoding
    evs = [json.loads(x) for x in (st / "mail-events.jsonl").read_text().splitlines()]
    assert [e["recipient"] for e in evs] == ["kijitora@example.co.jp"] * 2
    assert evs[1]["source"]["truncated"] is True


def _sendmail_dsn(transcript: str, diagnostic: str, rcpt: str = "ann@example.com") -> bytes:
    return ("From: Mail Delivery Subsystem <MAILER-DAEMON@mx.ours.example>\nTo: <news@ours.example>\n"
            "Subject: Returned mail: see transcript for details\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n--B\n\n'
            f"   ----- The following addresses had permanent fatal errors -----\n<{rcpt}>\n"
            f"    (reason: {diagnostic})\n\n   ----- Transcript of session follows -----\n{transcript}\n\n"
            "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.ours.example\n\n"
            f"Final-Recipient: RFC822; {rcpt}\nAction: failed\nStatus: 5.0.0\nRemote-MTA: DNS; mx.example.com\n"
            f"Diagnostic-Code: SMTP; {diagnostic}\n\n--B--\n").encode()


@pytest.mark.parametrize("transcript,command,category", [
    # our sender refused at MAIL FROM: no recipient is named, none is blamed
    ("... while talking to mx.example.com.:\n>>> MAIL From:<news@ours.example> SIZE=1234\n"
     "<<< 554 mail address invalid.\n554 5.0.0 Service unavailable", "MAIL FROM", "sender_rejected"),
    ("... while talking to mx.example.com.:\n>>> RCPT To:<ann@example.com>\n<<< 554 mail address invalid.\n"
     "554 5.0.0 Service unavailable", "RCPT TO", "bad_mailbox"),
    ("... while talking to mx.example.com.:\n<<< 554 mail address invalid.\n554 5.0.0 Service unavailable",
     "CONNECT", "policy_block"),
    # PIPELINING: RCPT and DATA went out before the reply; the pair says nothing certain
    ("... while talking to mx.example.com.:\n>>> RCPT To:<ann@example.com>\n>>> DATA\n"
     "<<< 554 mail address invalid.\n554 5.0.0 Service unavailable", None, None),
    # another recipient's refusal is not ours; the DATA that followed it is
    ("... while talking to mx.example.com.:\n>>> RCPT To:<bob@example.com>\n<<< 550 5.1.1 unknown\n"
     ">>> DATA\n<<< 554 mail address invalid.", "DATA", None),
])
def test_sendmail_transcript_names_the_command(transcript, command, category):
    """Sendmail's DSN says which command a refusal answered only in its
    transcript (``>>> MAIL From:<...>`` then ``<<< 554 ...``); without it a
    refusal of our sender reads as a dead recipient."""
    rm = analyze(_sendmail_dsn(transcript, "554 mail address invalid."))
    [f] = rm.findings
    assert f.reply.command == command
    if category is not None:
        events, _ = _dry(_sendmail_dsn(transcript, "554 mail address invalid."))
        assert events[0]["classification"]["category"] == category
