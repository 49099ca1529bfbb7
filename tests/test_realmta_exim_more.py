"""Debian's real Exim 4.96 in situations the shared scenario table
(realmta/scenarios.py: one recipient per message, remote SMTP only) does not
drive, as an Exim admin's main log shows them: several recipients of one
message at one domain, answered differently at RCPT TO or all at once after
the data; redirect items (``:fail:``, ``:defer:``, ``:blackhole:``, a
forward); local deliveries (a full mailbox, a directory Exim may not write,
a local user that does not exist); an operator's ``exim -Mrm`` and
``exim -Mg`` of deferred messages, and ``-Mrm`` of one a system filter
froze before any attempt; a bounce that cannot be delivered (frozen);
delay warnings; and failures logged with Debian's default ``log_selector``
(its exim4-config's MAIN_LOG_SELECTOR), whose plain forms have no ``F=``
``QT=`` ``DT=`` nor port.

Two Exim instances run side by side in one namespace against one scripted
peer and DNS stub (one module fixture): ``full`` with the shared table's
``log_selector``, routers and transports of its own and delay warnings
after 4 s; ``plain`` with Debian's selector and failed bounces frozen
(Exim's default). The lines Exim wrote are quoted where a test learns from
them.

Needs root and Debian's exim4-daemon-light (plus libidn12); skips with the
reason otherwise. About 10 s.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from realmta import checks
from realmta.exim import DEBIAN_LOG_SELECTOR, LIBRARIES, PACKAGE, EximInstance, available
from realmta.peer import HostScript, RecipientScript
from realmta.scenarios import (NAMESERVER, SENDER, Expect, Run, Scenario, World, classify, keep_log,
                               unpacked_or_skip)

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

PHASE_TIMEOUT = 30.0

USER_UNKNOWN = "550 5.1.1 <{}>: Recipient address rejected: User unknown in virtual mailbox table"
MAILBOX_FULL = "452 4.2.2 <{}>: Recipient address rejected: Mailbox full"
SPAM = "554 5.7.1 Message rejected as spam by Content Filtering"
GREYLISTED_DATA = "451 4.7.1 Greylisting in action, please come back later"


def _addr(local: str, name: str) -> str:
    return f"{local}@{Scenario(name).domain}"


# -- the full instance's remote domains ------------------------------------------------
SEVERAL = "several_rcpts"              # one message, three recipients: 250, 550, 452 at RCPT TO
DATA_REFUSED = "data_refused"          # two recipients, 554 after end of data
DATA_DEFERRED = "data_deferred"        # two recipients, 451 after end of data
FORWARD_TARGET = "forward_target"      # where fwd@alias.test is redirected to: 550 at RCPT TO
TO_REMOVE = "to_remove"                # two recipients deferred (452), then exim -Mrm
TO_CANCEL = "to_cancel"                # deferred (452), then exim -Mg
HELD = "held"                          # frozen by the system filter before any attempt, then exim -Mrm
# -- the plain (Debian's log_selector) instance's -----------------------------------------
PLAIN_UNKNOWN = "plain_unknown"
PLAIN_FULL = "plain_full"
PLAIN_SPAM = "plain_spam"
PLAIN_REFUSED = "plain_refused"
SENDER_GONE = "sender_gone"            # the sender of a message whose bounce cannot be delivered

SCENARIOS = [
    Scenario(SEVERAL),
    Scenario(DATA_REFUSED, HostScript(data=(SPAM,))),
    Scenario(DATA_DEFERRED, HostScript(data=(GREYLISTED_DATA,))),
    Scenario(FORWARD_TARGET, HostScript(rcpt=(USER_UNKNOWN.format(_addr("moved", FORWARD_TARGET)),))),
    Scenario(TO_REMOVE, HostScript(rcpt=("452 4.2.2 Recipient address rejected: Mailbox full",))),
    Scenario(TO_CANCEL, HostScript(rcpt=(MAILBOX_FULL.format(_addr("rcpt", TO_CANCEL)),))),
    Scenario(HELD),
    Scenario(PLAIN_UNKNOWN, HostScript(rcpt=("550 5.1.1 Recipient address rejected: User unknown",))),
    Scenario(PLAIN_FULL, HostScript(rcpt=(MAILBOX_FULL.format(_addr("rcpt", PLAIN_FULL)),))),
    Scenario(PLAIN_SPAM, HostScript(data=(SPAM,))),
    Scenario(PLAIN_REFUSED, dns="refused"),
    Scenario(SENDER_GONE, HostScript(rcpt=(USER_UNKNOWN.format(_addr("rcpt", SENDER_GONE)),))),
]
RECIPIENT_SCRIPTS = {   # the rest of several-rcpts.test is accepted
    _addr("gone", SEVERAL): RecipientScript(rcpt=(USER_UNKNOWN.format(_addr("gone", SEVERAL)),)),
    _addr("full", SEVERAL): RecipientScript(rcpt=(MAILBOX_FULL.format(_addr("full", SEVERAL)),)),
}

ALIASES = "alias.test"   # redirect routers
LOCAL = "local.test"     # appendfile deliveries (local parts quota and readonly; any other has no router)
ROUTERS = f"""\
alias_fail:
  driver = redirect
  domains = {ALIASES}
  local_parts = left
  allow_fail
  data = :fail: This person left the company
alias_defer:
  driver = redirect
  domains = {ALIASES}
  local_parts = moving
  allow_defer
  data = :defer: Mailbox is being migrated, try later
alias_blackhole:
  driver = redirect
  domains = {ALIASES}
  local_parts = devnull
  data = :blackhole:
alias_forward:
  driver = redirect
  domains = {ALIASES}
  local_parts = fwd
  data = {_addr("moved", FORWARD_TARGET)}
local_quota:
  driver = accept
  domains = {LOCAL}
  local_parts = quota
  transport = quota_delivery
local_readonly:
  driver = accept
  domains = {LOCAL}
  local_parts = readonly
  transport = readonly_delivery
"""
# File names are fixed: one built from $local_part is tainted, and Exim 4.96 defers it.
TRANSPORTS = """\
quota_delivery:
  driver = appendfile
  file = @BASE@/mail/quota
  user = Debian-exim
  quota = 10
readonly_delivery:
  driver = appendfile
  file = @BASE@/readonly/readonly
  user = Debian-exim
"""

# The system filter freezes one message before any delivery attempt.
FILTER = """\
# Exim filter
if $h_subject: contains "more held" then freeze "held for review" endif
"""

# Messages, by Message-ID local part: their recipients.
FULL_MESSAGES = {
    "several": [_addr(x, SEVERAL) for x in ("ok", "gone", "full")],
    "data-refused": [_addr(x, DATA_REFUSED) for x in ("a", "b")],
    "data-deferred": [_addr(x, DATA_DEFERRED) for x in ("a", "b")],
    "redirects": [f"{x}@{ALIASES}" for x in ("left", "moving", "devnull", "fwd")],
    "local": [f"{x}@{LOCAL}" for x in ("quota", "readonly", "nobody")],
    "to-remove": [_addr(x, TO_REMOVE) for x in ("rcpt", "second")],
    "to-cancel": [_addr("rcpt", TO_CANCEL)],
    "held": [_addr("rcpt", HELD)],
}
PLAIN_MESSAGES = {"plain": [_addr("rcpt", x) for x in (PLAIN_UNKNOWN, PLAIN_FULL, PLAIN_SPAM, PLAIN_REFUSED)]}
FROZEN_SENDER = _addr("rcpt", SENDER_GONE)
FROZEN_RCPT = _addr("other", PLAIN_UNKNOWN)
MESSAGE_OF = {r: mid for msgs in (FULL_MESSAGES, PLAIN_MESSAGES) for mid, rs in msgs.items() for r in rs}
MESSAGE_OF[FROZEN_RCPT] = "bounce-frozen"

# What each recipient's first event must be, per instance. Exim logs no dsn of
# its own: ``dsn`` is the reply's enhanced code, None without a reply.
EXPECT: dict[str, dict[str, Expect]] = {
    "full": {
        # 1xVsIh-00000G-1r => ok@several-rcpts.test F=<bounces@sender.test> P=<bounces@sender.test> R=remote
        #   T=remote_smtp S=419 H=mx.several-rcpts.test [127.0.1.2]:25 C="250 2.0.0 Ok: queued as PEER"
        #   QT=0.771s DT=0.050s
        # 1xVsIh-00000G-1r ** gone@several-rcpts.test F=<...> P=<...> R=remote T=remote_smtp H=mx.several-rcpts.test
        #   [127.0.1.2]:25: SMTP error from remote mail server after RCPT TO:<gone@several-rcpts.test>:
        #   550 5.1.1 ... DT=0.000s
        # 1xVsIh-00000G-1r == full@several-rcpts.test R=remote T=remote_smtp defer (-44) H=mx.several-rcpts.test
        #   [127.0.1.2]:25 DT=0.000s: SMTP error from remote mail server after RCPT TO:<full@several-rcpts.test>:
        #   452 4.2.2 ...
        _addr("ok", SEVERAL): Expect("sent", None, "delivered", "none", None, "250 2.0.0 Ok: queued as PEER"),
        _addr("gone", SEVERAL): Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "<gone@several-rcpts"),
        _addr("full", SEVERAL): Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "<full@several-rcpts"),
        # One reply after the data, one line per recipient with the same text:
        # 1xVsIh-00000H-1v ** a@data-refused.test F=<...> P=<...> R=remote T=remote_smtp H=mx.data-refused.test
        #   [127.0.1.3]:25: SMTP error from remote mail server after end of data: 554 5.7.1 Message rejected as spam
        #   by Content Filtering DT=0.053s
        # (and the same for b@); a 4xx there is one message-level line, then a line per recipient:
        # 1xVsIh-00000I-1y H=mx.data-deferred.test [127.0.1.4]:25: SMTP error from remote mail server after end of
        #   data: 451 4.7.1 Greylisting in action, please come back later
        # 1xVsIh-00000I-1y == a@data-deferred.test R=remote T=remote_smtp defer (-46) H=mx.data-deferred.test
        #   [127.0.1.4]:25 DT=0.046s: SMTP error from remote mail server after end of data: 451 4.7.1 Greylisting ...
        _addr("a", DATA_REFUSED): Expect("bounced", "5.7.1", "spam_content", "other", "END OF DATA", "as spam"),
        _addr("b", DATA_REFUSED): Expect("bounced", "5.7.1", "spam_content", "other", "END OF DATA", "as spam"),
        _addr("a", DATA_DEFERRED): Expect("deferred", "4.7.1", "greylisted", "soft", "END OF DATA", "Greylisting"),
        _addr("b", DATA_DEFERRED): Expect("deferred", "4.7.1", "greylisted", "soft", "END OF DATA", "Greylisting"),
        # 1xVsIh-00000J-21 ** left@alias.test F=<bounces@sender.test> R=alias_fail: This person left the company
        #   DT=0.000s
        f"left@{ALIASES}": Expect("bounced", None, "general_bounce", "other", None,
                                  "This person left the company"),
        # 1xVsIh-00000J-21 == moving@alias.test R=alias_defer defer (-1) DT=0.000s: Mailbox is being migrated, try later
        f"moving@{ALIASES}": Expect("deferred", None, "soft_general", "soft", None, "Mailbox is being migrated"),
        # 1xVsIh-00000J-21 => :blackhole: <devnull@alias.test> R=alias_blackhole
        ":blackhole:": Expect("sent", None, "delivered", "none", None, ""),
        # 1xVsIh-00000J-21 ** moved@forward-target.test <fwd@alias.test> F=<...> P=<...> R=remote T=remote_smtp
        #   H=mx.forward-target.test [127.0.1.5]:25: SMTP error ... after RCPT TO:<moved@forward-target.test>:
        #   550 5.1.1 ...
        _addr("moved", FORWARD_TARGET): Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "User unknown"),
        # 1xVsJi-00000L-1R == quota@local.test R=local_quota T=quota_delivery defer (-22) DT=0.004s: mailbox is full
        #   (MTA-imposed quota exceeded while writing to /tmp/bw-exim-ffs3601q/mail/quota)
        f"quota@{LOCAL}": Expect("deferred", None, "mailbox_full", "soft", None, "mailbox is full (MTA-imposed quota"),
        # 1xVsJi-00000L-1R == readonly@local.test R=local_readonly T=readonly_delivery defer (13): Permission denied
        #   DT=0.001s: creating lock file hitching post /tmp/bw-exim-.../readonly/readonly.lock.mta...
        #   (euid=200 egid=200)
        #   our own mail store failing, as Postfix's local(8) failures read (own-mail-store)
        f"readonly@{LOCAL}": Expect("deferred", None, "routing_error", "other", None,
                                    "Permission denied: creating lock file hitching post"),
        # 1xVsJi-00000L-1R ** nobody@local.test F=<bounces@sender.test>: Unrouteable address DT=0.000s
        # A local part no router takes in a local domain, in the very words of an NXDOMAIN domain:
        # DESIGN.md's taxonomy names "unrouteable address" bad_domain (hard, suppress, as bad_mailbox
        # is); only the configuration's local_domains could tell the two apart.
        f"nobody@{LOCAL}": Expect("bounced", None, "bad_domain", "hard", None, "Unrouteable address"),
        # exim -Mrm / -Mg after the first deferral (see test_operator_*)
        _addr("rcpt", TO_REMOVE): Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full",
                                         then=("removed", "removed_by_admin")),
        _addr("second", TO_REMOVE): Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full",
                                           then=("removed", "removed_by_admin")),
        _addr("rcpt", TO_CANCEL): Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full",
                                         then=("removed", "removed_by_admin")),
    },
    # Debian's log_selector: no F=, P=, S=, QT=, DT=, port, pid, milliseconds.
    # 2026-11-24 15:19:20 1xVsIh-00000N-2F ** rcpt@plain-unknown.test R=remote T=remote_smtp
    #   H=mx.plain-unknown.test [127.0.1.8]: SMTP error from remote mail server after RCPT TO:<rcpt@plain-unknown.test>:
    #   550 5.1.1 ...
    # 2026-11-24 15:19:20 1xVsIh-00000N-2F == rcpt@plain-refused.test R=remote T=remote_smtp defer (111):
    #   Connection refused
    "plain": {
        _addr("rcpt", PLAIN_UNKNOWN): Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "User unknown"),
        _addr("rcpt", PLAIN_FULL): Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full"),
        _addr("rcpt", PLAIN_SPAM): Expect("bounced", "5.7.1", "spam_content", "other", "END OF DATA", "as spam"),
        _addr("rcpt", PLAIN_REFUSED): Expect("deferred", None, "unable_to_connect", "soft", None,
                                             "Connection refused"),
        FROZEN_RCPT: Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO", "User unknown"),
    },
}

# Judgement calls the real log raised (strict xfail: a change makes them fail
# until removed from here). Each names the line and what is questionable.
KNOWN_WRONG: dict[tuple[str, str], tuple[Expect, str]] = {}


def _first_event_cases() -> list:
    out = []
    for mta, table in EXPECT.items():
        for rcpt, e in table.items():
            marks = []
            if (mta, rcpt) in KNOWN_WRONG:
                e, why = KNOWN_WRONG[(mta, rcpt)]
                marks = [pytest.mark.xfail(strict=True, reason=why)]
            out.append(pytest.param(mta, rcpt, e, id=f"{mta}-{rcpt}", marks=marks))
    return out


# -- the run -----------------------------------------------------------------------------
def _message(rcpts: list[str], mid: str, sender: str = SENDER) -> str:
    return (f"From: <{sender}>\nTo: {', '.join(rcpts)}\nSubject: bouncewatch real-MTA more {mid}\n"
            f"Message-ID: <{mid}@bouncewatch.test>\n\nSituation {mid}.\n")


def _bounces(lines: list[str]) -> dict[str, str]:
    """Exim's bounce messages (not its delay warnings, which arrive as
    ``<= <> R=parent`` too, with ``T="Warning: message ... delayed ..."``):
    bounce id -> the id of the message it returns."""
    out = {}
    for x in lines:
        if " <= <> R=" in x and 'T="Warning: ' not in x:
            head, rest = x.split(" <= <> R=", 1)
            out[head.rsplit(" ", 1)[1]] = rest.split()[0]
    return out


def _missing(lines: list[str], needles: list[str], returned: int) -> list[str]:
    out = [n.strip() for n in needles if not any(n in x for x in lines)]
    got = sum(any(f" {b} => {SENDER} " in x for x in lines) for b in _bounces(lines))
    # every message from <> (bounce or warning) delivered or failed, not in flight
    dsns = [x.split(" <= <> ", 1)[0].rsplit(" ", 1)[1] for x in lines if " <= <> " in x]
    out += [f"{q} (from <>) delivered" for q in dsns
            if not any(f" {q} => " in x or f" {q} ** " in x for x in lines)]
    return out + ([f"{returned - got} bounces to {SENDER}"] if got < returned else [])


# Lines each instance must have written before its log is read.
FULL_WANTED = [
    f" => {_addr('ok', SEVERAL)} ", f" ** {_addr('gone', SEVERAL)} ", f" == {_addr('full', SEVERAL)} ",
    f" ** {_addr('a', DATA_REFUSED)} ", f" ** {_addr('b', DATA_REFUSED)} ",
    f" == {_addr('a', DATA_DEFERRED)} ", f" == {_addr('b', DATA_DEFERRED)} ",
    f" ** left@{ALIASES} ", f" == moving@{ALIASES} ", f" => :blackhole: <devnull@{ALIASES}> ",
    f" ** {_addr('moved', FORWARD_TARGET)} <fwd@{ALIASES}> ",
    f" ** nobody@{LOCAL}", f" == quota@{LOCAL} R=", f" == readonly@{LOCAL} R=",
    f" == quota@{LOCAL} R=local_quota T=quota_delivery defer (-53) ",
    " removed by root", " cancelled by root", " Frozen by the system filter: held for review",
    ' T="Warning: message ']
FULL_RETURNED = 5   # several, data-refused, redirects, local, to-cancel
PLAIN_WANTED = [f" ** {_addr('rcpt', PLAIN_UNKNOWN)} ", f" == {_addr('rcpt', PLAIN_FULL)} ",
                f" ** {_addr('rcpt', PLAIN_SPAM)} ", f" == {_addr('rcpt', PLAIN_REFUSED)} ",
                f" ** {FROZEN_SENDER} ", " Frozen (delivery error message)", " Message is frozen",
                " retry time not reached"]
PLAIN_RETURNED = 1  # plain


@pytest.fixture(scope="module")
def runs(classifier) -> dict[str, Run]:
    tree, library_path = unpacked_or_skip(PACKAGE, available, LIBRARIES)
    started = time.monotonic()
    world = World(scenarios=SCENARIOS)
    for rcpt, script in RECIPIENT_SCRIPTS.items():
        world.peer.recipient(rcpt, script)
    world.start_or_skip()
    logs: dict[str, tuple[list[str], Path, str, dict[str, str]]] = {}
    try:
        full = EximInstance(world.ns, tree, nameserver=NAMESERVER, library_path=library_path,
                            local_domains=(ALIASES, LOCAL), routers=ROUTERS, transports=TRANSPORTS,
                            delay_warning="4s", main_options="system_filter = @BASE@/filter\n")
        plain = EximInstance(world.ns, tree, nameserver=NAMESERVER, library_path=library_path,
                             log_selector=DEBIAN_LOG_SELECTOR, freeze_failed_bounces=True)
        try:
            (full.base / "mail").mkdir()
            (full.base / "mail").chmod(0o1777)       # the quota transport may write there
            (full.base / "readonly").mkdir(mode=0o755)  # root's: the exim user may not
            (full.base / "filter").write_text(FILTER)
            (full.base / "filter").chmod(0o644)
            full.start()
            plain.start()
            for mid, rcpts in FULL_MESSAGES.items():
                full.submit(SENDER, rcpts, _message(rcpts, mid))
            for mid, rcpts in PLAIN_MESSAGES.items():
                plain.submit(SENDER, rcpts, _message(rcpts, mid))
            plain.submit(FROZEN_SENDER, [FROZEN_RCPT], _message([FROZEN_RCPT], "bounce-frozen", FROZEN_SENDER))
            operated = {}
            for mid, op, after in (("to-remove", "-Mrm", f" == {FULL_MESSAGES['to-remove'][-1]} "),
                                   ("to-cancel", "-Mg", f" == {FULL_MESSAGES['to-cancel'][-1]} "),
                                   ("held", "-Mrm", " Frozen by the system filter: ")):
                full.wait_for(lambda lines: any(after in x for x in lines), PHASE_TIMEOUT, after.strip())
                qid = full.message_id_of(f"{mid}@bouncewatch.test")
                assert qid
                full.exim_command(op, qid)
                operated[mid] = qid
            for ex, wanted, returned in ((full, FULL_WANTED, FULL_RETURNED), (plain, PLAIN_WANTED, PLAIN_RETURNED)):
                ex.wait_for(lambda lines: not _missing(lines, wanted, returned), PHASE_TIMEOUT,
                            "every situation's line",
                            missing=lambda lines: ", ".join(_missing(lines, wanted, returned)))
            for name, ex in (("full", full), ("plain", plain)):
                logs[name] = (ex.log_lines(), ex.base, ex.panic_text(), operated if name == "full" else {})
        finally:
            keep_log("exim-more-full", full.log_text())
            keep_log("exim-more-plain", plain.log_text())
            full.close()
            plain.close()
    finally:
        world.close()
    seconds = time.monotonic() - started
    out = {}
    for name, (lines, base, panic, operated) in logs.items():
        events, counts = classify(lines, classifier)
        out[name] = Run(lines, events, counts, world.peer, world.dns_queries, seconds, world.init_pid, base,
                        extra={"panic": panic, "operated": operated})
    return out


def _first(run: Run, rcpt: str) -> dict[str, Any]:
    evs = run.events.get(rcpt)
    assert evs, f"no event for {rcpt}; lines naming it:\n" + "\n".join(x for x in run.lines if rcpt in x)
    return evs[0]


# -- each recipient's first event ---------------------------------------------------------
@pytest.mark.parametrize("mta,rcpt,e", _first_event_cases())
def test_first_event(runs: dict[str, Run], mta: str, rcpt: str, e: Expect) -> None:
    run = runs[mta]
    ev = _first(run, rcpt)
    got = {"status": ev["status"], "dsn": ev["dsn"], "category": ev["classification"]["category"],
           "type": ev["classification"]["type"], "smtp_command": ev["smtp_command"]}
    want = {"status": e.status, "dsn": e.dsn, "category": e.category, "type": e.type, "smtp_command": e.command}
    assert got == want, f"reason {ev['reason']!r}; its lines:\n" + "\n".join(
        x for x in run.lines if ev["queue_id"] in x)
    assert e.reason_has in ev["reason"] and " DT=" not in ev["reason"]
    # sender, size and Message-ID come from the arrival line (<=) by correlation
    mid = MESSAGE_OF.get(rcpt, "redirects")
    arrival = next(x for x in run.lines if f" id={mid}@bouncewatch.test" in x)
    assert ev["queue_id"] and f" {ev['queue_id']} <= " in arrival
    assert ev["message_id"] == f"{mid}@bouncewatch.test"
    assert ev["sender"] == (FROZEN_SENDER if rcpt == FROZEN_RCPT else SENDER)
    # a delivery line's own S= (+delivery_size: the bytes sent, with our Received: header) wins over <='s
    own = next((x for x in run.lines if f" {ev['queue_id']} => {rcpt} " in x and " S=" in x), arrival)
    assert ev["size"] == int(own.split(" S=", 1)[1].split()[0])
    assert ev["mta"] == "exim" and ev["bounce_of"] is None


@pytest.mark.parametrize("mta,rcpt", [(m, r) for m, t in EXPECT.items() for r, e in t.items() if e.then])
def test_last_event(runs: dict[str, Run], mta: str, rcpt: str) -> None:
    ev = runs[mta].events[rcpt][-1]
    assert (ev["status"], ev["classification"]["category"]) == EXPECT[mta][rcpt].then, ev["reason"]


# -- what only several recipients, redirects and local deliveries show --------------------
def test_one_message_several_recipients_at_one_domain(runs: dict[str, Run]) -> None:
    """One SMTP transaction, three RCPT TOs answered 250, 550, 452: three
    lines of one message, each with its own reply; the same relay and queue id."""
    run = runs["full"]
    evs = [_first(run, r) for r in FULL_MESSAGES["several"]]
    assert len({e["queue_id"] for e in evs}) == 1
    assert all(e["relay"] == {"host": f"mx.{Scenario(SEVERAL).domain}", "ip": evs[0]["relay"]["ip"], "port": 25}
               for e in evs)
    for e in evs[1:]:
        assert f"RCPT TO:<{e['recipient']}>" in e["reason"] and e["delay"] == 0.0
    assert evs[0]["delay"] > 0   # DT= of the delivery, before C= ... QT=: the delivery's own time
    asked = {x.argument.lower() for x in run.peer.exchanges("RCPT") if x.argument}
    assert set(FULL_MESSAGES["several"]) <= asked


def test_a_reply_after_data_fails_every_recipient(runs: dict[str, Run]) -> None:
    """A 554 after end of data bounces each recipient of the transaction, a
    451 defers each; the lines share the reply and DT=, and the 451's
    message-level line (``1xVsIh-00000I-1y H=mx.data-deferred.test
    [127.0.1.4]:25: SMTP error ...``, no flag) is not an event of its own."""
    run = runs["full"]
    for domain, status in ((DATA_REFUSED, "bounced"), (DATA_DEFERRED, "deferred")):
        a, b = (_first(run, _addr(x, domain)) for x in ("a", "b"))
        assert a["status"] == b["status"] == status
        assert a["reason"] == b["reason"] and a["delay"] == b["delay"] > 0 and a["queue_id"] == b["queue_id"]
        assert run.events[_addr("a", domain)][0]["relay"]["host"] == f"mx.{Scenario(domain).domain}"
    flagless = [x for x in run.lines if " H=mx.data-deferred.test " in x and " == " not in x]
    assert flagless
    assert all(len(run.events[_addr(x, DATA_DEFERRED)]) == sum(f" == {_addr(x, DATA_DEFERRED)} " in y
                                                                for y in run.lines) for x in ("a", "b"))


def test_redirects_name_the_address_they_came_from(runs: dict[str, Run]) -> None:
    """``:fail:`` and ``:defer:`` texts are the reasons (their DT= is not);
    ``:blackhole:`` is a delivery to ``:blackhole:`` from devnull@, a
    forward's failure names the forwarding address (+all_parents)."""
    run = runs["full"]
    left = _first(run, f"left@{ALIASES}")
    assert (left["reason"], left["delay"], left["orig_recipient"]) == ("This person left the company", 0.0, None)
    hole = _first(run, ":blackhole:")
    assert hole["orig_recipient"] == f"devnull@{ALIASES}" and hole["sender"] == SENDER
    assert f"devnull@{ALIASES}" not in run.events
    fwd = _first(run, _addr("moved", FORWARD_TARGET))
    assert fwd["orig_recipient"] == f"fwd@{ALIASES}"
    assert fwd["relay"]["host"] == f"mx.{Scenario(FORWARD_TARGET).domain}"
    moving = _first(run, f"moving@{ALIASES}")
    assert moving["reason"] == "Mailbox is being migrated, try later" and moving["delay"] == 0.0


def test_local_delivery_failures(runs: dict[str, Run]) -> None:
    """appendfile's own words: the quota's ``mailbox is full``; a positive
    errno's text with +deliver_time's DT= between it and the message."""
    run = runs["full"]
    readonly = _first(run, f"readonly@{LOCAL}")
    assert readonly["reason"].startswith("Permission denied: creating lock file hitching post ")
    assert readonly["delay"] is not None and readonly["relay"] is None
    quota = _first(run, f"quota@{LOCAL}")
    assert quota["delay"] is not None and quota["relay"] is None


def test_a_local_transports_retry_time_keeps_the_cause(runs: dict[str, Run]) -> None:
    """``== quota@local.test R=local_quota T=quota_delivery defer (-53) DT=0.000s:
    Retry time not yet reached``: a local transport's words for what a router
    or the smtp transport call ``retry time not reached``; it carries the
    cause of the failure before it."""
    evs = runs["full"].events[f"quota@{LOCAL}"]
    later = [e for e in evs if e["reason"] == "Retry time not yet reached"]
    assert later
    for e in later:
        assert (e["classification"]["category"], e["classification"]["cause"]) == ("soft_general", "mailbox_full")


# -- the operator -------------------------------------------------------------------------
def test_operator_removal_ends_every_pending_recipient(runs: dict[str, Run]) -> None:
    """``exim -Mrm``: ``1xVsIh-00000L-28 removed by root`` then ``Completed``;
    each recipient still pending gets its removed event, with the deferrals
    counted, and no bounce is sent."""
    run = runs["full"]
    qid = run.extra["operated"]["to-remove"]
    removed = [e for r in FULL_MESSAGES["to-remove"] for e in run.events[r] if e["status"] == "removed"]
    assert len(removed) == 2 and {e["queue_id"] for e in removed} == {qid}
    assert all(e["reason"] == "removed by root" and e["attempt"] >= 1 for e in removed)
    assert all(e["message_id"] == "to-remove@bouncewatch.test" and e["sender"] == SENDER for e in removed)
    assert qid not in _bounces(run.lines).values()


def test_operator_cancel_returns_the_message(runs: dict[str, Run]) -> None:
    """``exim -Mg``: ``1xVsIh-00000M-2B cancelled by root``, no ``**`` line
    for the recipient, and a bounce (``<= <> R=1xVsIh-00000M-2B``) to the
    sender: one removed event, and the bounce's delivery names its message."""
    run = runs["full"]
    qid = run.extra["operated"]["to-cancel"]
    rcpt = FULL_MESSAGES["to-cancel"][0]
    assert not any(f" ** {rcpt} " in x for x in run.lines)
    assert [e["reason"] for e in run.events[rcpt] if e["status"] == "removed"] == ["cancelled by root"]
    bounce = [b for b, parent in _bounces(run.lines).items() if parent == qid]
    assert len(bounce) == 1
    returned = [e for e in run.events[SENDER] if e["queue_id"] == bounce[0]]
    assert [(e["status"], e["sender"], e["bounce_of"]) for e in returned] == [("sent", "", qid)]


def test_delay_warnings_are_linked_like_bounces(runs: dict[str, Run]) -> None:
    """delay_warning: Exim's warning to the sender arrives as a bounce does,
    from <> with the message it reports on:

        1xVsOu-00001D-0c <= <> R=1xVsOq-00000N-2g U=Debian-exim P=local S=2180
            T="Warning: message 1xVsOq-00000N-2g delayed 0 minutes" for bounces@sender.test

    so its delivery carries ``bounce_of`` as Sendmail's ``DSN: Warning: ...``
    link does; only +subject's T= tells a warning from a bounce."""
    run = runs["full"]
    warnings = {}
    for x in run.lines:
        if ' T="Warning: message ' in x:
            head, rest = x.split(" <= <> R=", 1)
            warnings[head.rsplit(" ", 1)[1]] = rest.split()[0]
    assert warnings
    delivered = [e for e in run.events[SENDER] if e["queue_id"] in warnings]
    assert delivered and all((e["status"], e["sender"], e["bounce_of"]) == ("sent", "", warnings[e["queue_id"]])
                             for e in delivered)


def _held_events(run: Run) -> list[dict[str, Any]]:
    return [e for evs in run.events.values() for e in evs if e["message_id"] == "held@bouncewatch.test"]


def test_message_frozen_before_any_attempt_then_removed(runs: dict[str, Run]) -> None:
    """A system filter freezes a message before any delivery, the operator
    removes it:

        1xVsZh-00000P-0H <= bounces@sender.test U=root P=local S=359 id=held@bouncewatch.test
            T="bouncewatch real-MTA more held" for rcpt@held.test
        1xVsZh-00000P-0H Frozen by the system filter: held for review
        1xVsZh-00000P-0H removed by root

    one frozen and one removed event, with the arrival's sender and size."""
    run = runs["full"]
    evs = _held_events(run)
    assert [(e["status"], e["reason"]) for e in evs] == [
        ("frozen", "Frozen by the system filter: held for review"), ("removed", "removed by root")]
    arrival = next(x for x in run.lines if " id=held@bouncewatch.test " in x)
    size = int(arrival.split(" S=", 1)[1].split()[0])
    assert all((e["sender"], e["size"], e["queue_id"]) == (SENDER, size, run.extra["operated"]["held"])
               for e in evs)
    assert evs[1]["classification"]["category"] == "removed_by_admin"


def test_message_frozen_before_any_attempt_names_its_recipient(runs: dict[str, Run]) -> None:
    assert [e["recipient"] for e in _held_events(runs["full"])] == [_addr("rcpt", HELD)] * 2


# -- Debian's log_selector, and a bounce that cannot be delivered -------------------
def test_default_selector_forms(runs: dict[str, Run]) -> None:
    """Debian's ``+smtp_protocol_error +smtp_syntax_error
    +tls_certificate_verified +tls_peerdn``, without +outgoing_port,
    +deliver_time, +sender_on_delivery: no port, no delay, the sender from
    the arrival line only."""
    run = runs["plain"]
    assert not any(" DT=" in x or " F=<" in x or "]:25" in x for x in run.lines)
    for rcpt in PLAIN_MESSAGES["plain"]:
        ev = _first(run, rcpt)
        assert ev["delay"] is None and (ev["relay"] is None or ev["relay"]["port"] is None)
    unknown = _first(run, _addr("rcpt", PLAIN_UNKNOWN))
    assert unknown["relay"]["host"] == f"mx.{Scenario(PLAIN_UNKNOWN).domain}"


def test_undeliverable_bounce_is_frozen(runs: dict[str, Run]) -> None:
    """The bounce to a sender whose server refuses it is frozen (Exim's
    default ignore_bounce_errors_after):

        1xVsIi-00000l-0Z <= <> R=1xVsIh-00000O-2I U=Debian-exim P=local S=2076
        1xVsIi-00000l-0Z ** rcpt@sender-gone.test R=remote T=remote_smtp H=mx.sender-gone.test [127.0.1.12]:
            SMTP error from remote mail server after RCPT TO:<rcpt@sender-gone.test>: 550 5.1.1 ...
        1xVsIi-00000l-0Z Frozen (delivery error message)
        1xVsIi-00000l-0Z Message is frozen          (each later queue run)

    The bounce's failure is a bounced event from <> naming its message; the
    freeze, which names no recipient and follows that final line, is one
    frozen event without a recipient; the per-run notice adds none."""
    run = runs["plain"]
    original = _first(run, FROZEN_RCPT)["queue_id"]
    failed = _first(run, FROZEN_SENDER)
    assert (failed["status"], failed["sender"], failed["bounce_of"]) == ("bounced", "", original)
    assert failed["classification"]["category"] == "bad_mailbox" and failed["message_id"] is None
    frozen = [e for evs in run.events.values() for e in evs if e["status"] == "frozen"]
    assert len(frozen) == 1 and sum("Message is frozen" in x for x in run.lines) >= 1
    assert (frozen[0]["recipient"], frozen[0]["queue_id"], frozen[0]["bounce_of"], frozen[0]["reason"]) == (
        "", failed["queue_id"], original, "Frozen (delivery error message)")


# -- the logs themselves ---------------------------------------------------------------
@pytest.mark.parametrize("mta", ["full", "plain"])
def test_every_line_has_a_known_envelope(runs: dict[str, Run], mta: str) -> None:
    checks.no_line_skipped(runs[mta])


@pytest.mark.parametrize("mta", ["full", "plain"])
def test_panic_log_holds_only_the_config_notice(runs: dict[str, Run], mta: str) -> None:
    other = [x for x in runs[mta].extra["panic"].splitlines()
             if x.strip() and "exim user lost privilege for using -C option" not in x]
    assert not other, other


@pytest.mark.parametrize("mta", ["full", "plain"])
def test_cli_parse_agrees(runs: dict[str, Run], mta: str, tmp_path: Path) -> None:
    checks.cli_agrees(runs[mta], tmp_path)


@pytest.mark.parametrize("mta", ["full", "plain"])
def test_leaves_nothing_behind(runs: dict[str, Run], mta: str) -> None:
    checks.leaves_nothing_behind(runs[mta])


def test_run_is_bounded(runs: dict[str, Run]) -> None:
    checks.bounded(runs["full"], limit=40)
