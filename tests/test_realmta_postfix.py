"""Debian's real Postfix 3.7 against a scripted peer and DNS stub; our pipeline
reads the log Postfix itself wrote and must classify every recipient right.

One run (module fixture) sends one message per scenario, each to its own
domain with its own peer address, waits until Postfix has logged what each
scenario is about, expires one message, stops everything, and only then
hands the log to the tests. Nothing in the expectations is read back from
our own output: statuses and dsn values are what Postfix does with the
chosen reply (documented per scenario), categories are DESIGN.md's taxonomy.

Needs root (namespaces, bind mounts, the postfix account) and the Debian
package (fetched into /var/cache/bouncewatch/debs); skips with the reason
otherwise. Takes about half a minute.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from realmta import checks
from realmta.postfix import PostfixInstance, available
from realmta.scenarios import (BY_NAME, EXPIRING, NAMESERVER, SCENARIOS, SENDER, TLS_REQUIRED, Expect,
                               Run, World, classify, expectations, keep_log, message,
                               unpacked_or_skip)

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

PHASE_TIMEOUT = 60.0   # seconds per wait; the whole run stays well under 3 minutes

# What Postfix 3.7 makes of each scenario (realmta/scenarios.py).
EXPECT = {
    "user_unknown": Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "does not exist"),
    "mailbox_full": Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full"),
    # RFC 5321 4.5.3.1.10 suggests treating a 552 to RCPT TO as temporary;
    # Postfix 3.7 does not: it bounces.
    "quota_exceeded": Expect("bounced", "5.2.2", "mailbox_full", "soft", "RCPT TO", "over quota"),
    "greylisted": Expect("deferred", "4.2.0", "greylisted", "soft", "RCPT TO", "Greylisted",
                         logged="sent", then=("sent", "delivered")),
    "rbl_block": Expect("bounced", "5.7.1", "blocklisted", "other", "RCPT TO", "zen.spamhaus.org"),
    "spam": Expect("bounced", "5.7.1", "spam_content", "other", "END OF DATA", "spam"),
    "dmarc": Expect("bounced", "5.7.26", "auth_failure", "other", "END OF DATA", "DMARC policy"),
    "too_large": Expect("bounced", "5.3.4", "message_too_large", "other", "END OF DATA",
                        "exceeds fixed maximum message size"),
    "relay_denied": Expect("bounced", "5.7.1", "relay_denied", "other", "RCPT TO", "Relay access denied"),
    "starttls_required": Expect("bounced", "5.7.0", "tls_failure", "other", "MAIL FROM",
                                "Must issue a STARTTLS command first"),
    # smtp_tls_policy_maps says "encrypt"; Postfix defers with its own text.
    "tls_policy": Expect("deferred", "4.7.4", "tls_failure", "other", None,
                         "TLS is required, but was not offered"),
    "rate_limited": Expect("deferred", "4.7.0", "rate_limited", "other", "CONNECT", "too many connections"),
    "greeting_421": Expect("deferred", "4.3.2", "unable_to_connect", "soft", "CONNECT", "refused to talk to me: 421"),
    # smtp_skip_5xx_greeting (default yes): a 5xx greeting is deferred, and
    # Postfix reports it with a 4.x.x dsn of its own.
    "greeting_554": Expect("deferred", "4.7.1", "policy_block", "other", "CONNECT", "refused to talk to me"),
    "refused": Expect("deferred", "4.4.1", "unable_to_connect", "soft", None, "Connection refused"),
    "no_such_domain": Expect("bounced", "5.4.4", "bad_domain", "hard", None, "Host not found"),
    "dns_servfail": Expect("deferred", "4.4.3", "dns_failure", "soft", None, "Host not found, try again"),
    # RFC 7505 null MX: Postfix 3.7 bounces without connecting, with its
    # own dsn=5.1.0 (not RFC 7505's 5.1.10).
    "null_mx": Expect("bounced", "5.1.0", "bad_domain", "hard", None, "does not accept mail (nullMX)"),
    # Logged as "refused to talk to me", like a rejected greeting; a 5xx
    # greeting would have been deferred (see greeting_554).
    "helo_rejected": Expect("bounced", "5.7.1", "auth_failure", "other", "HELO", "Helo command rejected"),
    "sender_rejected": Expect("bounced", "5.1.8", "sender_rejected", "other", "MAIL FROM",
                              "Sender address rejected"),
    "sender_unknown": Expect("bounced", "5.1.1", "sender_rejected", "other", "MAIL FROM", "User unknown"),
    "yahoo_tss04": Expect("deferred", "4.7.0", "bad_reputation", "other", "MAIL FROM", "[TSS04]"),
    # Postfix keeps the reply's class and logs its own dsn=4.0.0; the reply
    # still says 5.7.3, and the text decides.
    "class_mismatch": Expect("deferred", "4.0.0", "tls_failure", "other", "MAIL FROM",
                             "451 5.7.3 STARTTLS is required"),
    "lost_connection": Expect("deferred", "4.4.2", "protocol_error", "other", "RCPT TO", "lost connection with"),
    # Logged as received, in UTF-8.
    "non_ascii_reply": Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "Почтовый ящик"),
    "long_reply": Expect("bounced", "5.7.1", "blocklisted", "other", "RCPT TO", "block list (S3140)"),
    "expires": Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full",
                      then=("expired", "expired")),
}
CASES = expectations(EXPECT)

# Scenarios the classifier is known to get wrong, with the reason (strict xfail:
# a fix makes them fail until removed from here).
KNOWN_MISCLASSIFIED: dict[str, str] = {}


def _logged(lines: list[str], rcpt: str, status: str) -> bool:
    needle, st = f"to=<{rcpt}>", f"status={status} "
    return any(needle in line and st in line for line in lines)


def _returned(lines: list[str]) -> int:
    """Delivery status notifications delivered back to the sender."""
    return sum(f"to=<{SENDER}>" in x and "status=sent" in x for x in lines)


def _pending(lines: list[str]) -> list[str]:
    return [f"{s.name} (status={e.wait_status})" for s, e in CASES
            if not _logged(lines, s.recipient, e.wait_status)]


def _expire(pf: PostfixInstance, target: str) -> None:
    """Expires one message: Postfix's queue lifetime is global, so every
    other queued message goes on hold first, then the lifetime is cut to
    1s and the target is retried; qmgr returns it as ``status=expired``."""
    deadline = time.monotonic() + PHASE_TIMEOUT
    while True:
        others = [m["queue_id"] for m in pf.queue()
                  if m["queue_id"] != target and m["queue_name"] != "hold"]
        if not others:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"could not put {others} on hold")
        pf.postsuper(*[a for q in others for a in ("-h", q)])
        time.sleep(0.2)  # a message in the active queue is held when qmgr lets go of it
    pf.postconf(maximal_queue_lifetime="1s", bounce_queue_lifetime="1s")
    pf.reload()
    time.sleep(1.5)  # older than the new lifetime, whatever the clock's rounding
    pf.flush(target)


@pytest.fixture(scope="module")
def run(classifier) -> Run:
    tree, _ = unpacked_or_skip("postfix", lambda tree, _libs: available(tree))
    started = time.monotonic()
    world = World().start_or_skip()
    try:
        pf = PostfixInstance(world.ns, tree, nameserver=NAMESERVER,
                             tls_policy={BY_NAME[TLS_REQUIRED].domain: "encrypt"})
        try:
            pf.start()
            for s in SCENARIOS:
                pf.sendmail(SENDER, [s.recipient], message(s))
            bounced = sum(e.status == "bounced" for e in EXPECT.values())
            # every scenario's line, and the bounces Postfix sent back to the
            # sender (before anything is held for the expiry)
            pf.wait_for(lambda lines: not _pending(lines) and _returned(lines) >= bounced,
                        PHASE_TIMEOUT, "every scenario's status line and the bounces",
                        missing=lambda lines: ", ".join(_pending(lines)) or f"{bounced - _returned(lines)} bounces")
            target = pf.queue_id_of(BY_NAME[EXPIRING].message_id)
            assert target, "cleanup logged no message-id for the expiring message"
            _expire(pf, target)
            pf.wait_for(lambda lines: any(f"{target}: from=<{SENDER}>, status=expired" in x for x in lines)
                        and _returned(lines) > bounced, PHASE_TIMEOUT, "the expiry and its bounce")
            lines = pf.log_lines()
        finally:
            keep_log("postfix", pf.log_text())
            pf.close()
    finally:
        world.close()
    seconds = time.monotonic() - started
    events, counts = classify(lines, classifier)
    return Run(lines, events, counts, world.peer, world.dns_queries, seconds, world.init_pid, pf.base)


# -- the scenarios ---------------------------------------------------------------
@pytest.mark.parametrize("s,e", checks.params(CASES, KNOWN_MISCLASSIFIED))
def test_first_event(run: Run, s, e: Expect) -> None:
    checks.first_event(run, s, e, "postfix")


@pytest.mark.parametrize("s,e", [(s, e) for s, e in CASES if e.then], ids=[s.name for s, e in CASES if e.then])
def test_last_event(run: Run, s, e: Expect) -> None:
    checks.last_event(run, s, e)


def test_greylisted_recipient_is_delivered_on_retry(run: Run) -> None:
    checks.greylisted_then_delivered(run, BY_NAME["greylisted"])


def test_expired_event_names_the_cause(run: Run) -> None:
    checks.expired_with_cause(run, BY_NAME[EXPIRING].recipient, "mailbox_full")


def test_bounces_go_back_to_the_sender(run: Run) -> None:
    checks.bounces_returned(run, CASES)


def test_multiline_replies_are_joined(run: Run) -> None:
    reason = run.events[BY_NAME["user_unknown"].recipient][0]["reason"]
    assert "550-5.1.1 The email account" in reason and "550 5.1.1  https://support.google.com" in reason


def test_resolver_asked_the_stub(run: Run) -> None:
    checks.resolver_asked_the_stub(run, {BY_NAME["no_such_domain"].domain, BY_NAME["dns_servfail"].domain,
                                         f"mx.{BY_NAME['spam'].domain}"})


# -- the log itself ----------------------------------------------------------------
def test_every_line_has_a_known_envelope(run: Run) -> None:
    """postlogd's maillog_file lines (``Nov 23 02:53:24 host postfix/smtp[135]: ...``)
    all parse; nothing is dropped as unrecognized."""
    checks.no_line_skipped(run)


def test_cli_parse_agrees(run: Run, tmp_path: Path) -> None:
    checks.cli_agrees(run, tmp_path)


def test_leaves_nothing_behind(run: Run) -> None:
    checks.leaves_nothing_behind(run)


def test_run_is_bounded(run: Run) -> None:
    checks.bounded(run)
