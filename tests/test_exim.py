"""parsers/exim.py on Exim main-log lines: the lines of the Exim test suite,
of the corpus' real servers, and lines with every log_selector option of
contrib/exim (values as a Debian 4.96 writes them)."""

from datetime import datetime, timedelta, timezone

import pytest

from bouncewatch.parsers import exim
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Delivery, MessageInfo, MessageOutcome, Relay

P = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=timezone.utc), tz=timezone.utc)


def rec(line):
    env = P.parse(line)
    assert env is not None and exim.claims(env.program), line
    return exim.parse(env)


def test_arrival_gives_sender_size_message_id():
    i = rec("2020-06-19 04:51:49 [123] 1jmFYj-00039V-QX <= noreply@test.corp H=(test.corp) [2.2.2.2] "
            "P=smtp S=7386 id=20200619045149.ABC@test.corp")
    assert i == MessageInfo("exim", "1jmFYj-00039V-QX", sender="noreply@test.corp", size=7386,
                            message_id="20200619045149.ABC@test.corp")


def test_bounce_arrival_names_its_parent():
    i = rec("2020-06-19 04:54:02 1jmFas-0004f6-EB <= <> R=1jmFYj-00039V-QX U=Debian-exim P=local S=8656")
    assert (i.sender, i.size, i.bounce_of) == ("", 8656, "1jmFYj-00039V-QX")


def test_received_recipients_counted():
    i = rec("2017-07-30 18:51:05.712 10HmaX-000000005vi-0000 <= CALLER@the.local.host.name U=CALLER "
            'P=local S=1234 T="a subject with for in it" for a@test.ex b@test.ex')
    assert i.nrcpt == 2 and i.size == 1234


@pytest.mark.parametrize("flag,status", [("=>", "sent"), ("->", "sent"), (">>", "sent"), ("*>", "suppressed")])
def test_delivery_flags(flag, status):
    d = rec(f"2020-06-19 05:01:02 1jmH1s-000AVD-5t {flag} dave@Foo.CORP R=dnslookup T=remote_smtp "
            'H=mail.foo.corp [1.1.1.1] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=yes '
            'C="250 2.0.0 Ok: queued"')
    assert isinstance(d, Delivery)
    assert (d.status, d.recipient, d.queue_id) == (status, "dave@foo.corp", "1jmH1s-000AVD-5t")
    assert d.relay == Relay("mail.foo.corp", "1.1.1.1", None)
    assert d.reason == "250 2.0.0 Ok: queued" and d.reply is None


def test_all_recommended_selectors_on_one_delivery():
    d = rec('2026-11-22 13:31:27.345 +0100 [4711] 1vMqXx-00000000Ab1-0Cd9 => bob@example.org '
            '<list@example.net> F=<news@example.net> P=<bounce-123@example.net> R=dnslookup '
            'T=remote_smtp S=2345 H=mx.example.org [192.0.2.7]:25 I=[198.51.100.1]:40822 '
            'X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes DN="/CN=mx.example.org" K '
            'C="250 2.0.0 Ok: queued as 4Xy \\"quoted\\"" QT=1m2s DT=0.345s')
    assert d.queue_id == "1vMqXx-00000000Ab1-0Cd9"
    assert (d.recipient, d.orig_recipient, d.sender, d.size) == (
        "bob@example.org", "list@example.net", "news@example.net", 2345)
    assert d.relay == Relay("mx.example.org", "192.0.2.7", 25)
    assert d.reason == '250 2.0.0 Ok: queued as 4Xy "quoted"'
    assert d.delay == 62.0
    env = P.parse('2026-11-22 13:31:27.345 +0100 [4711] 1vMqXx-00000000Ab1-0Cd9 Completed')
    assert env.pid == 4711 and env.timestamp == datetime(2026, 11, 22, 13, 31, 27, 345000,
                                                         timezone(timedelta(hours=1)))


def test_a_failures_deliver_time_follows_its_message():
    """Exim 4.96 with +deliver_time (tests/test_realmta_exim.py's log): a
    failure's DT= comes after the message; it is the delay, not the reply's."""
    d = rec("2026-11-24 14:54:23.852 [39] 1xVruZ-00000E-1z ** rcpt@rbl-block.test F=<bounces@sender.test> "
            "P=<bounces@sender.test> R=remote T=remote_smtp H=mx.rbl-block.test [127.0.1.6]:25: SMTP error from "
            "remote mail server after RCPT TO:<rcpt@rbl-block.test>: 554 5.7.1 Service unavailable; Client host "
            "[127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1 DT=0.042s")
    assert d.reason.endswith("https://www.spamhaus.org/query/ip/127.0.0.1") and d.delay == 0.042
    assert d.reply.text.endswith("127.0.0.1") and d.reply.command == "RCPT TO"
    d = rec("1999-03-02 09:44:33 10HmaY-000000005vi-0000 ** CALLER@test.ex R=bounce : just discard DT=1m2s")
    assert (d.reason, d.delay) == ("just discard", 62.0)
    # a reply that merely ends in such words keeps them when they are no duration
    d = rec("1999-03-02 09:44:33 10HmaY-000000005vi-0000 ** a@test.ex R=r T=t: 550 no DT=maybes")
    assert d.reason.endswith("550 no DT=maybes")


def test_a_deferrals_deliver_time_after_its_errno_text():
    """Exim 4.96 with +deliver_time (tests/test_realmta_exim_more.py's log): a
    deferral with a positive errno writes DT= between the errno's text and
    the message; it is the delay, and the reason reads as without it."""
    d = rec("2026-11-24 15:20:22.924 [34] 1xVsJi-00000L-1R == readonly@local.test R=local_readonly "
            "T=readonly_delivery defer (13): Permission denied DT=0.001s: creating lock file hitching post "
            "/tmp/bw-exim-ffs3601q/readonly/readonly.lock.mta.bouncewatch.test.6b05ab36.00000026 (euid=200 egid=200)")
    assert d.reason.startswith("Permission denied: creating lock file hitching post /tmp/") and d.delay == 0.001
    d = rec("2026-11-24 15:20:22.924 [34] 1xVsJi-00000L-1R == a@example.com R=r T=t defer (111): "
            "Connection refused DT=1m2s")
    assert (d.reason, d.delay) == ("Connection refused", 62.0)
    # errno text that merely ends in such words keeps them when they are no duration
    d = rec("2026-11-24 15:20:22.924 1xVsJi-00000L-1R == a@example.com R=r T=t defer (5): I/O DT=maybes: x")
    assert d.reason == "I/O DT=maybes: x" and d.delay is None


def test_a_blackhole_delivery_names_the_address_it_discarded():
    """A redirect's ``:blackhole:`` item is logged as a delivery to
    ``:blackhole:`` with the discarded address as its parent (Exim 4.96,
    tests/test_realmta_exim_more.py's log); like a pipe or a file, the
    generated address is the recipient and the one it came from the original."""
    d = rec("2026-11-24 15:19:20.415 [66] 1xVsIh-00000J-21 => :blackhole: <devnull@alias.test> R=alias_blackhole")
    assert (d.status, d.recipient, d.orig_recipient) == ("sent", ":blackhole:", "devnull@alias.test")
    d = rec("2026-11-24 15:19:20.415 1xVsIh-00000J-21 => :blackhole: <devnull@alias.test> <list@alias.test> R=r")
    assert (d.recipient, d.orig_recipient) == (":blackhole:", "list@alias.test")


def test_deliver_time_alone_is_the_delay():
    d = rec("2017-07-30 18:51:05.712 10HmaZ-000000005vi-0000 => userx <userx@test.ex> R=r1 T=t1 DT=2.5s")
    assert d.delay == 2.5 and d.recipient == "userx@test.ex" and d.orig_recipient is None
    d = rec("1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx <postmaster@test.ex> R=localuser "
            "T=local_delivery defer (-22): mailbox is full (MTA-imposed quota exceeded while writing to x)")
    assert (d.recipient, d.orig_recipient, d.status) == ("userx", "postmaster@test.ex", "deferred")


def test_rcpt_rejection_with_old_and_new_ids():
    for qid in ("1rABCD-000123-AB", "1rABCD-00000000XY-ABCD"):
        d = rec(f"2024-01-02 03:04:05 {qid} ** nobody@example.com R=dnslookup T=remote_smtp "
                "H=mx.example.com [203.0.113.5]: SMTP error from remote mail server after "
                "RCPT TO:<nobody@example.com>: 550 5.1.1 <nobody@example.com>: Recipient address rejected: "
                "User unknown in virtual mailbox table")
        assert d.queue_id == qid and d.status == "bounced"
        assert d.relay == Relay("mx.example.com", "203.0.113.5", None)
        assert (d.reply.code, d.reply.dsn, d.reply.command) == (550, "5.1.1", "RCPT TO")
        assert d.reason.startswith("SMTP error from remote mail server after RCPT TO:")


def test_deferral_with_errno_host_and_port():
    d = rec("1999-03-02 09:44:33 10HmaY-000000005vi-0000 == data_defer@test.ex R=client T=t1 defer (-46) "
            "H=127.0.0.1 [127.0.0.1]:1225: SMTP error from remote mail server after end of data: "
            "451 Temporary local problem - please try later")
    assert d.status == "deferred" and d.relay == Relay("127.0.0.1", "127.0.0.1", 1225)
    assert (d.reply.code, d.reply.command) == (451, "END OF DATA")
    assert d.reason == ("SMTP error from remote mail server after end of data: "
                        "451 Temporary local problem - please try later")


def test_lmtp_transport_replies():
    """Exim's lmtp transport (to Dovecot's LMTP socket, or the test suite's
    LMTP server) words a reply "LMTP error after <command>: <reply>"; its
    code and enhanced code are the reply's as for the smtp transport. The
    first two lines are Exim's own (its test suite's log/0215)."""
    d = rec("1999-03-02 09:44:33 10HmaY-000000005vi-0000 == userxx@myhost.test.ex R=smartuser T=lmtp "
            "defer (0) H=127.0.0.1 [127.0.0.1]: LMTP error after DATA: 440 Temporary error")
    assert d.status == "deferred" and (d.reply.code, d.reply.command, d.reply.text) == (440, "DATA", "Temporary error")
    d = rec("1999-03-02 09:44:33 10HmaY-000000005vi-0000 ** userxy@myhost.test.ex F=<CALLER@myhost.test.ex> "
            "R=smartuser T=lmtp H=127.0.0.1 [127.0.0.1] : LMTP error after DATA: 550 Bad user")
    assert d.status == "bounced" and (d.reply.code, d.reply.command, d.reply.text) == (550, "DATA", "Bad user")
    d = rec("2024-01-02 03:04:05 1rABCD-000123-AB ** x@example.org R=local_user T=dovecot_lmtp: LMTP error after "
            "RCPT TO:<x@example.org>: 550 5.1.1 <x@example.org> User doesn't exist: x@example.org")
    assert (d.reply.code, d.reply.dsn, d.reply.command) == (550, "5.1.1", "RCPT TO")
    assert d.reply.text == "<x@example.org> User doesn't exist: x@example.org"


@pytest.mark.parametrize("tail,reason,relay", [
    ("R=r1 T=t1 defer (111): Connection refused", "Connection refused", None),
    ("R=to_server T=remote_smtp defer (110): Connection timed out H=127.0.0.1 [127.0.0.1]: "
     "SMTP timeout after end of data (123 bytes written)",
     "Connection timed out: SMTP timeout after end of data (123 bytes written)", Relay("127.0.0.1", "127.0.0.1")),
    ("R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'example.com'",
     "retry time not reached for any host for 'example.com'", None),
    ("routing defer (-51): retry time not reached", "retry time not reached", None),
    ("R=r0 defer (-1): host lookup did not complete", "host lookup did not complete", None),
    ("R=client T=send_to_server defer (-37) H=mx.test [127.0.0.1]: TLS session: "
     "(certificate verification failed): certificate invalid",
     "TLS session: (certificate verification failed): certificate invalid", Relay("mx.test", "127.0.0.1")),
    ("R=caller T=local_delivery defer (-1)", "", None),
])
def test_deferrals(tail, reason, relay):
    d = rec(f"2016-12-19 09:20:55 1cImAN-0001CD-0m == a@example.com {tail}")
    assert (d.status, d.reason, d.relay, d.recipient) == ("deferred", reason, relay, "a@example.com")


@pytest.mark.parametrize("tail,status", [
    (": retry timeout exceeded", "expired"),
    (" R=r1 T=t1 : all hosts for 'test.ex' have been failing for a long time (and retry time not reached)",
     "expired"),
    (" : Unrouteable address", "bounced"),
    (": Unrouteable address", "bounced"),
    (" R=dnslookup T=remote_smtp: SMTP error from remote mail server after RCPT TO:<a@example.com>: "
     "host mx.example.com [192.0.2.1]: 550 5.1.1 no such user", "bounced"),
])
def test_failures(tail, status):
    d = rec(f"2020-06-19 04:54:02 1jmFYj-00039V-QX ** a@example.com{tail}")
    assert d.status == status and d.recipient == "a@example.com"
    assert d.reason and not d.reason.startswith(":")


def test_old_exim_transport_colon_form():
    d = rec("2012-03-04 05:06:07 1S4ABC-0001xy-Q1 ** a@example.com R=dnslookup T=remote_smtp: "
            "SMTP error from remote mail server after RCPT TO:<a@example.com>: host mx.example.com "
            "[192.0.2.1]: 550 5.1.1 <a@example.com>: Recipient address rejected")
    assert d.reason.startswith("SMTP error") and d.reply.code == 550 and d.reply.dsn == "5.1.1"
    assert d.relay == Relay("mx.example.com", "192.0.2.1")


def test_octal_escapes_and_multiline_reply():
    d = rec(r"2026-11-22 13:31:27 1vMqXx-0001Ab-0C ** ivan@example.ru R=dnslookup T=remote_smtp "
            r"H=mx.example.ru [192.0.2.9]: SMTP error from remote mail server after RCPT TO:<ivan@example.ru>: "
            r"550-5.7.1 \320\236\321\202\320\272\320\273\320\276\320\275\320\265\320\275\320\276\n"
            r"550 5.7.1 policy")
    assert "Отклонено" in d.reason and "\\n" in d.reason
    assert (d.reply.code, d.reply.dsn) == (550, "5.7.1")
    assert d.reply.text == "Отклонено policy"
    assert exim.unescape(r"bad \377 byte \\320") == r"bad \377 byte \\320"


def test_pipe_and_file_addresses():
    d = rec('1999-03-02 09:44:33 10HmaX-000000005vi-0000 => |/bin/sh -c "cat >/tmp/pipe" <pipe@test.ex> '
            "R=forward T=pipe")
    assert d.recipient == '|/bin/sh -c "cat >/tmp/pipe"' and d.orig_recipient == "pipe@test.ex"
    d = rec("1999-03-02 09:44:33 10HmaX-000000005vi-0000 => /dev/null (faq@nl.demon.net) <faq@nl.demon.net> "
            "R=algemeen_aliases T=**bypassed**")
    assert d.recipient == "/dev/null" and d.orig_recipient == "faq@nl.demon.net"


@pytest.mark.parametrize("text,status", [
    ("Completed", None), ("Completed QT=1s", None),
    ("removed by root", "removed"), ("cancelled by root", "removed"),
    ("cancelled by timeout_frozen_after", "expired"),
    ("cancelled by system filter: this message is a failure (filter fail)", "bounced"),
    ("Frozen (delivery error message)", "frozen"), ("frozen by root", "frozen"),
])
def test_message_outcomes(text, status):
    o = rec(f"2016-12-18 19:49:30 1cIm8w-0000yI-6V {text}")
    assert isinstance(o, MessageOutcome) and o.status == status


@pytest.mark.parametrize("text", [
    "Message is frozen", "Unfrozen by errmsg timer", "H=null.corp [6.6.6.6] Connection timed out",
    "Spool file is locked (another process is handling this message)",
])
def test_noise(text):
    assert rec(f"2016-12-18 19:49:30 1cIm8w-0000yI-6V {text}") is None


def test_exim_through_syslog_with_its_own_stamp():
    env = P.parse("Jan  1 01:36:57 sheevaplug-debian exim[2431]: 2011-01-01 01:36:58 1PYxyz-0000ab-Cd "
                  "== a@example.com R=dnslookup T=remote_smtp defer (111): Connection refused")
    assert (env.program, env.host, env.pid) == ("exim", "sheevaplug-debian", 2431)
    assert env.timestamp == datetime(2011, 1, 1, 1, 36, 58, tzinfo=timezone.utc)
    assert exim.parse(env).status == "deferred"
    env = P.parse("Nov 22 13:31:27 mx exim[77]: 1PYxyz-0000ab-Cd => a@example.com R=r T=t")
    assert exim.parse(env).status == "sent"  # syslog_timestamp = false


def test_exim_syslog_pieces_of_a_long_entry():
    first = P.parse("Nov 22 13:31:27 mx exim[77]: [1\\2] 2026-11-22 13:31:27 1PYxyz-0000ab-Cd ** a@example.com "
                    "R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server "
                    "after RCPT TO:<a@example.com>: 550 5.1.1 first half")
    assert exim.parse(first).status == "bounced"
    assert exim.parse(P.parse("Nov 22 13:31:27 mx exim[77]: [2\\2] second half of the reply")) is None


def test_claims_and_hostile_input():
    assert exim.claims("exim") and exim.claims("exim4") and not exim.claims("postfix/smtp")
    for body in ("** " + "a " * 20000, "== x " + "defer (" * 5000, "=> a H=" + "[" * 20000,
                 '=> a C="' + "\\" * 20001, "** a " + "<" * 10000, "<= <> " + "R=" * 10000,
                 "** a " + "( " * 30000 + ")x", "** a " + "(x) " * 20000, "=> " + "a (b) " * 20000):
        r = rec("2020-06-19 04:51:49 1jmFYj-00039V-QX " + body)
        assert r is not None
    assert exim.duration("9" * 30 + "s") is None or exim.duration("1w2d3h4m5s") == 788645


def test_hostile_field_runs_stay_linear():
    """The regex that reads runs of fields, on inputs built to make a
    backtracking engine go quadratic: each must parse in well under a second."""
    import time
    for tail in ("H=a " + "(x) " * 20000 + ":", "H=a" + " [1]" * 20000 + ":", "T=" + "x" * 50000 + ":",
                 "K " * 30000 + "=", "A=" + '"' * 30001, "F=<" + "<" * 30000, "H=" + "(" * 30000,
                 "A=b " * 20000 + "H=x [" + "]" * 20000 + ":", "S=1 " * 20000 + "C=" + '"\\' * 10000):
        t = time.perf_counter()
        assert rec("2020-06-19 04:51:49 1jmFYj-00039V-QX ** a@b " + tail) is not None
        assert time.perf_counter() - t < 1.0, tail[:20]


def test_field_runs_read_as_the_field_loop_reads_them():
    """The regex fast path stops where it cannot read a token the loop's
    way; the loop then reads the rest (an H= followed by an [ip] ending the
    fields, a value ending in ':' for the old transport form)."""
    d = rec("2020-06-19 04:51:49 1jmFYj-00039V-QX ** a@b R=r T=t H=mx.b [192.0.2.1]: SMTP error from remote "
            "mail server after RCPT TO:<a@b>: 550 5.1.1 no")
    assert d.relay == Relay("mx.b", "192.0.2.1") and d.reply.code == 550
    d = rec("2020-06-19 04:51:49 1jmFYj-00039V-QX ** a@b R=r T=remote_smtp: SMTP error from remote mail server "
            "after RCPT TO:<a@b>: host mx.b [192.0.2.1]: 550 5.1.1 no")
    assert d.relay == Relay("mx.b", "192.0.2.1") and d.reason.startswith("SMTP error")
    d = rec('2020-06-19 04:51:49 1jmFYj-00039V-QX => a@b F=<s@x> R=r T=t H=mx.b (helo.b) [192.0.2.1]:2525* '
            'K C="250 \\"ok\\" queued" QT=1m2s')
    assert d.relay == Relay("mx.b", "192.0.2.1", 2525) and d.reason == '250 "ok" queued' and d.delay == 62
    assert (d.sender, d.status) == ("s@x", "sent")


def test_pipeline_correlates_arrival_and_links_the_bounce(pipeline):
    log = """\
2020-06-19 04:51:49 [123] 1jmFYj-00039V-QX <= noreply@test.corp H=(test.corp) [2.2.2.2] P=smtp S=7386 id=m1@test.corp
2020-06-19 04:52:02 1jmFYj-00039V-QX == bob@null.corp R=dnslookup T=remote_smtp defer (-44) H=mx.null.corp [6.6.6.6]: SMTP error from remote mail server after RCPT TO:<bob@null.corp>: 451 4.7.1 Greylisted, try again later
2020-06-19 04:53:02 1jmFYj-00039V-QX == bob@null.corp R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'null.corp'
2020-06-19 04:54:02 1jmFYj-00039V-QX ** bob@null.corp: retry timeout exceeded
2020-06-19 04:54:02 1jmFas-0004f6-EB <= <> R=1jmFYj-00039V-QX U=Debian-exim P=local S=8656
2020-06-19 04:54:02 1jmFYj-00039V-QX Completed
2020-06-19 04:54:03 1jmFas-0004f6-EB ** noreply@test.corp R=dnslookup T=remote_smtp H=mx.test.corp [2.2.2.3]: SMTP error from remote mail server after RCPT TO:<noreply@test.corp>: 550 5.1.1 unknown
"""
    evs = [e for line in log.splitlines() for e in pipeline.feed(line)]
    assert [(e["status"], e["attempt"]) for e in evs] == [
        ("deferred", 1), ("deferred", 2), ("expired", 2), ("bounced", None)]
    for e in evs[:3]:
        assert (e["sender"], e["size"], e["message_id"], e["bounce_of"]) == (
            "noreply@test.corp", 7386, "m1@test.corp", None)
    assert evs[1]["classification"]["cause"] == "greylisted"  # "retry time not reached" says no more
    assert evs[2]["classification"]["category"] == "expired" and evs[2]["classification"]["cause"] == "greylisted"
    assert (evs[3]["sender"], evs[3]["bounce_of"]) == ("", "1jmFYj-00039V-QX")
    assert pipeline.counts["events"] == 4


def test_a_local_transports_retry_time_keeps_the_cause(pipeline):
    """A local transport's later queue runs say ``Retry time not yet
    reached`` (defer -53; Exim 4.96, tests/test_realmta_exim_more.py's log),
    not the router's or smtp transport's ``retry time not reached``: no more
    than those, so it carries the cause of the failure before it."""
    log = """\
2026-11-24 15:20:22.457 [21] 1xVsJi-00000L-1R <= bounces@sender.test U=root P=local S=384 id=local@bouncewatch.test
2026-11-24 15:20:22.923 [34] 1xVsJi-00000L-1R == quota@local.test R=local_quota T=quota_delivery defer (-22) DT=0.004s: mailbox is full (MTA-imposed quota exceeded while writing to /tmp/bw-exim-ffs3601q/mail/quota)
2026-11-24 15:20:25.911 [80] 1xVsJi-00000L-1R == quota@local.test R=local_quota T=quota_delivery defer (-53) DT=0.000s: Retry time not yet reached
"""
    evs = [e for line in log.splitlines() for e in pipeline.feed(line)]
    assert [(e["status"], e["attempt"], e["classification"]["category"]) for e in evs] == [
        ("deferred", 1, "mailbox_full"), ("deferred", 2, "soft_general")]
    assert evs[1]["classification"]["cause"] == "mailbox_full" and evs[1]["delay"] == 0.0
