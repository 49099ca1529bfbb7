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


def test_correlation_memory_is_bounded(classifier):
    from bouncewatch.plugin.correlate import Correlator
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier, correlator=Correlator(max_messages=100))
    for i in range(5000):
        p.feed(f"Nov 20 10:00:00 mx postfix/qmgr[2]: Q{i:08X}: from=<s@x.org>, size=1, nrcpt=1 (queue active)")
    assert len(p.correlator) == 100 and p.correlator.evicted == 4900
