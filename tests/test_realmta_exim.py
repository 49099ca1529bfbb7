"""Debian's real Exim 4.96 against the scripted peer and DNS stub, on the same
scenario table as Postfix (realmta/scenarios.py); our pipeline (``--mta
auto``) reads the main log Exim itself wrote and must classify every
recipient right.

One run (module fixture) queues one message per scenario, lets Exim's
queue-running daemon deliver, retry and give up on them, waits until the
log says what each scenario is about, stops everything, and only then hands
the log to the tests. Statuses are what Exim does with the chosen reply;
Exim logs no dsn of its own, so ``dsn`` is the reply's enhanced code, or
None when there was no reply (DNS, connection and TLS failures).

Needs root and Debian's exim4-daemon-light (plus libidn12, unpacked the
same way); skips with the reason otherwise. Takes about half a minute.
"""

from __future__ import annotations

import re

import time
from pathlib import Path

import pytest

from realmta import checks
from realmta.exim import PACKAGE, LIBRARIES, EximInstance, available
from realmta.scenarios import (BY_NAME, EXPIRING, NAMESERVER, SCENARIOS, SENDER, TLS_REQUIRED, Expect,
                               Run, World, classify, expectations, keep_log, message,
                               unpacked_or_skip)

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

PHASE_TIMEOUT = 60.0   # seconds per wait; the whole run stays well under 3 minutes
LIFETIME = "10s"       # retry lifetime of the expiring scenario's domain

# What Exim 4.96 makes of each scenario.
EXPECT = {
    "user_unknown": Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "does not exist"),
    "mailbox_full": Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full"),
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
    # hosts_require_tls and a peer without STARTTLS: Exim's own words.
    "tls_policy": Expect("deferred", None, "tls_failure", "other", None,
                         "a TLS session is required, but the server did not offer TLS support"),
    "rate_limited": Expect("deferred", "4.7.0", "rate_limited", "other", "CONNECT", "too many connections"),
    "greeting_421": Expect("deferred", "4.3.2", "unable_to_connect", "soft", "CONNECT",
                           "after initial connection: 421 4.3.2"),
    # Unlike Postfix, Exim takes a 5xx greeting at its word and bounces.
    "greeting_554": Expect("bounced", "5.7.1", "policy_block", "other", "CONNECT",
                           "after initial connection: 554 5.7.1"),
    "refused": Expect("deferred", None, "unable_to_connect", "soft", None, "Connection refused"),
    "no_such_domain": Expect("bounced", None, "bad_domain", "hard", None, "Unrouteable address"),
    "dns_servfail": Expect("deferred", None, "dns_failure", "soft", None, "host lookup did not complete"),
    "null_mx": Expect("bounced", None, "bad_domain", "hard", None,
                      "an MX or SRV record indicated no SMTP service"),
    "helo_rejected": Expect("bounced", "5.7.1", "auth_failure", "other", "HELO", "Helo command rejected"),
    "sender_rejected": Expect("bounced", "5.1.8", "sender_rejected", "other", "MAIL FROM",
                              "Sender address rejected"),
    "sender_unknown": Expect("bounced", "5.1.1", "sender_rejected", "other", "MAIL FROM", "User unknown"),
    "yahoo_tss04": Expect("deferred", "4.7.0", "bad_reputation", "other", "MAIL FROM", "[TSS04]"),
    # Exim logs the reply as it came: its enhanced code is the only one.
    "class_mismatch": Expect("deferred", "5.7.3", "tls_failure", "other", "MAIL FROM",
                             "451 5.7.3 STARTTLS is required"),
    "lost_connection": Expect("deferred", None, "protocol_error", "other", "RCPT TO",
                              "Remote host closed connection in response to RCPT TO"),
    # Logged as octal escapes (\320\237...), decoded by the parser.
    "non_ascii_reply": Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "Почтовый ящик"),
    "long_reply": Expect("bounced", "5.7.1", "blocklisted", "other", "RCPT TO", "block list (S3140)"),
    "expires": Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full",
                      then=("expired", "expired")),
}
CASES = expectations(EXPECT)

# Mistakes the real log showed (strict xfail: the fix makes them fail until
# removed from here). Each names the line Exim wrote and what went wrong.
KNOWN_WRONG: dict[str, str] = {}


def _logged(lines: list[str], rcpt: str, status: str) -> bool:
    flag = {"sent": "=>", "deferred": "==", "bounced": "**"}[status]
    needle = f" {flag} {rcpt} "
    return any(needle in line for line in lines)


def _expired(lines: list[str], rcpt: str) -> bool:
    return any(f" ** {rcpt}: retry timeout exceeded" in x for x in lines)


def _returned(lines: list[str]) -> int:
    """Bounce messages Exim delivered back to the sender."""
    return sum(f" => {SENDER} " in x and " F=<> " in x for x in lines)


def _pending(lines: list[str]) -> list[str]:
    out = [f"{s.name} ({e.wait_status})" for s, e in CASES if not _logged(lines, s.recipient, e.wait_status)]
    if not _expired(lines, BY_NAME[EXPIRING].recipient):
        out.append(f"{EXPIRING} (retry timeout exceeded)")
    return out


@pytest.fixture(scope="module")
def run(classifier) -> Run:
    tree, library_path = unpacked_or_skip(PACKAGE, available, LIBRARIES)
    started = time.monotonic()
    world = World().start_or_skip()
    try:
        ex = EximInstance(world.ns, tree, nameserver=NAMESERVER, library_path=library_path,
                          lifetimes={BY_NAME[EXPIRING].domain: LIFETIME},
                          require_tls=BY_NAME[TLS_REQUIRED].domain)
        try:
            ex.start()
            for s in SCENARIOS:
                ex.submit(SENDER, [s.recipient], message(s))
            returns = sum(e.status == "bounced" for e in EXPECT.values()) + 1  # + the expiry's
            lines = ex.wait_for(lambda lines: not _pending(lines) and _returned(lines) >= returns,
                                PHASE_TIMEOUT, "every scenario's line, the expiry and the bounces",
                                missing=lambda lines: ", ".join(_pending(lines))
                                or f"{returns - _returned(lines)} bounces")
            panic = ex.panic_text()
        finally:
            keep_log("exim", ex.log_text())
            ex.close()
    finally:
        world.close()
    seconds = time.monotonic() - started
    events, counts = classify(lines, classifier)
    return Run(lines, events, counts, world.peer, world.dns_queries, seconds, world.init_pid, ex.base,
               extra={"panic": panic})


# -- the scenarios ---------------------------------------------------------------
@pytest.mark.parametrize("s,e", checks.params(CASES, KNOWN_WRONG))
def test_first_event(run: Run, s, e: Expect) -> None:
    checks.first_event(run, s, e, "exim")


@pytest.mark.parametrize("s,e", [(s, e) for s, e in CASES if e.then], ids=[s.name for s, e in CASES if e.then])
def test_last_event(run: Run, s, e: Expect) -> None:
    checks.last_event(run, s, e)


def test_greylisted_recipient_is_delivered_on_retry(run: Run) -> None:
    checks.greylisted_then_delivered(run, BY_NAME["greylisted"])


def test_expired_event_names_the_cause(run: Run) -> None:
    """``** rcpt@expires.test: retry timeout exceeded`` says nothing of why;
    the cause comes from the deferrals before it."""
    checks.expired_with_cause(run, BY_NAME[EXPIRING].recipient, "mailbox_full")


def test_retry_time_not_reached_keeps_the_cause(run: Run) -> None:
    """Exim's later queue runs often log only ``retry time not reached
    [for any host for 'domain']``: those deferrals carry the category of the
    recipient's last reasoned failure as their cause."""
    seen = 0
    for s, _e in CASES:
        last_reasoned = None
        for ev in run.events.get(s.recipient, []):
            if "retry time not reached" in ev["reason"]:
                seen += 1
                assert ev["classification"]["cause"] == last_reasoned, (s.name, ev["reason"],
                                                                         ev["classification"])
            else:
                last_reasoned = ev["classification"]["category"]
    assert seen, "no 'retry time not reached' line in this run"


def test_bounces_go_back_to_the_sender(run: Run) -> None:
    checks.bounces_returned(run, CASES)


def test_bounce_messages_are_linked_to_their_message(run: Run) -> None:
    """``<= <> R=<id>``: each bounce Exim sends names the message it reports on."""
    returned = [e for e in run.events.get(SENDER, []) if e["status"] == "sent"]
    parents = {e["queue_id"] for evs in run.events.values() for e in evs if e["status"] in ("bounced", "expired")}
    linked = [x for x in run.lines if " <= <> R=" in x]
    assert len(linked) == len(returned)
    assert {x.split(" R=", 1)[1].split()[0] for x in linked} == parents


def test_multiline_replies_keep_every_line(run: Run) -> None:
    """Exim keeps a multi-line reply's lines with a literal ``\\n``."""
    line = next(x for x in run.lines if f" ** {BY_NAME['user_unknown'].recipient} " in x)
    assert "typos or\\n550-5.1.1 unnecessary" in line
    reason = run.events[BY_NAME["user_unknown"].recipient][0]["reason"]
    assert "does not exist" in reason and "NoSuchUser" in reason


def test_delivery_fields_from_the_log_selector(run: Run) -> None:
    """+outgoing_port, +queue_time, +smtp_confirmation as Exim writes them:
    the relay's port, the delay, the 250 reply of a delivery."""
    ev = run.events[BY_NAME["greylisted"].recipient][-1]
    assert ev["relay"] == {"host": f"mx.{BY_NAME['greylisted'].domain}", "ip": ev["relay"]["ip"], "port": 25}
    assert ev["relay"]["ip"].startswith("127.0.1.")
    assert ev["delay"] is not None and ev["delay"] > 0
    assert "250 2.0.0 Ok: queued as PEER" in ev["reason"]


def test_a_failures_deliver_time_is_its_delay_not_its_reason(run: Run) -> None:
    """+deliver_time writes a failure's ``DT=`` after its message (``...: 554
    5.7.1 ... DT=0.000s``) and a deferral's before it (``... DT=0.000s: SMTP
    error ...``): no event's reason keeps it, every failure has its delay."""
    failed = [x for x in run.lines if " ** " in x and "SMTP error" in x]
    assert failed and all(re.search(r" DT=[0-9.]+s$", x) for x in failed), failed[:3]
    for s in (BY_NAME["rbl_block"], BY_NAME["long_reply"], BY_NAME["too_large"]):
        ev = run.events[s.recipient][0]
        assert ev["status"] == "bounced" and " DT=" not in ev["reason"] and ev["delay"] is not None, ev


def test_resolver_asked_the_stub(run: Run) -> None:
    checks.resolver_asked_the_stub(run, {BY_NAME["no_such_domain"].domain, BY_NAME["dns_servfail"].domain,
                                         f"mx.{BY_NAME['spam'].domain}"})


# -- the log itself ----------------------------------------------------------------
def test_every_line_has_a_known_envelope(run: Run) -> None:
    """Exim's own main log lines (``2026-11-23 03:08:26.399 [56] 1xVKPq-... == ...``)
    all parse; nothing is dropped as unrecognized."""
    checks.no_line_skipped(run)


def test_panic_log_holds_only_the_config_notice(run: Run) -> None:
    """Exim re-executes itself with -C for each queue run and delivery; as a
    non-root caller of -C it drops privilege and says so in the panic log.
    Anything else there is a harness or Exim problem."""
    other = [x for x in run.extra["panic"].splitlines()
             if x.strip() and "exim user lost privilege for using -C option" not in x]
    assert not other, other


def test_cli_parse_agrees(run: Run, tmp_path: Path) -> None:
    checks.cli_agrees(run, tmp_path)


def test_leaves_nothing_behind(run: Run) -> None:
    checks.leaves_nothing_behind(run)


def test_run_is_bounded(run: Run) -> None:
    checks.bounded(run)
