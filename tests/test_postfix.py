from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.parsers import exim, postfix, sendmail
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Delivery, MessageInfo, MessageOutcome, Relay

P = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=timezone.utc), tz=timezone.utc)


def rec(line):
    return postfix.parse(P.parse(line))


def test_smtp_bounce_full():
    d = rec("Nov 22 13:31:27 mx postfix/smtp[1]: 3F1A2B: to=<Bob@Example.COM>, orig_to=<bob@alias.example>, "
            "relay=mx.example.com[192.0.2.1]:25, conn_use=2, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, "
            "status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <Bob@Example.COM>: User unknown "
            "(in reply to RCPT TO command))")
    assert isinstance(d, Delivery)
    assert d.recipient == "Bob@example.com" and d.orig_recipient == "bob@alias.example"
    assert d.relay == Relay("mx.example.com", "192.0.2.1", 25)
    assert (d.delay, d.dsn, d.status, d.queue_id) == (1.2, "5.1.1", "bounced", "3F1A2B")
    assert d.reason.endswith("(in reply to RCPT TO command)")
    assert (d.reply.code, d.reply.dsn, d.reply.command) == (550, "5.1.1", "RCPT TO")


def test_soft_bounce_is_a_deferral():
    """``soft_bounce = yes``: Postfix logs "status=SOFTBOUNCE" with the dsn
    class rewritten to 4 and keeps the message (lines as quoted in public
    pages: a mailing-list relay's log, a Postfix how-to). The status is the
    lower-case ``deferred`` of DESIGN.md; the receiver's 5.x.x reply stays."""
    lines = [
        "Oct 14 07:34:03 custhost1 postfix/smtp[10837]: 4B6D11E01729: to=<viviane@techs.com.br>, "
        "relay=mail.techs.com.br[186.232.248.4]:25, delay=39993, delays=35133/4859/0.58/0.71, dsn=4.7.1, "
        "status=SOFTBOUNCE (host mail.techs.com.br[186.232.248.4] said: 501 5.7.1 <kmcgrath@upperuwchlan-pa.gov>"
        "... Sender refused by the DNSBL b.barracudacentral.org (in reply to RCPT TO command))",
        "Nov 22 13:31:27 mx postfix/local[5]: ABCDE12345: to=<u@d.tld>, relay=local, delay=0.1, "
        "delays=0/0/0/0.1, dsn=4.4.6, status=SOFTBOUNCE (mail forwarding loop for u@d.tld)"]
    d = rec(lines[0])
    assert (d.status, d.dsn, d.reply.code, d.reply.dsn) == ("deferred", "4.7.1", 501, "5.7.1")
    d = rec(lines[1])
    assert (d.status, d.dsn, d.reason) == ("deferred", "4.4.6", "mail forwarding loop for u@d.tld")
    # the block path (postfix.parse_at) reads them alike
    for line in lines:
        env = P.parse(line)
        assert postfix.parser_for(env.program)(line, len(line) - len(env.message)) == rec(line)


def test_verify_probe_not_cached_is_undeliverable():
    """verify(8) with address_verify_negative_cache = no logs
    "undeliverable-but-not-cached" (a line of Elastic's Filebeat test
    data, in the shared corpus): DESIGN.md's ``undeliverable``."""
    line = ("Mar 24 13:58:01 5mail-gw01 postfix/error[25469]: 3E29030F8637E: to=<user@yahoo.com>, relay=none, "
            "delay=0.01, delays=0.01/0/0/0, dsn=5.1.1, status=undeliverable-but-not-cached "
            "(User unknown in virtual alias table)")
    d = rec(line)
    assert (d.status, d.dsn, d.reason) == ("undeliverable", "5.1.1", "User unknown in virtual alias table")
    env = P.parse(line)
    assert postfix.parser_for(env.program)(line, len(line) - len(env.message)) == d


@pytest.mark.parametrize("relay,expected", [
    ("none", None),
    ("local", Relay("local")),
    ("private/dovecot-lmtp", Relay("private/dovecot-lmtp")),
    ("mx[2001:db8::1]:25", Relay("mx", "2001:db8::1", 25)),
    ("127.0.0.1[127.0.0.1]:10024", Relay("127.0.0.1", "127.0.0.1", 10024)),
    ("mx.example[192.0.2.9]", Relay("mx.example", "192.0.2.9", None)),
    # the brackets hold no address: an LMTP socket, an old IPv6 tag, a log anonymized by hand
    ("mail.example.org[private/dovecot-lmtp]", Relay("mail.example.org")),
    ("h-a0c7f045[/var/run/dovecot/lmtp]", Relay("h-a0c7f045")),
    ("mx[ipv6:2001:db8::1]:25", Relay("mx", "2001:db8::1", 25)),
    ("mx[fe80::1%eth0]:25", Relay("mx", "fe80::1%eth0", 25)),
    ("mx[192.0.2.xxx]:25", Relay("mx", None, 25)),
])
def test_relays(relay, expected):
    assert postfix.parse_relay(relay) == expected


@pytest.mark.parametrize("parse,text,ip", [
    (sendmail.parse_relay, "mx.example.org. [IPv6:2001:db8::1]", "2001:db8::1"),
    (sendmail.parse_relay, "[IPv6:2001:db8::1] [IPv6:2001:db8::1]", "2001:db8::1"),
    (sendmail.parse_relay, "mta.example.com [61.140.xxx.yyy]", None),
    (exim._relay, "mx.example.org [IPv6:2001:db8::1]:25", "2001:db8::1"),
    (exim._relay, "recurse.test.ex [V4NET.99.0.2]", None),
])
def test_relay_ip_is_an_address_or_none(parse, text, ip):
    """SIEM schemas type relay.ip (ECS destination.ip, CEF dst): one MTA's
    bracket contents that are no address must not reach it."""
    assert parse(text).ip == ip


@pytest.mark.parametrize("program", ["postfix/smtp", "postfix-out/smtp", "postfix/amavis/smtp", "postfix/lmtp",
                                     "postfix/local", "postfix/virtual", "postfix/pipe", "postfix/error",
                                     "postfix/retry", "postfix/discard"])
def test_all_delivery_agents_and_instances(program):
    d = rec(f"Nov 22 13:31:27 mx {program}[1]: 4PbC4x469Jz3tBr: to=<a@b.c>, relay=none, delay=0.1, "
            "delays=0/0/0/0.1, dsn=4.4.1, status=deferred (connect to b.c[192.0.2.1]:25: Connection refused)")
    assert postfix.claims(program)
    assert d.status == "deferred" and d.queue_id == "4PbC4x469Jz3tBr" and d.recipient == "a@b.c"


def test_reason_with_nested_parentheses_kept_whole():
    d = rec("Nov 22 13:31:27 mx postfix/smtp[1]: AB12CD: to=<a@b.c>, relay=x[1.2.3.4]:25, delay=1, delays=1/0/0/0, "
            "dsn=5.7.1, status=bounced (host x[1.2.3.4] said: 550 5.7.1 blocked (see http://x/(y)) "
            "(in reply to RCPT TO command))")
    assert d.reason == ("host x[1.2.3.4] said: 550 5.7.1 blocked (see http://x/(y)) "
                        "(in reply to RCPT TO command)")


def test_quoted_local_part_with_comma():
    d = rec('Nov 22 13:31:27 mx postfix/local[1]: AB12CD: to=<"a, b"@x.org>, relay=local, delay=0, '
            'delays=0/0/0/0, dsn=5.1.1, status=bounced (unknown user: "a, b")')
    assert d.recipient == '"a, b"@x.org' and d.reason == 'unknown user: "a, b"'


def test_qmgr_from_cleanup_messageid_and_removed():
    i = rec("Nov 22 13:31:27 mx postfix/qmgr[1]: AB12CD: from=<s@x.org>, size=1234, nrcpt=2 (queue active)")
    assert i == MessageInfo("postfix", "AB12CD", sender="s@x.org", size=1234, nrcpt=2)
    assert rec("Nov 22 13:31:27 mx postfix/cleanup[1]: AB12CD: message-id=<m1@x.org>").message_id == "m1@x.org"
    assert rec("Nov 22 13:31:27 mx postfix/qmgr[1]: AB12CD: removed") == MessageOutcome("postfix", "AB12CD", None)


def test_expired_and_postsuper():
    o = rec("Nov 22 13:31:27 mx postfix/qmgr[1]: AB12CD: from=<s@x.org>, status=expired, returned to sender")
    assert (o.status, o.sender) == ("expired", "s@x.org")
    o = rec("Nov 22 13:31:27 mx postfix/postsuper[1]: AB12CD: removed")
    assert o.status == "removed"


def test_bounce_links_the_notification_to_its_message():
    """bounce(8) names the message a notification reports on and the
    notification's own queue id; as Exim's R= and Sendmail's DSN: lines do,
    that is the notification's bounce_of. Real Postfix 3.7 lines (long queue
    ids, tests/test_realmta_postfix_more.py), and the other notifications
    bounce(8) writes (delay warnings, NOTIFY=SUCCESS, the postmaster copy)."""
    i = rec("Nov 24 15:21:40 mta postfix/bounce[152]: 4jYmkD64HVzJXyH: sender non-delivery notification: "
            "4jYmkD6s6HzJXkj")
    assert i == MessageInfo("postfix", "4jYmkD6s6HzJXkj", bounce_of="4jYmkD64HVzJXyH")
    for kind in ("sender delay", "sender delivery status", "postmaster non-delivery"):
        line = f"Nov 22 13:31:27 mx postfix/bounce[1]: AB12CD: {kind} notification: EF34GH"
        assert rec(line) == MessageInfo("postfix", "EF34GH", bounce_of="AB12CD")
        env = P.parse(line)
        assert postfix.parser_for(env.program)(line, len(line) - len(env.message)) == rec(line)
    for other in ("AB12CD: sender non-delivery notification: ", "warning: AB12CD: sender non-delivery notification: X1234",
                  "AB12CD: sender non-delivery notification: EF34GH extra"):
        assert rec(f"Nov 22 13:31:27 mx postfix/bounce[1]: {other}") is None


def test_bounce_of_reaches_the_notification_event(classifier):
    """The notification's own delivery line gets the original's queue id
    (lines of one real Postfix 3.7 run)."""
    from bouncewatch.plugin.pipeline import Pipeline
    pre = "Nov 24 15:21:40 mta postfix/"
    log = [pre + "cleanup[133]: 4jYmkD6s6HzJXkj: message-id=<4jYmkD6s6HzJXkj@mta.bouncewatch.test>",
           pre + "bounce[152]: 4jYmkD64HVzJXyH: sender non-delivery notification: 4jYmkD6s6HzJXkj",
           pre + "qmgr[129]: 4jYmkD6s6HzJXkj: from=<>, size=2883, nrcpt=1 (queue active)",
           pre + "smtp[143]: 4jYmkD6s6HzJXkj: to=<bounces@sender.test>, relay=mx.sender.test[127.0.1.1]:25, "
           "delay=0.05, delays=0/0/0.05/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as PEER)"]
    p = Pipeline(classifier, include_sent=True)
    evs = [e for line in log for e in p.feed(line)]
    assert [(e["recipient"], e["sender"], e["size"], e["bounce_of"]) for e in evs] == [
        ("bounces@sender.test", "", 2883, "4jYmkD64HVzJXyH")]


def test_not_postfix_and_noise():
    assert not postfix.claims("sendmail") and not postfix.claims("dovecot")
    assert rec("Nov 22 13:31:27 mx postfix/smtpd[1]: connect from x[1.2.3.4]") is None
    assert rec("Nov 22 13:31:27 mx postfix/smtp[1]: AB12CD: to=<a@b>, relay=none, delay=0") is None


def test_refused_to_talk_is_greeting_or_helo():
    """Real Postfix 3.7 lines (tests/test_realmta_postfix.py): the same words
    for a rejected greeting and a rejected HELO; the greeting's 5xx is
    deferred with a 4.x.x dsn, the HELO's bounced with its own 5.x.x."""
    greeting = rec("Nov 23 02:58:46 mta postfix/smtp[151]: 8B0E120E3EC: to=<rcpt@greeting-554.test>, "
                   "relay=mx.greeting-554.test[127.0.1.14]:25, delay=0.02, delays=0.01/0/0.01/0, dsn=4.7.1, "
                   "status=deferred (host mx.greeting-554.test[127.0.1.14] refused to talk to me: 554 5.7.1 "
                   "mx.greeting-554.test ESMTP not accepting messages from 127.0.0.1)")
    assert (greeting.reply.code, greeting.reply.dsn, greeting.reply.command) == (554, "5.7.1", "CONNECT")
    helo = rec("Nov 23 02:58:46 mta postfix/smtp[180]: 08B4020E36D: to=<rcpt@helo-rejected.test>, "
               "relay=mx.helo-rejected.test[127.0.1.19]:25, delay=0.16, delays=0.06/0/0.09/0, dsn=5.7.1, "
               "status=bounced (host mx.helo-rejected.test[127.0.1.19] refused to talk to me: 554 5.7.1 "
               "<mta.bouncewatch.test>: Helo command rejected: Host not found)")
    assert (helo.reply.code, helo.reply.dsn, helo.reply.command) == (554, "5.7.1", "HELO")
    busy = rec("Nov 23 02:58:46 mta postfix/smtp[143]: 8622B20E874: to=<rcpt@rate-limited.test>, "
               "relay=mx.rate-limited.test[127.0.1.13]:25, delay=0.03, delays=0.01/0/0.01/0, dsn=4.7.0, "
               "status=deferred (host mx.rate-limited.test[127.0.1.13] refused to talk to me: 421 4.7.0 "
               "mx.rate-limited.test Error: too many connections from 127.0.0.1)")
    assert busy.reply.command == "CONNECT"


@settings(max_examples=3000)
@given(st.one_of(
    st.lists(st.one_of(st.integers(0, 300).map(str), st.integers(0, 99).map(lambda n: f"0{n}"),
                       st.text("0123456789abcdef:.x", max_size=4)), min_size=1, max_size=6).map(".".join),
    st.lists(st.one_of(st.text("0123456789abcdefABCDEF", max_size=5), st.just(""), st.just("1.2.3.4"),
                       st.just("01.2.3.4"), st.just("1%eth0")), min_size=1, max_size=10).map(":".join),
    st.ip_addresses().map(str)))
def test_relay_ip_accepts_what_ipaddress_accepts(text):
    """The C shortcuts in relay_ip (a dotted-quad regex, inet_pton) agree with ipaddress."""
    import ipaddress

    from bouncewatch.parsers.records import relay_ip
    try:
        ipaddress.ip_address(text)
        want = text
    except ValueError:
        want = None
    assert relay_ip(text) == want
