"""Alerts: once per episode, from the stream of delivery events."""

from __future__ import annotations

import pytest

from statelog import at, delivery

from bouncewatch.plugin.alerts import AlertPolicy, listed_entity
from bouncewatch.plugin.state import open_store
from bouncewatch.plugin.typos import suggest_domain


def events(classifier, lines):
    from bouncewatch.plugin.pipeline import Pipeline
    p = Pipeline(classifier, include_sent=True)
    return [e for i, line in enumerate(lines) for e in p.feed(line, "/var/log/mail.log", i)]


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "state", alerts=AlertPolicy(provider_recipients=5, hard_rate_min_messages=20))
    yield s
    s.close()


def record(store, classifier, attempts, batch=None):
    evs = events(classifier, [line for a in attempts for line in delivery(*a)])
    if batch is None:
        return store.record(evs)
    return [a for i in range(0, len(evs), batch) for a in store.record(evs[i:i + batch])]


def test_blocklist_alert_once_per_episode(store, classifier):
    hits = [(at(0, minutes=m), f"S{m}", f"u{m}@{d}", "spamhaus")
            for m, d in ((0, "a.example"), (5, "b.example"), (60, "a.example"), (300, "c.example"))]
    alerts = record(store, classifier, hits, batch=2)
    assert [a["alert"] for a in alerts] == ["blocklisted"]
    a = alerts[0]
    assert a["kind"] == "alert" and a["schema"] == "bouncewatch/1"
    assert (a["blocklist"], a["listed"], a["since"]) == ("spamhaus-zen", "203.0.113.9", at(0).isoformat())
    assert a["receivers"] == ["a.example"]
    assert a["classification"]["category"] == "blocklisted"
    # a day and a half later without hits: a new episode, a new alert
    again = record(store, classifier, [(at(2), "S9", "u9@d.example", "spamhaus")])
    assert [x["alert"] for x in again] == ["blocklisted"] and again[0]["event_id"] != a["event_id"]
    assert record(store, classifier, [(at(2), "S9", "u9@d.example", "spamhaus")]) == []  # re-read
    assert [x["alert"] for x in store.alerts()] == ["blocklisted", "blocklisted"]


def test_domain_deferring_for_longer_than_n_minutes(store, classifier):
    dom = "down.example"
    fails = [(at(0, minutes=m), f"D{m}", f"r{m}@{dom}", "timeout") for m in (0, 10, 20, 31, 40)]
    alerts = record(store, classifier, fails)
    assert [a["alert"] for a in alerts] == ["domain_unreachable"]
    assert alerts[0]["domain"] == dom and alerts[0]["failures"] == 4
    # still down: no second alert; a delivery ends the episode; a new outage alerts again
    assert record(store, classifier, [(at(0, minutes=50), "D50", f"r50@{dom}", "timeout")]) == []
    record(store, classifier, [(at(0, minutes=55), "OK", f"r1@{dom}", "sent")])
    later = [(at(1, minutes=m), f"E{m}", f"r{m}@{dom}", "soft") for m in (0, 15, 35)]
    assert [a["alert"] for a in record(store, classifier, later)] == ["domain_deferring"]


def test_recipient_specific_deferrals_do_not_make_a_domain_alert(store, classifier):
    fails = [(at(0, minutes=m), f"F{m}", f"r{m}@full.example", "full") for m in (0, 20, 40, 60)]
    assert record(store, classifier, fails) == []


def test_large_provider_refusing_connections(store, classifier):
    mx = "gmail-smtp-in.l.google.com"
    refused = [(at(0, minutes=m), f"G{m}", f"user{m}@gmail.com", "refused") for m in range(6)]
    evs = events(classifier, [line for t, q, r, k in refused for line in delivery(t, q, r, k, mx=mx)])
    alerts = [a for a in store.record(evs) if a["alert"] == "blocked_connection"]
    assert len(alerts) == 1
    a = alerts[0]
    assert (a["provider"], a["recipients"]) == ("gmail", 5)
    assert (a["classification"]["category"], a["classification"]["code"]) == ("blocked_connection", 59)


def test_large_provider_refusing_sendmails_connections(store, classifier):
    """Sendmail names no command, but logs a refused greeting with dsn=4.5.0
    (usersmtp.c): its events carry CONNECT, so the same alert comes."""
    lines = [f"Nov 20 06:0{m}:00 mx sm-mta[12{m}]: 5AK6001234567{m}: to=<user{m}@gmail.com>, delay=00:00:01, "
             f"xdelay=00:00:01, mailer=esmtp, pri=120, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=4.5.0, "
             f"stat=Deferred: 421 4.7.0 [203.0.113.9] Our system has detected an unusual rate of unsolicited mail "
             f"originating from your IP address - gsmtp" for m in range(6)]
    evs = events(classifier, lines)
    assert {e["smtp_command"] for e in evs} == {"CONNECT"}
    alerts = [a for a in store.record(evs) if a["alert"] == "blocked_connection"]
    assert [(a["provider"], a["recipients"]) for a in alerts] == [("gmail", 5)]


def test_hard_bounce_rate_jump(store, classifier):
    day = [(at(0, minutes=m * 30), f"N{m}", f"n{m}@x{m % 7}.example", "sent") for m in range(40)]
    day += [(at(0, minutes=m * 30 + 1), f"H{m}", f"h{m}@x.example", "hard") for m in range(1)]
    assert [a for a in record(store, classifier, day) if a["alert"] == "hard_bounce_rate"] == []
    hour = at(1, minutes=0)
    burst = [(hour.replace(minute=m), f"B{m}", f"b{m}@y{m % 5}.example", "hard" if m % 3 == 0 else "sent")
             for m in range(30)]
    alerts = [a for a in record(store, classifier, burst) if a["alert"] == "hard_bounce_rate"]
    assert len(alerts) == 1
    assert alerts[0]["sender_domain"] == "shop.example" and alerts[0]["rate"] > 0.3


def test_this_host_reaching_no_receiver(store, classifier):
    """Ten domains failing to connect within 15 minutes and nothing
    delivered to a remote host: one outbound_unreachable alert (port 25
    blocked, no route, the resolver down), not only ten domain alerts."""
    fails = [(at(0, minutes=m), f"F{m}", f"r{m}@d{m}.example", "timeout" if m % 2 else "refused")
             for m in range(10)]
    alerts = record(store, classifier, fails[:9])
    assert alerts == []
    alerts = record(store, classifier, fails[9:])
    assert [a["alert"] for a in alerts] == ["outbound_unreachable"]
    a = alerts[0]
    assert a["severity"] == "critical" and a["since"] == at(0).isoformat()
    assert a["domains"] == sorted(f"d{m}.example" for m in range(10))
    assert a["categories"] == {"unable_to_connect": 10}
    # still down: no second alert; re-read: none either
    assert record(store, classifier, [(at(0, minutes=11), "F11", "r11@d11.example", "timeout")]) == []
    assert record(store, classifier, fails) == []


def test_a_remote_delivery_between_failures_means_it_is_not_us(store, classifier):
    fails = [(at(0, minutes=m), f"F{m}", f"r{m}@d{m}.example", "timeout") for m in range(12)]
    ok = [(at(0, minutes=5.5), "OK", "ok@fine.example", "sent")]  # relay 192.0.2.1: a remote host
    assert record(store, classifier, fails[:6] + ok + fails[6:]) == []


def test_a_local_delivery_does_not_show_the_internet_is_reachable(store, classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    fails = [line for m in range(10) for line in delivery(at(0, minutes=m), f"F{m}", f"r{m}@d{m}.example",
                                                           "timeout")]
    stamp = at(0, minutes=5.5).isoformat()
    local = [f"{stamp} mx1 postfix/smtp[201]: 0A1B2C3D4E: to=<u@shop.example>, relay=127.0.0.1[127.0.0.1]:10024, "
             "delay=0.2, delays=0/0/0/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4XyZ)",
             f"{stamp} mx1 postfix/local[202]: 0A1B2C3D4F: to=<u@shop.example>, relay=local, delay=0.1, "
             "delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)"]
    p = Pipeline(classifier, include_sent=True)
    evs = [e for i, line in enumerate(fails[:10] + local + fails[10:]) for e in p.feed(line, "/var/log/mail.log", i)]
    assert [a["alert"] for a in store.record(evs)] == ["outbound_unreachable"]


_SPAMHAUS = "554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org"


@pytest.mark.parametrize("reason", [
    f"host mx.b.example[192.0.2.1] said: {_SPAMHAUS} (in reply to RCPT TO command)",
    # the receiver's address comes first in each of these: it is not the one listed
    f"host mx.b.example[192.0.2.1] refused to talk to me: {_SPAMHAUS}",  # a block at the greeting
    f"delivery temporarily suspended: host mx.b.example[192.0.2.1] said: {_SPAMHAUS}",  # Postfix's repeat
    f"SMTP error from remote mail server after RCPT TO:<a@b.example>: host mx.b.example [192.0.2.1]: {_SPAMHAUS}",
    f"SMTP error from remote mail server after initial connection: {_SPAMHAUS}",
    f"Deferred: {_SPAMHAUS}",
])
def test_listed_entity_is_ours_not_the_receivers(reason):
    assert listed_entity(reason, "a@shop.example", "mx1", "192.0.2.1") == "203.0.113.9"
    assert listed_entity(reason, "a@shop.example", "mx1") == "203.0.113.9"  # relay=none: the text alone


def test_listed_entity():
    assert listed_entity("host mx[192.0.2.1] said: 554 5.7.1 shop.example listed at dbl.spamhaus.org",
                         "a@Shop.Example", "mx1") == "shop.example"


@pytest.mark.parametrize("typo, meant", [("gamil.com", "gmail.com"), ("hotmial.com", "hotmail.com"),
                                         ("gmail.con", "gmail.com"), ("yaho.com", "yahoo.com"),
                                         ("outlok.com", "outlook.com")])
def test_typo_suggestions(typo, meant):
    assert suggest_domain(typo) == meant


@pytest.mark.parametrize("domain", ["gmail.com", "corp.example", "gmx.org", "mail.example.org"])
def test_no_suggestion_for_real_domains(domain):
    assert suggest_domain(domain) is None


def test_bad_domain_event_carries_suggested_domain(classifier):
    evs = events(classifier, delivery(at(0), "T1", "bob@gamil.com", "nxdomain"))
    assert evs[0]["classification"]["category"] == "bad_domain"
    assert evs[0]["suggested_domain"] == "gmail.com"
    ok = events(classifier, delivery(at(0), "T2", "bob@gmail.com", "hard"))
    assert "suggested_domain" not in ok[0]


def test_alert_policy_from_dict():
    p = AlertPolicy.from_dict({"domain_minutes": 10, "provider_recipients": 50})
    assert (p.domain_minutes, p.provider_recipients, p.hard_rate_factor) == (10.0, 50, 3.0)
    assert AlertPolicy.from_dict(p.to_dict()) == p
    with pytest.raises(ValueError, match="unknown key 'nope'"):
        AlertPolicy.from_dict({"nope": 1})
    with pytest.raises(ValueError, match="provider_recipients: must be a whole number"):
        AlertPolicy.from_dict({"provider_recipients": 2.5})


def test_listed_entity_is_linear_on_hostile_text():
    import time
    t = time.perf_counter()
    for text in ("1." * 50_000, "host " + "x" * 100_000 + " said", "9" * 100_000, "1.2.3." * 20_000):
        listed_entity(text, None, "mx1")
    assert time.perf_counter() - t < 2
