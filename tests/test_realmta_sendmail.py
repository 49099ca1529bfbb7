"""Debian's real Sendmail 8.17 against the scripted peer and DNS stub, on the
same scenario table as Postfix and Exim (realmta/scenarios.py); our pipeline
(``--mta auto``) reads what Sendmail sent to syslog and must classify every
recipient right.

One run (module fixture) hands one message per scenario to sm-mta over SMTP
on loopback, lets its queue runner retry and expire them, waits until the
log says what each scenario is about, stops everything, and only then hands
the log to the tests. Statuses and ``dsn=`` are what Sendmail logs for the
chosen reply. Sendmail never says which command a reply answered, so
``smtp_command`` is None throughout.

Needs root and Debian's sendmail-bin, sendmail-cf, m4 (and libwrap0),
unpacked; skips with the reason otherwise. Takes about half a minute.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from realmta import checks, debs
from realmta.scenarios import (BY_NAME, EXPIRING, NAMESERVER, SCENARIOS, SENDER, TLS_REQUIRED, Expect,
                               Run, World, classify, expectations, keep_log, message,
                               unpacked_or_skip)
from realmta.sendmail import (CF_PACKAGE, LIBRARIES, M4_PACKAGE, PACKAGE, PROGRAM, SendmailInstance,
                              available)

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

PHASE_TIMEOUT = 60.0   # seconds per wait; the whole run stays well under 3 minutes
LIFETIME = "15s"       # Timeout.queuereturn.non-urgent: the expiring message says Precedence: bulk

# What Sendmail 8.17 makes of each scenario. A reply before EHLO (the
# greeting) carries no trusted enhanced code, so Sendmail logs one of its
# own making (5.5.0, 4.5.0); so does a 421, which closes the session (4.0.0).
EXPECT = {
    "user_unknown": Expect("bounced", "5.1.1", "bad_mailbox", "hard", None, "does not exist"),
    "mailbox_full": Expect("deferred", "4.2.2", "mailbox_full", "soft", None, "Mailbox full"),
    "quota_exceeded": Expect("bounced", "5.2.2", "mailbox_full", "soft", None, "over quota"),
    "greylisted": Expect("deferred", "4.2.0", "greylisted", "soft", None, "Greylisted",
                         logged="sent", then=("sent", "delivered")),
    # stat=Service unavailable: the reason must come from reply=.
    "rbl_block": Expect("bounced", "5.7.1", "blocklisted", "other", None, "zen.spamhaus.org"),
    "spam": Expect("bounced", "5.7.1", "spam_content", "other", None, "spam"),
    # reply= holds the first line only; 5.7.26 alone says DMARC.
    "dmarc": Expect("bounced", "5.7.26", "auth_failure", "other", None, "Unauthenticated email"),
    "too_large": Expect("bounced", "5.3.4", "message_too_large", "other", None,
                        "exceeds fixed maximum message size"),
    "relay_denied": Expect("bounced", "5.7.1", "relay_denied", "other", None, "Relay access denied"),
    "starttls_required": Expect("bounced", "5.7.0", "tls_failure", "other", None,
                                "Must issue a STARTTLS command first"),
    # TLS_Srv:<domain> ENCR:112 in the access map, a peer without STARTTLS.
    "tls_policy": Expect("deferred", "4.7.0", "tls_failure", "other", None, "encryption too weak"),
    "rate_limited": Expect("deferred", "4.5.0", "rate_limited", "other", "CONNECT", "too many connections"),
    # Sendmail names no command, but a failure at the greeting or EHLO is logged
    # with dsn=4.5.0 or 5.5.0 (usersmtp.c smtpinit), which the parser reads as CONNECT.
    "greeting_421": Expect("deferred", "4.5.0", "unable_to_connect", "soft", "CONNECT", "Service not available"),
    # Like Exim, Sendmail bounces on a 5xx greeting.
    "greeting_554": Expect("bounced", "5.5.0", "policy_block", "other", "CONNECT", "not accepting messages"),
    "refused": Expect("deferred", "4.4.1", "unable_to_connect", "soft", None, "Connection refused"),
    "no_such_domain": Expect("bounced", "5.1.2", "bad_domain", "hard", None, "host not found"),
    # Accepted over SMTP with the recipient's domain unresolvable for now:
    # sm-mta logs stat=queued with dsn=4.4.3 once, and its later queue runs
    # retry the lookup without logging a line (mailq says "host map: lookup
    # (dns-servfail.test): deferred").
    "dns_servfail": Expect("deferred", "4.4.3", "dns_failure", "soft", None, "", logged="queued"),
    # Sendmail 8.17 knows no RFC 7505: the MX "." has no address.
    "null_mx": Expect("bounced", "5.1.2", "bad_domain", "hard", None, "no data known"),
    "helo_rejected": Expect("bounced", "5.5.0", "auth_failure", "other", "CONNECT", "Helo command rejected"),
    "sender_rejected": Expect("bounced", "5.1.8", "sender_rejected", "other", None, "Sender address rejected"),
    # Sendmail logs no command (and a 550 to MAIL FROM logs the same stat=Service
    # unavailable as one to DATA): the reply naming our sender decides.
    "sender_unknown": Expect("bounced", "5.1.1", "sender_rejected", "other", None, "User unknown"),
    "yahoo_tss04": Expect("deferred", "4.0.0", "bad_reputation", "other", None, "[TSS04]"),
    # Sendmail logs the reply's 5.7.3 on a Deferred line.
    "class_mismatch": Expect("deferred", "5.7.3", "tls_failure", "other", None, "451 5.7.3 STARTTLS is required"),
    # Sendmail's own words for the dropped connection; dsn=4.4.2 is RFC
    # 3463's "connection established, transaction not completed".
    "lost_connection": Expect("deferred", "4.4.2", "protocol_error", "other", None, "Connection reset by"),
    # Logged as octal escapes of the UTF-8 bytes, like Exim does.
    "non_ascii_reply": Expect("bounced", "5.1.1", "bad_mailbox", "hard", None, "Почтовый ящик"),
    # reply= keeps 100 characters each side of "..." (sendmail's shortenstring, MAXSHORTSTR
    # 203): "block list (S3140)" falls in the cut, so only 5.7.1's generic policy block is left.
    "long_reply": Expect("bounced", "5.7.1", "policy_block", "other", None, "Unfortunately, messages from"),
    "expires": Expect("deferred", "4.2.2", "mailbox_full", "soft", None, "Mailbox full",
                      then=("expired", "expired")),
}
CASES = expectations(EXPECT)

# Mistakes the real log showed (strict xfail: the fix makes them fail until
# removed from here). Each names the line Sendmail wrote and what went wrong.
KNOWN_WRONG: dict[str, str] = {}

_DEFERRED = re.compile(r"stat=Deferred")


def _to_lines(lines: list[str], rcpt: str) -> list[str]:
    needle = f" to=<{rcpt}>,"
    return [x for x in lines if needle in x and f"{PROGRAM}[" in x]


def _logged(lines: list[str], rcpt: str, status: str) -> bool:
    mine = _to_lines(lines, rcpt)
    if status == "sent":
        return any("stat=Sent" in x for x in mine)
    if status == "deferred":
        return any(_DEFERRED.search(x) for x in mine)
    if status == "queued":
        return any("stat=queued" in x for x in mine)
    return any(", dsn=5." in x for x in mine)  # bounced: any permanent stat=


def _expired(lines: list[str]) -> bool:
    return any(": DSN: Cannot send message for" in x for x in lines)


def _returned(lines: list[str]) -> int:
    """DSN messages Sendmail delivered back to the sender."""
    return sum("stat=Sent" in x for x in _to_lines(lines, SENDER))


def _pending(lines: list[str]) -> list[str]:
    out = [f"{s.name} ({e.wait_status})" for s, e in CASES if not _logged(lines, s.recipient, e.wait_status)]
    if not _expired(lines):
        out.append(f"{EXPIRING} (Cannot send message for ...)")
    return out


@pytest.fixture(scope="module")
def run(classifier) -> Run:
    tree, library_path = unpacked_or_skip(PACKAGE, available, LIBRARIES)
    try:
        cf_tree = debs.unpacked(CF_PACKAGE)
        m4 = debs.unpacked(M4_PACKAGE) / "usr/bin/m4"
    except debs.PackageUnavailable as e:
        pytest.skip(f"cannot fetch Debian's {CF_PACKAGE} or {M4_PACKAGE}: {e}")
    started = time.monotonic()
    world = World().start_or_skip()
    try:
        sm = SendmailInstance(world.ns, tree, cf_tree, m4, nameserver=NAMESERVER, library_path=library_path,
                              bulk_lifetime=LIFETIME, require_tls=BY_NAME[TLS_REQUIRED].domain)
        try:
            sm.start()
            for s in SCENARIOS:
                sm.submit(SENDER, [s.recipient], message(s, "Precedence: bulk\n" if s.name == EXPIRING else ""))
            returns = sum(e.status == "bounced" for e in EXPECT.values()) + 1  # + the expiry's
            lines = sm.wait_for(lambda lines: not _pending(lines) and _returned(lines) >= returns,
                                PHASE_TIMEOUT, "every scenario's line, the expiry and the bounces",
                                missing=lambda lines: ", ".join(_pending(lines))
                                or f"{returns - _returned(lines)} bounces")
        finally:
            keep_log("sendmail", sm.log_text())
            sm.close()
    finally:
        world.close()
    seconds = time.monotonic() - started
    events, counts = classify(lines, classifier)
    return Run(lines, events, counts, world.peer, world.dns_queries, seconds, world.init_pid, sm.base)


# -- the scenarios ---------------------------------------------------------------
@pytest.mark.parametrize("s,e", checks.params(CASES, KNOWN_WRONG))
def test_first_event(run: Run, s, e: Expect) -> None:
    checks.first_event(run, s, e, "sendmail")


@pytest.mark.parametrize("s,e", [(s, e) for s, e in CASES if e.then], ids=[s.name for s, e in CASES if e.then])
def test_last_event(run: Run, s, e: Expect) -> None:
    checks.last_event(run, s, e)


def test_greylisted_recipient_is_delivered_on_retry(run: Run) -> None:
    checks.greylisted_then_delivered(run, BY_NAME["greylisted"])


def test_expired_event_names_the_cause(run: Run) -> None:
    """``DSN: Cannot send message for 15 seconds`` expires the recipients
    still pending; the cause comes from their deferrals."""
    checks.expired_with_cause(run, BY_NAME[EXPIRING].recipient, "mailbox_full")


def test_bounces_go_back_to_the_sender(run: Run) -> None:
    checks.bounces_returned(run, CASES)


def test_every_bounce_is_returned(run: Run) -> None:
    """One ``DSN:`` line per bounced or expired message, each followed by
    the delivery of that DSN message to the sender."""
    dsn = [x for x in run.lines if re.search(r": [0-9A-Za-z]{14}: DSN: ", x)]
    returned = [e for e in run.events.get(SENDER, []) if e["status"] == "sent"]
    want = sum(e.status == "bounced" for e in EXPECT.values()) + 1
    assert len(dsn) == len(returned) == want


def test_reason_is_the_reply_not_the_stat(run: Run) -> None:
    """``stat=`` is derived from the reply code (a Spamhaus block reads
    ``stat=Service unavailable``); the event's reason is ``reply=``."""
    line = next(x for x in _to_lines(run.lines, BY_NAME["rbl_block"].recipient))
    assert "stat=Service unavailable" in line
    reason = run.events[BY_NAME["rbl_block"].recipient][0]["reason"]
    assert reason.startswith("554 5.7.1 Service unavailable; Client host") and "spamhaus" in reason


def test_multiline_reply_keeps_its_first_line(run: Run) -> None:
    """``reply=`` holds only the first line of a multi-line reply."""
    reason = run.events[BY_NAME["user_unknown"].recipient][0]["reason"]
    assert reason.startswith("550-5.1.1 The email account that you tried to reach does not exist")
    assert "NoSuchUser" not in reason


def test_long_reply_is_cut_in_the_middle(run: Run) -> None:
    """A reply= longer than 203 characters keeps its first and last 100
    around "...": what the middle said is lost to every reader of the log."""
    reason = run.events[BY_NAME["long_reply"].recipient][0]["reason"]
    head, _, tail = reason.partition("...")
    assert (len(head), len(tail)) == (100, 100), reason
    assert "block list" not in reason and tail.endswith("prod.protection.outlook.com]")


def test_resolver_asked_the_stub(run: Run) -> None:
    checks.resolver_asked_the_stub(run, {BY_NAME["no_such_domain"].domain, BY_NAME["dns_servfail"].domain,
                                         f"mx.{BY_NAME['spam'].domain}"})


# -- the log itself ----------------------------------------------------------------
def test_every_line_has_a_known_envelope(run: Run) -> None:
    """The syslog file (``Nov 23 03:16:47 mta sm-mta[54]: 6AN3Gl6w000052: to=...``)
    parses line by line; nothing is dropped as unrecognized."""
    checks.no_line_skipped(run)


def test_cli_parse_agrees(run: Run, tmp_path: Path) -> None:
    checks.cli_agrees(run, tmp_path)


def test_leaves_nothing_behind(run: Run) -> None:
    checks.leaves_nothing_behind(run)


def test_run_is_bounded(run: Run) -> None:
    checks.bounded(run)
