"""The mail traffic behind bench/generate_exim.py and bench/generate_sendmail.py.

One small discrete-event simulation of an outbound relay, rendered by each
generator in its MTA's own log dialect, so the two logs (and their parse
rates) describe the same traffic: messages arrive with 1-3 recipients; each
recipient follows a fate drawn from weights typical of a sender's relay
(delivered at once, greylisted then delivered, mailbox full then delivered,
unknown user, blocklisted, host unknown, connection refused until expiry, DNS
trouble); retries follow a doubling backoff; expired or failed recipients
trigger a bounce message back to the sender. Replies are real provider texts
with the recipient and a per-message id inside, so no cache of a few dozen
strings can answer for the parser.

Same seed, same options -> the same events.
"""

from __future__ import annotations

import heapq
import itertools
import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterator

DOMAINS = (("gmail.com", "gmail-smtp-in.l.google.com", "142.250.27.26", 30),
           ("outlook.com", "outlook-com.olc.protection.outlook.com", "52.101.42.12", 20),
           ("yahoo.com", "mta7.am0.yahoodns.net", "67.195.204.72", 10),
           ("icloud.com", "mx01.mail.icloud.com", "17.57.154.6", 6),
           ("gmx.de", "mx00.emig.gmx.net", "212.227.15.9", 5),
           ("orange.fr", "smtp-in.orange.fr", "80.12.242.9", 4),
           ("example-shop.de", "mail.example-shop.de", "192.0.2.40", 8),
           ("univ.example.edu", "mx.univ.example.edu", "198.51.100.77", 8),
           ("smallbiz.example", "mx1.smallbiz.example", "203.0.113.12", 9))
SENDERS = ("news@shop.example.net", "noreply@billing.example.net", "alerts@app.example.net",
           "support@example.net")


@dataclass(frozen=True, slots=True)
class Fate:
    name: str
    weight: int
    attempts: int          # deferrals before the final outcome (-1: until expiry)
    final: str             # sent | bounced | expired | unrouteable
    defer_reply: str = ""  # a {rcpt} {id} template; "" for connection-level failures
    defer_kind: str = "reply"   # reply | refused | dns
    final_reply: str = ""


FATES = (
    Fate("ok", 800, 0, "sent"),
    Fate("greylisted", 70, 1, "sent", "451 4.7.1 <{rcpt}>: Recipient address rejected: Greylisted, see "
         "http://postgrey.schweikert.ch/help/{domain}.html"),
    Fate("mailbox_full", 20, 2, "sent", "452 4.2.2 The email account that you tried to reach is over quota. "
         "Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp {id} - gsmtp"),
    Fate("unknown_user", 50, 0, "bounced", final_reply="550-5.1.1 The email account that you tried to reach "
         "does not exist. Please try\\n550-5.1.1 double-checking the recipient's email address for typos or"
         "\\n550 5.1.1 https://support.google.com/mail/?p=NoSuchUser {id} - gsmtp"),
    Fate("blocklisted", 20, 0, "bounced", final_reply="550 5.7.1 Service unavailable, Client host "
         "[198.51.100.25] blocked using Spamhaus. To request removal from this list see "
         "https://www.spamhaus.org/query/ip/198.51.100.25 (AS3130) [{id}.eop-nam12.prod.protection.outlook.com]"),
    Fate("refused_expire", 15, -1, "expired", defer_kind="refused"),
    Fate("dns_then_ok", 10, 1, "sent", defer_kind="dns"),
    Fate("nxdomain", 15, 0, "unrouteable"),
)


@dataclass(slots=True)
class Recipient:
    addr: str
    domain: str
    mx: str
    ip: str
    fate: Fate


@dataclass(slots=True)
class Message:
    seq: int
    arrival: datetime
    sender: str
    size: int
    msgid: str
    rcpts: list[Recipient]
    bounce_of: "Message | None" = None
    tags: dict = field(default_factory=dict)   # per-dialect ids, filled by the renderer


@dataclass(frozen=True, slots=True)
class Event:
    """``kind``: arrival | attempt | done. ``outcome`` for attempts: sent,
    deferred, bounced, expired, unrouteable, retry_wait."""

    at: datetime
    kind: str
    msg: Message
    rcpt: Recipient | None = None
    outcome: str = ""
    reply: str = ""


def rid(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=n))


class Simulation:
    def __init__(self, seed: int = 1, start: datetime = datetime(2026, 11, 20, 6, 0, 0),
                 msg_rate: float = 2.0, lifetime: timedelta = timedelta(hours=4)) -> None:
        self.rng = random.Random(seed)
        self.now = start
        self.msg_rate = msg_rate
        self.lifetime = lifetime
        self._heap: list[tuple[datetime, int, Event]] = []
        self._tie = itertools.count()
        self._seq = itertools.count(1)
        self._fate_weights = [f.weight for f in FATES]
        self._dom_weights = [d[3] for d in DOMAINS]

    def events(self) -> Iterator[Event]:
        """Endless, in time order."""
        while True:
            self.now += timedelta(seconds=self.rng.expovariate(self.msg_rate))
            while self._heap and self._heap[0][0] <= self.now:
                yield heapq.heappop(self._heap)[2]
            self._plan(self._new_message())

    def _push(self, ev: Event) -> None:
        heapq.heappush(self._heap, (ev.at, next(self._tie), ev))

    def _new_message(self, bounce_of: Message | None = None, to: str | None = None) -> Message:
        r = self.rng
        if bounce_of is not None:
            d = to.rsplit("@", 1)[1] if to else "example.net"
            rc = [Recipient(to or "", d, "mx." + d, "192.0.2.250", FATES[0])]
            return Message(next(self._seq), self.now, "", r.randint(3000, 9000),
                           f"E1{rid(r, 5)}-{rid(r, 6)}@mx-out1.relay.example", rc, bounce_of)
        rcpts = []
        for _ in range(r.choice((1, 1, 1, 1, 2, 3))):
            dom = r.choices(DOMAINS, self._dom_weights)[0]
            user = r.choice(("anna", "ben", "chris", "dora", "emil", "fatima", "georg", "hana")) + str(r.randint(1, 9999))
            rcpts.append(Recipient(f"{user}@{dom[0]}", dom[0], dom[1], dom[2],
                                   r.choices(FATES, self._fate_weights)[0]))
        return Message(next(self._seq), self.now, r.choice(SENDERS), int(r.lognormvariate(9.5, 1.0)),
                       f"{rid(r, 12)}.{self.now:%Y%m%d%H%M%S}@example.net", rcpts)

    def _plan(self, m: Message) -> None:
        r = self.rng
        self._push(Event(m.arrival, "arrival", m))
        t_last = m.arrival
        failed = []
        for rc in m.rcpts:
            t = m.arrival + timedelta(seconds=r.uniform(0.2, 3))
            f = rc.fate
            ident = rid(r, 10)
            fmt = {"rcpt": rc.addr, "id": ident, "domain": rc.domain}
            n = f.attempts
            backoff = timedelta(minutes=5)
            k = 0
            while n < 0 or k < n:
                if n < 0 and t - m.arrival >= self.lifetime:
                    break
                self._push(Event(t, "attempt", m, rc, "deferred", f.defer_reply.format(**fmt) or f.defer_kind))
                # queue runs between real retries only say "retry time not reached"
                for j in range(r.randint(0, 2)):
                    self._push(Event(t + backoff * (j + 1) / 3, "attempt", m, rc, "retry_wait"))
                t += backoff
                backoff = min(backoff * 2, timedelta(hours=1))
                k += 1
            final = f.final
            self._push(Event(t, "attempt", m, rc, final, f.final_reply.format(**fmt)))
            if final != "sent":
                failed.append(rc)
            t_last = max(t_last, t)
        self._push(Event(t_last + timedelta(milliseconds=5), "done", m))
        if failed and m.sender:  # the MTA's own bounce back to the sender
            saved = self.now
            self.now = t_last + timedelta(milliseconds=2)
            b = self._new_message(bounce_of=m, to=m.sender)
            self.now = saved
            self._plan(b)
