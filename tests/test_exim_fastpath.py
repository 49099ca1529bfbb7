"""parsers/exim.py's whole-line fast paths read what the general path reads.

A delivery or arrival line is tried against _DELIVERY_SHAPE/_ARRIVAL_SHAPE
(Exim's field order), then _DELIVERY_ANY/_ARRIVAL_ANY (any order), and only
then split_address + _scan. The general path is the reference: on every line
here, and on thousands of mutations of them (odd characters, repeated,
dropped and swapped fields, escapes, truncations), the record must equal the
general path's. The lines Exim writes most must take a fast path, or the
speed-up is silently gone; every new regex stays linear on hostile lines.
"""

from __future__ import annotations

import random
import time
from dataclasses import fields

import pytest

from bouncewatch.parsers import exim
from bouncewatch.parsers.records import Delivery, MessageInfo

QID = "1xUHfE-000dFZ-04"

DELIVERIES = [
    # Debian 4.96 with contrib/exim's log_selector (the bench's shape)
    ('=> dora@yahoo.com F=<alerts@app.example.net> P=<alerts@app.example.net> R=dnslookup T=remote_smtp S=19038 '
     'H=mta7.am0.yahoodns.net [67.195.204.72]:25 I=[198.51.100.25]:45233 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 '
     'CV=yes DN="/CN=mta7.am0.yahoodns.net" C="250 2.0.0 OK  1795154401 6p5fgiggsmsu - gsmtp" QT=0s DT=2.809s'),
    ('** ben@gmail.com F=<s@example.net> P=<s@example.net> R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com '
     '[142.250.27.26]:25 I=[198.51.100.25]:52420 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes '
     'DN="/CN=gmail-smtp-in.l.google.com": SMTP error from remote mail server after RCPT TO:<ben@gmail.com>: '
     '550-5.1.1 The email account does not exist.\\n550 5.1.1 https://support.google.com/mail/?p=NoSuchUser'),
    ("== anna@gmail.com R=dnslookup T=remote_smtp defer (-44) H=gmail-smtp-in.l.google.com [142.250.27.26]:25 "
     "I=[198.51.100.25]:46681: SMTP error from remote mail server after RCPT TO:<anna@gmail.com>: 452 4.2.2 "
     "over quota"),
    # real Exim 4.96 with +deliver_time (tests/test_realmta_exim*.py): a deferral's DT= before its message,
    # after the host if any; a failure's after its message
    ("== rcpt@greylisted.test R=remote T=remote_smtp defer (-44) H=mx.greylisted.test [127.0.1.5]:25 DT=0.000s: "
     "SMTP error from remote mail server after RCPT TO:<rcpt@greylisted.test>: 450 4.2.0 Greylisted"),
    ("== quota@local.test R=local_quota T=quota_delivery defer (-22) DT=0.004s: mailbox is full (MTA-imposed quota "
     "exceeded while writing to /var/mail/quota)"),
    ("** rcpt@rbl-block.test F=<bounces@sender.test> P=<bounces@sender.test> R=remote T=remote_smtp "
     "H=mx.rbl-block.test [127.0.1.6]:25: SMTP error from remote mail server after RCPT TO:<rcpt@rbl-block.test>: "
     "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org DT=0.000s"),
    "== anna@smallbiz.example R=dnslookup T=remote_smtp defer (111): Connection refused",
    "== dora@gmail.com R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'gmail.com'",
    "** fatima@gmail.com F=<a@b.example> P=<a@b.example>: Unrouteable address",
    "** anna@smallbiz.example F=<n@shop.example> P=<n@shop.example>: retry timeout exceeded",
    # default log_selector, older Exims
    '=> user@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1] X=TLS1.2:ECDHE-RSA-AES256:256 '
    'CV=yes C="250 OK id=1abc"',
    "=> bob@null.corp R=dnslookup T=remote_smtp H=mx.null.corp [6.6.6.6] L K C=\"250 OK\"",
    "** bob@null.corp R=dnslookup T=remote_smtp H=mx.null.corp [6.6.6.6]: SMTP error from remote mail server "
    "after RCPT TO:<bob@null.corp>: 550 5.1.1 unknown",
    "** a@b R=r T=remote_smtp: SMTP error from remote mail server after RCPT TO:<a@b>: host mx.b [192.0.2.1]: "
    "550 5.1.1 no",
    "== bob@null.corp R=dnslookup T=remote_smtp defer (-44) H=mx.null.corp [6.6.6.6]: SMTP error from remote "
    "mail server after RCPT TO:<bob@null.corp>: 451 4.7.1 Greylisted",
    "== x@y.example R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx.y.example [192.0.2.9]",
    "== x@y.example R=dnslookup T=remote_smtp defer (111): Connection refused: try later",
    "=> a@b F=<s@x> R=r T=t H=mx.b (helo.b) [192.0.2.1]:2525* K C=\"250 \\\"ok\\\" queued\" QT=1m2s",
    "=> userx <userx@example.org> R=localuser T=local_delivery",
    "=> /var/mail/mail (root@debian.up) <root@debian.up> R=mail4root T=address_file",
    "** a@b: retry timeout exceeded",
    "=> a@b R=r T=t H=[192.0.2.1]:25 C=\"250 \\320\\237\\321\\200 ok\" DT=1s",
    "*> a@b R=r T=t H=mx.b [192.0.2.1] S=12 QT=3s",
    "-> c@d R=r T=t H=mx.d [192.0.2.4]:587 A=plain:u S=1234 C=\"250 ok\" QT=1w2d3h4m5s",
]
ARRIVALS = [
    "support@example.net H=app2.example.net [192.0.2.11]:57821 I=[198.51.100.25]:25 P=esmtps "
    "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=23077 id=bZAVaBSo63bb.20261120060000@example.net for hana@gmail.com",
    "<> R=1xUHfF-00FxTF-08 U=Debian-exim P=local S=4863 for support@example.net",
    "noreply@test.corp H=(test.corp) [2.2.2.2] P=smtp S=7386 id=20200619045149.ABC@test.corp",
    "u@x U=www-data P=local S=823 from <u@x> for www-data",
    'u@x U=u P=local T="[Examples] Please moderate: \\"Hello\\"" for admin@example.net',
    "CALLER@h H=localhost (h) [127.0.0.1] TFO* P=esmtps L* X=TLS1.x:ke:xxx K S=sss id=E10HmbD@h",
    "<> R=notanid U=Debian-exim P=local S=8656",
    "a@b",
    "<>",
]
NOISE = [" ", "  ", ":", ": ", '"', "<", ">", "\\", "(", ")", "[", "]", "*", "=", "H=", "F=", "S=", "C=", "QT=",
         "DT=", "K", " defer (", " defer (-44)", " defer (1): ", " H=mx [1.2.3.4]", " H=(h) [1.2.3.4]:25",
         " I=[1.2.3.4]:5:", " T=t:", " for ", " R=1xUHfE-000dFZ-04", " id=<m@x>", " S=1 S=2", '"a\\"b"', "\\320",
         "\u00e9", "\t", " X=a\"b", " F=", " F=\"\"", " C=<x>", ":25", ":123456", " L", "\n"]


def tokens(line: str) -> list[str]:
    return line.split(" ")


def mutations(line: str, rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        s = line
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(6)
            i = rng.randint(0, len(s))
            if op == 0:
                s = s[:i] + rng.choice(NOISE) + s[i:]
            elif op == 1 and s:
                j = min(len(s), i + rng.randint(1, 8))
                s = s[:i] + s[j:]
            elif op == 2:
                t = tokens(s)
                k = rng.randrange(len(t))
                t.insert(rng.randint(0, len(t)), t[k])
                s = " ".join(t)
            elif op == 3:
                t = tokens(s)
                a, b = rng.randrange(len(t)), rng.randrange(len(t))
                t[a], t[b] = t[b], t[a]
                s = " ".join(t)
            elif op == 4:
                s = s[:i]
            else:
                t = tokens(s)
                del t[rng.randrange(len(t))]
                s = " ".join(t)
        out.append(s)
    return out


def general(body: str):
    """What parse() returns through the general path only."""
    flag, rest = body[:2], body[3:]
    if body[2:3] == " " and flag == "<=":
        return exim._arrival_fields(QID, rest)
    if body[2:3] == " " and flag in exim._STATUSES:
        return exim._delivery_fields(QID, exim._STATUSES[flag], rest)
    return None


def fast(body: str):
    msg = QID + " " + body
    m = exim._HEAD.match(msg)
    if m[2] is None:
        return None
    if m[2] == "<=":
        return exim._arrival(QID, msg, m.end())
    return exim._delivery(exim._STATUSES[m[2]], QID, msg, m.end())


def same(body: str) -> None:
    try:
        want = general(body)
    except Exception as e:  # the general path's failures must stay the same failures
        with pytest.raises(type(e)):
            fast(body)
        return
    assert fast(body) == want, body


@pytest.mark.parametrize("body", DELIVERIES + ["<= " + a for a in ARRIVALS])
def test_fast_paths_read_what_the_general_path_reads(body):
    same(body)


def test_mutated_lines_read_the_same_whichever_path_takes_them():
    rng = random.Random(20261123)
    seeds = DELIVERIES + ["<= " + a for a in ARRIVALS]
    n = 0
    for line in seeds:
        for body in mutations(line, rng, 400):
            same(body)
            n += 1
    assert n == 400 * len(seeds)


def test_the_lines_exim_writes_most_take_a_fast_path():
    shape = [d for d in DELIVERIES[:10]]
    for body in shape:
        assert exim._DELIVERY_SHAPE.match(body[3:]) is not None, body
    assert exim._DELIVERY_ANY.match("a@b K R=r T=t H=mx [192.0.2.1] C=\"250 ok\" X=x") is None  # K first: address
    assert exim._DELIVERY_ANY.match("a@b R=r C=\"250 ok\" T=t H=mx.b (helo) [192.0.2.1]:25") is not None
    for body in ARRIVALS[:3]:
        assert exim._ARRIVAL_SHAPE.match(body) is not None, body
    assert exim._ARRIVAL_ANY.match("u@x S=1 P=local U=u for a b") is not None


def test_delivery_fields_keep_the_order_parse_passes_them_in():
    """_record builds Delivery positionally (a third of a keyword call's cost)."""
    assert [f.name for f in fields(Delivery)][:12] == [
        "mta", "queue_id", "recipient", "status", "reason", "orig_recipient", "relay", "delay", "dsn", "reply",
        "sender", "size"]
    assert [f.name for f in fields(MessageInfo)][:7] == [
        "mta", "queue_id", "sender", "size", "message_id", "nrcpt", "bounce_of"]


HOSTILE = [
    "** a@b " + "R=x " * 100000 + ":",
    "** a@b " + "K " * 150000 + "=",
    "=> a@b " + "F=<x> " * 60000 + "F=<",
    "== a@b R=r defer (" + "-" * 300000,
    "== a@b R=r defer (-44) H=" + "x" * 300000 + " [" + "1" * 300000,
    "== a@b R=r defer (-44) H=mx [1.2.3.4]:25 I=" + "x" * 300000,
    "** a@b H=mx [" + "1" * 300000 + "]:" + "9" * 300000,
    "** " + "a" * 500000 + " " + "b" * 500000,
    "** a@b " + "C=\"" + "x" * 300000 + " Q=" + "y" * 300000,
    "** a@b " + "T=t: " * 100000 + "x",
    "** a@b " + "H=mx [1.2.3.4] " * 40000 + ":",
    "** a@b " + "DN=\"x\" " * 60000 + "DN=\"",
    "<= s " + "U=x " * 100000 + "for",
    "<= s " + "H=(h) [1] " * 50000 + "S=",
    "<= s " + "R=" + "x" * 500000 + " id=",
    "<= " + "x" * 1000000,
]


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_fast_path_regexes_stay_linear(body):
    t = time.perf_counter()
    try:
        fast(body)
    except ValueError:  # the general path's int() of a 300000-digit port (counted as a parser error upstream)
        pass
    assert time.perf_counter() - t < 1.0, body[:40]
