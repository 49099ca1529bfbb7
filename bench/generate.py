#!/usr/bin/env python3
"""Realistic Postfix logs of a busy outbound relay, for benchmarks and demos.

A small discrete-event simulation of an ESP's relay, not a line shuffler: a
message arrives (smtpd, cleanup, opendkim, qmgr), is delivered per recipient
by ``postfix/smtp`` (a share first through an amavis content filter on
127.0.0.1:10024/10025), is retried from the deferred queue with Postfix's
backoff under the same queue id, bounces (with a non-delivery notification
to the sender), expires after ``--queue-lifetime`` or is deleted by the
operator. Around it: postscreen, NOQUEUE rejects, SASL guessing, TLS lines,
anvil/scache statistics, cron. Receiver replies are the texts Gmail,
Microsoft, Yahoo, iCloud, GMX, Orange ... really send, with their per-message
ids and the recipient's address inside (bench/replies.py), so a classifier
cannot answer from a cache of a few dozen distinct texts.

Same ``--seed``, same options -> the same bytes. ``--truth FILE`` writes what
a parser must find (deliveries per status, expiry/removal fan-out, lines of
non-Postfix programs) as JSON.

    python bench/generate.py --lines 400000 --seed 1 -o mail.log --truth mail.truth.json
    python bench/generate.py --rate 40 --follow /tmp/demo/mail.log   # live, until Ctrl-C
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import random
import signal
import string
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, TextIO

from replies import (CONNECT_FAILURES, DEAD_DOMAINS, NULLMX_DOMAINS, PROVIDERS, SESSION_FAILURES, SMALL_OK,
                     TYPO_DOMAINS, Provider, Reply)  # bench/replies.py, beside this script

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HOST = "mx-out1"
OUR_IP = "198.51.100.25"          # the relay's sending address, named in blocks
MYHOSTNAME = "mx-out1.relay.example"
LINES_PER_MESSAGE = 14            # lines per message, noise included (measured), to pace --rate

FIRST = ("anna", "ben", "clara", "david", "emma", "felix", "greta", "hugo", "ines", "jonas", "karla", "leon",
         "mia", "noah", "olivia", "paul", "queenie", "rafael", "sofia", "tom", "ursula", "viktor", "wendy",
         "xavier", "yara", "zoe", "li", "wei", "aiko", "omar", "fatima", "lucas", "chloe", "mateo", "nina")
LAST = ("mueller", "smith", "dubois", "rossi", "garcia", "kowalski", "nguyen", "jensen", "silva", "ivanova",
        "murphy", "schmidt", "martin", "lopez", "novak", "tanaka", "kim", "olsen", "bernard", "weber")
SENDER_DOMAINS = ("news.shopmail.example", "em.fashionhub.example", "mail.travelbuddy.example",
                  "notify.bankly.example", "info.gamezone.example", "bounce.saasly.example")
APP_HOSTS = tuple((f"app{n:02d}.int.relay.example", f"10.20.0.{10 + n}") for n in range(1, 13))


# -- helpers -------------------------------------------------------------------------
B32 = string.ascii_uppercase + "234567"
HEX = "0123456789ABCDEF"
ALNUM = string.ascii_letters + string.digits


class Fields(dict):
    """The template fields of one delivery; random ids are drawn only when a
    template names them (``str.format_map`` asks through ``__missing__``)."""

    def __init__(self, rng: random.Random, base: dict[str, str]) -> None:
        super().__init__(base)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key == "gid":       # Gmail's per-transaction id: "a640si1234567ejc.123"
            v = (r.choice(("a", "d", "5b1f17b1804b1-")) + "".join(r.choices(string.ascii_lowercase + string.digits, k=10))
                 + f"si{r.randrange(10**6, 10**7)}" + r.choice(("ejc", "wrc", "pfh", "qtx")) + f".{r.randrange(1000)}")
        elif key == "hexid":
            v = "08" + "".join(r.choices(HEX, k=14))
        elif key == "exhost":
            v = (r.choice(("AM4PEPF", "DB5PEPF", "CH1PEPF", "SN1PEPF", "VI1EUR04FT", "BN8NAM12FT"))
                 + f"{r.randrange(10**5):05d}" + r.choice((".eurprd04.prod.outlook.com", ".namprd05.prod.outlook.com",
                                                            ".eop-EUR03.prod.protection.outlook.com")))
        elif key == "iid":
            v = str(r.randrange(10**13, 10**14))
        elif key in ("pfid", "cmid"):
            v = "4" + "".join(r.choices(ALNUM, k=13))
        elif key == "eximid":
            v = "".join(r.choices(ALNUM, k=6)) + "-" + "".join(r.choices(ALNUM, k=6)) + "-" + "".join(r.choices(ALNUM, k=2))
        elif key in ("gmxid", "mcid", "ppid", "orangeid", "yid", "mrid"):
            v = "".join(r.choices(ALNUM, k=r.randrange(12, 22)))
        elif key == "n2":
            v = f"{r.randrange(10, 99)}"
        elif key == "n4":
            v = f"{r.randrange(1000, 9999)}"
        elif key == "n6":
            v = f"{r.randrange(100000, 999999)}"
        elif key == "dc":
            v = r.choice(("bf1", "gq1", "ne1", "ir2"))
        elif key == "secs":
            v = f"{r.uniform(0.05, 2.5):.3f}"
        elif key == "kbps":
            v = f"{r.uniform(20, 400):.3f}"
        elif key == "mxshort":
            v = f"mxgmx{r.randrange(1, 120):03d}"
        else:
            raise KeyError(key)
        self[key] = v
        return v


def weighted(rng: random.Random, items, weights=None):
    return rng.choices(items, weights=weights)[0]


@dataclass(slots=True)
class Recipient:
    address: str
    domain: str
    provider: Provider | None
    mx: str
    mxip: str
    script: list[tuple[str, object]]   # per attempt: ("ok", None) | ("hard"|"soft", Reply) | ("conn"|"session", tuple)
    attempt: int = 0
    done: bool = False
    bounced: bool = False
    logged: bool = False               # a delivery line of it was written (the parser knows it)


@dataclass(slots=True)
class Message:
    qid: str
    sender: str
    msgid: str
    size: int
    arrived: float
    recipients: list[Recipient]
    attempts: int = 0
    doomed_removal: bool = False       # the operator deletes it from the deferred queue


@dataclass
class Config:
    seed: int = 1
    msg_rate: float = 2.0                  # messages per second arriving
    queue_lifetime: float = 3 * 3600.0     # maximal_queue_lifetime (bulk relays shorten it)
    min_backoff: float = 300.0             # minimal_backoff_time (queue_run_delay follows it)
    max_backoff: float = 4000.0
    filter_share: float = 0.25             # through amavis
    postscreen_rate: float = 0.5           # inbound connections per second
    failure_scale: float = 1.0             # multiplies every failure probability
    start: datetime = datetime(2026, 11, 20, 6, 0, 0)   # sim time 0, local wall time


class Relay:
    """The simulation: pops the earliest item; lines are yielded, actions run
    (and schedule more). ``truth`` counts what a parser must find."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        # (time, seq, line without stamp | None, truth meta | None, action | None); seq breaks ties
        self._heap: list[tuple] = []
        self._seq = itertools.count()
        self.truth: Counter[str] = Counter()
        self._qids: set[str] = set()
        self._pids = {name: [self.rng.randrange(2000, 60000) for _ in range(n)]
                      for name, n in (("smtpd", 24), ("smtp", 40), ("cleanup", 6), ("bounce", 3),
                                      ("postscreen", 1), ("dnsblog", 4), ("opendkim", 1), ("amavis", 8))}
        self._qmgr_pid = self.rng.randrange(900, 2000)
        self.now = 0.0
        self.epoch = cfg.start.replace(tzinfo=timezone.utc).timestamp()  # for ids; zone-independent

    def wall(self, t: float) -> datetime:
        return self.cfg.start + timedelta(seconds=max(t, 0.0))

    def clock(self, t: float) -> str:
        """RFC 3164 style, as Postfix writes times inside messages (anvil, scache)."""
        d = self.wall(t)
        return f"{MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S}"

    def iso(self, t: float) -> str:
        return self.wall(t).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t * 1000) % 1000:03d}Z"

    # -- scheduling ---------------------------------------------------------------
    def at(self, t: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self._heap, (t, next(self._seq), None, None, action))

    def log(self, t: float, program: str, msg: str, meta: str | None = None, pid: int | None = None) -> None:
        if pid is None:
            pid = self.pid(program.rsplit("/", 1)[-1])
        heapq.heappush(self._heap, (t, next(self._seq), f"{HOST} {program}[{pid}]: {msg}", meta, None))

    def pid(self, daemon: str) -> int:
        if daemon == "qmgr":
            return self._qmgr_pid
        pool = self._pids.get(daemon)
        return self.rng.choice(pool) if pool else self.rng.randrange(2000, 60000)

    def run(self) -> Iterator[tuple[float, str]]:
        """(sim seconds, line without the stamp), forever, in time order."""
        for start in (self.arrival, self.postscreen, self.housekeeping, self.sasl_guessing):
            self.at(self.rng.uniform(0, 2), start)
        heap = self._heap
        while heap:
            t, _, text, meta, action = heapq.heappop(heap)
            self.now = t
            if action is not None:
                action(t)
                continue
            if meta:
                kind, _, n = meta.partition("=")
                self.truth[kind] += int(n) if n else 1
            self.truth["lines"] += 1
            yield t, text

    # -- ids ------------------------------------------------------------------------
    def new_qid(self) -> str:
        while True:
            q = "".join(self.rng.choices(HEX, k=self.rng.choice((10, 10, 11))))
            if q not in self._qids:
                self._qids.add(q)
                if len(self._qids) > 200_000:
                    self._qids.clear()
                return q

    def address(self) -> tuple[str, str, Provider | None, str]:
        """-> (address, domain, provider, kind) with kind normal|typo|nullmx|dead."""
        r = self.rng
        local = f"{r.choice(FIRST)}{r.choice(('.', '_', ''))}{r.choice(LAST)}"
        if r.random() < 0.6:
            local += str(r.randrange(1, 9999))
        u = r.random() / self.cfg.failure_scale
        if u < 0.004:
            return f"{local}@{r.choice(TYPO_DOMAINS)}", "", None, "typo"
        if u < 0.005:
            d = r.choice(NULLMX_DOMAINS)
            return f"{local}@{d}", d, None, "nullmx"
        if u < 0.011:
            d = r.choice(DEAD_DOMAINS)
            return f"{local}@{d}", d, None, "dead"
        p = weighted(r, [p for _, p in PROVIDERS], [w for w, _ in PROVIDERS])
        d = r.choice(p.domains)
        if r.random() < 0.03:   # mixed-case domains happen; Postfix logs them as given
            d = d.capitalize()
        return f"{local}@{d}", d.lower(), p, "normal"

    def recipient(self) -> Recipient:
        r = self.rng
        addr, domain, prov, kind = self.address()
        if prov is None:
            mxhost = f"mx.{domain}" if domain else ""
            mx = (mxhost, f"203.0.113.{r.randrange(2, 250)}")
            if kind == "typo":
                domain = addr.rsplit("@", 1)[1]
                script: list[tuple[str, object]] = [("dns", None)]
            elif kind == "nullmx":
                script = [("nullmx", None)]
            else:
                script = [("conn", r.choice(CONNECT_FAILURES))]
            return Recipient(addr, domain, None, *mx, script=script)
        host, prefix = r.choice(prov.mx)
        host = host.format(domain=domain, dashdomain=domain.replace(".", "-"), n6=r.randrange(100000, 999999))
        mxip = prefix + str(r.randrange(2, 250))
        u = r.random() / self.cfg.failure_scale
        ok: tuple[str, object] = ("ok", None)
        if u < 0.035:
            script = [("hard", self.pick(prov.hard))]
        elif u < 0.043:                    # deferred until the queue lifetime ends
            script = [("soft", self.pick(prov.soft))]
        elif u < 0.05:                     # deferred a few times, then given up with a 5xx
            soft = self.pick(prov.soft)
            script = [("soft", soft)] * r.randint(1, 3) + [("hard", self.pick(prov.hard))]
        elif u < 0.10:                     # greylisted, throttled, over quota: delivered on a retry
            soft = self.pick(prov.soft)
            script = [("soft", soft)] * (1 if "reylist" in soft.text else r.randint(1, 3)) + [ok]
        elif u < 0.104:                    # a broken session, delivered on retry
            script = [("session", r.choice(SESSION_FAILURES)), ok]
        else:
            script = [ok]
        return Recipient(addr, domain, prov, host, mxip, script)

    def pick(self, replies: tuple[Reply, ...]) -> Reply:
        return weighted(self.rng, replies, [x.weight for x in replies])

    # -- message life ------------------------------------------------------------------
    def arrival(self, t: float) -> None:
        r = self.rng
        self.at(t + r.expovariate(self.cfg.msg_rate), self.arrival)
        n = 1 if r.random() < 0.82 else (r.randint(2, 5) if r.random() < 0.85 else r.randint(6, 20))
        sdom = r.choice(SENDER_DOMAINS)
        sender = (f"bounces+{r.randrange(10**5, 10**6)}-{''.join(r.choices(string.ascii_lowercase, k=4))}"
                  f"@{sdom}") if r.random() < 0.9 else f"noreply@{sdom}"
        qid = self.new_qid()
        msg = Message(qid, sender, f"{int((self.epoch + t) * 1000)}.{r.randrange(10**8)}@{sdom}",
                      r.randrange(3000, 90000) if r.random() < 0.95 else r.randrange(2_000_000, 30_000_000),
                      t, [self.recipient() for _ in range(n)])
        msg.doomed_removal = r.random() < 0.03
        app, ip = r.choice(APP_HOSTS)
        spid = self.pid("smtpd")
        self.log(t, "postfix/smtpd", f"connect from {app}[{ip}]", pid=spid)
        t += r.uniform(0.01, 0.05)
        if r.random() < 0.5:
            self.log(t, "postfix/smtpd", f"Anonymous TLS connection established from {app}[{ip}]: TLSv1.3 with "
                     "cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS "
                     "(2048 bits) server-digest SHA256", pid=spid)
        t += r.uniform(0.01, 0.2)
        self.log(t, "postfix/smtpd", f"{qid}: client={app}[{ip}], sasl_method=PLAIN, "
                 f"sasl_username=cust{r.randrange(1, 400):04d}", pid=spid)
        t += r.uniform(0.01, 0.3)
        self.log(t, "postfix/cleanup", f"{qid}: message-id=<{msg.msgid}>")
        if r.random() < 0.7:
            self.log(t, "opendkim", f"{qid}: DKIM-Signature field added (s=mail2026, d={sdom})",
                     "other_program")
        t += r.uniform(0.001, 0.05)
        self.queue_active(t, msg)
        self.log(t + r.uniform(0.01, 0.1), "postfix/smtpd",
                 f"disconnect from {app}[{ip}] ehlo=2 starttls=1 auth=1 mail=1 rcpt={n} data=1 quit=1 "
                 f"commands={7 + n}", pid=spid)
        if r.random() < self.cfg.filter_share:
            self.at(t + r.uniform(0.05, 0.5), lambda when: self.content_filter(when, msg))
        else:
            self.at(t + r.uniform(0.05, 1.0), lambda when: self.attempt(when, msg))

    def queue_active(self, t: float, msg: Message) -> None:
        self.log(t, "postfix/qmgr", f"{msg.qid}: from=<{msg.sender}>, size={msg.size}, "
                 f"nrcpt={len(msg.recipients)} (queue active)")

    def content_filter(self, t: float, msg: Message) -> None:
        """amavis on 127.0.0.1:10024 hands the message back on :10025 under a new queue id."""
        r = self.rng
        new = self.new_qid()
        spid, apid = self.pid("smtpd"), self.pid("amavis")
        t_end = t + r.uniform(0.3, 2.5)
        self.log(t_end - 0.05, "postfix/smtpd", "connect from localhost[127.0.0.1]", pid=spid)
        self.log(t_end - 0.04, "postfix/smtpd", f"{new}: client=localhost[127.0.0.1]", pid=spid)
        self.log(t_end - 0.03, "postfix/cleanup", f"{new}: message-id=<{msg.msgid}>")
        self.log(t_end - 0.02, "postfix/qmgr", f"{new}: from=<{msg.sender}>, size={msg.size + 812}, "
                 f"nrcpt={len(msg.recipients)} (queue active)")
        self.log(t_end - 0.01, "postfix/smtpd", "disconnect from localhost[127.0.0.1] ehlo=1 mail=1 "
                 f"rcpt={len(msg.recipients)} data=1 quit=1 commands={4 + len(msg.recipients)}", pid=spid)
        rcpts = ",".join(f"<{x.address}>" for x in msg.recipients)
        self.log(t_end, "amavis", f"({apid}-{r.randrange(1, 99):02d}) Passed CLEAN {{RelayedOutbound}}, "
                 f"LOCAL [10.20.0.1]:{r.randrange(30000, 60000)} <{msg.sender}> -> {rcpts}, Queue-ID: {msg.qid}, "
                 f"Message-ID: <{msg.msgid}>, mail_id: {''.join(r.choices(ALNUM + '-_', k=12))}, Hits: "
                 f"{r.uniform(-3, 2):.3f}, size: {msg.size}, queued_as: {new}, {int((t_end - t) * 1000)} ms",
                 "other_program", pid=apid)
        spid2 = self.pid("smtp")
        delay = t_end - msg.arrived
        for x in msg.recipients:
            self.log(t_end + 0.001, "postfix/smtp", f"{msg.qid}: to=<{x.address}>, relay=127.0.0.1[127.0.0.1]:10024, "
                     f"delay={_fmt_delay(delay)}, delays={_delays(r, delay)}, dsn=2.0.0, status=sent (250 2.0.0 from "
                     f"MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as {new})", "sent", pid=spid2)
        self.log(t_end + 0.002, "postfix/qmgr", f"{msg.qid}: removed")
        msg.qid = new
        self.at(t_end + r.uniform(0.05, 1.0), lambda when: self.attempt(when, msg, first=True))

    def attempt(self, t: float, msg: Message, first: bool = True) -> None:
        r = self.rng
        cfg = self.cfg
        msg.attempts += 1
        pending = [x for x in msg.recipients if not x.done]
        if not first:
            if t - msg.arrived >= cfg.queue_lifetime:
                return self.expire(t, msg, pending)
            if msg.doomed_removal and msg.attempts >= 3:
                return self.operator_removes(t, msg, pending)
            self.queue_active(t, msg)
        last = t
        by_domain: dict[str, list[Recipient]] = {}
        for x in pending:
            by_domain.setdefault(x.domain, []).append(x)
        for group in by_domain.values():
            spid = self.pid("smtp")
            tt = t + r.uniform(0.1, 1.5)
            first_x = group[0]
            outcome = first_x.script[min(first_x.attempt, len(first_x.script) - 1)]
            if first_x.provider is not None and outcome[0] in ("ok", "hard", "soft") and \
                    r.random() < first_x.provider.tls:
                self.log(tt - 0.05, "postfix/smtp", f"{r.choice(('Trusted', 'Verified', 'Untrusted'))} TLS "
                         f"connection established to {first_x.mx}[{first_x.mxip}]:25: TLSv1.3 with cipher "
                         "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature "
                         f"{r.choice(('RSA-PSS (2048 bits)', 'ECDSA (P-256)'))} server-digest SHA256", pid=spid)
            conn_use = 1
            for x in group:
                self.deliver(tt, msg, x, spid, conn_use)
                tt += r.uniform(0.01, 0.2)
                conn_use += 1
            last = max(last, tt)
        pending = [x for x in msg.recipients if not x.done]
        if pending:
            backoff = min(cfg.max_backoff, cfg.min_backoff * 2 ** (msg.attempts - 1))
            self.at(last + backoff + r.uniform(0, cfg.min_backoff),
                    lambda when: self.attempt(when, msg, first=False))
            return
        self.finish(last + 0.01, msg)

    def deliver(self, t: float, msg: Message, x: Recipient, spid: int, conn_use: int) -> None:
        r = self.rng
        kind, spec = x.script[min(x.attempt, len(x.script) - 1)]
        x.attempt += 1
        delay = t - msg.arrived
        f = Fields(r, {"rcpt": x.address, "domain": x.domain, "mx": x.mx, "mxip": x.mxip, "ourip": OUR_IP,
                       "sender": msg.sender, "sdomain": msg.sender.rsplit("@", 1)[1], "msgid": msg.msgid,
                       "size": str(msg.size), "epoch": str(int(self.epoch + t)),
                       "isots": self.iso(t)})
        relay = f"{x.mx}[{x.mxip}]:25"
        if kind == "ok":
            status, dsn = "sent", "2.0.0"
            reason = r.choice(x.provider.ok if x.provider else SMALL_OK).format_map(f)
        elif kind in ("hard", "soft"):
            rep: Reply = spec  # type: ignore[assignment]
            text = rep.text.format_map(f)
            status = "bounced" if kind == "hard" else "deferred"
            dsn = rep.dsn
            if rep.greeting:
                # Postfix defers a 5xx greeting too (smtp_skip_5xx_greeting) and says so in dsn.
                status, dsn = "deferred", "4" + dsn[1:]
                reason = f"host {x.mx}[{x.mxip}] refused to talk to me: {text}"
            else:
                reason = f"host {x.mx}[{x.mxip}] said: {text} (in reply to {rep.command} command)"
        elif kind in ("conn", "session"):
            text_t, dsn, no_relay = spec  # type: ignore[misc]
            status, reason = "deferred", text_t.format_map(f)
            if no_relay:
                relay = "none"
        elif kind == "dns":
            status, dsn, relay = "bounced", "5.4.4", "none"
            reason = f"Host or domain name not found. Name service error for name={x.domain} type=A: Host not found"
        else:  # nullmx
            status, dsn, relay = "bounced", "5.1.0", "none"
            reason = f"Domain {x.domain} does not accept mail (nullMX)"
        if status != "deferred":
            x.done = True
            x.bounced = status == "bounced"
        x.logged = True
        orig = f"orig_to=<{x.address.split('@')[0]}@lists.relay.example>, " if r.random() < 0.01 else ""
        cu = f"conn_use={conn_use}, " if conn_use > 1 else ""
        self.log(t, "postfix/smtp", f"{msg.qid}: to=<{x.address}>, {orig}relay={relay}, {cu}"
                 f"delay={_fmt_delay(delay)}, delays={_delays(r, delay)}, dsn={dsn}, status={status} ({reason})",
                 status, pid=spid)

    def finish(self, t: float, msg: Message) -> None:
        if any(x.bounced for x in msg.recipients):
            t = self.notify_sender(t, msg)
        self.log(t, "postfix/qmgr", f"{msg.qid}: removed")

    def expire(self, t: float, msg: Message, pending: list[Recipient]) -> None:
        known = sum(1 for x in pending if x.logged)
        self.log(t, "postfix/qmgr", f"{msg.qid}: from=<{msg.sender}>, status=expired, returned to sender",
                 f"expired={max(known, 1)}")
        t = self.notify_sender(t + 0.01, msg)
        self.log(t, "postfix/qmgr", f"{msg.qid}: removed")

    def operator_removes(self, t: float, msg: Message, pending: list[Recipient]) -> None:
        known = sum(1 for x in pending if x.logged)
        pid = self.rng.randrange(2000, 60000)
        self.log(t, "postfix/postsuper", f"{msg.qid}: removed", f"removed={max(known, 1)}", pid=pid)
        self.log(t, "postfix/postsuper", "Deleted: 1 message", pid=pid)

    def notify_sender(self, t: float, msg: Message) -> float:
        """The bounce daemon's non-delivery notification, delivered to the sender's bounce host."""
        r = self.rng
        new = self.new_qid()
        sdom = msg.sender.rsplit("@", 1)[1]
        self.log(t, "postfix/bounce", f"{msg.qid}: sender non-delivery notification: {new}")
        self.log(t, "postfix/cleanup", f"{new}: message-id=<{self.wall(t):%Y%m%d%H%M%S}.{new}@{MYHOSTNAME}>")
        self.log(t + 0.001, "postfix/qmgr", f"{new}: from=<>, size={r.randrange(2500, 9000)}, nrcpt=1 (queue active)")
        tt = t + r.uniform(0.2, 1.2)
        ip = f"192.0.2.{r.randrange(2, 250)}"
        self.log(tt, "postfix/smtp", f"{new}: to=<{msg.sender}>, relay=bounce-in.{sdom}[{ip}]:25, "
                 f"delay={_fmt_delay(tt - t)}, delays={_delays(r, tt - t)}, dsn=2.0.0, status=sent "
                 f"(250 2.0.0 Ok: queued as {''.join(r.choices(HEX, k=10))})", "sent")
        self.log(tt + 0.001, "postfix/qmgr", f"{new}: removed")
        return t + 0.002

    # -- background -----------------------------------------------------------------------
    def postscreen(self, t: float) -> None:
        """Inbound connections on port 25: most pass, bots are caught, some reach smtpd and are rejected."""
        r = self.rng
        self.at(t + r.expovariate(self.cfg.postscreen_rate), self.postscreen)
        ip = f"{r.choice((45, 85, 91, 103, 176, 185, 194, 212))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        port = r.randrange(30000, 65000)
        peer = f"[{ip}]:{port}"
        self.log(t, "postfix/postscreen", f"CONNECT from {peer} to [{OUR_IP}]:25")
        u = r.random()
        if u < 0.25:
            rank = r.choice((1, 3, 5, 8))
            zone = r.choice(("zen.spamhaus.org", "b.barracudacentral.org", "bl.spamcop.net"))
            self.log(t + 0.01, "postfix/dnsblog", f"addr {ip} listed by domain {zone} as 127.0.0.{r.choice((2, 4, 11))}")
            self.log(t + 0.1, "postfix/postscreen", f"DNSBL rank {rank} for {peer}")
            if rank >= 3:
                self.log(t + 0.2, "postfix/postscreen", f"NOQUEUE: reject: RCPT from {peer}: 550 5.7.1 Service "
                         f"unavailable; client [{ip}] blocked using {zone}; from=<{r.choice(FIRST)}@{r.choice(LAST)}.example>, "
                         f"to=<postmaster@relay.example>, proto=ESMTP, helo=<{r.choice(('ylmf-pc', 'User', 'WIN-' + ''.join(r.choices(HEX, k=8))))}>")
            self.log(t + 0.3, "postfix/postscreen", f"DISCONNECT {peer}")
            return
        if u < 0.35:
            self.log(t + 0.05, "postfix/postscreen", f"PREGREET 11 after 0.{r.randrange(10, 99)} from {peer}: EHLO ylmf-pc\\r\\n")
            self.log(t + 0.06, "postfix/postscreen", f"DISCONNECT {peer}")
            return
        self.log(t + 0.01, "postfix/postscreen", f"PASS {r.choice(('OLD', 'OLD', 'NEW'))} {peer}")
        spid = self.pid("smtpd")
        host = r.choice(("unknown", f"mail{r.randrange(1, 9)}.{r.choice(LAST)}-{r.choice(('net', 'online', 'mail'))}.example"))
        self.log(t + 0.02, "postfix/smtpd", f"connect from {host}[{ip}]", pid=spid)
        v = r.random()
        if v < 0.5:
            reply = r.choice((
                "554 5.7.1 <{rcpt}>: Relay access denied",
                "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table",
                "450 4.7.1 Client host rejected: cannot find your reverse hostname, [{ip}]",
                "450 4.7.1 <{helo}>: Helo command rejected: Host not found"))
            rcpt = f"{r.choice(FIRST)}@{r.choice(('relay.example', 'gmail.com', 'example.net'))}"
            helo = r.choice(("User", "localhost", f"{host}", "[" + ip + "]"))
            self.log(t + 0.3, "postfix/smtpd", f"NOQUEUE: reject: RCPT from {host}[{ip}]: "
                     + reply.format(rcpt=rcpt, ip=ip, helo=helo)
                     + f"; from=<{r.choice(FIRST)}@{r.choice(LAST)}.example> to=<{rcpt}> proto=ESMTP helo=<{helo}>",
                     pid=spid)
            self.log(t + 0.4, "postfix/smtpd", f"disconnect from {host}[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
                     pid=spid)
        else:
            self.log(t + 0.1, "postfix/smtpd", f"lost connection after {r.choice(('EHLO', 'CONNECT', 'STARTTLS'))} "
                     f"from {host}[{ip}]", pid=spid)
            self.log(t + 0.11, "postfix/smtpd", f"disconnect from {host}[{ip}] ehlo=1 commands=1", pid=spid)

    def sasl_guessing(self, t: float) -> None:
        r = self.rng
        self.at(t + r.expovariate(0.03), self.sasl_guessing)
        ip = f"{r.choice((5, 45, 141, 193))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        spid = self.pid("smtpd")
        self.log(t, "postfix/smtpd", f"connect from unknown[{ip}]", pid=spid)
        self.log(t + 1.5, "postfix/smtpd", f"warning: unknown[{ip}]: SASL LOGIN authentication failed: "
                 "UGFzc3dvcmQ6", pid=spid)
        self.log(t + 1.6, "postfix/smtpd", f"lost connection after AUTH from unknown[{ip}]", pid=spid)
        self.log(t + 1.61, "postfix/smtpd", f"disconnect from unknown[{ip}] ehlo=1 auth=0/1 commands=1/2", pid=spid)

    def housekeeping(self, t: float) -> None:
        r = self.rng
        self.at(t + 600, self.housekeeping)
        pid = r.randrange(2000, 60000)
        self.log(t, "postfix/anvil", f"statistics: max connection rate {r.randrange(5, 60)}/60s for "
                 f"(smtp:10.20.0.{r.randrange(11, 23)}) at {self.clock(t - r.uniform(0, 500))}", pid=pid)
        self.log(t, "postfix/anvil", f"statistics: max connection count {r.randrange(2, 20)} for "
                 f"(smtp:10.20.0.{r.randrange(11, 23)}) at {self.clock(t - r.uniform(0, 500))}", pid=pid)
        self.log(t, "postfix/anvil", f"statistics: max cache size {r.randrange(10, 90)} at {self.clock(t - r.uniform(0, 500))}",
                 pid=pid)
        spid = r.randrange(2000, 60000)
        self.log(t + 1, "postfix/scache", f"statistics: start interval {self.clock(t - 600)}", pid=spid)
        self.log(t + 1, "postfix/scache", f"statistics: domain lookup hits={r.randrange(100, 900)} "
                 f"miss={r.randrange(50, 400)} success={r.randrange(40, 90)}%", pid=spid)
        self.log(t + 1, "postfix/scache", f"statistics: address lookup hits={r.randrange(100, 900)} "
                 f"miss={r.randrange(50, 400)} success={r.randrange(40, 90)}%", pid=spid)
        self.log(t + 2, "CRON", "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", "other_program",
                 pid=r.randrange(2000, 60000))
        self.log(t + 3, "systemd", "Started session-" + str(r.randrange(1000, 9999)) + ".scope - Session of User monitor.",
                 "other_program", pid=1)


# -- formatting ------------------------------------------------------------------------
def _fmt_delay(d: float) -> str:
    """Postfix's style: two significant digits below 10 s, whole seconds above, 0 below 10 ms."""
    if d >= 10:
        return str(int(d))
    return f"{d:.2g}" if d >= 0.01 else "0"


def _delays(r: random.Random, d: float) -> str:
    """``delays=a/b/c/d``: before qmgr, in qmgr, connection setup, transmission."""
    conn = min(d, r.uniform(0.01, 0.6))
    tx = min(max(d - conn, 0), r.uniform(0.05, 0.8))
    before = max(d - conn - tx, 0)
    return f"{_fmt_delay(before)}/{r.choice(('0', '0.01', '0.02'))}/{_fmt_delay(conn)}/{_fmt_delay(tx)}"


class Stamper:
    """RFC 3164 stamps (``Nov 20 06:00:01``), one strftime per distinct second."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self._sec = -1
        self._text = ""

    def __call__(self, t: float) -> str:
        s = int(t)
        if s != self._sec:
            d = self.start + timedelta(seconds=s)
            self._sec, self._text = s, f"{MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S}"
        return self._text


def write_batch(out: TextIO, relay: Relay, lines: int, start: datetime) -> None:
    stamp = Stamper(start)
    buf: list[str] = []
    for n, (t, text) in enumerate(relay.run(), 1):
        buf.append(f"{stamp(t)} {text}\n")
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf.clear()
        if n >= lines:
            break
    out.write("".join(buf))


def follow(path: str, relay: Relay, rate: float, lines: int | None) -> None:
    """Append ``rate`` lines per second to ``path`` with the wall clock's stamps, for live demos."""
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    it = relay.run()
    written = 0
    t0 = time.monotonic()
    with open(path, "a", encoding="utf-8") as out:
        while not stop and (lines is None or written < lines):
            due = int((time.monotonic() - t0) * rate) + 1 - written
            if lines is not None:
                due = min(due, lines - written)
            if due > 0:
                now = datetime.now()
                prefix = f"{MONTHS[now.month - 1]} {now.day:2d} {now:%H:%M:%S} "
                out.write("".join(prefix + next(it)[1] + "\n" for _ in range(due)))
                out.flush()
                written += due
            time.sleep(min(0.1, 1.0 / rate))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, help="stop after N lines (default: 100000; unbounded with --follow)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    ap.add_argument("--truth", metavar="FILE", help="write the ground truth (counts a parser must find) as JSON")
    ap.add_argument("--start", default="2026-11-20T06:00:00", help="first stamp (local time, ISO)")
    ap.add_argument("--msg-rate", type=float, help="messages per second (default 2, or --rate/11 with --follow)")
    ap.add_argument("--queue-lifetime", type=float, default=3 * 3600, help="seconds before a deferred message expires")
    ap.add_argument("--min-backoff", type=float, default=300.0,
                    help="seconds before the first retry (minimal_backoff_time; max is 4000)")
    ap.add_argument("--failure-scale", type=float, default=1.0, help="multiply failure probabilities (tests)")
    ap.add_argument("--follow", metavar="FILE", help="append live to FILE (wall-clock stamps) instead")
    ap.add_argument("--rate", type=float, default=20.0, help="lines per second with --follow")
    a = ap.parse_args(argv)
    cfg = Config(seed=a.seed, queue_lifetime=a.queue_lifetime, failure_scale=a.failure_scale,
                 min_backoff=a.min_backoff, start=datetime.fromisoformat(a.start))
    if a.msg_rate:
        cfg.msg_rate = a.msg_rate
    elif a.follow:
        cfg.msg_rate = a.rate / LINES_PER_MESSAGE
    relay = Relay(cfg)
    if a.follow:
        follow(a.follow, relay, a.rate, a.lines)
        return 0
    lines = a.lines or 100_000
    start = cfg.start
    if a.output == "-":
        write_batch(sys.stdout, relay, lines, start)
    else:
        with open(a.output, "w", encoding="utf-8") as out:
            write_batch(out, relay, lines, start)
    if a.truth:
        t = relay.truth
        truth = {"generator": "bench/generate.py", "seed": a.seed, "lines": t["lines"],
                 "events": {k: t[k] for k in ("sent", "deferred", "bounced", "expired", "removed")},
                 "other_program": t["other_program"]}
        with open(a.truth, "w", encoding="utf-8") as f:
            json.dump(truth, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
