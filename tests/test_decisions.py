"""The decision tree (classify/decisions.py) decides what evaluating every
delivery afresh decides, and asks a reply text only when the rules read it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.plugin.classify.engine import Classifier

# Providers and blocklists by relay and domain only; the rule table decides
# sent lines on their status before any rule that reads the text.
BLIND = """
[[provider]]
name = "gmail"
when = 'relay.host ~ /google\\.com$/ or recipient_domain in ["gmail.com"]'
[[blocklist]]
name = "spamhaus"
when = 'status != "sent" and reason ~ /spamhaus/'
[[rule]]
name = "delivered"
category = "delivered"
when = 'status in ["sent"]'
[[rule]]
name = "spam"
category = "spam_content"
when = 'text ~ /spam/'
[[rule]]
name = "greylist"
category = "greylisted"
when = 'status = "deferred" and (text ~ /greylist/ or smtp_code = 451)'
"""

# The same, but a provider is also recognised by its reply text: every
# delivery whose relay and domain name none has its text read.
READS_TEXT = BLIND.replace("""recipient_domain in ["gmail.com"]'""",
                           """recipient_domain in ["gmail.com"] or text ~ /gsmtp/'""")


def ctx(status="sent", text="250 2.0.0 OK id=1", host="mx.example.org", domain="example.org", code=250):
    return {"status": status, "text": text, "reason": f"{code} {text}", "smtp_code": code,
            "relay": {"host": host, "ip": None, "port": None}, "recipient_domain": domain,
            "dsn": None, "reply_dsn": None, "command": None, "program": "postfix/smtp", "mta": "postfix",
            "recipient": f"a@{domain}", "sender": None, "smtp_command": None}


class CountingSet:
    """Stands in for a field's pattern set, counting its scans."""

    def __init__(self, inner):
        self.inner, self.scans = inner, 0

    def Match(self, text):  # noqa: N802
        self.scans += 1
        return self.inner.Match(text)

    def settle(self):
        self.inner.settle()


def counted(classifier, path=("text",)):
    classifier._bank.hits({})  # compiled
    spy = CountingSet(classifier._bank._sets[path])
    classifier._bank._sets[path] = spy
    return spy


def test_text_not_scanned_when_no_rule_reads_it():
    c = Classifier([("blind.toml", BLIND)])
    spy = counted(c)
    for i in range(50):
        cls, _ = c.classify(ctx(text=f"250 2.0.0 OK id={i} spam"))
        assert (cls.category, cls.provider) == ("delivered", None)
    assert spy.scans == 0
    # a failure's decision reads the text: it is scanned, and it decides
    assert c.classify(ctx("deferred", "451 greylisted, come back", code=450))[0].category == "greylisted"
    assert c.classify(ctx("bounced", "550 spam detected", code=550))[0].category == "spam_content"
    assert spy.scans == 2


def test_text_scanned_when_a_rule_reads_it_and_its_answer_decides():
    c = Classifier([("reads.toml", READS_TEXT)])
    spy = counted(c)
    a = c.classify(ctx(text="250 2.0.0 OK 1795154461 x.879 - gsmtp"))[0]
    b = c.classify(ctx(text="250 2.0.0 OK 1795154462 y.880 - gsmtp"))[0]
    other = c.classify(ctx(text="250 2.0.0 OK queued as ABC"))[0]
    assert a.provider == b.provider == "gmail" and other.provider is None
    assert spy.scans == 3


def test_a_deferred_delivery_gets_the_provider_its_context_gains():
    c = Classifier([("reads.toml", READS_TEXT)])
    for _ in range(2):  # evaluated, then from the tree
        x = ctx("deferred", "451 greylisted - gsmtp", code=451)
        cls, _ = c.classify(x)
        assert (cls.category, cls.type, x["provider"], x["blocklist"]) == ("greylisted", "soft", "gmail", None)


# -- against evaluation afresh, on generated deliveries -------------------------------
TEXTS = ["250 ok", "gsmtp", "spam", "greylist", "spamhaus", "user unknown", "", "retry time not reached"]
deliveries = st.builds(
    lambda status, words, host, domain, code, dsn, command: {
        **ctx(status, " ".join(words), host, domain, code), "dsn": dsn, "reply_dsn": dsn, "command": command,
        "reason": None if not words else f"{code} {dsn or ''} {' '.join(words)}"},
    st.sampled_from(["sent", "deferred", "bounced", "expired", "removed", "weird", None]),
    st.lists(st.sampled_from(TEXTS), max_size=3),
    st.sampled_from(["mx.google.com", "mx.example.org", "mail.protection.outlook.com", None]),
    st.sampled_from(["gmail.com", "example.org", "outlook.com", ""]),
    st.sampled_from([None, 250, 421, 450, 451, 550, 554, "550"]),
    st.sampled_from([None, "2.0.0", "4.4.1", "4.7.1", "5.1.1", "5.7.1"]),
    st.sampled_from([None, "RCPT TO", "MAIL FROM", "DATA"]),
)


def fresh(classifier, c):
    """The decision of evaluating every rule afresh (explain walks them all)."""
    return classifier.explain(dict(c)).classification


BUILTIN = Classifier.load(use_cache=False)
SMALL = [Classifier([("reads.toml", READS_TEXT)]), Classifier([("blind.toml", BLIND)])]


@settings(max_examples=60, deadline=None)
@given(st.lists(deliveries, min_size=1, max_size=40))
def test_remembered_decisions_equal_fresh_ones(batch):
    for classifier in (BUILTIN, *SMALL):
        for c in batch:
            remembered, _ = classifier.classify(dict(c))
            assert remembered == fresh(classifier, c), c
        assert classifier._decisions.disagreements == 0


def test_a_full_tree_starts_over():
    c = Classifier([("reads.toml", READS_TEXT)], cache_size=3)
    for i, status in enumerate(["sent", "deferred", "bounced", "expired", "sent", "removed"] * 3):
        x = ctx(status, f"reply {i} {'gsmtp' if i % 2 else 'spam'}", code=450 + i % 3)
        assert c.classify(dict(x))[0] == fresh(c, x)
        assert c._decisions.leaves <= 3


def test_an_unhashable_value_is_decided_without_the_tree():
    c = Classifier([("t.toml", '[[rule]]\nname = "r"\ncategory = "delivered"\nwhen = \'dsn ~ /2\\.0/\'\n')])
    for _ in range(2):
        x = dict(ctx(), dsn=["2.0.0"])  # a list: cannot key a branch, is matched as its str()
        assert c.classify(x)[0].rule == "r"
    assert c._decisions.leaves == 0
    assert c.classify(dict(ctx(), dsn="2.0.0"))[0].rule == "r"
    assert c._decisions.leaves == 1


# A provider named by its relay first, by its reply text after; a blocklist
# read from the reason with no status condition of its own.
RELAY_FIRST = """
[[provider]]
name = "gmail"
when = 'relay.host ~ /google\\.com$/'
[[provider]]
name = "gmail"
when = 'text ~ /gsmtp/'
[[blocklist]]
name = "spamhaus"
when = 'reason ~ /spamhaus/'
[[rule]]
name = "delivered"
category = "delivered"
when = 'status in ["sent"]'
[[rule]]
name = "listed"
category = "blocklisted"
when = 'blocklist'
"""


def test_a_relay_rule_before_a_text_rule_spares_the_text_scan():
    c = Classifier([("relay-first.toml", RELAY_FIRST)])
    spy = counted(c)
    for i in range(20):
        cls, _ = c.classify(ctx(text=f"250 2.0.0 OK {i} - gsmtp", host="alt1.gmail-smtp-in.l.google.com"))
        assert (cls.category, cls.provider) == ("delivered", "gmail")
    assert spy.scans == 0   # the relay rule comes first and matched: the text rules cannot come before it
    for i in range(3):      # an unknown relay: only the text can name the provider
        cls, _ = c.classify(ctx(text=f"250 2.0.0 OK {i} - gsmtp", host="mx.example.org"))
        assert cls.provider == "gmail"
    assert spy.scans == 3


def test_a_delivery_names_no_blocklist_and_its_reason_is_not_scanned():
    c = Classifier([("relay-first.toml", RELAY_FIRST)])
    spy = counted(c, ("reason",))
    for i in range(20):
        cls, _ = c.classify(ctx(text=f"250 2.0.0 OK {i} spamhaus checked", host="alt1.gmail-smtp-in.l.google.com"))
        assert (cls.category, cls.blocklist) == ("delivered", None)
    assert spy.scans == 0
    cls, _ = c.classify(ctx("bounced", "554 5.7.1 listed at zen.spamhaus.org", code=554))
    assert (cls.category, cls.blocklist) == ("blocklisted", "spamhaus")
    assert spy.scans == 1


def test_a_none_value_on_the_path_is_walked_inline_as_answer_keys_it():
    """A field most deliveries leave empty (no reply dsn, no command) is
    answered on the tree's inline path, not by answer(): the decision is
    the one answer() keys, and a second walk asks answer() nothing."""
    rules = BLIND + """
[[rule]]
name = "bad mailbox"
category = "bad_mailbox"
when = 'status = "bounced" and reply_dsn ~ /^5[.]1/'
[[rule]]
name = "content"
category = "spam_content"
when = 'status = "bounced" and command = "DATA"'
"""
    classifier = Classifier([("none.toml", rules)])
    c = ctx(status="bounced", text="550 no", code=550)
    first, _ = classifier.classify(dict(c))
    tree = classifier._decisions
    calls = []
    real = tree.answer
    tree.answer = lambda i, cx, h: calls.append(tree._fields[i][0]) or real(i, cx, h)
    try:
        again, _ = classifier.classify(dict(c))
    finally:
        del tree.answer
    assert again == first == fresh(classifier, c)
    assert ("reply_dsn",) not in calls and ("command",) not in calls
