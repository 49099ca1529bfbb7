"""Debian's real Postfix 3.7 in situations the shared scenario table
(realmta/scenarios.py: one recipient per message, smtp(8) only) does not
drive: one message to several recipients that the peer refuses one by one
at RCPT TO or all together at end of DATA, a destination Postfix has marked
dead (nothing listening; a 421 greeting) and the "delivery temporarily
suspended" deferrals of the messages queued behind it, the error(8) and
discard(8) transports, a virtual alias and a local(8) alias (orig_to=),
local(8) with an unknown user, ``postsuper -d`` of a deferred message, the
notifications' link to the message they report on, lmtp(8) to a scripted
LMTP peer (a reply per recipient after DATA), and long queue ids
(``enable_long_queue_ids = yes``, for the whole run).

As in test_realmta_postfix.py: one run (module fixture), the log Postfix
itself wrote, our pipeline over it afterwards. Each case quotes the line
Postfix wrote (from a real run; queue ids, pids and delays vary) and states
what the event must be; nothing is read back from our own output.

Needs root (namespaces, bind mounts, the postfix account) and the Debian
package; skips with the reason otherwise. About 10 s.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP

from realmta import checks
from realmta.netns import loopback_address
from realmta.peer import Peer, RecipientScript, _Session
from realmta.postfix import PostfixInstance, available
from realmta.scenarios import (NAMESERVER, SENDER, Expect, HostScript, Run, Scenario, World, classify,
                               keep_log, unpacked_or_skip)

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

PHASE_TIMEOUT = 30.0
LOCAL = "mta.bouncewatch.test"   # PostfixInstance's myhostname, in mydestination: local(8)'s domain

# One domain each, with its own peer address, as in the shared table.
MULTI = Scenario("multi_rcpt")            # per recipient: see _script()
DATA_REJECT = Scenario("data_reject", HostScript(data=(
    "554 5.7.1 Message rejected as spam by Content Filtering",)))
DATA_DEFER = Scenario("data_defer", HostScript(data=(
    "451 4.3.0 Error: queue file write error", "250 2.0.0 Ok: queued as PEER")))
DEAD = Scenario("dead_site", dns="refused")   # MX and A records, nothing listening
THROTTLED = Scenario("throttled", HostScript(connect=(
    "421 4.7.0 mx.throttled.test Error: too many connections from 127.0.0.1, rate limit exceeded; "
    "try again later",)))
ADMIN = Scenario("admin_removed", HostScript(rcpt=(
    "452 4.2.2 <rcpt@admin-removed.test>: Recipient address rejected: Mailbox full",)))
ALIAS_TARGET = Scenario("alias_target", HostScript(rcpt=(
    "550 5.1.1 <rcpt@alias-target.test>: Recipient address rejected: User unknown in virtual mailbox table",)))
ERROR_T = Scenario("error_transport")     # transport_maps sends these three elsewhere: never asked
ERROR_POLICY = Scenario("error_policy")
DISCARD_T = Scenario("discard_transport")
SCENARIOS = [MULTI, DATA_REJECT, DATA_DEFER, DEAD, THROTTLED, ADMIN, ALIAS_TARGET, ERROR_T, ERROR_POLICY, DISCARD_T]

MULTI_OK, MULTI_UNKNOWN, MULTI_FULL = (f"{x}@{MULTI.domain}" for x in ("ok", "unknown", "full"))
DATA_REJECT_RCPTS = tuple(f"{x}@{DATA_REJECT.domain}" for x in "ab")
DATA_DEFER_RCPTS = tuple(f"{x}@{DATA_DEFER.domain}" for x in "ab")
DEAD_RCPTS = tuple(f"m{n}@{DEAD.domain}" for n in range(3))   # one message each
THROTTLED_RCPTS = tuple(f"m{n}@{THROTTLED.domain}" for n in range(2))
ALIAS = "alias@aliases.test"              # virtual_alias_maps: -> ALIAS_TARGET.recipient
LOCAL_ALIAS = f"fwd@{LOCAL}"              # alias_maps (local(8)): -> FORWARDED
FORWARDED = f"fwd@{ALIAS_TARGET.domain}"
LOCAL_UNKNOWN = f"nosuchuser@{LOCAL}"
# LMTP (a mail store such as Dovecot, as Postfix's lmtp(8) reaches it): a
# scripted LMTP peer on its own address, one reply per recipient after DATA
# in RCPT order, which is the recipients' sorted order (qmgr sorts them: the
# order given to sendmail was not kept); the deferred one alone on the retry
# gets its own.
LMTP_DOMAIN = "lmtp.test"
LMTP_ADDRESS = loopback_address(len(SCENARIOS) + 2)   # after zone()'s addresses
LMTP_RCPTS = tuple(f"{x}@{LMTP_DOMAIN}" for x in ("saved", "overquota", "tempfail"))
LMTP_REPLIES = {LMTP_RCPTS[0]: f"250 2.0.0 <{LMTP_RCPTS[0]}> 8pKPE2Z5JGdTFAAA Saved",
                LMTP_RCPTS[1]: f"552 5.2.2 <{LMTP_RCPTS[1]}> Quota exceeded (mailbox for user is full)",
                LMTP_RCPTS[2]: f"451 4.3.0 <{LMTP_RCPTS[2]}> Temporary internal failure"}
LMTP_DATA = "\r\n".join(LMTP_REPLIES[r] for r in sorted(LMTP_RCPTS))

TRANSPORT = (f"{ERROR_T.domain} error:5.1.1 no such user here\n"
             f"{ERROR_POLICY.domain} error:5.7.1 mail to this domain is not accepted\n"
             f"{DISCARD_T.domain} discard:dropped by local policy\n"
             f"{DEAD.domain} deadsmtp:\n"
             f"{THROTTLED.domain} deadsmtp:\n"
             f"{LMTP_DOMAIN} lmtp:inet:[{LMTP_ADDRESS}]:24\n")
# The dead and throttled sites' own smtp transport starts at one connection per destination
# (Postfix's default is 5), so its first failed connection is a whole failed
# cohort and qmgr marks the destination dead at once; the other domains keep
# the defaults.
MASTER_CF = ("local     unix  -       n       n       -       -       local\n"
             "deadsmtp  unix  -       -       n       -       -       smtp\n"
             "lmtp      unix  -       -       n       -       -       lmtp\n")
SETTINGS = {
    "enable_long_queue_ids": "yes",
    "deadsmtp_initial_destination_concurrency": "1",
}


@dataclass(frozen=True)
class Message:
    """One submitted message: its Message-ID and recipients."""

    tag: str
    recipients: tuple[str, ...]

    @property
    def message_id(self) -> str:
        return f"{self.tag}@bouncewatch.test"

    def text(self) -> str:
        return (f"From: <{SENDER}>\nTo: {', '.join(f'<{r}>' for r in self.recipients)}\n"
                f"Subject: bouncewatch real-MTA test {self.tag}\nMessage-ID: <{self.message_id}>\n\n"
                f"Message {self.tag}.\n")


MESSAGES = [
    # the first of each site goes alone (see run())
    Message("dead0", DEAD_RCPTS[:1]), Message("throttled0", THROTTLED_RCPTS[:1]),
    *[Message(f"dead{n}", (r,)) for n, r in enumerate(DEAD_RCPTS) if n],
    Message("throttled1", THROTTLED_RCPTS[1:]),
    Message("multi", (MULTI_OK, MULTI_UNKNOWN, MULTI_FULL)),
    Message("data_reject", DATA_REJECT_RCPTS),
    Message("data_defer", DATA_DEFER_RCPTS),
    Message("admin", (ADMIN.recipient,)),
    Message("alias", (ALIAS,)),
    Message("error", (ERROR_T.recipient,)),
    Message("error_policy", (ERROR_POLICY.recipient,)),
    Message("discard", (DISCARD_T.recipient,)),
    Message("local", (LOCAL_UNKNOWN,)),
    Message("local_alias", (LOCAL_ALIAS,)),
    Message("lmtp", LMTP_RCPTS),
]
FIRST = 2   # MESSAGES[:FIRST] go alone
BY_TAG = {m.tag: m for m in MESSAGES}
MESSAGE_OF = {r: m for m in MESSAGES for r in m.recipients}
MESSAGE_OF[ALIAS_TARGET.recipient] = BY_TAG["alias"]   # after virtual aliasing
MESSAGE_OF[FORWARDED] = BY_TAG["local_alias"]          # local(8)'s forwarded copy, same Message-ID


class _LmtpSession(_Session):
    """The scripted peer speaking LMTP (RFC 2033): LHLO instead of EHLO; a
    DATA reply of several lines (one per recipient) is written line by line
    already. (aiosmtpd's LMTP class cannot be mixed in: its smtp_LHLO calls
    super() of itself.)"""

    async def smtp_LHLO(self, arg: str) -> None:
        await SMTP.smtp_EHLO(self, arg)

    async def smtp_EHLO(self, arg: str) -> None:
        await self.push('500 Error: command "EHLO" not recognized')

    async def smtp_HELO(self, arg: str) -> None:
        await self.push('500 Error: command "HELO" not recognized')


def _serve_lmtp(world: World) -> None:
    """An LMTP listener on LMTP_ADDRESS:24, served by the world's peer
    (its script, its transcript, its event loop; stopped with it)."""
    peer: Peer = world.peer
    peer.host(LMTP_ADDRESS, HostScript(data=(LMTP_DATA,)))
    peer.recipient(LMTP_RCPTS[2], RecipientScript(data=(LMTP_REPLIES[LMTP_RCPTS[2]],)))
    sock = world.ns.listen(LMTP_ADDRESS, 24)
    loop = peer._loop
    assert loop is not None

    async def start() -> None:
        peer._servers.append(await loop.create_server(
            lambda: _LmtpSession(peer, hostname="lmtp.peer.test", ident="bouncewatch test LMTP peer", timeout=60),
            sock=sock))

    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)


def _script(world: World) -> None:
    """Per-recipient replies at MULTI's peer (its default is 250)."""
    world.peer.recipient(MULTI_UNKNOWN, RecipientScript(rcpt=(
        "550 5.1.1 <unknown@multi-rcpt.test>: Recipient address rejected: User unknown in local recipient table",)))
    world.peer.recipient(MULTI_FULL, RecipientScript(rcpt=(
        "452 4.2.2 <full@multi-rcpt.test>: Recipient address rejected: Mailbox full", "250 2.1.5 Ok")))


def _logged(lines: list[str], recipient: str, status: str, text: str = "") -> bool:
    needle, st = f"to=<{recipient}>", f"status={status} "
    return any(needle in x and st in x and text in x for x in lines)


def _returned(lines: list[str]) -> int:
    """Delivery status notifications delivered back to the sender."""
    return sum(f"to=<{SENDER}>" in x and "status=sent" in x for x in lines)


# What must be in the log before the operator's postsuper -d (and the end of the run).
WAIT_FOR = [(MULTI_OK, "sent", ""), (MULTI_UNKNOWN, "bounced", ""), (MULTI_FULL, "sent", ""),
            *[(r, "bounced", "") for r in DATA_REJECT_RCPTS], *[(r, "sent", "") for r in DATA_DEFER_RCPTS],
            (DEAD_RCPTS[0], "deferred", ""),
            *[(r, "deferred", "delivery temporarily suspended") for r in DEAD_RCPTS[1:]],
            (THROTTLED_RCPTS[0], "deferred", ""), (THROTTLED_RCPTS[1], "deferred", "delivery temporarily suspended"),
            (FORWARDED, "bounced", ""),
            (LMTP_RCPTS[0], "sent", ""), (LMTP_RCPTS[1], "bounced", ""), (LMTP_RCPTS[2], "deferred", ""),
            (ADMIN.recipient, "deferred", ""), (ALIAS_TARGET.recipient, "bounced", ""),
            (ERROR_T.recipient, "bounced", ""), (ERROR_POLICY.recipient, "bounced", ""),
            (DISCARD_T.recipient, "sent", ""), (LOCAL_UNKNOWN, "bounced", "")]
# one notification per message with a bounced recipient
BOUNCES = len({MESSAGE_OF[r].tag for r, status, _ in WAIT_FOR if status == "bounced"})


def _pending(lines: list[str]) -> list[str]:
    return [f"{r} {st} {text}".strip() for r, st, text in WAIT_FOR if not _logged(lines, r, st, text)]


@pytest.fixture(scope="module")
def run(classifier) -> Run:
    tree, _ = unpacked_or_skip("postfix", lambda tree, _libs: available(tree))
    started = time.monotonic()
    world = World(scenarios=SCENARIOS).start_or_skip()
    try:
        _script(world)
        _serve_lmtp(world)
        pf = PostfixInstance(world.ns, tree, nameserver=NAMESERVER, master_cf=MASTER_CF)
        (pf.base / "transport").write_text(TRANSPORT)
        (pf.base / "virtual").write_text(f"{ALIAS} {ALIAS_TARGET.recipient}\n")
        (pf.base / "aliases").write_text(f"{LOCAL_ALIAS.split('@')[0]} {FORWARDED}\n")  # texthash: no colon
        pf.settings.update(SETTINGS, transport_maps=f"texthash:{pf.base / 'transport'}",
                           virtual_alias_maps=f"texthash:{pf.base / 'virtual'}",
                           alias_maps=f"texthash:{pf.base / 'aliases'}")
        try:
            pf.start()
            # each dead site's first message alone, so that the others find it dead
            for m in MESSAGES[:FIRST]:
                pf.sendmail(SENDER, m.recipients, m.text())
            pf.wait_for(lambda lines: all(_logged(lines, m.recipients[0], "deferred") for m in MESSAGES[:FIRST]),
                        PHASE_TIMEOUT, "the dead sites' first deferrals")
            for m in MESSAGES[FIRST:]:
                pf.sendmail(SENDER, m.recipients, m.text())
            pf.wait_for(lambda lines: not _pending(lines) and _returned(lines) >= BOUNCES, PHASE_TIMEOUT,
                        "every situation's line and the bounces",
                        missing=lambda lines: ", ".join(_pending(lines)) or f"{BOUNCES - _returned(lines)} bounces")
            qid = pf.queue_id_of(BY_TAG["admin"].message_id)
            assert qid, "cleanup logged no message-id for the message to remove"
            pf.postsuper("-d", qid)
            pf.wait_for(lambda lines: any("postfix/postsuper[" in x and f"{qid}: removed" in x for x in lines),
                        PHASE_TIMEOUT, "postsuper's removal")
            lines = pf.log_lines()
        finally:
            keep_log("postfix-more", pf.log_text())
            pf.close()
    finally:
        world.close()
    seconds = time.monotonic() - started
    events, counts = classify(lines, classifier)
    return Run(lines, events, counts, world.peer, world.dns_queries, seconds, world.init_pid, pf.base)


DEFERRALS = -1   # Case.attempt: however often Postfix happened to retry before the end


@dataclass(frozen=True)
class Case:
    """One recipient's event (``nth``: its first, or -1 its last) and the
    fields correlation must give it; ``line`` is what Postfix 3.7 wrote
    (queue id, pid, delays as in one real run)."""

    name: str
    recipient: str
    expect: Expect
    line: str
    nth: int = 0
    relay: str | None = None        # the relay's host, None for relay=none
    attempt: int | None = None      # DEFERRALS: as many as the recipient's deferred events
    orig_recipient: str | None = None


CASES = [
    # Three recipients of one message, one SMTP session: each RCPT TO reply
    # is its recipient's own line; the accepted one is sent after DATA.
    Case("multi_accepted", MULTI_OK, Expect("sent", "2.0.0", "delivered", "none", None),
         "to=<ok@multi-rcpt.test>, relay=mx.multi-rcpt.test[127.0.1.2]:25, delay=0.13, "
         "delays=0.02/0.02/0.05/0.04, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as PEER)",
         relay="mx.multi-rcpt.test"),
    Case("multi_unknown", MULTI_UNKNOWN, Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO",
                                                "User unknown in local recipient table"),
         "to=<unknown@multi-rcpt.test>, relay=mx.multi-rcpt.test[127.0.1.2]:25, ..., dsn=5.1.1, status=bounced "
         "(host mx.multi-rcpt.test[127.0.1.2] said: 550 5.1.1 <unknown@multi-rcpt.test>: Recipient address "
         "rejected: User unknown in local recipient table (in reply to RCPT TO command))",
         relay="mx.multi-rcpt.test"),
    Case("multi_full", MULTI_FULL, Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO", "Mailbox full"),
         "to=<full@multi-rcpt.test>, relay=mx.multi-rcpt.test[127.0.1.2]:25, ..., dsn=4.2.2, status=deferred "
         "(host mx.multi-rcpt.test[127.0.1.2] said: 452 4.2.2 <full@multi-rcpt.test>: Recipient address "
         "rejected: Mailbox full (in reply to RCPT TO command))",
         relay="mx.multi-rcpt.test", attempt=1),
    # ... and on the retry a second later, only the deferred recipient is sent again
    Case("multi_full_retried", MULTI_FULL, Expect("sent", "2.0.0", "delivered", "none", None),
         "to=<full@multi-rcpt.test>, relay=mx.multi-rcpt.test[127.0.1.2]:25, delay=0.24, "
         "delays=0.18/0.01/0.05/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as PEER)",
         nth=-1, relay="mx.multi-rcpt.test", attempt=1),
    # One 554 at end of DATA: one line per recipient, the same reply.
    *[Case(f"data_reject_{r[0]}", r, Expect("bounced", "5.7.1", "spam_content", "other", "END OF DATA",
                                           "rejected as spam"),
           f"to=<{r}>, relay=mx.data-reject.test[127.0.1.3]:25, ..., dsn=5.7.1, status=bounced (host "
           "mx.data-reject.test[127.0.1.3] said: 554 5.7.1 Message rejected as spam by Content Filtering "
           "(in reply to end of DATA command))", relay="mx.data-reject.test")
      for r in DATA_REJECT_RCPTS],
    # A 451 at end of DATA defers every recipient; the retry delivers both.
    *[Case(f"data_defer_{r[0]}", r, Expect("deferred", "4.3.0", "soft_general", "soft", "END OF DATA",
                                          "queue file write error"),
           f"to=<{r}>, relay=mx.data-defer.test[127.0.1.4]:25, ..., dsn=4.3.0, status=deferred (host "
           "mx.data-defer.test[127.0.1.4] said: 451 4.3.0 Error: queue file write error (in reply to end of "
           "DATA command))", relay="mx.data-defer.test", attempt=1)
      for r in DATA_DEFER_RCPTS],
    *[Case(f"data_defer_{r[0]}_retried", r, Expect("sent", "2.0.0", "delivered", "none", None),
           f"to=<{r}>, relay=mx.data-defer.test[127.0.1.4]:25, ..., dsn=2.0.0, status=sent "
           "(250 2.0.0 Ok: queued as PEER)", nth=-1, relay="mx.data-defer.test", attempt=1)
      for r in DATA_DEFER_RCPTS],
    # The first message to a site nothing answers at: smtp(8) tries and fails ...
    Case("dead_site_first", DEAD_RCPTS[0], Expect("deferred", "4.4.1", "unable_to_connect", "soft", None,
                                                  "Connection refused"),
         "postfix/smtp[147]: 4jYmm94JqXzJXJW: to=<m0@dead-site.test>, relay=none, delay=0.06, "
         "delays=0/0.02/0.03/0, dsn=4.4.1, status=deferred (connect to mx.dead-site.test[127.0.1.5]:25: "
         "Connection refused)", attempt=1),
    # ... qmgr marks the destination dead, and the messages queued for it
    # are deferred by the retry service without a connection (program
    # postfix/error), with the dead site's reason.
    *[Case(f"dead_site_suspended_{n}", r, Expect("deferred", "4.4.1", "unable_to_connect", "soft", None,
                                                 "delivery temporarily suspended: connect to"),
           f"postfix/error[153]: 4jYmm94NKrzJXJY: to=<{r}>, relay=none, delay=0.06, delays=0/0.06/0/0, "
           "dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to "
           "mx.dead-site.test[127.0.1.5]:25: Connection refused)", attempt=1)
      for n, r in enumerate(DEAD_RCPTS[1:], start=1)],
    # A 421 at the greeting marks the destination dead as well; the message
    # queued behind it is deferred with the same reply, after qmgr's prefix.
    Case("throttled_first", THROTTLED_RCPTS[0], Expect("deferred", "4.7.0", "rate_limited", "other", "CONNECT",
                                                       "too many connections"),
         "postfix/smtp[139]: 4jYmsd61DMzJYSG: to=<m0@throttled.test>, relay=mx.throttled.test[127.0.1.6]:25, "
         "delay=0.03, delays=0/0.02/0/0, dsn=4.7.0, status=deferred (host mx.throttled.test[127.0.1.6] refused "
         "to talk to me: 421 4.7.0 mx.throttled.test Error: too many connections from 127.0.0.1, rate limit "
         "exceeded; try again later)", relay="mx.throttled.test", attempt=1),
    Case("throttled_suspended", THROTTLED_RCPTS[1], Expect("deferred", "4.7.0", "rate_limited", "other", "CONNECT",
                                                           "delivery temporarily suspended: host"),
         "postfix/error[146]: 4jYmsf149TzJYGQ: to=<m1@throttled.test>, relay=none, delay=0, delays=0/0/0/0, "
         "dsn=4.7.0, status=deferred (delivery temporarily suspended: host mx.throttled.test[127.0.1.6] refused "
         "to talk to me: 421 4.7.0 mx.throttled.test Error: too many connections from 127.0.0.1, rate limit "
         "exceeded; try again later)", attempt=1),
    Case("admin_deferred", ADMIN.recipient, Expect("deferred", "4.2.2", "mailbox_full", "soft", "RCPT TO",
                                                   "Mailbox full"),
         "to=<rcpt@admin-removed.test>, relay=mx.admin-removed.test[127.0.1.6]:25, ..., dsn=4.2.2, "
         "status=deferred (host mx.admin-removed.test[127.0.1.6] said: 452 4.2.2 ...)",
         relay="mx.admin-removed.test", attempt=1),
    # postsuper -d names no recipient: the deferred one is removed, by the operator.
    Case("admin_removed", ADMIN.recipient, Expect("removed", None, "removed_by_admin", "other", None,
                                                  "postsuper"),
         "postfix/postsuper[170]: 4jYmkD6xvbzJY1X: removed", nth=-1, attempt=DEFERRALS),
    # virtual_alias_maps: Postfix logs the alias as orig_to=.
    Case("virtual_alias", ALIAS_TARGET.recipient, Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO",
                                                         "User unknown in virtual mailbox table"),
         "to=<rcpt@alias-target.test>, orig_to=<alias@aliases.test>, relay=mx.alias-target.test[127.0.1.7]:25, "
         "..., dsn=5.1.1, status=bounced (host mx.alias-target.test[127.0.1.7] said: 550 5.1.1 ...)",
         relay="mx.alias-target.test", orig_recipient=ALIAS),
    # alias_maps: local(8) forwards (a new queue file, the same Message-ID) ...
    Case("local_alias", LOCAL_ALIAS, Expect("sent", "2.0.0", "delivered", "none", None, "forwarded as"),
         "postfix/local[178]: 4jYmtP6zshzJXwv: to=<fwd@mta.bouncewatch.test>, relay=local, delay=0, "
         "delays=0/0/0/0, dsn=2.0.0, status=sent (forwarded as 4jYmtP70PLzJXwt)", relay="local"),
    # ... and the copy's line names the alias as orig_to=.
    Case("local_alias_forwarded", FORWARDED, Expect("bounced", "5.1.1", "bad_mailbox", "hard", "RCPT TO",
                                                    "User unknown"),
         "postfix/smtp[163]: 4jYmtP70PLzJXwt: to=<fwd@alias-target.test>, orig_to=<fwd@mta.bouncewatch.test>, "
         "relay=mx.alias-target.test[127.0.1.8]:25, ..., dsn=5.1.1, status=bounced (host "
         "mx.alias-target.test[127.0.1.8] said: 550 5.1.1 ... (in reply to RCPT TO command))",
         relay="mx.alias-target.test", orig_recipient=LOCAL_ALIAS),
    # lmtp(8) to a mail store: one line per recipient from the per-recipient
    # replies after DATA; relay= names the address it was given.
    Case("lmtp_saved", LMTP_RCPTS[0], Expect("sent", "2.0.0", "delivered", "none", None, "Saved"),
         "postfix/lmtp[184]: 4jYmxS1m5ZzLS5s: to=<saved@lmtp.test>, relay=127.0.1.12[127.0.1.12]:24, delay=0.06, "
         "delays=0/0.01/0.05/0, dsn=2.0.0, status=sent (250 2.0.0 <saved@lmtp.test> 8pKPE2Z5JGdTFAAA Saved)",
         relay="127.0.1.12"),
    Case("lmtp_over_quota", LMTP_RCPTS[1], Expect("bounced", "5.2.2", "mailbox_full", "soft", "END OF DATA",
                                                  "Quota exceeded"),
         "postfix/lmtp[184]: 4jYmxS1m5ZzLS5s: to=<overquota@lmtp.test>, relay=127.0.1.12[127.0.1.12]:24, ..., "
         "dsn=5.2.2, status=bounced (host 127.0.1.12[127.0.1.12] said: 552 5.2.2 <overquota@lmtp.test> Quota "
         "exceeded (mailbox for user is full) (in reply to end of DATA command))", relay="127.0.1.12"),
    # our own store failing (rule own-lmtp-deferral), not the recipient
    Case("lmtp_tempfail", LMTP_RCPTS[2], Expect("deferred", "4.3.0", "routing_error", "other", "END OF DATA",
                                                "Temporary internal failure"),
         "postfix/lmtp[184]: 4jYmxS1m5ZzLS5s: to=<tempfail@lmtp.test>, relay=127.0.1.12[127.0.1.12]:24, ..., "
         "dsn=4.3.0, status=deferred (host 127.0.1.12[127.0.1.12] said: 451 4.3.0 <tempfail@lmtp.test> "
         "Temporary internal failure (in reply to end of DATA command))", relay="127.0.1.12", attempt=1),
    # transport_maps "error:5.1.1 no such user here": the text is all there is.
    # Read as the address not existing (bad_mailbox), as Postfix's own
    # "User unknown in virtual alias table" from postfix/error is; the
    # local-error-transport rule (local_policy) takes the other texts.
    Case("error_transport", ERROR_T.recipient, Expect("bounced", "5.1.1", "bad_mailbox", "hard", None,
                                                      "no such user here"),
         "postfix/error[162]: 4jYmkF04rZzJY1b: to=<rcpt@error-transport.test>, relay=none, delay=0.01, "
         "delays=0.01/0.01/0/0, dsn=5.1.1, status=bounced (no such user here)"),
    Case("error_policy", ERROR_POLICY.recipient, Expect("bounced", "5.7.1", "local_policy", "other", None,
                                                        "not accepted"),
         "postfix/error[163]: 4jYmm956P6zJXNF: to=<rcpt@error-policy.test>, relay=none, delay=0, "
         "delays=0/0/0/0, dsn=5.7.1, status=bounced (mail to this domain is not accepted)"),
    # discard(8) logs a dropped message as status=sent; it is our own policy's (rule "discarded").
    Case("discard_transport", DISCARD_T.recipient, Expect("sent", "2.0.0", "local_policy", "other", None,
                                                          "dropped by local policy"),
         "postfix/discard[166]: 4jYmkF0F1gzJXyL: to=<rcpt@discard-transport.test>, relay=none, delay=0.01, "
         "delays=0/0/0/0, dsn=2.0.0, status=sent (dropped by local policy)"),
    # local(8), a user the passwd table does not know; relay=local
    Case("local_unknown_user", LOCAL_UNKNOWN, Expect("bounced", "5.1.1", "bad_mailbox", "hard", None,
                                                     'unknown user: "nosuchuser"'),
         "postfix/local[168]: 4jYmkF0Jc1zJXyM: to=<nosuchuser@mta.bouncewatch.test>, relay=local, delay=0.01, "
         'delays=0/0/0/0, dsn=5.1.1, status=bounced (unknown user: "nosuchuser")', relay="local"),
]

# Cases our pipeline is known to get wrong (strict xfail, with the line).
KNOWN_WRONG: dict[str, str] = {}


def _params() -> list:
    return [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[c.name])]
                         if c.name in KNOWN_WRONG else []) for c in CASES]


def _queue_ids(lines: list[str]) -> dict[str, set[str]]:
    """Message-ID -> queue ids, as cleanup logged them (local(8)'s forwarded
    copy is a second queue file with the same Message-ID)."""
    pat = re.compile(r"postfix/cleanup\[\d+\]: ([0-9A-Za-z]+): message-id=<([^>]*)>")
    out: dict[str, set[str]] = {}
    for m in filter(None, map(pat.search, lines)):
        out.setdefault(m[2], set()).add(m[1])
    return out


def _sizes(lines: list[str]) -> dict[str, int]:
    """Queue id -> size, as qmgr logged it."""
    pat = re.compile(r"postfix/qmgr\[\d+\]: ([0-9A-Za-z]+): from=<[^>]*>, size=(\d+),")
    return {m[1]: int(m[2]) for m in map(pat.search, lines) if m}


# -- each situation ------------------------------------------------------------------
@pytest.mark.parametrize("c", _params())
def test_event(run: Run, c: Case) -> None:
    evs = run.events.get(c.recipient)
    assert evs, f"no event for {c.recipient}; lines naming it: " + "\n".join(x for x in run.lines if c.recipient in x)
    ev, e = evs[c.nth], c.expect
    got = {"status": ev["status"], "dsn": ev["dsn"], "category": ev["classification"]["category"],
           "type": ev["classification"]["type"], "smtp_command": ev["smtp_command"],
           "relay": ev["relay"]["host"] if ev["relay"] else None, "attempt": ev["attempt"],
           "orig_recipient": ev["orig_recipient"]}
    want = {"status": e.status, "dsn": e.dsn, "category": e.category, "type": e.type, "smtp_command": e.command,
            "relay": c.relay, "orig_recipient": c.orig_recipient,
            "attempt": sum(x["status"] == "deferred" for x in evs) if c.attempt == DEFERRALS else c.attempt}
    assert got == want, f"reason: {ev['reason']!r} (rule {ev['classification']['rule']})"
    assert e.reason_has in ev["reason"]


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_correlated_with_its_message(run: Run, c: Case) -> None:
    """Every recipient's event carries its own message's queue id (cleanup's
    message-id= line), Message-ID, sender and size (qmgr's from= line) --
    several recipients of one message alike, an alias's target too."""
    m = MESSAGE_OF[c.recipient]
    qids, sizes = _queue_ids(run.lines), _sizes(run.lines)
    ev = run.events[c.recipient][c.nth]
    assert ev["queue_id"] in qids[m.message_id]
    assert (ev["message_id"], ev["sender"], ev["size"], ev["mta"]) == (
        m.message_id, SENDER, sizes[ev["queue_id"]], "postfix")


def test_every_recipient_of_a_message_has_its_line(run: Run) -> None:
    """One event per recipient per line: the three RCPT TO replies of one
    session and the one end-of-DATA reply for two recipients."""
    for recipients, statuses in [((MULTI_OK, MULTI_UNKNOWN, MULTI_FULL), ["sent", "bounced", "deferred"]),
                                 (DATA_REJECT_RCPTS, ["bounced", "bounced"])]:
        assert [run.events[r][0]["status"] for r in recipients] == statuses
        assert len({run.events[r][0]["queue_id"] for r in recipients}) == 1
    # local(8)'s forward and its copy are two queue files of one Message-ID
    assert run.events[LOCAL_ALIAS][0]["queue_id"] != run.events[FORWARDED][0]["queue_id"]


def test_long_queue_ids(run: Run) -> None:
    """enable_long_queue_ids: cleanup's ids (``4jYmkD5zqpzJXX4``: 15 of
    [0-9B-Zb-z], no vowels) are the events' queue ids, and postsuper's."""
    qids = set().union(*_queue_ids(run.lines).values())
    assert qids and all(re.fullmatch(r"[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{12,16}", q) for q in qids), qids
    assert {e["queue_id"] for evs in run.events.values() for e in evs} <= qids


def test_bounces_go_back_to_the_sender(run: Run) -> None:
    """One non-delivery notification per message with a bounced recipient,
    sent from the null sender, each naming that message's queue id as its
    bounce_of (bounce(8)'s line, ``4jYmkD64HVzJXyH: sender non-delivery
    notification: 4jYmkD6s6HzJXkj``; Exim's and Sendmail's notifications
    carry theirs too)."""
    returned = [e for e in run.events.get(SENDER, []) if e["status"] == "sent"]
    assert len(returned) == BOUNCES and all(e["sender"] == "" for e in returned)
    qids = _queue_ids(run.lines)
    # the queue file whose recipient bounced: for the forwarded copy, the copy's
    bounced = {q for r, status, _ in WAIT_FOR if status == "bounced" for q in qids[MESSAGE_OF[r].message_id]
               if _logged([x for x in run.lines if f": {q}: to=" in x], r, "bounced")}
    assert sorted(e["bounce_of"] or "" for e in returned) == sorted(bounced)


# -- the log itself -----------------------------------------------------------------
def test_every_line_has_a_known_envelope(run: Run) -> None:
    checks.no_line_skipped(run)


def test_cli_parse_agrees(run: Run, tmp_path: Path) -> None:
    checks.cli_agrees(run, tmp_path)


def test_leaves_nothing_behind(run: Run) -> None:
    checks.leaves_nothing_behind(run)


def test_run_is_bounded(run: Run) -> None:
    checks.bounded(run, 40)
