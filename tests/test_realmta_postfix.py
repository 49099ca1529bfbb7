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

import json
import os
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from realmta import debs
from realmta.dns import DnsStub
from realmta.netns import Namespace, NamespaceUnavailable, loopback_address
from realmta.peer import DISCONNECT, HostScript, Peer
from realmta.postfix import PostfixInstance, available

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

SENDER = "bounces@sender.test"
NAMESERVER = "127.0.0.1"
PHASE_TIMEOUT = 60.0   # seconds per wait; the whole run stays well under 3 minutes


@dataclass(frozen=True)
class Scenario:
    """One recipient at its own domain, and what must come out of the log.

    ``dns``: ``mx`` (MX -> mx.<domain> -> a peer address), ``refused`` (the
    same, but nothing listens there), ``nxdomain``, ``servfail``, ``nullmx``.
    ``logged``: the Postfix status whose line ends the wait for it.
    The expectations are for the recipient's first event, except
    ``then``: (status, category) of its last event."""

    name: str
    status: str
    dsn: str
    category: str
    type: str
    command: str | None = None
    reason_has: str = ""
    host: HostScript = HostScript()
    dns: str = "mx"
    logged: str = ""
    then: tuple[str, str] | None = None

    @property
    def domain(self) -> str:
        return f"{self.name.replace('_', '-')}.test"

    @property
    def recipient(self) -> str:
        return f"rcpt@{self.domain}"

    @property
    def wait_status(self) -> str:
        return self.logged or self.status


GMAIL_NO_SUCH_USER = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
    "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
    "550-5.1.1 unnecessary spaces. For more information, go to\r\n"
    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp")
GMAIL_DMARC = (
    "550-5.7.26 Unauthenticated email from sender.test is not accepted due to\r\n"
    "550-5.7.26 domain's DMARC policy. Please contact the administrator of\r\n"
    "550-5.7.26 sender.test domain if this was a legitimate mail. To learn about\r\n"
    "550 5.7.26 the DMARC initiative, go to https://support.google.com/mail/?p=DmarcRejection - gsmtp")

SCENARIOS = [
    Scenario("user_unknown", "bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO",
             "does not exist", HostScript(rcpt=(GMAIL_NO_SUCH_USER,))),
    Scenario("mailbox_full", "deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO",
             "Mailbox full", HostScript(rcpt=("452 4.2.2 <rcpt@mailbox-full.test>: Recipient address "
                                              "rejected: Mailbox full",))),
    # RFC 5321 4.5.3.1.10 suggests treating a 552 to RCPT TO as temporary;
    # Postfix 3.7 does not: it bounces.
    Scenario("quota_exceeded", "bounced", "5.2.2", "mailbox_full", "soft", "RCPT TO",
             "over quota", HostScript(rcpt=("552 5.2.2 <rcpt@quota-exceeded.test>: Mailbox full, "
                                            "user is over quota",))),
    Scenario("greylisted", "deferred", "4.2.0", "greylisted", "soft", "RCPT TO", "Greylisted",
             HostScript(rcpt=("450 4.2.0 <rcpt@greylisted.test>: Recipient address rejected: "
                              "Greylisted, see http://postgrey.schweikert.ch/help/greylisted.test.html",
                              "250 2.1.5 Ok")),
             logged="sent", then=("sent", "delivered")),
    Scenario("rbl_block", "bounced", "5.7.1", "blocklisted", "other", "RCPT TO", "zen.spamhaus.org",
             HostScript(rcpt=("554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using "
                              "zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1",))),
    Scenario("spam", "bounced", "5.7.1", "spam_content", "other", "END OF DATA", "spam",
             HostScript(data=("550 5.7.1 Message rejected as spam by Content Filtering",))),
    Scenario("dmarc", "bounced", "5.7.26", "auth_failure", "other", "END OF DATA", "DMARC policy",
             HostScript(data=(GMAIL_DMARC,))),
    Scenario("too_large", "bounced", "5.3.4", "message_too_large", "other", "END OF DATA",
             "exceeds fixed maximum message size",
             HostScript(data=("552 5.3.4 Error: message file too big; message size exceeds fixed "
                              "maximum message size",))),
    Scenario("relay_denied", "bounced", "5.7.1", "relay_denied", "other", "RCPT TO",
             "Relay access denied",
             HostScript(rcpt=("554 5.7.1 <rcpt@relay-denied.test>: Relay access denied",))),
    Scenario("starttls_required", "bounced", "5.7.0", "tls_failure", "other", "MAIL FROM",
             "Must issue a STARTTLS command first",
             HostScript(mail=("530 5.7.0 Must issue a STARTTLS command first",))),
    # smtp_tls_policy_maps says "encrypt" for this domain; the peer offers
    # no STARTTLS, so Postfix defers with its own text.
    Scenario("tls_policy", "deferred", "4.7.4", "tls_failure", "other", None,
             "TLS is required, but was not offered"),
    Scenario("rate_limited", "deferred", "4.7.0", "rate_limited", "other", "CONNECT",
             "too many connections",
             HostScript(connect=("421 4.7.0 mx.rate-limited.test Error: too many connections from "
                                 "127.0.0.1, rate limit exceeded; try again later",))),
    # smtp_skip_5xx_greeting (default yes): a 5xx greeting is deferred, and
    # Postfix reports it with a 4.x.x dsn of its own.
    Scenario("greeting_554", "deferred", "4.7.1", "policy_block", "other", "CONNECT",
             "refused to talk to me",
             HostScript(connect=("554 5.7.1 mx.greeting-554.test ESMTP not accepting messages from "
                                 "127.0.0.1",))),
    Scenario("refused", "deferred", "4.4.1", "unable_to_connect", "soft", None,
             "Connection refused", dns="refused"),
    Scenario("no_such_domain", "bounced", "5.4.4", "bad_domain", "hard", None,
             "Host not found", dns="nxdomain"),
    Scenario("dns_servfail", "deferred", "4.4.3", "dns_failure", "soft", None,
             "Host not found, try again", dns="servfail"),
    # RFC 7505 null MX: Postfix 3.7 bounces without connecting, with its
    # own dsn=5.1.0 (not RFC 7505's 5.1.10).
    Scenario("null_mx", "bounced", "5.1.0", "bad_domain", "hard", None,
             "does not accept mail (nullMX)", dns="nullmx"),
    # Logged as "refused to talk to me", like a rejected greeting; a 5xx
    # greeting would have been deferred (see greeting_554).
    Scenario("helo_rejected", "bounced", "5.7.1", "auth_failure", "other", "HELO",
             "Helo command rejected",
             HostScript(helo=("554 5.7.1 <mta.bouncewatch.test>: Helo command rejected: Host not found",))),
    Scenario("sender_rejected", "bounced", "5.1.8", "sender_rejected", "other", "MAIL FROM",
             "Sender address rejected",
             HostScript(mail=("553 5.1.8 <bounces@sender.test>: Sender address rejected: Domain not found",))),
    Scenario("yahoo_tss04", "deferred", "4.7.0", "bad_reputation", "other", "MAIL FROM", "[TSS04]",
             HostScript(mail=("421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to "
                              "unexpected volume or user complaints - 4.16.55.1; see "
                              "https://postmaster.yahooinc.com/error-codes",))),
    # A 4xx reply with a 5.x.x enhanced code (Exchange Online's): Postfix
    # keeps the reply's class and logs its own dsn=4.0.0; the reply still
    # says 5.7.3, and the text decides.
    Scenario("class_mismatch", "deferred", "4.0.0", "tls_failure", "other", "MAIL FROM",
             "451 5.7.3 STARTTLS is required",
             HostScript(mail=("451 5.7.3 STARTTLS is required to send mail [AM0PR01MB1234.eurprd01.prod."
                              "exchangelabs.com]",))),
    Scenario("lost_connection", "deferred", "4.4.2", "protocol_error", "other", "RCPT TO",
             "lost connection with", HostScript(rcpt=(DISCONNECT,))),
    # Deferred for a full mailbox until it expires (see _expire); its
    # expiry event must carry that cause.
    Scenario("expires", "deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full",
             HostScript(rcpt=("452 4.2.2 <rcpt@expires.test>: Recipient address rejected: "
                              "Mailbox full",)),
             then=("expired", "expired")),
]
BY_NAME = {s.name: s for s in SCENARIOS}

# Classification mistakes the real log showed, owned by the rules data
# (plugin/classify/rules); strict, so the fix turns them into failures to clean up.
# Scenarios the classifier is known to get wrong, with the reason (strict xfail:
# a fix makes them fail until removed from here).
KNOWN_MISCLASSIFIED: dict[str, str] = {}


def _scenario_params(scenarios: list[Scenario]) -> list:
    return [pytest.param(s, id=s.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISCLASSIFIED[s.name])]
                         if s.name in KNOWN_MISCLASSIFIED else []) for s in scenarios]
EXPIRING = BY_NAME["expires"]


@dataclass
class Run:
    lines: list[str]
    events: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    peer: Peer
    dns_queries: list[tuple[str, int]]
    seconds: float
    init_pid: int
    base: Path


def _skip_unless_possible() -> Path:
    if os.geteuid() != 0:
        pytest.skip("real-MTA test needs root (network/mount namespaces, a postfix account)")
    try:
        tree = debs.unpacked("postfix")
    except debs.PackageUnavailable as e:
        pytest.skip(f"cannot fetch Debian's postfix package: {e}")
    why = available(tree)
    if why:
        pytest.skip(why)
    return tree


def _zone(dns: DnsStub, peer: Peer, ns: Namespace) -> list:
    """DNS and peer addresses for every scenario; returns the listening sockets."""
    sockets = []
    hosts = [("sender", HostScript())] + [(s.name, s.host) for s in SCENARIOS]
    for n, (name, script) in enumerate(hosts, start=1):
        s = BY_NAME.get(name)
        domain = s.domain if s else "sender.test"
        address = loopback_address(n)
        kind = s.dns if s else "mx"
        if kind == "nxdomain":
            dns.nxdomain(domain)
            continue
        if kind == "servfail":
            dns.servfail(domain)
            continue
        if kind == "nullmx":
            dns.null_mx(domain)
            continue
        dns.mx(domain, f"mx.{domain}")
        dns.a(f"mx.{domain}", address)
        if kind == "refused":
            continue  # nothing listens there
        peer.host(address, script)
        sockets.append(ns.listen(address, 25))
    return sockets


def _message(s: Scenario) -> str:
    return (f"From: <{SENDER}>\nTo: <{s.recipient}>\nSubject: bouncewatch real-MTA test {s.name}\n"
            f"Message-ID: <{s.name}@bouncewatch.test>\n\nScenario {s.name}.\n")


def _logged(lines: list[str], rcpt: str, status: str) -> bool:
    needle, st = f"to=<{rcpt}>", f"status={status} "
    return any(needle in line and st in line for line in lines)


def _returned(lines: list[str]) -> int:
    """Delivery status notifications delivered back to the sender."""
    return sum(f"to=<{SENDER}>" in x and "status=sent" in x for x in lines)


def _pending(lines: list[str]) -> list[str]:
    return [f"{s.name} (status={s.wait_status})" for s in SCENARIOS
            if not _logged(lines, s.recipient, s.wait_status)]


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
    tree = _skip_unless_possible()
    from bouncewatch.plugin.pipeline import Pipeline

    started = time.monotonic()
    try:
        ns = Namespace()
        ns.start()
    except NamespaceUnavailable as e:
        pytest.skip(f"network namespaces unavailable: {e}")
    peer = Peer()
    dns = None
    pf = None
    try:
        dns = DnsStub(ns.listen(NAMESERVER, 53, type=socket.SOCK_DGRAM)).start()
        peer.serve(_zone(dns, peer, ns))
        pf = PostfixInstance(ns, tree, nameserver=NAMESERVER,
                             tls_policy={BY_NAME["tls_policy"].domain: "encrypt"})
        pf.start()
        for s in SCENARIOS:
            pf.sendmail(SENDER, [s.recipient], _message(s))
        bounced = sum(s.status == "bounced" for s in SCENARIOS)
        # every scenario's line, and the bounces Postfix sent back to the
        # sender (before anything is held for the expiry)
        pf.wait_for(lambda lines: not _pending(lines) and _returned(lines) >= bounced,
                    PHASE_TIMEOUT, "every scenario's status line and the bounces",
                    missing=lambda lines: ", ".join(_pending(lines)) or f"{bounced - _returned(lines)} bounces")
        target = pf.queue_id_of(f"{EXPIRING.name}@bouncewatch.test")
        assert target, "cleanup logged no message-id for the expiring message"
        _expire(pf, target)
        pf.wait_for(lambda lines: any(f"{target}: from=<{SENDER}>, status=expired" in x for x in lines)
                    and _returned(lines) > bounced, PHASE_TIMEOUT, "the expiry and its bounce")
        lines = pf.log_lines()
    finally:
        keep = os.environ.get("BOUNCEWATCH_REALMTA_LOG")
        if keep and pf is not None:  # to read what Postfix really wrote
            Path(keep).write_text(pf.log_text())
        if pf is not None:
            pf.close()
        peer.stop()
        if dns is not None:
            dns.stop()
        init_pid = ns.init_pid
        ns.close()
    base = pf.base
    seconds = time.monotonic() - started

    pipeline = Pipeline(classifier, include_sent=True)
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        for ev in pipeline.feed(line):
            events[ev["recipient"]].append(ev)
    return Run(lines, dict(events), dict(pipeline.counts), peer, list(dns.queries), seconds,
               init_pid, base)


# -- the scenarios ---------------------------------------------------------------
@pytest.mark.parametrize("s", _scenario_params(SCENARIOS))
def test_first_event(run: Run, s: Scenario) -> None:
    evs = run.events.get(s.recipient)
    assert evs, f"no event for {s.recipient}; log lines naming it: " + "\n".join(
        x for x in run.lines if s.recipient in x)
    ev = evs[0]
    got = {"status": ev["status"], "dsn": ev["dsn"], "category": ev["classification"]["category"],
           "type": ev["classification"]["type"], "smtp_command": ev["smtp_command"]}
    want = {"status": s.status, "dsn": s.dsn, "category": s.category, "type": s.type,
            "smtp_command": s.command}
    assert got == want, f"reason: {ev['reason']!r} (rule {ev['classification']['rule']})"
    assert s.reason_has in ev["reason"]
    assert ev["mta"] == "postfix" and ev["queue_id"] and ev["sender"] == SENDER
    assert ev["message_id"] == f"{s.name}@bouncewatch.test"


@pytest.mark.parametrize("s", [s for s in SCENARIOS if s.then], ids=[s.name for s in SCENARIOS if s.then])
def test_last_event(run: Run, s: Scenario) -> None:
    ev = run.events[s.recipient][-1]
    assert (ev["status"], ev["classification"]["category"]) == s.then, ev["reason"]


def test_greylisted_recipient_is_delivered_on_retry(run: Run) -> None:
    s = BY_NAME["greylisted"]
    rcpt_replies = [e.reply[:3] for e in run.peer.exchanges("RCPT", s.recipient)]
    assert rcpt_replies[:1] == ["450"] and len(rcpt_replies) >= 2
    statuses = [e["status"] for e in run.events[s.recipient]]
    assert statuses[0] == "deferred" and statuses[-1] == "sent"
    assert run.events[s.recipient][-1]["attempt"] == statuses.count("deferred")


def test_expired_event_names_the_cause(run: Run) -> None:
    evs = run.events[EXPIRING.recipient]
    expired = [e for e in evs if e["status"] == "expired"]
    assert len(expired) == 1
    cls = expired[0]["classification"]
    assert (cls["category"], cls["type"], cls["cause"]) == ("expired", "soft", "mailbox_full")
    assert expired[0]["attempt"] == sum(e["status"] == "deferred" for e in evs) >= 2


def test_bounces_go_back_to_the_sender(run: Run) -> None:
    """Every bounced recipient and the expired one produce a DSN that
    Postfix delivers to the sender (a ``sent`` line from MAILER-DAEMON)."""
    returned = [e for e in run.events.get(SENDER, []) if e["status"] == "sent"]
    assert len(returned) == sum(s.status == "bounced" for s in SCENARIOS) + 1
    assert all(e["sender"] == "" for e in returned)


def test_multiline_replies_are_joined(run: Run) -> None:
    reason = run.events[BY_NAME["user_unknown"].recipient][0]["reason"]
    assert "550-5.1.1 The email account" in reason and "550 5.1.1  https://support.google.com" in reason


def test_resolver_asked_the_stub(run: Run) -> None:
    asked = {name for name, _type in run.dns_queries}
    assert {BY_NAME["no_such_domain"].domain, BY_NAME["dns_servfail"].domain,
            f"mx.{BY_NAME['spam'].domain}"} <= asked


# -- the log itself ----------------------------------------------------------------
def test_every_line_has_a_known_envelope(run: Run) -> None:
    """postlogd's maillog_file lines (``Nov 23 02:53:24 host postfix/smtp[135]: ...``)
    all parse; nothing is dropped as unrecognized."""
    assert run.counts.get("skipped:unrecognized", 0) == 0
    assert not [k for k in run.counts if k.startswith("skipped:")]
    assert run.counts["lines"] == len(run.lines)


def test_cli_parse_agrees(run: Run, tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_text("\n".join(run.lines) + "\n")
    out = subprocess.run([sys.executable, "-m", "bouncewatch", "parse", "--all", "--no-progress", str(log)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    cli = [json.loads(x) for x in out.splitlines()]
    mine = [e for evs in run.events.values() for e in evs]
    key = lambda e: (e["event_id"], e["status"], e["classification"]["category"])  # noqa: E731
    assert sorted(map(key, cli)) == sorted(map(key, mine))


def test_leaves_nothing_behind(run: Run) -> None:
    assert not Path(f"/proc/{run.init_pid}").exists(), "namespace init still running"
    assert not run.base.exists(), f"instance directory left behind: {run.base}"
    mounts = Path("/proc/self/mountinfo").read_text()
    assert str(run.base) not in mounts


def test_run_is_bounded(run: Run) -> None:
    assert run.seconds < 180, f"real-MTA run took {run.seconds:.0f}s"
