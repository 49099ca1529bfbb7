"""Debian's real Sendmail 8.17 in situations the shared scenario table
(realmta/scenarios.py, one recipient per message, mail handed to sm-mta over
SMTP) does not drive: several recipients of one message at one domain
(refused in part at RCPT TO, a recipient limit, a 451 or 554 after the data
for all, forty of them continued with ``[more]``), mailertable routes to a
host that never greets or drops the connection, a message that expires with
one recipient delivered, a delay warning before a late delivery, a local mailer that exits 75 or 1, replies
without an enhanced status code (where Sendmail makes its own dsn= up), the
submission program (``/usr/sbin/sendmail`` with Debian's submit.mc, logging
as ``sendmail[pid]``) with recipients sm-mta refuses (a local user it does
not know, domains our own access map refuses) and with sm-mta stopped, an
alias to a removed account, and a bounce the sender's own address refuses
(the double bounce).

One run (module fixture), as in test_realmta_sendmail.py: every message is
submitted, the log is awaited until each recipient's line is there, the
instance and namespace are closed, and only then do the tests read what
Sendmail wrote to syslog. Each expectation is what Sendmail really logged;
the lines the tests learn from are quoted (queue ids and pids vary).

Needs root and Debian's sendmail-bin, sendmail-cf, m4 (and libwrap0),
unpacked; skips with the reason otherwise.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from realmta import checks, debs
from realmta.peer import DISCONNECT, HostScript, RecipientScript
from realmta.scenarios import (NAMESERVER, SENDER, Expect, Run, Scenario, World, classify, keep_log,
                               unpacked_or_skip)
from realmta.sendmail import (CF_PACKAGE, HOSTNAME, LIBRARIES, M4_PACKAGE, PACKAGE, PROGRAM, SUBMIT_PROGRAM,
                              SendmailInstance, available)

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

PHASE_TIMEOUT = 45.0
LIFETIME = "12s"      # Timeout.queuereturn.non-urgent (Precedence: bulk)
WARN_AFTER = "3s"     # Timeout.queuewarn.urgent (Precedence: special-delivery): the third try is past it
GREETING_WAIT = "3s"  # Timeout.initial: how long sm-mta waits for a silent server's greeting


@dataclass(frozen=True)
class Case:
    """One message: its scenario (domain, peer script), the local parts it
    is sent to at that domain (or whole ``addresses``), and how it is
    submitted: ``smtp`` to sm-mta, or ``msp``, the submission program."""

    scenario: Scenario
    locals: tuple[str, ...] = ("rcpt",)
    addresses: tuple[str, ...] = ()
    via: str = "smtp"       # or "msp", or "msp_down": the submission program once sm-mta is stopped
    bulk: bool = False
    sender: str = SENDER
    urgent: bool = False    # Precedence: special-delivery (Timeout.queuewarn.urgent applies)

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.addresses or tuple(f"{x}@{self.scenario.domain}" for x in self.locals)

    def message(self) -> str:
        bulk = "Precedence: bulk\n" if self.bulk else "Precedence: special-delivery\n" if self.urgent else ""
        return (f"From: <{self.sender}>\nTo: {', '.join(f'<{r}>' for r in self.recipients)}\n"
                f"Subject: bouncewatch real-MTA test {self.name}\nMessage-ID: <{self.scenario.message_id}>\n"
                f"{bulk}\nScenario {self.name}.\n")


MANY = tuple(f"list-member-{n:02d}" for n in range(40))
LOCAL_UNKNOWN = f"nosuchuser@{HOSTNAME}"
GONE_SENDER = "gone@sender.test"          # sender.test's peer refuses it at RCPT TO
DOUBLE_BOUNCE = "postmaster@sender.test"  # confDOUBLE_BOUNCE_ADDRESS
# The local mailer is MDA (below): for daemon it exits 75 (a locked mailbox), for bin 1.
LOCKED = f"daemon@{HOSTNAME}"
BROKEN = f"bin@{HOSTNAME}"
MDA = """#!/bin/sh
for user; do :; done   # the last argument (the local mailer's A= ends in $u)
case "$user" in
daemon) echo "mda: mailbox is locked"; exit 75;;
*) echo "mda: cannot write mailbox"; exit 1;;
esac
"""
RETIRED = f"retired@{HOSTNAME}"
# An alias left pointing at a removed account (sm-mta's local mailer finds no such user).
FORMER = "formeruser"
ALIASES = f"retired: {FORMER}\n"

CASES = [
    # Three recipients at one domain: the peer refuses one at RCPT TO, takes the others.
    Case(Scenario("partial_rcpt"), ("rcpt", "refused", "third")),
    # Two recipients, one 451 after the data for both, then 250 on the retry.
    Case(Scenario("data_defer_all", HostScript(data=("451 4.3.0 Error: queue file write error",
                                                     "250 2.0.0 Ok: queued as PEER"))), ("rcpt", "second")),
    # A quoted local part with a comma and a mixed-case one, one 550 after the data for both.
    Case(Scenario("quoted_rcpt", HostScript(data=("550 5.7.1 Message rejected by policy",))),
         ('"smith, john"', "John.Doe")),
    # Forty recipients, one 550 after the data for all: a to= line longer than syslog takes.
    Case(Scenario("many_rcpt", HostScript(data=("550 5.7.1 Message rejected by policy",))), MANY),
    # Two recipients, a content filter's 554 after the data for both.
    Case(Scenario("data_reject_all", HostScript(data=(
        "554 5.7.0 Reject, id=14231-07 - INFECTED: Eicar-Signature",))), ("rcpt", "second")),
    # mailertable: the domain goes to [mx.<domain>]; it accepts the connection and says nothing.
    Case(Scenario("greeting_timeout", dns="refused")),
    # mailertable: the server drops the connection instead of greeting.
    Case(Scenario("greeting_reset", HostScript(connect=(DISCONNECT,)))),
    # One recipient delivered, one deferred until the message expires.
    Case(Scenario("partial_expiry"), ("rcpt", "full"), bulk=True),
    # The submission program: a remote recipient handed over, then delivered by sm-mta.
    Case(Scenario("msp_remote"), via="msp"),
    # The submission program: a local user sm-mta does not know, and an alias to a removed account.
    Case(Scenario("msp_local_unknown"), addresses=(LOCAL_UNKNOWN,), via="msp"),
    Case(Scenario("msp_alias_gone"), addresses=(RETIRED,), via="msp"),
    # Deferred for longer than Timeout.queuewarn.urgent, then delivered: a delay warning between.
    Case(Scenario("delay_warning", HostScript(rcpt=(
        "451 4.3.0 <rcpt@delay-warning.test>: Temporary lookup failure",) * 3 + ("250 2.1.5 Ok",))), urgent=True),
    # A bounce whose sender's own address is refused too: the double bounce goes to DOUBLE_BOUNCE.
    Case(Scenario("double_bounce", HostScript(rcpt=(
        "550 5.1.1 <rcpt@double-bounce.test>: Recipient address rejected: User unknown",))),
        sender=GONE_SENDER),
    # Replies without an enhanced status code (qmail, Exim's default ACL denial): at RCPT TO, after the data.
    Case(Scenario("qmail_no_mailbox", HostScript(rcpt=("550 sorry, no mailbox here by that name. (#5.1.1)",)))),
    Case(Scenario("no_code_spam", HostScript(data=("554 Your message was rejected because it appears to be spam",)))),
    Case(Scenario("no_code_data_550", HostScript(data=("550 Administrative prohibition",)))),
    Case(Scenario("no_code_rcpt_550", HostScript(rcpt=("550 Administrative prohibition",)))),
    # Four recipients, the peer's recipient limit refuses the last two for now.
    Case(Scenario("rcpt_limit"), ("rcpt", "second", "third", "fourth")),
    # Local users whose delivery program fails: exit 75 (EX_TEMPFAIL) and exit 1.
    Case(Scenario("local_mda"), addresses=(LOCKED, BROKEN)),
    # The submission program while sm-mta is down (submitted after everything else).
    Case(Scenario("msp_down"), via="msp_down"),
    # The submission program: domains our own access map refuses at RCPT TO, for good and for now.
    Case(Scenario("access_reject"), via="msp"),
    Case(Scenario("access_tempfail"), via="msp"),
]
SCENARIOS = [c.scenario for c in CASES]
BY_NAME = {c.name: c for c in CASES}
RECIPIENT_SCRIPTS = {
    GONE_SENDER: RecipientScript(rcpt=("550 5.1.1 <gone@sender.test>: Recipient address rejected: "
                                       "User unknown in local recipient table",)),
    "refused@partial-rcpt.test": RecipientScript(rcpt=(
        "550 5.1.1 <refused@partial-rcpt.test>: Recipient address rejected: User unknown in virtual mailbox table",)),
    **{f"{x}@rcpt-limit.test": RecipientScript(rcpt=("452 4.5.3 Error: too many recipients", "250 2.1.5 Ok"))
       for x in ("third", "fourth")},
    "full@partial-expiry.test": RecipientScript(rcpt=(
        "452 4.2.2 <full@partial-expiry.test>: Recipient address rejected: Mailbox full",)),
}
MAILERTABLE = "".join(f"{BY_NAME[n].scenario.domain}\tesmtp:[mx.{BY_NAME[n].scenario.domain}]\n"
                      for n in ("greeting_timeout", "greeting_reset"))
EXTRA_MC = (f"define(`confTO_INITIAL', `{GREETING_WAIT}')dnl\n"
            "FEATURE(`blocklist_recipients')dnl\n"   # To: entries of the access map refuse recipients
            f"define(`confDOUBLE_BOUNCE_ADDRESS', `{DOUBLE_BOUNCE}')dnl\n"
            f"define(`confTO_QUEUEWARN_URGENT', `{WARN_AFTER}')dnl\n"
            "define(`LOCAL_MAILER_PATH', `{mda}')dnl\n")   # {mda}: filled in by the fixture
ACCESS = ("To:access-reject.test\tERROR:5.7.1:550 Mail for this domain is not accepted here\n"
          "To:access-tempfail.test\tERROR:4.3.2:450 Mail for this domain is held for now\n")

# What Sendmail logs per recipient (first event; ``then``: the last).
EXPECT: dict[str, Expect] = {
    # to=<refused@partial-rcpt.test>, ..., dsn=5.1.1, reply=550 5.1.1 <refused@partial-rcpt.test>:
    #   Recipient address rejected: User unknown in virtual mailbox table, stat=User unknown
    # to=<third@partial-rcpt.test>,<rcpt@partial-rcpt.test>, ..., dsn=2.0.0, stat=Sent (Ok: queued as PEER)
    "rcpt@partial-rcpt.test": Expect("sent", "2.0.0", "delivered", "none", None, "Ok: queued as PEER"),
    "third@partial-rcpt.test": Expect("sent", "2.0.0", "delivered", "none", None, "Ok: queued as PEER"),
    "refused@partial-rcpt.test": Expect("bounced", "5.1.1", "bad_mailbox", "hard", None,
                                        "User unknown in virtual mailbox table"),
    # to=<second@data-defer-all.test>,<rcpt@data-defer-all.test>, ..., dsn=4.3.0,
    #   reply=451 4.3.0 Error: queue file write error, stat=Deferred: 451 4.3.0 Error: queue file write error
    # (the retry lists them the other way round), then the same with stat=Sent (Ok: queued as PEER).
    **{f"{x}@data-defer-all.test": Expect("deferred", "4.3.0", "soft_general", "soft", None,
                                          "queue file write error", then=("sent", "delivered"))
       for x in ("rcpt", "second")},
    # to=<second@data-reject-all.test>,<rcpt@data-reject-all.test>, ..., dsn=5.7.0,
    #   reply=554 5.7.0 Reject, id=14231-07 - INFECTED: Eicar-Signature, stat=Service unavailable
    # (", id=" inside reply= is no field).
    **{f"{x}@data-reject-all.test": Expect("bounced", "5.7.0", "virus_or_attachment", "other", None,
                                           "Reject, id=14231-07 - INFECTED: Eicar-Signature")
       for x in ("rcpt", "second")},
    # to=<John.Doe@quoted-rcpt.test>,<"smith, john"@quoted-rcpt.test>, ..., dsn=5.7.1,
    #   reply=550 5.7.1 Message rejected by policy, stat=Service unavailable
    # (the comma inside the quotes splits nothing; the local part keeps its case)
    **{f"{x}@quoted-rcpt.test": Expect("bounced", "5.7.1", "policy_block", "other", None,
                                       "Message rejected by policy") for x in ('"smith, john"', "John.Doe")},
    # to=<list-member-39@many-rcpt.test>,...,<list-member-17@many-rcpt.test>, [more], delay=..., dsn=5.7.1,
    #   reply=550 5.7.1 Message rejected by policy, stat=Service unavailable
    # to=<list-member-16@many-rcpt.test>,...,<list-member-00@many-rcpt.test>, delay=..., (the same)
    **{f"{x}@many-rcpt.test": Expect("bounced", "5.7.1", "policy_block", "other", None,
                                     "Message rejected by policy") for x in MANY},
    # timeout waiting for input from mx.greeting-timeout.test. during client greeting   (no event)
    # to=<rcpt@greeting-timeout.test>, ..., relay=mx.greeting-timeout.test. [127.0.1.5], dsn=4.4.2,
    #   stat=Deferred: Connection timed out with mx.greeting-timeout.test.
    "rcpt@greeting-timeout.test": Expect("deferred", "4.4.2", "unable_to_connect", "soft", None,
                                         "Connection timed out with mx.greeting-timeout.test."),
    # to=<rcpt@greeting-reset.test>, ..., dsn=4.4.2, stat=Deferred: Connection reset by mx.greeting-reset.test.
    # Sendmail's words for a drop before the greeting are its words for one after RCPT TO (the
    # main table's lost_connection): the same category.
    "rcpt@greeting-reset.test": Expect("deferred", "4.4.2", "protocol_error", "other", None,
                                       "Connection reset by mx.greeting-reset.test."),
    # to=<full@partial-expiry.test>, ..., dsn=4.2.2, reply=452 4.2.2 <full@partial-expiry.test>: Recipient
    #   address rejected: Mailbox full, stat=Deferred: 452 4.2.2 ...        (until)
    # 6AOFK3P0000032: 6AOFKFeB000049: DSN: Cannot send message for 12 seconds
    "rcpt@partial-expiry.test": Expect("sent", "2.0.0", "delivered", "none", None, "Ok: queued as PEER"),
    "full@partial-expiry.test": Expect("deferred", "4.2.2", "mailbox_full", "soft", None, "Mailbox full",
                                       then=("expired", "expired")),
    # sendmail[35]: 6AOFK35K000035: to=rcpt@msp-remote.test, ctladdr=bounces@sender.test (0/0), ...,
    #   mailer=relay, pri=30165, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0,
    #   stat=Sent (6AOFK3Th000036 Message accepted for delivery)
    # sm-mta[38]: 6AOFK3Th000036: to=<rcpt@msp-remote.test>, ..., stat=Sent (Ok: queued as PEER)
    "rcpt@msp-remote.test": Expect("handed_over", "2.0.0", "delivered", "none", None,
                                   "Message accepted for delivery", then=("sent", "delivered")),
    # sm-mta[40]: 6AOFK3Oh000040: <nosuchuser@mta.bouncewatch.test>... User unknown   (no event)
    # sendmail[39]: 6AOFK3v3000039: to=nosuchuser@mta.bouncewatch.test, ctladdr=bounces@sender.test (0/0),
    #   ..., mailer=relay, pri=30197, relay=[127.0.0.1] [127.0.0.1], dsn=5.1.1,
    #   reply=550 5.1.1 <nosuchuser@mta.bouncewatch.test>... User unknown, stat=User unknown
    # The submission program's own bounce: no hand-over, whatever its relay.
    LOCAL_UNKNOWN: Expect("bounced", "5.1.1", "bad_mailbox", "hard", None,
                          "<nosuchuser@mta.bouncewatch.test>... User unknown"),
    # sendmail[78]: 6AOFZPUG000078: to=rcpt@msp-down.test, ctladdr=bounces@sender.test (0/0), ...,
    #   mailer=relay, pri=30157, relay=[127.0.0.1] [127.0.0.1], dsn=4.4.1,
    #   stat=Deferred: Connection refused by [127.0.0.1]
    # Our own MTA is down, not the recipient's: the rule for our own next hop takes it.
    "rcpt@msp-down.test": Expect("deferred", "4.4.1", "routing_error", "other", None,
                                 "Connection refused by [127.0.0.1]"),
    # sendmail[46]: ...: to=retired@mta.bouncewatch.test, ..., stat=Sent (6AOFLlK4000047 Message accepted ...)
    # sm-mta[48]: 6AOFLlK4000047: to=formeruser, ctladdr=<retired@mta.bouncewatch.test> (1/0),
    #   delay=00:00:00, mailer=local, pri=120388, dsn=5.1.1, reply=550 5.1.1 User unknown, stat=User unknown
    RETIRED: Expect("handed_over", "2.0.0", "delivered", "none", None, "Message accepted for delivery"),
    FORMER: Expect("bounced", "5.1.1", "bad_mailbox", "hard", None, "550 5.1.1 User unknown"),
    # sm-mta[50]: 6AOFO89O000050: ruleset=check_rcpt, arg1=<rcpt@access-reject.test>, relay=localhost
    #   [127.0.0.1], reject=550 5.7.1 <rcpt@access-reject.test>... Mail for this domain is not accepted here
    #   (no event: sm-mta never took the recipient)
    # sendmail[49]: 6AOFO8Zs000049: to=rcpt@access-reject.test, ctladdr=bounces@sender.test (0/0), ...,
    #   mailer=relay, pri=30177, relay=[127.0.0.1] [127.0.0.1], dsn=5.7.1, reply=550 5.7.1
    #   <rcpt@access-reject.test>... Mail for this domain is not accepted here, stat=User unknown
    # to=<rcpt@delay-warning.test>, ..., pri=9223372036854775807, ..., dsn=4.3.0, reply=451 4.3.0 ...  (x3)
    # 6AOFe0aj000052: 6AOFe3BJ000083: sender notify: Warning: could not send message for past 3 seconds
    # 6AOFe3BJ000083: to=<bounces@sender.test>, ..., stat=Sent (Ok: queued as PEER)
    # to=<rcpt@delay-warning.test>, delay=00:00:09, ..., dsn=2.0.0, stat=Sent (Ok: queued as PEER)
    "rcpt@delay-warning.test": Expect("deferred", "4.3.0", "soft_general", "soft", None,
                                      "Temporary lookup failure", then=("sent", "delivered")),
    "rcpt@double-bounce.test": Expect("bounced", "5.1.1", "bad_mailbox", "hard", None, "User unknown"),
    # Replies without an enhanced code: Sendmail makes dsn= up from the basic code and the stage
    # (smtptodsn): 550 at RCPT TO 5.1.1 (stat=User unknown), 550 after the data 5.2.0, 554 5.0.0
    # (stat=Service unavailable). The reply decides the category, not the made-up 5.1.1:
    # to=<rcpt@qmail-no-mailbox.test>, ..., dsn=5.1.1, reply=550 sorry, no mailbox here by that name.
    #   (#5.1.1), stat=User unknown
    "rcpt@qmail-no-mailbox.test": Expect("bounced", "5.1.1", "bad_mailbox", "hard", None, "no mailbox here"),
    # to=<rcpt@no-code-spam.test>, ..., dsn=5.0.0, reply=554 Your message was rejected because it appears
    #   to be spam, stat=Service unavailable
    "rcpt@no-code-spam.test": Expect("bounced", "5.0.0", "spam_content", "other", None, "appears to be spam"),
    # to=<rcpt@no-code-data-550.test>, ..., dsn=5.2.0, reply=550 Administrative prohibition,
    #   stat=Service unavailable
    "rcpt@no-code-data-550.test": Expect("bounced", "5.2.0", "policy_block", "other", None,
                                         "550 Administrative prohibition"),
    # to=<rcpt@no-code-rcpt-550.test>, ..., dsn=5.1.1, reply=550 Administrative prohibition, stat=User unknown
    "rcpt@no-code-rcpt-550.test": Expect("bounced", "5.1.1", "policy_block", "other", None,
                                         "550 Administrative prohibition"),
    # to=<fourth@rcpt-limit.test>, ..., dsn=4.5.3, reply=452 4.5.3 Error: too many recipients,
    #   stat=Deferred: 452 4.5.3 Error: too many recipients      (and one for third@)
    # to=<second@rcpt-limit.test>,<rcpt@rcpt-limit.test>, ..., dsn=2.0.0, stat=Sent (Ok: queued as PEER)
    # to=<fourth@rcpt-limit.test>,<third@rcpt-limit.test>, delay=00:00:03, ..., stat=Sent (...)  (next run)
    **{f"{x}@rcpt-limit.test": Expect("sent", "2.0.0", "delivered", "none", None, "Ok: queued as PEER")
       for x in ("rcpt", "second")},
    **{f"{x}@rcpt-limit.test": Expect("deferred", "4.5.3", "rate_limited", "other", None, "too many recipients",
                                      then=("sent", "delivered"))
       for x in ("third", "fourth")},
    # to=<daemon@mta.bouncewatch.test>, delay=00:00:00, xdelay=00:00:00, mailer=local, pri=60414, dsn=4.0.0,
    #   stat=Deferred: local mailer (/tmp/bw-sendmail-mda-742ib2gu/mda) exited with EX_TEMPFAIL
    # (what the mailer printed goes into the DSN, not the log; no reply=)
    LOCKED: Expect("deferred", "4.0.0", "routing_error", "other", None, "exited with EX_TEMPFAIL"),
    # to=<bin@mta.bouncewatch.test>, ..., mailer=local, pri=60414, dsn=5.3.0, stat=unknown mailer error 1
    # general_bounce as real-log-lines.txt's "mailer=prog, stat=unknown mailer error 13" expects,
    # where the EX_TEMPFAIL sibling above is routing_error (sendmail-own-mailer): left alone.
    BROKEN: Expect("bounced", "5.3.0", "general_bounce", "other", None, "unknown mailer error 1"),
    "rcpt@access-reject.test": Expect("bounced", "5.7.1", "policy_block", "other", None,
                                      "Mail for this domain is not accepted here"),
    # sendmail[53]: 6AOFO8kr000053: to=rcpt@access-tempfail.test, ..., mailer=relay, ..., dsn=4.3.2,
    #   reply=450 4.3.2 <rcpt@access-tempfail.test>... Mail for this domain is held for now,
    #   stat=Deferred: 450 4.3.2 <rcpt@access-tempfail.test>... Mail for this domain is held for now
    # (it stays in the submission program's client queue: no queue runner for it here)
    # our own MTA deferring (own-next-hop-unreachable), not the recipient's soft failure
    "rcpt@access-tempfail.test": Expect("deferred", "4.3.2", "routing_error", "other", None,
                                        "Mail for this domain is held for now"),
}
# The messages each recipient's events belong to (FORMER is RETIRED's alias).
CASE_OF = {r: c for c in CASES for r in c.recipients} | {FORMER: BY_NAME["msp_alias_gone"]}

# Mistakes the real log showed (strict xfail): recipient -> what is wrong, with the line.
KNOWN_WRONG: dict[str, str] = {}


# -- reading the log while waiting -------------------------------------------------
_TO = re.compile(r"\]: [0-9A-Za-z]{8,20}: to=(.*?), (?:ctladdr|delay)=")


def _to_lines(lines: list[str], rcpt: str) -> list[str]:
    """The to= lines naming ``rcpt``, alone or in a list (``to=<a>,<b>,``)."""
    out = []
    for x in lines:
        m = _TO.search(x)
        if m and rcpt in (re.findall(r"<([^<>]*)>", m[1]) if m[1].startswith("<") else m[1].split(",")):
            out.append(x)
    return out


def _logged(lines: list[str], rcpt: str, status: str) -> bool:
    mine = _to_lines(lines, rcpt)
    if status == "sent":
        return any("stat=Sent" in x and f" {PROGRAM}[" in x for x in mine)
    if status == "handed_over":
        return any("stat=Sent" in x and f" {SUBMIT_PROGRAM}[" in x for x in mine)
    if status == "deferred":
        return any(", dsn=4." in x for x in mine)
    return any(", dsn=5." in x for x in mine)


def _pending(lines: list[str]) -> list[str]:
    out = [f"{r} ({e.wait_status})" for r, e in EXPECT.items()
           if CASE_OF[r].via != "msp_down" and not _logged(lines, r, e.wait_status)]
    out += [f"{r} (then {e.then[0]})" for r, e in EXPECT.items()
            if e.then and e.then[0] == "sent" and not _logged(lines, r, "sent")]
    if not any(": DSN: Cannot send message for" in x for x in lines):
        out.append("partial_expiry (Cannot send message for ...)")
    missing = _undelivered_dsns(lines)
    if missing > 0:
        out.append(f"{missing} DSN messages delivered")
    return out


def _dsn_lines(lines: list[str]) -> list[str]:
    return [x for x in lines if _DSN.search(x)]


def _undelivered_dsns(lines: list[str]) -> int:
    """DSN messages not yet delivered: every DSN line's message, but for a
    DSN message that bounced itself (it has a DSN line of its own instead)."""
    pairs = [_DSN.search(x).groups() for x in _dsn_lines(lines)]  # type: ignore[union-attr]
    new = {b for _a, b in pairs}
    return len(pairs) - sum(a in new for a, _b in pairs) - _returned(lines)


def _returned(lines: list[str]) -> int:
    """DSN messages sm-mta delivered to the sender or, for the double
    bounce, to DOUBLE_BOUNCE (the submission program's own DSNs go through
    sm-mta too)."""
    return sum("stat=Sent" in x and f" {PROGRAM}[" in x
               for x in _to_lines(lines, SENDER) + _to_lines(lines, DOUBLE_BOUNCE))


_DSN = re.compile(r": ([0-9A-Za-z]{14}): ([0-9A-Za-z]{14}): (?:DSN|return to sender|sender notify): ")
_WARNING = ": Warning: could not send message for past "


@pytest.fixture(scope="module")
def run(classifier) -> Run:
    tree, library_path = unpacked_or_skip(PACKAGE, available, LIBRARIES)
    try:
        cf_tree = debs.unpacked(CF_PACKAGE)
        m4 = debs.unpacked(M4_PACKAGE) / "usr/bin/m4"
    except debs.PackageUnavailable as e:
        pytest.skip(f"cannot fetch Debian's {CF_PACKAGE} or {M4_PACKAGE}: {e}")
    started = time.monotonic()
    world = World(scenarios=SCENARIOS).start_or_skip()
    silent = None
    mda_dir = Path(tempfile.mkdtemp(prefix="bw-sendmail-mda-"))
    try:
        mda_dir.chmod(0o755)  # the mailer runs as the recipient
        mda = mda_dir / "mda"
        mda.write_text(MDA)
        mda.chmod(0o755)
        for rcpt, script in RECIPIENT_SCRIPTS.items():
            world.peer.recipient(rcpt, script)
        # The never-greeting server: a listening socket nobody accepts on
        # (the kernel completes the handshake; no banner ever comes).
        silent = world.ns.listen(_address_of(world, BY_NAME["greeting_timeout"].scenario), 25)
        sm = SendmailInstance(world.ns, tree, cf_tree, m4, nameserver=NAMESERVER, library_path=library_path,
                              bulk_lifetime=LIFETIME, extra_mc=EXTRA_MC.replace("{mda}", str(mda)), aliases=ALIASES,
                              mailertable=MAILERTABLE, access=ACCESS, msp=True)
        try:
            sm.start()
            for c in CASES:
                if c.via == "msp_down":
                    continue
                if c.via == "msp":
                    sm.submit_command(c.sender, c.recipients, c.message(), "-odi", check=False)
                else:
                    sm.submit(c.sender, c.recipients, c.message())
            lines = sm.wait_for(lambda lines: not _pending(lines), PHASE_TIMEOUT, "every recipient's line",
                                missing=lambda lines: ", ".join(_pending(lines)))
            sm.stop_daemon()
            down = [c for c in CASES if c.via == "msp_down"]
            for c in down:
                sm.submit_command(c.sender, c.recipients, c.message(), "-odi")
            lines = sm.wait_for(lambda lines: all(_logged(lines, r, EXPECT[r].wait_status)
                                                  for c in down for r in c.recipients),
                                PHASE_TIMEOUT, "the submission program's deferral")
        finally:
            keep_log("sendmail-more", sm.log_text())
            sm.close()
    finally:
        if silent is not None:
            silent.close()
        world.close()
        shutil.rmtree(mda_dir, ignore_errors=True)
    seconds = time.monotonic() - started
    events, counts = classify(lines, classifier)
    addresses = {s.domain: _address_of(world, s) for s in SCENARIOS if s.dns in ("mx", "refused")}
    return Run(lines, events, counts, world.peer, world.dns_queries, seconds, world.init_pid, sm.base,
               extra={"addresses": addresses})


def _address_of(world: World, s: Scenario) -> str:
    """The loopback address zone() gave the scenario's domain."""
    assert world.dns is not None
    return world.dns.names[f"mx.{s.domain}"].a[0]


# -- each recipient ---------------------------------------------------------------
def _params() -> list:
    return [pytest.param(r, e, id=r.split("@")[0] + "@" + CASE_OF[r].name,
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[r])] if r in KNOWN_WRONG else [])
            for r, e in EXPECT.items()]


def _from_line(run: Run, qid: str) -> dict[str, str]:
    """The fields of the from= line of ``qid`` (what correlation must carry over)."""
    for x in run.lines:
        if f": {qid}: from=" in x:
            return dict(f.split("=", 1) for f in x.split(f": {qid}: ", 1)[1].split(", ") if "=" in f)
    raise AssertionError(f"no from= line for {qid}")


@pytest.mark.parametrize("rcpt,e", _params())
def test_first_event(run: Run, rcpt: str, e: Expect) -> None:
    evs = run.events.get(rcpt)
    assert evs, f"no event for {rcpt}; log lines naming it: " + "\n".join(x for x in run.lines if rcpt in x)
    ev = evs[0]
    got = {"status": ev["status"], "dsn": ev["dsn"], "category": ev["classification"]["category"],
           "type": ev["classification"]["type"], "smtp_command": ev["smtp_command"]}
    want = {"status": e.status, "dsn": e.dsn, "category": e.category, "type": e.type, "smtp_command": e.command}
    assert got == want, f"reason: {ev['reason']!r} (rule {ev['classification']['rule']}); its lines:\n" + "\n".join(
        x for x in run.lines if ev["queue_id"] in x)
    assert e.reason_has in ev["reason"]
    info = _from_line(run, ev["queue_id"])
    assert ev["mta"] == "sendmail" and ev["sender"] == CASE_OF[rcpt].sender
    assert ev["message_id"] == CASE_OF[rcpt].scenario.message_id
    assert ev["size"] == int(info["size"])


@pytest.mark.parametrize("rcpt", [r for r, e in EXPECT.items() if e.then])
def test_last_event(run: Run, rcpt: str) -> None:
    ev = run.events[rcpt][-1]
    assert (ev["status"], ev["classification"]["category"]) == EXPECT[rcpt].then, ev["reason"]


def test_recipients_of_one_line_are_one_event_each(run: Run) -> None:
    """``to=<third@...>,<rcpt@...>, ..., stat=Sent``: one delivery, two
    events sharing its queue id, relay and reason; the recipient refused at
    RCPT TO has its own line and event."""
    sent = [x for x in _to_lines(run.lines, "rcpt@partial-rcpt.test") if "stat=Sent" in x]
    assert len(sent) == 1 and "to=<third@partial-rcpt.test>,<rcpt@partial-rcpt.test>, " in sent[0]
    a, b = (run.events[r][0] for r in ("rcpt@partial-rcpt.test", "third@partial-rcpt.test"))
    assert (a["queue_id"], a["relay"], a["reason"]) == (b["queue_id"], b["relay"], b["reason"])
    assert a["relay"]["host"] == "mx.partial-rcpt.test" and a["relay"]["ip"] == _peer_ip(run, "partial-rcpt.test")
    refused = run.events["refused@partial-rcpt.test"]
    assert len(refused) == 1 and refused[0]["queue_id"] == a["queue_id"]


def test_deferral_after_data_defers_every_recipient(run: Run) -> None:
    """One 451 after the data: one Deferred line naming both; each gets as
    many deferrals as there were such lines, then its delivery."""
    lines = _to_lines(run.lines, "rcpt@data-defer-all.test")
    deferred = [x for x in lines if "stat=Deferred" in x]
    assert deferred and all(x in _to_lines(run.lines, "second@data-defer-all.test") for x in lines)
    for r in ("rcpt@data-defer-all.test", "second@data-defer-all.test"):
        statuses = [e["status"] for e in run.events[r]]
        assert statuses == ["deferred"] * len(deferred) + ["sent"]
        assert run.events[r][-1]["attempt"] == len(deferred)


def test_more_continues_a_long_recipient_list(run: Run) -> None:
    """Forty recipients: Sendmail writes two to= lines, the first ending in
    ``, [more]``; every recipient gets one bounced event, "[more]" none."""
    lines = _to_lines(run.lines, f"{MANY[0]}@many-rcpt.test") + _to_lines(run.lines, f"{MANY[-1]}@many-rcpt.test")
    assert len(set(lines)) == 2 and sum(", [more], delay=" in x for x in set(lines)) == 1
    bounced = {r for r, evs in run.events.items() if r.endswith("@many-rcpt.test")
               and [e["status"] for e in evs] == ["bounced"]}
    assert bounced == {f"{x}@many-rcpt.test" for x in MANY}
    assert not [r for r in run.events if "more" in r]


def test_greeting_timeout_line_is_no_event(run: Run) -> None:
    """``timeout waiting for input from mx... during client greeting`` comes
    before each Deferred line; only the Deferred lines are events."""
    noise = [x for x in run.lines if "timeout waiting for input from mx.greeting-timeout.test." in x]
    deferred = _to_lines(run.lines, "rcpt@greeting-timeout.test")
    assert len(noise) == len(deferred) >= 1
    assert len(run.events["rcpt@greeting-timeout.test"]) == len(deferred)
    assert run.events["rcpt@greeting-timeout.test"][0]["relay"]["ip"] == _peer_ip(run, "greeting-timeout.test")


def test_expiry_spares_the_delivered_recipient(run: Run) -> None:
    """``DSN: Cannot send message for 12 seconds`` expires the message's
    pending recipient; the one delivered on the first attempt stays sent."""
    checks.expired_with_cause(run, "full@partial-expiry.test", "mailbox_full")
    assert [e["status"] for e in run.events["rcpt@partial-expiry.test"]] == ["sent"]


def test_submission_hands_over_then_sm_mta_delivers(run: Run) -> None:
    """The submission program's line (``sendmail[pid]``, mailer=relay to
    [127.0.0.1]) is a hand-over naming sm-mta's queue id; sm-mta's own line
    under that id is the delivery; both carry the Message-ID."""
    handover, sent = run.events["rcpt@msp-remote.test"]
    assert handover["reason"].split()[0] == sent["queue_id"] != handover["queue_id"]
    assert handover["relay"]["ip"] == "127.0.0.1" and sent["relay"]["host"] == "mx.msp-remote.test"


def test_submission_programs_own_bounce(run: Run) -> None:
    """sm-mta refused the local user at RCPT TO, so the submission program
    bounced it (its line, not sm-mta's, is the event) and handed its DSN to
    sm-mta from the null sender: ``sendmail[39]: 6AOFK3v3000039:
    6AOFK3v4000039: DSN: User unknown``, then ``sendmail[39]:
    6AOFK3v4000039: to=bounces@sender.test, ..., stat=Sent (6AOFK3Oj000040
    Message accepted for delivery)``."""
    ev = run.events[LOCAL_UNKNOWN][0]
    assert ev["relay"]["ip"] == "127.0.0.1" and len(run.events[LOCAL_UNKNOWN]) == 1
    dsn_handover = [e for e in run.events[SENDER] if e["status"] == "handed_over"
                    and e["bounce_of"] == ev["queue_id"]]
    assert [e["sender"] for e in dsn_handover] == [""]


def test_alias_expansion_keeps_the_address_the_sender_used(run: Run) -> None:
    """Postfix logs ``orig_to=`` for an alias; Sendmail only names the alias
    as the controlling address of the local delivery that failed."""
    assert run.events[FORMER][0]["orig_recipient"] == RETIRED


def test_every_bounce_is_returned(run: Run) -> None:
    """One ``DSN:`` (or ``return to sender:``) line per message with a
    bounced or expired recipient (the submission program's included), each
    delivered to the sender, but for the one the sender's address refused
    (its DSN went to the double-bounce address)."""
    bounced_messages = {e["queue_id"] for evs in run.events.values() for e in evs
                        if e["status"] in ("bounced", "expired")}
    delivered = [e for evs in run.events.values() for e in evs if e["status"] == "sent" and e["sender"] == ""]
    warnings = [x for x in _dsn_lines(run.lines) if _WARNING in x]
    assert len(warnings) == 1
    assert len(_dsn_lines(run.lines)) - len(warnings) == len(bounced_messages) == len(delivered) - len(warnings) + 1
    assert _undelivered_dsns(run.lines) == 0
    assert {e["recipient"] for e in delivered} == {SENDER, DOUBLE_BOUNCE}


def test_delay_warning_expires_nothing(run: Run) -> None:
    """``sender notify: Warning: could not send message for past 3 seconds``
    is a DSN too: its delivery to the sender names the delayed message in
    bounce_of, and the recipient goes on from deferred to delivered."""
    statuses = [e["status"] for e in run.events["rcpt@delay-warning.test"]]
    assert statuses == ["deferred"] * 3 + ["sent"]
    qid = run.events["rcpt@delay-warning.test"][0]["queue_id"]
    (warning,) = [e for e in run.events[SENDER] if e["bounce_of"] == qid]
    assert (warning["status"], warning["sender"]) == ("sent", "")


def test_double_bounce_links_each_step(run: Run) -> None:
    """The sender's own address refused the bounce, so Sendmail sent it to
    the double-bounce address::

        6AOFTYPj000049: to=<rcpt@double-bounce.test>, ..., dsn=5.1.1, ..., stat=User unknown
        6AOFTYPj000049: 6AOFTYPj000051: DSN: User unknown
        6AOFTYPj000051: to=<gone@sender.test>, ..., dsn=5.1.1, reply=550 5.1.1 <gone@sender.test>: ...
        6AOFTYPj000051: 6AOFTYPk000051: return to sender: User unknown
        6AOFTYPk000051: to=postmaster@sender.test, ..., dsn=2.0.0, stat=Sent (Ok: queued as PEER)

    Each DSN message's event goes out from the null sender and names the
    message it reports on."""
    original = run.events["rcpt@double-bounce.test"][0]
    (bounce,) = run.events[GONE_SENDER]
    (double,) = run.events[DOUBLE_BOUNCE]
    assert (bounce["status"], bounce["classification"]["category"]) == ("bounced", "bad_mailbox")
    assert (bounce["sender"], bounce["bounce_of"]) == ("", original["queue_id"])
    assert (double["status"], double["sender"], double["bounce_of"]) == ("sent", "", bounce["queue_id"])


def _peer_ip(run: Run, domain: str) -> str:
    """The address the DNS stub gave mx.<domain> (zone())."""
    return run.extra["addresses"][domain]


# -- the log itself ----------------------------------------------------------------
def test_every_line_has_a_known_envelope(run: Run) -> None:
    checks.no_line_skipped(run)


def test_cli_parse_agrees(run: Run, tmp_path: Path) -> None:
    checks.cli_agrees(run, tmp_path)


def test_leaves_nothing_behind(run: Run) -> None:
    checks.leaves_nothing_behind(run)


def test_run_is_bounded(run: Run) -> None:
    checks.bounded(run, 40)
