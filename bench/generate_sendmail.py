#!/usr/bin/env python3
"""A Sendmail syslog (bench/mailsim.py's traffic) as Debian's rsyslog writes
it: the daemon ``sm-mta`` receiving from application servers and relaying
out, a share of mail submitted on the host through ``sendmail`` (the
submission program, whose ``stat=Sent`` hand-overs to the daemon are not
deliveries), ``DSN:`` lines for bounces and expiries, STARTTLS and
connection noise.

    python bench/generate_sendmail.py --lines 200000 --seed 1 -o mail.log --truth mail.truth.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mailsim import Event, Message, Simulation  # noqa: E402

HOST = "mx-out1"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
QID_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"  # sendmail's base 60



def _reply_field(reply: str) -> str:
    """``reply=`` as Sendmail 8.17 logs it (seen in tests/test_realmta_sendmail.py):
    the reply's first line only, and from 203 characters on its first and last
    100 around "..." (sendmail's shortenstring with MAXSHORTSTR)."""
    first = reply.split("\\n", 1)[0]
    return first if len(first) < 203 else first[:100] + "..." + first[-100:]


def _dsn(first: str) -> str:
    """``dsn=``: the reply's enhanced code, else 5.1.1 for a 550 and x.0.0 for others."""
    code, enhanced = first[:3], first[4:].split(" ", 1)[0]
    if re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", enhanced):
        return enhanced
    return "5.1.1" if code == "550" else f"{code[0]}.0.0"

class SendmailRenderer:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed + 2)
        self.truth: Counter[str] = Counter()
        self._seq = 0

    def qid(self, at: datetime, pid: int) -> str:
        """8.12+ ids: year, month, day, hour, minute, second, sequence (base 60), pid."""
        self._seq = (self._seq + 1) % 60
        c = QID_CHARS
        return (f"{c[at.year % 60]}{c[at.month - 1]}{c[at.day]}{c[at.hour]}{c[at.minute]}{c[at.second]}"
                f"{c[self._seq]}{pid % 1000000:06d}")

    def prefix(self, at: datetime, program: str, pid: int) -> str:
        return f"{MONTHS[at.month - 1]} {at.day:2d} {at:%H:%M:%S} {HOST} {program}[{pid}]: "

    def ids(self, m: Message) -> tuple[str, int]:
        if "sm" not in m.tags:
            pid = self.r.randint(1000, 65000)
            m.tags["sm"] = self.qid(m.arrival, pid)
            m.tags["smpid"] = pid
        return m.tags["sm"], m.tags["smpid"]

    def render(self, ev: Event) -> list[str]:
        r = self.r
        m = ev.msg
        qid, pid = self.ids(m)
        mta = self.prefix(ev.at, "sm-mta", pid)
        if ev.kind == "arrival":
            return self._arrival(ev, m, qid, pid)
        if ev.kind == "done":
            return []
        rc = ev.rcpt
        assert rc is not None
        delay = _hms(ev.at - m.arrival)
        head = (f"{mta}{qid}: to=<{rc.addr}>, delay={delay}, xdelay={_hms(timedelta(seconds=r.uniform(0.2, 3)))}, "
                f"mailer=esmtp, pri={30000 + m.size + 90000 * (ev.outcome == 'deferred')}, ")
        relay = f"relay={rc.mx}. [{rc.ip}]"
        o = ev.outcome
        pending: set[str] = m.tags.setdefault("pending", set())
        if o == "deferred":
            pending.add(rc.addr)
        elif o != "retry_wait":
            pending.discard(rc.addr)
        if o == "sent":
            self.truth["sent"] += 1
            tls = (f"{mta}STARTTLS=client, relay={rc.mx}., version=TLSv1.3, verify=OK, "
                   "cipher=TLS_AES_256_GCM_SHA384, bits=256/256")
            return [tls, head + f"{relay}, dsn=2.0.0, stat=Sent (OK  {int(ev.at.timestamp())} {_tag(r)} - gsmtp)"]
        if o == "retry_wait":  # Sendmail skips hosts in its status cache without a line
            return []
        if o == "deferred":
            self.truth["deferred"] += 1
            if ev.reply == "refused":
                return [head + f"{relay}, dsn=4.0.0, stat=Deferred: Connection refused by {rc.mx}."]
            if ev.reply == "dns":
                return [head + f"relay={rc.domain}, dsn=4.4.3, stat=Deferred: Name server: {rc.domain}.: "
                        "host name lookup failure"]
            first = _reply_field(ev.reply)
            return [head + f"{relay}, dsn={_dsn(first)}, reply={first}, stat=Deferred: {first}"]
        if o == "bounced":
            self.truth["bounced"] += 1
            first = _reply_field(ev.reply)
            # every final reply of mailsim answers RCPT TO, where Sendmail says "User unknown" for any 550
            stat = "User unknown" if first.startswith("550") else "Service unavailable"
            return [head + f"{relay}, dsn={_dsn(first)}, reply={first}, stat={stat}"]
        if o == "expired":  # the last try, then the queue-return timeout bounces the message
            self.truth["deferred"] += 1
            last = head + f"{relay}, dsn=4.0.0, stat=Deferred: Connection refused by {rc.mx}."
            if "bounce_qid" in m.tags:  # one DSN line per message; it already expired everything pending
                return [last]
            # the DSN line expires every recipient still pending, this one included
            self.truth["expired"] += len(pending) + 1
            pending.clear()
            return [last, f"{mta}{qid}: {self._bounce_qid(m, ev.at)}: DSN: Cannot send message for 4 hours"]
        if o == "unrouteable":
            self.truth["bounced"] += 1
            return [head + f"relay={rc.domain}, dsn=5.1.2, stat=Host unknown (Name server: {rc.domain}.: "
                    "host not found)"]
        raise ValueError(o)

    def _bounce_qid(self, m: Message, at: datetime) -> str:
        b = m.tags.get("bounce_qid")
        if b is None:
            b = m.tags["bounce_qid"] = self.qid(at, m.tags["smpid"])
        return b

    def _arrival(self, ev: Event, m: Message, qid: str, pid: int) -> list[str]:
        r = self.r
        mta = self.prefix(ev.at, "sm-mta", pid)
        n = len(m.rcpts)
        if m.bounce_of is not None:
            parent, _ = self.ids(m.bounce_of)
            out = []
            if "bounce_qid" not in m.bounce_of.tags:  # the expiry already named it
                out.append(f"{mta}{parent}: {self._bounce_qid(m.bounce_of, ev.at)}: DSN: User unknown")
            m.tags["sm"] = m.bounce_of.tags["bounce_qid"]
            return out + [f"{mta}{m.tags['sm']}: from=<>, size={m.size}, class=0, nrcpts={n}, "
                          f"msgid=<{m.msgid}>, bodytype=8BITMIME, proto=ESMTP, daemon=MTA, relay={HOST}.relay.example"]
        if m.seq % 10 == 0:  # submitted on this host: the submission program hands it to sm-mta
            spid = r.randint(1000, 65000)
            sqid = self.qid(ev.at, spid)
            sub = self.prefix(ev.at, "sendmail", spid)
            self.truth["handed_over"] += n
            lines = [f"{sub}{sqid}: from=www-data, size={m.size - 300}, class=0, nrcpts={n}, "
                     f"msgid=<{m.msgid}>, relay=www-data@localhost",
                     f"{mta}{qid}: from=<www-data@{HOST}.relay.example>, size={m.size}, class=0, nrcpts={n}, "
                     f"msgid=<{m.msgid}>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]"]
            for rc in m.rcpts:
                lines.append(f"{sub}{sqid}: to={rc.addr}, ctladdr=www-data (33/33), delay=00:00:00, "
                             "xdelay=00:00:00, mailer=relay, pri=30000, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, "
                             f"stat=Sent ({qid} Message accepted for delivery)")
            return lines
        return [f"{mta}{qid}: from=<{m.sender}>, size={m.size}, class=0, nrcpts={n}, msgid=<{m.msgid}>, "
                f"bodytype=8BITMIME, proto=ESMTPS, daemon=MTA, tls_verify=NO, auth=NONE, "
                f"relay=app{m.seq % 4 + 1}.example.net [192.0.2.{10 + m.seq % 4}]"]

    def noise(self, at: datetime) -> list[str]:
        r = self.r
        pid = r.randint(1000, 65000)
        mta = self.prefix(at, "sm-mta", pid)
        ip = f"203.0.113.{r.randint(1, 254)}"
        k = r.random()
        if k < 0.4:
            return [f"{mta}{self.qid(at, pid)}: lost input channel from [{ip}] to MTA after rcpt"]
        if k < 0.7:
            return [f"{mta}{self.qid(at, pid)}: timeout waiting for input from [{ip}] during server cmd read"]
        return [f"{mta}{self.qid(at, pid)}: [{ip}] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA"]


def _hms(d: timedelta) -> str:
    s = int(d.total_seconds())
    days, s = divmod(s, 86400)
    text = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{days}+{text}" if days else text


def _tag(r: random.Random) -> str:
    return "".join(r.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=12))


def write(out: TextIO, lines: int, seed: int, start: datetime,
          lifetime: timedelta = timedelta(hours=4)) -> Counter[str]:
    sim = Simulation(seed=seed, start=start, lifetime=lifetime)
    ren = SendmailRenderer(seed)
    n = 0
    for ev in sim.events():
        batch = ren.render(ev)
        if ren.r.random() < 0.05:
            batch += ren.noise(ev.at)
        for line in batch:
            out.write(line + "\n")
        n += len(batch)
        if n >= lines and ev.kind == "done":
            break
    ren.truth["lines"] = n
    return ren.truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=100_000, help="about this many lines (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    ap.add_argument("--truth", metavar="FILE", help="write the delivery lines per status as JSON")
    ap.add_argument("--start", default="2026-11-20T06:00:00")
    ap.add_argument("--queue-lifetime", type=float, default=4 * 3600, help="seconds before a deferred address expires")
    a = ap.parse_args(argv)
    out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    try:
        truth = write(out, a.lines, a.seed, datetime.fromisoformat(a.start),
                      timedelta(seconds=a.queue_lifetime))
    finally:
        if out is not sys.stdout:
            out.close()
    if a.truth:
        Path(a.truth).write_text(json.dumps(dict(truth), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
