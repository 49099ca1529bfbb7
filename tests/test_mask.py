"""What the rules read of a failure's reason: the reply without its parties
(classify/mask.py). Each hazard below was a wrong category before: words and
digits of an address, a domain, a host name or an IP address decided it."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.plugin.classify.engine import Classifier
from bouncewatch.plugin.classify.mask import mask, mask_pair, parties
from bouncewatch.plugin.pipeline import Pipeline

NAMES = parties("Bob@Example.com", None, "dmarc-reports@sender.example", "example.com", "mx-throttle.example.com")


@pytest.mark.parametrize("text,masked", [
    ("host MX-THROTTLE.EXAMPLE.COM[10.5.1.1] said: 550 5.1.1 <bob@example.com>: User unknown",
     "host x.x[0.0.0.0] said: 550 5.1.1 <x@x.x>: User unknown"),
    # relay=none: the host tried is named only in the reason
    ("connect to greylist.other.net[10.5.2.2]:25: Connection refused", "connect to x.x[0.0.0.0]:25: Connection refused"),
    ("connect to mx.other.net[2001:db8::1]:25: Connection refused", "connect to x.x[::]:25: Connection refused"),
    ("lost connection with unknown[192.0.2.1] while receiving the initial server greeting",
     "lost connection with x.x[0.0.0.0] while receiving the initial server greeting"),
    ("Name service error for name=example.com type=MX: Host not found", "Name service error for name=x.x type=MX: Host not found"),
    # Exim's "NAME [IP]": a dotted name only, "Client host [ip]" keeps its words
    ("Remote host mx.spam-gw.net [192.0.2.1] closed connection; Client host [192.0.2.9] blocked",
     "Remote host x.x [0.0.0.0] closed connection; Client host [0.0.0.0] blocked"),
    ("Client host 10.5.1.1 blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/10.5.1.1",
     "Client host 0.0.0.0 blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/0.0.0.0"),
    # the sender too, with a stand-in of its own; only whole names: a longer address or domain is someone else's
    ("553 <dmarc-reports@sender.example>: Sender address rejected", "553 <s@s.s>: Sender address rejected"),
    ("<bob@example.com.au> and bob@example.com. and bob@example.community", "<bob@example.com.au> and x@x.x. and bob@example.community"),
    # neither enhanced codes nor version numbers are addresses
    ("550 5.7.1 Exim 4.96.1 says no", "550 5.7.1 Exim 4.96.1 says no"),
    ("421 4.7.0 [TSS04] Messages from 1.2.3.4 deferred - 4.16.55.1", "421 4.7.0 [TSS04] Messages from 0.0.0.0 deferred - 0.0.0.0"),
    ("see 1.2.3.4.5 and 01234.5.6.7", "see 0.0.0.0.5 and 01234.5.6.7"),
    ("", ""),
])
def test_mask(text, masked):
    assert mask(text, NAMES) == masked


def test_parties_skip_what_is_no_dns_name():
    """relay=local and an address-less sender name nothing a reason could quote by accident."""
    assert parties("bob@example.com", None, "", "example.com", "local") == (("bob@example.com", "x@x.x"), ("example.com", "x.x"))
    assert parties("", None, None, "", None) == ()


def test_a_sender_mailing_itself_is_masked_as_the_recipient():
    assert parties("bob@example.com", None, "Bob@example.com", "", None) == (("bob@example.com", "x@x.x"),)


def test_mask_pair_is_mask_of_each():
    reason = "host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: no (in reply to RCPT TO command)"
    text = "550 5.1.1 <bob@example.com>: no"
    assert mask_pair(reason, text, NAMES) == (mask(reason, NAMES), mask(text, NAMES))


_TEXT = st.lists(st.sampled_from(list("ab.-@[]:0123456789 x<>\n(=") + ["example.com", "bob@example.com",
                                                                         "[192.0.2.1]", "10.5.1.1", "IPv6:"]),
                 max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_mask_is_idempotent(text):
    once = mask(text, NAMES)
    assert mask(once, NAMES) == once


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT)
def test_mask_pair_equals_two_masks(reason, text):
    if "\n" in reason or "\n" in text:
        return
    assert mask_pair(reason, text, NAMES) == (mask(reason, NAMES), mask(text, NAMES))


@pytest.mark.parametrize("text", [
    "a" * 1_000_000 + "[1.2.3.4]",
    "[" * 1_000_000,
    "[1.2.3.4]" * 100_000,
    "1.2.3." * 160_000,
    "1." * 500_000,
    "example.com" * 90_000,
    "bob@example.combob@example.com" * 30_000,
    "a." * 500_000 + "[1.2.3.4]",
    "[::" + ":" * 1_000_000 + "]",
])
def test_mask_stays_linear(text):
    t = time.perf_counter()
    mask(text, NAMES)
    assert time.perf_counter() - t < 2.0


LINES = """\
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE1: to=<bob@example.com>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.example.com[10.5.1.1]:25: Connection refused)
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE2: to=<bob@example.com>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.example.com[10.5.2.2]:25: Connection timed out)
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE3: to=<dmarc-reports@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <dmarc-reports@example.com>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE4: to=<bob@spf-tools.org>, relay=mx.spf-tools.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.spf-tools.org[192.0.2.1] said: 452 4.2.2 <bob@spf-tools.org>: Mailbox full (in reply to RCPT TO command))
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE5: to=<x@spamhaus.org>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@spamhaus.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE6: to=<bob@example.com>, relay=mx-throttle.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx-throttle.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE7: to=<bob@example.com>, relay=greylist.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host greylist.example.net[192.0.2.1] said: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))
Nov 23 10:00:00 relay postfix/smtp[1]: ABC123DE8: to=<bob@example.com>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.example.com[10.4.4.3]:25: Connection timed out)
2026-11-23 10:00:00 1rABCD-000123-AB ** abuse@example.com R=dnslookup T=remote_smtp H=rbl.example.com [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<abuse@example.com>: 550 5.1.1 <abuse@example.com>: Recipient address rejected: User unknown
Nov 23 10:00:00 relay sm-mta[1]: kAK6004039066: to=<bob@example.com>, delay=00:00:00, xdelay=00:00:01, mailer=esmtp, pri=138438, relay=mx-throttle.example.org. [10.5.1.1], dsn=4.0.0, stat=Deferred: Connection refused by mx-throttle.example.org.
"""
EXPECTED = ["unable_to_connect", "unable_to_connect", "bad_mailbox", "mailbox_full", "bad_mailbox", "bad_mailbox",
            "bad_mailbox", "unable_to_connect", "bad_mailbox", "unable_to_connect"]


def test_parties_do_not_decide_end_to_end():
    """Whole log lines of the three MTAs: the category is what the reply
    says; the event keeps the reason as logged."""
    p = Pipeline(Classifier.load())
    events = [ev for line in LINES.splitlines() for ev in p.feed(line)]
    got = [(ev["recipient"], ev["classification"]["category"], ev["classification"]["blocklist"]) for ev in events]
    assert [c for _, c, _ in got] == EXPECTED, got
    assert all(b is None for _, _, b in got)
    assert Counter(ev["mta"] for ev in events) == {"postfix": 8, "exim": 1, "sendmail": 1}
    assert all(ev["reason"] in LINES for ev in events)  # unmasked
