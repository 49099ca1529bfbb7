"""The scenario table every real-MTA test runs: one recipient per scenario,
each at its own domain with its own peer address and DNS answers, and what
the peer says to it.

Why shared: the same remote behaviour (a Gmail "no such user", a Spamhaus
block, a 421 at the greeting, a SERVFAIL ...) must be classified the same
whichever MTA met it, so Postfix, Exim and Sendmail are driven by one table
and each test module states only what its MTA makes of it
(:class:`Expect`: the status and dsn that MTA logs; the category and type
are DESIGN.md's taxonomy and should agree across MTAs).

Also here: the DNS zone and peer set-up for the table (:func:`zone`), the
test message (:func:`message`), and the pipeline run over a finished log
(:func:`classify`).
"""

from __future__ import annotations

import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import debs
from .dns import DnsStub
from .netns import Namespace, NamespaceUnavailable, loopback_address
from .peer import DISCONNECT, HostScript, Peer

SENDER = "bounces@sender.test"
NAMESERVER = "127.0.0.1"
TLS_REQUIRED = "tls_policy"   # the scenario whose domain the MTA must reach over TLS
EXPIRING = "expires"          # the scenario whose message the MTA must give up on


@dataclass(frozen=True)
class Scenario:
    """One recipient at its own domain, and what the other side does.

    ``dns``: ``mx`` (MX -> mx.<domain> -> a peer address), ``refused`` (the
    same, but nothing listens there), ``nxdomain``, ``servfail``, ``nullmx``."""

    name: str
    host: HostScript = HostScript()
    dns: str = "mx"

    @property
    def domain(self) -> str:
        return f"{self.name.replace('_', '-')}.test"

    @property
    def recipient(self) -> str:
        return f"rcpt@{self.domain}"

    @property
    def message_id(self) -> str:
        return f"{self.name}@bouncewatch.test"


@dataclass(frozen=True)
class Expect:
    """What must come out of one MTA's log for one scenario: its first event
    for the recipient, and with ``then`` (status, category) its last.
    ``logged``: the status whose line ends the wait (default ``status``)."""

    status: str
    dsn: str | None
    category: str
    type: str
    command: str | None = None
    reason_has: str = ""
    logged: str = ""
    then: tuple[str, str] | None = None

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

MICROSOFT_S3140 = (
    "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your Internet service "
    "provider since part of their network is on our block list (S3140). You can also refer your provider to "
    "http://mail.live.com/mail/troubleshooting.aspx#errors. [BN1NAM02FT010.eop-nam02.prod.protection.outlook.com]")

SCENARIOS = [
    Scenario("user_unknown", HostScript(rcpt=(GMAIL_NO_SUCH_USER,))),
    Scenario("mailbox_full", HostScript(rcpt=(
        "452 4.2.2 <rcpt@mailbox-full.test>: Recipient address rejected: Mailbox full",))),
    Scenario("quota_exceeded", HostScript(rcpt=(
        "552 5.2.2 <rcpt@quota-exceeded.test>: Mailbox full, user is over quota",))),
    Scenario("greylisted", HostScript(rcpt=(
        "450 4.2.0 <rcpt@greylisted.test>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/greylisted.test.html", "250 2.1.5 Ok"))),
    Scenario("rbl_block", HostScript(rcpt=(
        "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; "
        "https://www.spamhaus.org/query/ip/127.0.0.1",))),
    Scenario("spam", HostScript(data=("550 5.7.1 Message rejected as spam by Content Filtering",))),
    Scenario("dmarc", HostScript(data=(GMAIL_DMARC,))),
    Scenario("too_large", HostScript(data=(
        "552 5.3.4 Error: message file too big; message size exceeds fixed maximum message size",))),
    Scenario("relay_denied", HostScript(rcpt=("554 5.7.1 <rcpt@relay-denied.test>: Relay access denied",))),
    Scenario("starttls_required", HostScript(mail=("530 5.7.0 Must issue a STARTTLS command first",))),
    # The MTA is told to require TLS for this domain; the peer offers none.
    Scenario(TLS_REQUIRED),
    Scenario("rate_limited", HostScript(connect=(
        "421 4.7.0 mx.rate-limited.test Error: too many connections from 127.0.0.1, rate limit "
        "exceeded; try again later",))),
    # A bare 421 at the greeting (RFC 5321's own words, nothing that names a
    # cause): Postfix's "refused to talk to me" and Exim's "after initial
    # connection" must read alike (the rules ask for the command, CONNECT).
    Scenario("greeting_421", HostScript(connect=(
        "421 4.3.2 Service not available, closing transmission channel",))),
    Scenario("greeting_554", HostScript(connect=(
        "554 5.7.1 mx.greeting-554.test ESMTP not accepting messages from 127.0.0.1",))),
    Scenario("refused", dns="refused"),
    Scenario("no_such_domain", dns="nxdomain"),
    Scenario("dns_servfail", dns="servfail"),
    Scenario("null_mx", dns="nullmx"),
    Scenario("helo_rejected", HostScript(helo=(
        "554 5.7.1 <mta.bouncewatch.test>: Helo command rejected: Host not found",))),
    Scenario("sender_rejected", HostScript(mail=(
        "553 5.1.8 <bounces@sender.test>: Sender address rejected: Domain not found",))),
    # No recipient is named yet at MAIL FROM: this "User unknown" is our sender.
    Scenario("sender_unknown", HostScript(mail=("550 5.1.1 <bounces@sender.test>... User unknown",))),
    Scenario("yahoo_tss04", HostScript(mail=(
        "421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or "
        "user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",))),
    # Exchange Online's 4xx reply with a 5.x.x enhanced code.
    Scenario("class_mismatch", HostScript(mail=(
        "451 5.7.3 STARTTLS is required to send mail [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]",))),
    Scenario("lost_connection", HostScript(rcpt=(DISCONNECT,))),
    # A reply in the receiver's language, in UTF-8 (each MTA logs it its own way).
    Scenario("non_ascii_reply", HostScript(rcpt=(
        "550 5.1.1 <rcpt@non-ascii-reply.test>: Почтовый ящик не существует",))),
    # A long one-line reply (Microsoft's block list refusal, 300 characters): Postfix and
    # Exim log it whole; Sendmail's reply= keeps its head and tail around "...".
    Scenario("long_reply", HostScript(rcpt=(MICROSOFT_S3140,))),
    # Deferred for a full mailbox until the MTA gives up; the expiry event
    # must carry that cause.
    Scenario(EXPIRING, HostScript(rcpt=("452 4.2.2 <rcpt@expires.test>: Recipient address rejected: "
                                        "Mailbox full",))),
]
BY_NAME = {s.name: s for s in SCENARIOS}


def expectations(table: dict[str, Expect]) -> list[tuple[Scenario, Expect]]:
    """The scenario list paired with one MTA's table, which must cover it exactly."""
    missing = set(BY_NAME) ^ set(table)
    if missing:
        raise KeyError(f"expectation table and scenario list differ: {sorted(missing)}")
    return [(s, table[s.name]) for s in SCENARIOS]


def zone(dns: DnsStub, peer: Peer, ns: Namespace, scenarios: list[Scenario] = SCENARIOS) -> list[socket.socket]:
    """DNS and peer addresses for every scenario (and the sender's domain,
    which receives the bounces); returns the listening sockets."""
    sockets = []
    hosts: list[tuple[str, Scenario | None]] = [("sender.test", None)] + [(s.domain, s) for s in scenarios]
    for n, (domain, s) in enumerate(hosts, start=1):
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
        peer.host(address, s.host if s else HostScript())
        sockets.append(ns.listen(address, 25))
    return sockets


def message(s: Scenario, extra_headers: str = "") -> str:
    return (f"From: <{SENDER}>\nTo: <{s.recipient}>\nSubject: bouncewatch real-MTA test {s.name}\n"
            f"Message-ID: <{s.message_id}>\n{extra_headers}\nScenario {s.name}.\n")


@dataclass
class Run:
    """A finished run: the log the MTA wrote, and what our pipeline made of it."""

    lines: list[str]
    events: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    peer: Peer
    dns_queries: list[tuple[str, int]]
    seconds: float
    init_pid: int
    base: Path
    extra: dict[str, Any] = field(default_factory=dict)


def classify(lines: list[str], classifier: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Every line through bouncewatch's pipeline (``--mta auto``, ``--all``):
    events per recipient, in log order, and the pipeline's counters."""
    from bouncewatch.plugin.pipeline import Pipeline

    pipeline = Pipeline(classifier, include_sent=True)
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        for ev in pipeline.feed(line):
            events[ev["recipient"]].append(ev)
    return dict(events), dict(pipeline.counts)


def unpacked_or_skip(package: str, available: Callable[[Path, str], str | None],
                     libraries: tuple[str, ...] = ()) -> tuple[Path, str]:
    """The unpacked tree of ``package`` and the LD_LIBRARY_PATH of the
    ``libraries`` it needs, or pytest.skip with the reason it cannot run
    here (not root, package not fetchable, a library missing)."""
    import pytest

    if os.geteuid() != 0:
        pytest.skip("real-MTA test needs root (network/mount namespaces, the MTA's own account)")
    try:
        tree = debs.unpacked(package)
        library_path = debs.library_path(*libraries)
    except debs.PackageUnavailable as e:
        pytest.skip(f"cannot fetch Debian's {package} package or its libraries: {e}")
    why = available(tree, library_path)
    if why:
        pytest.skip(why)
    return tree, library_path


def keep_log(mta: str, text: str) -> None:
    """``BOUNCEWATCH_REALMTA_LOG=DIR`` keeps each MTA's log as DIR/<mta>.log,
    to read what it really wrote."""
    keep = os.environ.get("BOUNCEWATCH_REALMTA_LOG")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{mta}.log").write_text(text)


class World:
    """The namespace with the DNS stub and the scripted peer serving the
    scenario table: ``with World() as w: ... w.ns, w.dns, w.peer``. Leaving
    it stops both and closes the namespace (every process in it dies).
    start() raises netns.NamespaceUnavailable when namespaces cannot be made."""

    def __init__(self, scenarios: list[Scenario] = SCENARIOS) -> None:
        self.scenarios = scenarios
        self.ns = Namespace()
        self.peer = Peer()
        self.dns: DnsStub | None = None
        self.init_pid: int | None = None

    def __enter__(self) -> "World":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self.ns.start()
        self.init_pid = self.ns.init_pid
        try:
            self.dns = DnsStub(self.ns.listen(NAMESERVER, 53, type=socket.SOCK_DGRAM)).start()
            self.peer.serve(zone(self.dns, self.peer, self.ns, self.scenarios))
        except BaseException:
            self.close()
            raise

    def start_or_skip(self) -> "World":
        """start(), or pytest.skip when this machine cannot make namespaces."""
        import pytest

        try:
            self.start()
        except NamespaceUnavailable as e:
            pytest.skip(f"network namespaces unavailable: {e}")
        return self

    def close(self) -> None:
        try:
            self.peer.stop()
            if self.dns is not None:
                self.dns.stop()
        finally:
            self.ns.close()

    @property
    def dns_queries(self) -> list[tuple[str, int]]:
        return list(self.dns.queries) if self.dns is not None else []
