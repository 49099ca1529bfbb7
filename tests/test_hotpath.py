"""The hot path's shortcuts decide exactly what the plain code would: the rule
index picks the rule an in-order walk picks, remembered pattern matches equal
fresh ones, orjson writes what json.dumps wrote."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.parsers import postfix
from bouncewatch.parsers.records import Envelope
from bouncewatch.plugin.classify.expr import MatchBank, compile_expr
from bouncewatch.plugin.classify.index import RuleIndex
from bouncewatch.plugin.classify.signature import Signature
from bouncewatch.plugin.sinks.file import dumps

# A table with every kind of requirement: patterns, in-lists (numbers too),
# equality, and rules that promise nothing (not, !=, numbers, bare fields).
TABLE = [
    'status in ["sent", "deliverable"]',
    'status = "deferred" and smtp_code >= 450',
    'smtp_code = 550 and not reason',
    'dsn = "2.0.0" and status = "bounced"',
    'reason ~ /user unknown/ and dsn ~ "5.1.*"',
    'status = "deferred" and reason ~ /greylist/',
    'not reason ~ /spam/ and smtp_code >= 550',
    'relay.host ~ /google/ or recipient_domain in ["gmail.com", "googlemail.com"]',
    'smtp_code in [421, 450] or reason ~ /try again/',
    'provider = "gmail" or blocklist',
    'reason !~ /x/ and status != "bounced"',
    'dsn = "4.4.1"',
    'status = "expired"',
    'reason ~ /spam/',
    'recipient_domain in []',
    'relay in ["x"]',
    "reason",
]
WORDS = ["user unknown", "greylist", "spam", "try again", "x", "ok", ""]


def ctx_strategy():
    return st.fixed_dictionaries({
        "status": st.sampled_from(["sent", "deferred", "bounced", "expired", None]),
        "reason": st.one_of(st.none(), st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join)),
        "dsn": st.sampled_from(["5.1.1", "4.4.1", "2.0.0", None]),
        "smtp_code": st.sampled_from([None, 250, 421, 450, 550, 554, "550"]),
        "relay": st.one_of(st.none(), st.fixed_dictionaries({"host": st.sampled_from(["mx.google.com", "mx"])})),
        "recipient_domain": st.sampled_from(["gmail.com", "example.org", "", None]),
        "provider": st.sampled_from(["gmail", None]),
        "blocklist": st.sampled_from(["spamhaus-zen", None]),
    })


def _table():
    bank = MatchBank()
    preds = [compile_expr(t, bank) for t in TABLE]
    return bank, preds, RuleIndex(preds)


BANK, PREDS, INDEX = _table()


def outcome(f):
    """A result or the error it raised ('relay in [..]' on a dict raises, in
    both ways of evaluating, at the same rule)."""
    try:
        return "value", f()
    except TypeError as e:
        return "error", str(e)


def ordered_walk(ctx):
    hits = BANK.hits(ctx)
    return next((i for i, p in enumerate(PREDS) if p.fn(ctx, hits, None)), None)


@settings(max_examples=400, deadline=None)
@given(ctx_strategy())
def test_index_finds_the_rule_the_ordered_walk_finds(ctx):
    assert outcome(lambda: INDEX.first(PREDS, ctx, BANK.hits(ctx))) == outcome(lambda: ordered_walk(ctx))


@settings(max_examples=200, deadline=None)
@given(ctx_strategy())
def test_requirements_hold_whenever_a_rule_is_true(ctx):
    hits = BANK.hits(ctx)
    candidates = INDEX.value_candidates(ctx) | INDEX.hit_candidates(hits)
    for i, p in enumerate(PREDS):
        if outcome(lambda: p.fn(ctx, hits, None)) == ("value", True):
            assert candidates >> i & 1, TABLE[i]


def test_remembered_matches_equal_fresh_ones():
    p = compile_expr("program ~ /smtp$/ or program ~ /^postfix/")
    for _ in range(3):  # the second and third time come from the memo
        assert p.matches({"program": "postfix/smtp"}) and not p.matches({"program": "exim"})
    assert p.bank.memo[("program",)]["postfix/smtp"] == frozenset({0, 1})


def test_classifier_and_explain_agree(classifier):
    """classify() uses the index, explain() walks every rule: same decision."""
    from bouncewatch.parsers.records import Delivery, Relay
    from bouncewatch.parsers.smtp import parse_reply
    from bouncewatch.plugin.event import rule_context

    texts = [
        ("bounced", "host mx[1.2.3.4] said: 550 5.1.1 <a@b.example>: Recipient address rejected: User unknown "
                    "in virtual mailbox table (in reply to RCPT TO command)", "mx.b.example"),
        ("deferred", "host mx[1.2.3.4] said: 450 4.2.0 <a@b.example>: Recipient address rejected: Greylisted, "
                     "see http://postgrey.schweikert.ch/help/b.example.html (in reply to RCPT TO command)", None),
        ("sent", "250 2.0.0 OK  1795154461 a2lxjtd0qnesi3545862pfh.879 - gsmtp", "gmail-smtp-in.l.google.com"),
        ("deferred", "connect to mx.dead.example[203.0.113.9]:25: Connection timed out", None),
        ("expired", "expired, returned to sender", None),
        ("bounced", "host mx[1.2.3.4] said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked "
                    "using zen.spamhaus.org (in reply to RCPT TO command)", None),
    ]
    for status, reason, relay in texts:
        d = Delivery(mta="postfix", queue_id="Q", recipient="a@gmail.com", status=status, reason=reason,
                     relay=Relay(relay) if relay else None, reply=parse_reply(reason))
        env = Envelope(None, None, "postfix/smtp", None, reason)
        fast, _ = classifier.classify(rule_context(env, d))
        assert classifier.explain(rule_context(env, d)).classification == fast, reason


def test_dumps_writes_what_json_dumps_wrote():
    event = {"schema": "bouncewatch/1", "reason": "ctrl \x00\x1f\x7f é \u2028 \t\n \\ \" </x> 😀",
             "size": 12, "delay": 0.35, "big": 1801.0, "none": None, "ok": True, "nested": {"a": [1, "b"]}}
    assert dumps(event) == json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def test_dumps_falls_back_for_what_orjson_refuses():
    huge = {"size": 10**30, "reason": "x"}
    assert dumps(huge) == '{"size":1000000000000000000000000000000,"reason":"x"}'
    lone = {"reason": "lone \udc80"}
    assert dumps(lone) == json.dumps(lone, ensure_ascii=False, separators=(",", ":"))


def test_non_finite_delay_is_no_delay():
    for value in ("nan", "inf", "-inf", "1e999"):
        env = Envelope(None, "mx", "postfix/smtp", 1, f"ABCDE12345: to=<a@b.example>, relay=none, delay={value}, "
                       "dsn=4.4.1, status=deferred (connect to b.example[192.0.2.1]:25: Connection refused)")
        rec = postfix.parse(env)
        assert rec is not None and rec.delay is None
    env = Envelope(None, "mx", "postfix/smtp", 1, "ABCDE12345: to=<a@b.example>, relay=none, delay=2.5, "
                   "dsn=2.0.0, status=sent (250 ok)")
    assert math.isclose(postfix.parse(env).delay, 2.5)


SIG = Signature(
    PREDS, direct=(("status",),))


@settings(max_examples=400, deadline=None)
@given(ctx_strategy(), ctx_strategy())
def test_equal_signatures_mean_equal_decisions(a, b):
    """The classifier remembers decisions by signature: two deliveries with
    the same signature must get the same rule."""
    sa, sb = SIG.of(a, BANK.hits(a)), SIG.of(b, BANK.hits(b))
    if sa is not None and sa == sb:
        assert outcome(lambda: ordered_walk(a)) == outcome(lambda: ordered_walk(b))


def test_signature_ignores_ids_but_not_evidence():
    a = {"status": "sent", "reason": "250 ok id=AAAA", "dsn": "2.0.0"}
    b = {"status": "sent", "reason": "250 ok id=BBBB", "dsn": "2.0.0"}
    c = {"status": "sent", "reason": "250 ok spam id=CCCC", "dsn": "2.0.0"}
    sig = lambda ctx: SIG.of(ctx, BANK.hits(ctx))  # noqa: E731
    assert sig(a) == sig(b) != sig(c)
    assert sig(a) != sig(dict(a, status="deferred"))
