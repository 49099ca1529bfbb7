"""parsers/sendmail.py on Sendmail syslog lines (corpus lines from real
servers, and the 8.15+ ``reply=`` field)."""

import re
from datetime import datetime, timezone

import pytest

from bouncewatch.parsers import postfix, sendmail
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Delivery, Envelope, MessageInfo, MessageOutcome, Relay

P = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=timezone.utc), tz=timezone.utc)


def rec(line):
    env = P.parse(line)
    assert env is not None and sendmail.claims(env.program), line
    return sendmail.parse(env)


def test_sent_with_all_fields():
    d = rec("May 20 04:07:42 mailhost sm-mta[28633]: j4K97fD5028627: to=somebody@Example.NET, "
            "ctladdr=<joe@example.org> (1000/1000), delay=1+02:03:04, xdelay=00:00:00, mailer=esmtp, "
            "pri=34674, relay=somehost.example.net. [204.127.1.2], dsn=2.0.0, "
            "stat=Sent (ok ; id=20050520090742r1700irb9oe)")
    assert isinstance(d, Delivery)
    assert (d.queue_id, d.recipient, d.status, d.dsn) == ("j4K97fD5028627", "somebody@example.net", "sent", "2.0.0")
    assert d.relay == Relay("somehost.example.net", "204.127.1.2")
    assert d.delay == 86400 + 7384 and d.reason == "ok ; id=20050520090742r1700irb9oe"


def test_several_recipients_on_one_line():
    ds = rec("Apr  2 00:15:25 mta001 sendmail[32302]: u31FFPtp032300: to=<sent1@example.com>,<sent2@example.com>, "
             "delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=245938, relay=[93.184.216.34] [93.184.216.34], "
             "dsn=2.0.0, stat=Sent (ok:  Message 40279894 accepted)")
    assert isinstance(ds, tuple) and [d.recipient for d in ds] == ["sent1@example.com", "sent2@example.com"]
    assert all(d.status == "sent" and d.relay == Relay(None, "93.184.216.34") for d in ds)


def test_deferred_with_reply_code():
    d = rec("Apr  2 00:15:25 mta001 sendmail[12566]: u31FFPtp032300: to=<deferred1@example.com>, delay=00:00:15, "
            "xdelay=00:00:15, mailer=esmtp, pri=34527, relay=[93.184.216.34] [93.184.216.34], dsn=4.3.5, "
            "stat=Deferred: 451 4.3.5 Server configuration problem")
    assert (d.status, d.delay, d.dsn) == ("deferred", 15, "4.3.5")
    assert (d.reply.code, d.reply.dsn, d.reply.text) == (451, "4.3.5", "Server configuration problem")


def test_reply_field_is_preferred_to_derived_stat():
    # stat= follows the basic code only: a blocklist 550 reads "User unknown"
    for tail in ("dsn=5.1.1, stat=User unknown, reply=550 5.7.1 Service unavailable; client [192.0.2.5] "
                 "blocked using zen.spamhaus.org",
                 "dsn=5.1.1, reply=550 5.7.1 Service unavailable; client [192.0.2.5] blocked using "
                 "zen.spamhaus.org, spf=fail, stat=User unknown"):
        d = rec("Nov 22 13:31:27 mx sm-mta[4242]: 5AMDVR0a004242: to=<a@example.com>, delay=00:00:01, "
                "xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx.example.com. [192.0.2.1], " + tail)
        assert d.status == "bounced" and d.dsn == "5.1.1"
        assert d.reason.startswith("550 5.7.1 Service unavailable; client [192.0.2.5] blocked")
        assert (d.reply.code, d.reply.dsn) == (550, "5.7.1") and "zen.spamhaus.org" in d.reason


def test_long_recipient_list_continued():
    ds = rec("Nov 22 13:31:27 mx sm-mta[1]: 5AMDVR0a004242: to=<a@x.org>,<b@x.org>, [more], delay=00:00:01, "
             "xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.x.org. [192.0.2.3], dsn=2.0.0, stat=Sent (ok)")
    assert [d.recipient for d in ds] == ["a@x.org", "b@x.org"]


@pytest.mark.parametrize("stat,status", [
    ("User unknown", "bounced"),
    ("Service unavailable", "bounced"),
    ("Host unknown (Name server: nxdomain.example.: host not found)", "bounced"),
    ("Data format error", "bounced"),
    ("Deferred: Connection refused by [127.0.0.1]", "deferred"),
    ("Deferred: 451 4.7.1 Please try again later", "deferred"),
    ("Deferred: Name server: example.com.: host name lookup failure", "deferred"),
    ("queued", "queued"),
    ("Cannot send message for 5 days", "expired"),
])
def test_stat_values(stat, status):
    d = rec("Nov 22 13:31:27 mx sm-mta[4242]: 5AMDVR0a004242: to=<a@example.com>, delay=00:00:01, "
            f"xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx.example.com., dsn=5.0.0, stat={stat}")
    assert d.status == status and d.reason == stat


def test_submission_handover_is_not_a_delivery():
    for line in (
        "May 28 11:15:19 host sendmail[1499]: t4S4FI7E001499: to=test@example.com, ctladdr=root (0/0), "
        "delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=30613, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, "
        "stat=Sent (Ok: queued as DF657106C51)",
        "Nov 22 13:31:27 mx sm-msp-queue[88]: 5AMDVR0b000088: to=root, ctladdr=root (0/0), delay=00:00:03, "
        "xdelay=00:00:00, mailer=relay, pri=30245, relay=localhost [127.0.0.1], dsn=2.0.0, "
        "stat=Sent (5AMDVR0c004243 Message accepted for delivery)",
    ):
        assert rec(line).status == "handed_over"
    # the daemon relaying to a smart host is a delivery
    d = rec("Nov 22 13:31:27 mx sm-mta[4242]: 5AMDVR0a004242: to=<a@example.com>, delay=00:00:01, "
            "xdelay=00:00:01, mailer=relay, pri=120, relay=smarthost.example.net. [192.0.2.25], dsn=2.0.0, "
            "stat=Sent (5AMDVR0c Message accepted for delivery)")
    assert d.status == "sent"
    # a refusal by the local MTA is a failure the submitter saw
    d = rec("Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: to=This, ctladdr=root (0/0), "
            "delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], "
            "dsn=5.1.1, stat=User unknown")
    assert d.status == "bounced" and d.recipient == "This"


def test_from_line():
    i = rec("Jun 29 03:10:03 RHL058 sendmail[3569]: s5T68YTv003569: from=<no-reply@grooveshark.com>, "
            "size=25274, class=0, nrcpts=1, msgid=<1404025803.53afbbcb667b9@swift.generated>, proto=SMTP, "
            "relay=root@localhost")
    assert i == MessageInfo("sendmail", "s5T68YTv003569", sender="no-reply@grooveshark.com", size=25274,
                            message_id="1404025803.53afbbcb667b9@swift.generated", nrcpt=1)
    assert rec("Nov 22 13:31:27 mx sm-mta[1]: 5AMDVR0a004242: from=<>, size=2011, class=0, nrcpts=1, "
               "msgid=<x@y>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]").sender == ""


def test_dsn_lines_link_bounce_and_expire():
    i = rec("May 20 04:07:05 mailhost sendmail[28499]: j4K970hV028494: j4K975hV028499: DSN: Service unavailable")
    assert i == MessageInfo("sendmail", "j4K975hV028499", sender="", bounce_of="j4K970hV028494")
    o, link = rec("Nov 22 13:31:27 mx sm-mta[9]: 5AHDVR0a004242: 5AMDVR0d000009: DSN: Cannot send message "
                  "for 5 days")
    assert o == MessageOutcome("sendmail", "5AHDVR0a004242", "expired", reason="Cannot send message for 5 days")
    assert link.bounce_of == "5AHDVR0a004242"
    i = rec("May 20 04:03:08 mailhost sendmail[12524]: j4K488I4001736: j4K6MJcE012524: sender notify: "
            "Warning: could not send message for past 4 hours")
    assert i.bounce_of == "j4K488I4001736"


# Real Sendmail 8.17 lines (tests/test_realmta_sendmail.py).
REAL = "Nov 23 03:36:59 mta sm-mta[82]: "


def test_queued_with_a_temporary_dsn_is_a_deferral():
    """The recipient's domain gave SERVFAIL: the only line Sendmail writes."""
    d = rec(REAL + "6AN3axEv000061: to=<rcpt@dns-servfail.test>, delay=00:00:00, mailer=esmtp, pri=30173, "
            "dsn=4.4.3, stat=queued")
    assert (d.status, d.dsn, d.reason) == ("deferred", "4.4.3", "queued")
    assert (d.reply.code, d.reply.dsn) == (None, None)
    plain = rec(REAL + "6AN3axEv000061: to=<a@example.org>, delay=00:00:00, mailer=esmtp, pri=30173, stat=queued")
    assert (plain.status, plain.reply) == ("queued", None)


def test_utf8_reply_octal_escapes_decoded():
    d = rec(REAL + r"6AN3ax7g000080: to=<rcpt@non-ascii-reply.test>, delay=00:00:00, xdelay=00:00:00, "
            r"mailer=esmtp, pri=30185, relay=mx.non-ascii-reply.test. [127.0.1.24], dsn=5.1.1, reply=550 5.1.1 "
            r"<rcpt@non-ascii-reply.test>: \320\237\320\276\321\207\321\202\320\276\320\262\321\213\320\271 "
            r"\321\217\321\211\320\270\320\272 \320\275\320\265 \321\201\321\203\321\211\320\265\321\201"
            r"\321\202\320\262\321\203\320\265\321\202, stat=User unknown")
    assert d.reason == "550 5.1.1 <rcpt@non-ascii-reply.test>: Почтовый ящик не существует"
    assert (d.reply.code, d.reply.dsn) == (550, "5.1.1") and d.reply.text.endswith("ящик не существует")


def test_bare_deferred_is_a_deferral_without_reason(classifier):
    """A bare ``stat=Deferred`` (the host status cache said the host failed a
    moment ago, so Sendmail did not try it) has no reason of its own: the
    event takes the cause of the last reasoned failure, as Exim's "retry time
    not reached" does (lists.centos.org/pipermail/centos/2008-December/069422)."""
    from bouncewatch.plugin.pipeline import Pipeline
    head = "Dec 14 05:28:39 exmx1 sendmail[31574]: mBDIYhEa031574: to=<customer@example.com>, delay=00:00:00, "
    bare = head + "xdelay=00:00:00, mailer=esmtp, pri=41874, relay=mail.example.com., dsn=4.0.0, stat=Deferred"
    d = rec(bare)
    assert (d.status, d.reason, d.reply) == ("deferred", "", None)
    p = Pipeline(classifier)
    evs = [e for line in (head + "xdelay=00:00:01, mailer=esmtp, pri=41874, relay=mail.example.com. "
                                 "[192.0.2.7], dsn=4.0.0, stat=Deferred: Connection refused by mail.example.com.",
                          bare)
           for e in p.feed(line)]
    assert [e["classification"]["category"] for e in evs] == ["unable_to_connect", "soft_general"]
    assert evs[1]["classification"]["cause"] == "unable_to_connect"


def test_faked_connection_reset_is_no_reply():
    """usersmtp.c writes "421 4.4.1 Connection reset by <host>" itself when
    the peer closes; its dsn=4.4.2 says the connection had been made."""
    d = rec(REAL + "6AN3axvO000077: to=<rcpt@lost-connection.test>, delay=00:00:00, xdelay=00:00:00, "
            "mailer=esmtp, pri=30185, relay=mx.lost-connection.test. [127.0.1.23], dsn=4.4.2, "
            "reply=421 4.4.1 Connection reset by mx.lost-connection.test., stat=Deferred")
    assert (d.status, d.dsn, d.reason) == ("deferred", "4.4.2", "421 4.4.1 Connection reset by "
                                                                 "mx.lost-connection.test.")
    assert (d.reply.code, d.reply.dsn) == (None, None)


def test_dsn_message_goes_out_from_the_null_sender(classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    log = [REAL + "6AN3awRv000016: to=<rcpt@user-unknown.test>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, "
           "pri=30185, relay=mx.user-unknown.test. [127.0.1.2], dsn=5.1.1, reply=550 5.1.1 no such user, "
           "stat=User unknown",
           REAL + "6AN3awRv000016: 6AN3awRv000018: DSN: User unknown",
           REAL + "6AN3awRv000018: to=<bounces@sender.test>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, "
           "pri=31209, relay=mx.sender.test. [127.0.1.30], dsn=2.0.0, stat=Sent (Ok: queued as 4E1)"]
    p = Pipeline(classifier, include_sent=True)
    evs = [e for line in log for e in p.feed(line)]
    assert [(e["recipient"], e["sender"], e["bounce_of"]) for e in evs] == [
        ("rcpt@user-unknown.test", None, None), ("bounces@sender.test", "", "6AN3awRv000016")]


@pytest.mark.parametrize("msg", [
    "5AMDVR0a004242: lost input channel from client.example [192.0.2.8] to MTA after rcpt",
    "5AMDVR0a004242: timeout waiting for input from client.example [192.0.2.8] during server cmd read",
    "5AMDVR0a004242: done; delay=00:00:00, ntries=2",
    "starting daemon (8.17.1.9): SMTP+queueing@00:10:00",
    "5AMDVR0a004242: <nobody@example.com>... User unknown",
])
def test_noise(msg):
    assert rec(f"Nov 22 13:31:27 mx sm-mta[1]: {msg}") is None


def test_claims():
    assert sendmail.claims("sendmail") and sendmail.claims("sm-mta") and sendmail.claims("sm-msp-queue")
    assert not sendmail.claims("postfix/sendmail") and postfix.claims("postfix/sendmail")


def test_quoted_and_hostile_recipients():
    d = rec('Nov 22 13:31:27 mx sm-mta[1]: 5AMDVR0a004242: to=<"a, b"@x.org>,"|/usr/bin/procmail", '
            "delay=00:00:00, mailer=local, pri=1, dsn=2.0.0, stat=Sent")
    assert [x.recipient for x in d] == ['"a, b"@x.org', '"|/usr/bin/procmail"']
    r = rec("Nov 22 13:31:27 mx sm-mta[1]: 5AMDVR0a004242: to=" + "<a>," * 20000 + ", stat=Sent")
    assert len(r) == 20000
    assert rec("Nov 22 13:31:27 mx sm-mta[1]: 5AMDVR0a004242: to=" + ", " * 20000) is None


def test_pipeline_handover_quiet_and_dsn_expiry(classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    log = """\
Nov 22 10:00:00 mx sendmail[10]: 5AMA0000000010: from=www-data, size=300, class=0, nrcpts=1, msgid=<m1@mx>, relay=www-data@localhost
Nov 22 10:00:00 mx sm-mta[11]: 5AMA0000000011: from=<www-data@mx>, size=600, class=0, nrcpts=2, msgid=<m1@mx>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]
Nov 22 10:00:00 mx sendmail[10]: 5AMA0000000010: to=a@grey.example,b@down.example, ctladdr=www-data (33/33), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30300, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (5AMA0000000011 Message accepted for delivery)
Nov 22 10:00:01 mx sm-mta[12]: 5AMA0000000011: to=<a@grey.example>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120600, relay=mx.grey.example. [192.0.2.1], dsn=4.7.1, stat=Deferred: 451 4.7.1 Greylisted, try again later
Nov 22 10:00:01 mx sm-mta[12]: 5AMA0000000011: to=<b@down.example>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120600, relay=mx.down.example., dsn=4.0.0, stat=Deferred: Connection refused by mx.down.example.
Nov 27 10:00:02 mx sm-mta[13]: 5AMA0000000011: 5ARA0000000013: DSN: Cannot send message for 5 days
"""
    p = Pipeline(classifier)
    evs = [e for line in log.splitlines() for e in p.feed(line)]
    assert [(e["recipient"], e["status"]) for e in evs] == [
        ("a@grey.example", "deferred"), ("b@down.example", "deferred"),
        ("a@grey.example", "expired"), ("b@down.example", "expired")]
    assert all((e["sender"], e["size"], e["message_id"]) == ("www-data@mx", 600, "m1@mx") for e in evs)
    assert [e["classification"]["cause"] for e in evs[2:]] == ["greylisted", "unable_to_connect"]
    every = Pipeline(classifier, include_sent=True)
    statuses = [e["status"] for line in log.splitlines() for e in every.feed(line)]
    assert statuses.count("handed_over") == 2


def test_cli_mta_choice_on_a_mixed_file():
    """One file, Postfix and Sendmail's submission program: --mta picks one, auto reads both."""
    import json
    import subprocess
    import sys
    log = (
        "May 28 11:15:19 host sendmail[1499]: t4S4FI7E001499: to=test@example.com, ctladdr=root (0/0), "
        "delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=30613, relay=[127.0.0.1] [127.0.0.1], dsn=4.0.0, "
        "stat=Deferred: Connection refused by [127.0.0.1]\n"
        "May 28 11:15:20 host postfix/smtp[7]: DF657106C51: to=<test@example.com>, relay=mx.example.com[192.0.2.1]:25, "
        "delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 "
        "no such user (in reply to RCPT TO command))\n")
    seen = {}
    for mta in ("auto", "postfix", "sendmail"):
        r = subprocess.run([sys.executable, "-m", "bouncewatch", "parse", "--mta", mta], input=log,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        seen[mta] = sorted((e["mta"], e["status"]) for e in map(json.loads, r.stdout.splitlines()))
    assert seen == {"auto": [("postfix", "bounced"), ("sendmail", "deferred")],
                    "postfix": [("postfix", "bounced")], "sendmail": [("sendmail", "deferred")]}


def test_free_text_fields_take_turns_and_stay_linear():
    f = sendmail.scan_fields("to=<a@b>, x, dsn=4.0.0, stat=Deferred: 451 a, b=c, reply=451 d, stat=e, mailer=x")
    assert f == {"to": "<a@b>, x", "dsn": "4.0.0", "stat": "e, mailer=x", "reply": "451 d"}
    import time
    t = time.perf_counter()
    f = sendmail.scan_fields("stat=x, reply=y, " * 50000)
    assert time.perf_counter() - t < 1.0 and f["reply"] == "y, "


_HEAD = "kAK6004039066: to=<a@b.example>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx. [192.0.2.1], "


@pytest.mark.parametrize("msg", [
    "kAK6004039066: to=" + "<" * 1_000_000,
    "kAK6004039066: to=<" + "a" * 1_000_000,
    "kAK6004039066: to=<a@b>, delay=" + "0" * 1_000_000,
    _HEAD + "dsn=2.0.0, stat=Sent (" + "a)" * 500_000 + " ",   # Sent \((.*)\)\Z backs off over all of it
    _HEAD + "dsn=2.0.0, stat=Sent (" + ", reply=" * 100_000 + ")",
    _HEAD + "dsn=" + "2.0.0, " * 150_000 + "stat=Sent (x)",
    "kAK6004039066: from=<" + "a" * 1_000_000,
    "kAK6004039066: from=<a@b>, size=" + "1" * 1_000_000,
    "kAK6004039066: from=<a@b>, size=1, class=0, nrcpts=1, msgid=<" + "a>" * 500_000,
    "kAK6004039066: from=<a@b>, size=1, class=0, nrcpts=1" + ", size=1" * 100_000,
    "kAK6004039066: from=<a@b>, size=1, class=0, nrcpts=1, msgid=<x>" + ", relay=x" * 100_000,
    "a" * 1_000_000 + ": to=<a@b>",
    ", " * 500_000,
])
def test_record_match_stays_linear(msg):
    """_RECORD (the usual to=/from= line in one match, its look-ahead for repeated fields) on 1 MB lines."""
    import time
    env = Envelope(None, "mx", "sm-mta", 1, msg)
    t = time.perf_counter()
    try:
        sendmail.parse(env)
    except ValueError:  # int() of a 1 MB size= refuses (Python's digit limit), as scan_fields' path did
        pass
    assert time.perf_counter() - t < 1.0, "super-linear matching on a 1 MB line"


_AGREE_MSGS = [pytest.param(m) for m in [
    _HEAD + "dsn=2.0.0, stat=Sent (OK 1795154401 - gsmtp)",
    _HEAD + "dsn=2.0.0, stat=Sent (a, reply=b)",
    _HEAD + "dsn=5.1.1, stat=User unknown, reply=550-5.1.1 \\320\\237 no",
    _HEAD + "dsn=5.1.1, reply=550 5.1.1 no, stat=User unknown",
    _HEAD + "dsn=4.0.0, stat=Deferred: 451 x, y (z)",
    "kAK602A038587: to=Fatima@Example.COM, ctladdr=www-data (33/33), delay=00:00:00, xdelay=00:00:00, "
    "mailer=relay, pri=30000, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (kAK6029055500 Message accepted)",
    "kAK602A038587: to=<a@b>,<c@d>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=1, dsn=4.4.3, stat=queued",
    "kAK602A038587: to=<a@b, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=1, dsn=2.0.0, stat=Sent",
    "kAK602A038587: to=, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=1, dsn=2.0.0, stat=Sent (x)",
    "kAK602A038587: to=<>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=1, dsn=2.0.0, stat=Sent (x)",
    "kAK6001016595: from=<s@example.net>, size=23077, class=0, nrcpts=1, msgid=<id@x>, proto=ESMTPS, relay=a [1.2.3.4]",
    "kAK6001016595: from=www-data, size=1, class=0, nrcpts=2, msgid=id@x, relay=www-data@localhost",
    "kAK6001016595: from=<>, size=1, class=0, nrcpts=1, msgid=<>",
    "kAK6001016595: from=<s@x>, size=1, class=0, nrcpts=1, msgid=<a,b>, relay=x",
    "kAK6001016595: from=<s@x>, size=1, class=0, nrcpts=1, relay=x, size=2",
]]


@pytest.mark.parametrize("program", ["sm-mta", "sendmail"])
@pytest.mark.parametrize("msg", _AGREE_MSGS)
def test_record_match_agrees_with_scan_fields(msg, program):
    """The one-match path (_RECORD) gives what the general path (scan_fields) gives."""
    # a from= line that names a field again later goes the general way (scan_fields takes the last one)
    again = "from=" in msg and re.search(r", (?:from|size|nrcpts|msgid)=", msg[msg.index("nrcpts="):])
    assert sendmail._RECORD.match(msg) is not None or msg.endswith("stat=queued") or again
    assert sendmail.parse(Envelope(None, "mx", program, 1, msg)) == sendmail._parse_other(msg, 0, program)


_SYSLOG_HEADS = ["Nov 20 06:00:00 mx-out1 sm-mta[16595]: ", "<22>Nov  2 13:31:27 h sendmail[1]: ", ""]


@pytest.mark.parametrize("head", _SYSLOG_HEADS)
@pytest.mark.parametrize("program", ["sm-mta", "sendmail"])
def test_parse_at_reads_what_parse_reads(head, program):
    """parse_at (LineParser.parse_block's way in: the whole line and where the
    message starts) gives parse's record for every message the tests here
    use, noise and notices included, and for their truncations."""
    msgs = [p.values[0] for p in _AGREE_MSGS] + [
        "kAK6004039066: kAK6004039067: DSN: Cannot send message for 5 days",
        "kAK6004039066: kAK6004039067: return to sender: User unknown",
        "STARTTLS=client, relay=mx.example., version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384",
        "kAK6004039066: lost input channel from [192.0.2.1] to MTA after rcpt",
        "kAK6004039066:", "", ": ", "x" * 30 + ": to=<a@b>",
    ]
    for msg in msgs:
        for cut in (len(msg), len(msg) - 1, 40, 20, 15, 9):
            m = msg[:cut]
            line = head + m
            assert sendmail.parse_at(program, line, len(head)) == sendmail.parse(Envelope(None, "mx", program, 1, m))


def test_parse_at_stays_linear_behind_a_head():
    import time
    head = _SYSLOG_HEADS[0]
    for msg in ("kAK6004039066: to=" + "<" * 1_000_000, head * 20_000, "a" * 1_000_000 + ": to=<a@b>"):
        t = time.perf_counter()
        sendmail.parse_at("sm-mta", head + msg, len(head))
        assert time.perf_counter() - t < 1.0, "super-linear matching on a 1 MB line"


# Real Sendmail 8.17 (tests/test_realmta_sendmail_more.py) and a corpus line
# (config-mailgateway): an alias or .forward expansion names the address the
# sender used only as the delivery's controlling address.
ALIAS_TAILS = {
    "unknown": ("delay=00:00:00, xdelay=00:00:00, mailer=local, pri=30737, dsn=5.1.1, "
                "reply=550 5.1.1 User unknown, stat=User unknown"),
    "file": "delay=00:00:00, xdelay=00:00:00, mailer=*file*, pri=30485, dsn=2.0.0, stat=Sent",
}


@pytest.mark.parametrize("tail", list(ALIAS_TAILS.values()), ids=list(ALIAS_TAILS))
@pytest.mark.parametrize("to", ["formeruser", "|/usr/bin/procmail", '"|/usr/bin/procmail -f-"', "/var/log/copy"])
def test_alias_expansion_keeps_the_address_the_sender_used(to, tail):
    d = rec(f"Nov 24 15:21:47 mta sm-mta[48]: 6AOFLlK4000047: to={to}, "
            f"ctladdr=<Retired@Example.TEST> (1/0), {tail}")
    assert d.orig_recipient == "Retired@example.test"
    assert d.recipient == sendmail.normalize_address(to)
    # the general way (scan_fields) reads it the same
    line = f"6AOFLlK4000047: to={to}, ctladdr=<Retired@Example.TEST> (1/0), {tail}, extra=1"
    assert sendmail.parse_at("sm-mta", line, 0).orig_recipient == "Retired@example.test"


@pytest.mark.parametrize("to,ctladdr,mailer", [
    ("<root@server1.example.org>", "<root@server1.example.org> (0/0)", "local"),  # corpus: a plain local delivery
    ("root", "root (0/0)", "relay"),              # the submission program: ctladdr is the submitting user
    ("root", "<root@host.example> (0/0)", "relay"),
    ("user@example.com", "<joe@example.org> (1000/1000)", "esmtp"),
    ("formeruser", "<broken (1/0)", "local"),
    ("formeruser", "<nobody> (1/0)", "local"),
])
def test_controlling_address_is_no_original_elsewhere(to, ctladdr, mailer):
    d = rec(f"Nov 24 15:21:47 mta sm-mta[48]: 6AOFLlK4000047: to={to}, ctladdr={ctladdr}, delay=00:00:00, "
            f"xdelay=00:00:00, mailer={mailer}, pri=30485, dsn=2.0.0, stat=Sent")
    assert d.orig_recipient is None
