"""Correlation through the pipeline: sender/size/message-id joined, attempts
counted, expiry fanned out to pending recipients with the prior cause."""

LOG = """\
Nov 20 10:00:00 mx postfix/cleanup[1]: AAA111: message-id=<m1@ex.org>
Nov 20 10:00:00 mx postfix/qmgr[2]: AAA111: from=<news@ex.org>, size=2048, nrcpt=2 (queue active)
Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@grey.example>, relay=mx.grey.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.0, status=deferred (host mx.grey.example[192.0.2.1] said: 450 4.2.0 Greylisted, try again later (in reply to RCPT TO command))
Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<b@ok.example>, relay=mx.ok.example[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Nov 20 10:30:01 mx postfix/smtp[3]: AAA111: to=<a@grey.example>, relay=mx.grey.example[192.0.2.1]:25, delay=1801, delays=1800/0/0/1, dsn=4.2.0, status=deferred (host mx.grey.example[192.0.2.1] said: 450 4.2.0 Greylisted, try again later (in reply to RCPT TO command))
Nov 22 10:00:02 mx postfix/qmgr[2]: AAA111: from=<news@ex.org>, status=expired, returned to sender
Nov 22 10:00:02 mx postfix/qmgr[2]: AAA111: removed
"""


def run(pipeline, text):
    out = []
    for line in text.splitlines():
        out.extend(pipeline.feed(line, "/var/log/mail.log", 0))
    return out


def test_correlation_attempts_and_expiry_cause(pipeline):
    evs = run(pipeline, LOG)
    assert [(e["recipient"], e["status"], e["attempt"]) for e in evs] == [
        ("a@grey.example", "deferred", 1), ("b@ok.example", "sent", None),
        ("a@grey.example", "deferred", 2), ("a@grey.example", "expired", 2)]
    for e in evs:
        assert (e["sender"], e["size"], e["message_id"]) == ("news@ex.org", 2048, "m1@ex.org")
    exp = evs[-1]["classification"]
    assert (exp["category"], exp["cause"], exp["type"]) == ("expired", "greylisted", "soft")
    assert evs[0]["classification"]["category"] == "greylisted"
    assert len(pipeline.correlator) == 0  # qmgr "removed" forgot the message


def test_event_id_stable_and_distinct(classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    a = run(Pipeline(classifier, include_sent=True), LOG)
    b = run(Pipeline(classifier, include_sent=True), LOG)
    assert [e["event_id"] for e in a] == [e["event_id"] for e in b]
    assert len({e["event_id"] for e in a}) == len(a)


def test_failures_only_by_default_and_where(classifier):
    from bouncewatch.plugin.classify.expr import compile_expr
    from bouncewatch.plugin.pipeline import Pipeline
    assert all(e["status"] != "sent" for e in run(Pipeline(classifier), LOG))
    only = run(Pipeline(classifier, where=compile_expr('category = "expired"')), LOG)
    assert [e["status"] for e in only] == ["expired"]


def test_postsuper_removal(pipeline):
    evs = run(pipeline, """\
Nov 20 10:00:01 mx postfix/smtp[3]: BBB222: to=<a@x.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to x.example[192.0.2.1]:25: Connection timed out)
Nov 20 11:00:00 mx postfix/postsuper[9]: BBB222: removed
""")
    assert [(e["status"], e["classification"]["category"]) for e in evs] == [
        ("deferred", "unable_to_connect"), ("removed", "removed_by_admin")]


def test_expiry_without_known_recipient_still_reported(pipeline):
    evs = run(pipeline, "Nov 22 10:00:02 mx postfix/qmgr[2]: CCC333: from=<s@x.org>, status=expired, "
                        "returned to sender\n")
    assert len(evs) == 1 and evs[0]["recipient"] == "" and evs[0]["sender"] == "s@x.org"


# Real Exim 4.96 (tests/test_realmta_exim_more.py), +received_recipients
HELD = """\
2026-11-24 15:30:01 1xVsZh-00000P-0H <= bounces@sender.test U=root P=local S=359 id=held@bouncewatch.test T="held" for rcpt@Held.TEST other@held.test
2026-11-24 15:30:01 1xVsZh-00000P-0H Frozen by the system filter: held for review
2026-11-24 15:31:07 1xVsZh-00000P-0H removed by root
"""


def test_message_given_up_before_any_attempt_names_the_arrivals_recipients(pipeline):
    evs = run(pipeline, HELD)
    assert [(e["recipient"], e["status"]) for e in evs] == [
        ("rcpt@held.test", "frozen"), ("other@held.test", "frozen"),
        ("rcpt@held.test", "removed"), ("other@held.test", "removed")]
    assert all((e["sender"], e["size"], e["message_id"]) == ("bounces@sender.test", 359, "held@bouncewatch.test")
               for e in evs)
    assert len(pipeline.correlator) == 0


def test_arrivals_recipients_are_not_used_once_deliveries_named_theirs(pipeline):
    """An alias the arrival named is delivered under the routed address: it
    has no line of its own, and must not look pending."""
    evs = run(pipeline, HELD.replace("2026-11-24 15:30:01 1xVsZh-00000P-0H Frozen", (
        "2026-11-24 15:30:01 1xVsZh-00000P-0H == user@held.test <rcpt@Held.TEST> R=dnslookup T=remote_smtp "
        "defer (-44) H=mx.held.test [192.0.2.7]: SMTP error from remote mail server after RCPT TO:<user@held.test>: "
        "451 4.7.1 Greylisted\n2026-11-24 15:30:01 1xVsZh-00000P-0H Frozen")))
    assert [(e["recipient"], e["status"]) for e in evs] == [
        ("user@held.test", "deferred"), ("user@held.test", "frozen"), ("", "removed")]


def test_checkpoint_keeps_the_arrivals_recipients(pipeline):
    from bouncewatch.plugin.correlate import Correlator
    lines = HELD.splitlines()
    run(pipeline, lines[0] + "\n")
    rows = pipeline.correlator.snapshot()
    restored = Correlator()
    assert restored.restore(rows) == 1
    pipeline.correlator = restored
    assert [e["recipient"] for e in run(pipeline, lines[2] + "\n")] == ["rcpt@held.test", "other@held.test"]
    old = Correlator()  # a checkpoint written before the field was saved
    assert old.restore([r[:8] for r in rows]) == 1
    pipeline.correlator = old
    assert [e["recipient"] for e in run(pipeline, lines[2] + "\n")] == [""]


def test_correlation_memory_is_bounded(classifier):
    from bouncewatch.plugin.correlate import Correlator
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier, correlator=Correlator(max_messages=100))
    for i in range(5000):
        p.feed(f"Nov 20 10:00:00 mx postfix/qmgr[2]: Q{i:08X}: from=<s@x.org>, size=1, nrcpt=1 (queue active)")
    assert len(p.correlator) == 100 and p.correlator.evicted == 4900
