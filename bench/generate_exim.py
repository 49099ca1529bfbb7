#!/usr/bin/env python3
"""An Exim main log of an outbound relay (bench/mailsim.py's traffic), written
with contrib/exim/log_selector.conf's options (+pid +millisec log_timezone
+sender_on_delivery +return_path_on_delivery +delivery_size +outgoing_port
+outgoing_interface +tls_* +received_recipients +queue_time +deliver_time),
or Debian's default selector with ``--plain``.

    python bench/generate_exim.py --lines 200000 --seed 1 -o mainlog --truth mainlog.truth.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mailsim import Event, Message, Simulation  # noqa: E402

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
OUR_IP = "198.51.100.25"
ZONE = "+0100"


def b62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, d = divmod(n, 62)
        out.append(B62[d])
    return "".join(reversed(out))


class EximRenderer:
    def __init__(self, seed: int, plain: bool = False, old_ids: bool = False) -> None:
        self.r = random.Random(seed + 1)
        self.plain = plain
        self.old_ids = old_ids
        self.truth: Counter[str] = Counter()

    def msg_id(self, m: Message) -> str:
        qid = m.tags.get("exim")
        if qid is None:
            t = int(m.arrival.timestamp())
            pid = self.r.randint(1000, 4_000_000)
            if self.old_ids:
                qid = f"{b62(t, 6)}-{b62(pid, 6)}-{b62(m.seq % 3844, 2)}"
            else:
                qid = f"{b62(t, 6)}-{b62(pid, 11)}-{b62(m.seq % 14776336, 4)}"
            m.tags["exim"] = qid
        return qid

    def stamp(self, at: datetime, pid: int) -> str:
        if self.plain:
            return f"{at:%Y-%m-%d %H:%M:%S}"
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} {ZONE} [{pid}]"

    def render(self, ev: Event) -> list[str]:
        r = self.r
        m = ev.msg
        qid = self.msg_id(m)
        pid = m.tags.setdefault("pid", r.randint(1000, 65000))
        head = f"{self.stamp(ev.at, pid)} {qid} "
        sel = not self.plain
        if ev.kind == "arrival":
            if m.bounce_of is not None:
                line = f"<= <> R={self.msg_id(m.bounce_of)} U=Debian-exim P=local S={m.size}"
            else:
                port = r.randint(30000, 60000)
                line = (f"<= {m.sender} H=app{m.seq % 4 + 1}.example.net [192.0.2.{10 + m.seq % 4}]"
                        + (f":{port} I=[{OUR_IP}]:25" if sel else "")
                        + " P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no"
                        + f" S={m.size} id={m.msgid}")
            if sel:
                line += " for " + " ".join(rc.addr for rc in m.rcpts)
            return [head + line]
        if ev.kind == "done":
            return [head + "Completed"]
        rc = ev.rcpt
        assert rc is not None
        fields = ""
        if sel:
            fields = f" F=<{m.sender}> P=<{m.sender}>" if m.sender else " F=<> P=<>"
        host = f" H={rc.mx} [{rc.ip}]" + (f":25 I=[{OUR_IP}]:{r.randint(30000, 60000)}" if sel else "")
        # a failure's or deferral's host has no I= (real Exim 4.96, tests/test_realmta_exim.py's log)
        fhost = f" H={rc.mx} [{rc.ip}]" + (":25" if sel else "")
        tls = " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes" + (f' DN="/CN={rc.mx}"' if sel else "")
        o = ev.outcome
        if o == "sent":
            self.truth["sent"] += 1
            size = f" S={m.size + 600}" if sel else ""
            times = f" QT={_dur(ev.at - m.arrival)} DT={r.uniform(0.2, 3):.3f}s" if sel else ""
            return [head + f"=> {rc.addr}{fields} R=dnslookup T=remote_smtp{size}{host}{tls}"
                    f' C="250 2.0.0 OK  {int(ev.at.timestamp())} {_tag(r)} - gsmtp"{times}']
        if o == "retry_wait":
            self.truth["deferred"] += 1
            return [head + f"== {rc.addr} R=dnslookup T=remote_smtp defer (-53): retry time not reached "
                    f"for any host for '{rc.domain}'"]
        if o == "deferred":
            self.truth["deferred"] += 1
            if ev.reply == "refused":
                return [f"{self.stamp(ev.at, pid)} {qid} H={rc.mx} [{rc.ip}] Connection refused",
                        head + f"== {rc.addr} R=dnslookup T=remote_smtp defer (111): Connection refused"]
            if ev.reply == "dns":
                return [head + f"== {rc.addr} R=dnslookup defer (-1): host lookup did not complete"]
            # +deliver_time: a deferral's DT= before its message, a failure's after it (Exim 4.96)
            dt = f" DT={r.uniform(0.05, 2):.3f}s" if sel else ""
            return [head + f"== {rc.addr} R=dnslookup T=remote_smtp defer (-44){fhost}{dt}: SMTP error from remote "
                    f"mail server after RCPT TO:<{rc.addr}>: {ev.reply}"]
        if o == "bounced":
            self.truth["bounced"] += 1
            dt = f" DT={r.uniform(0.05, 2):.3f}s" if sel else ""
            return [head + f"** {rc.addr}{fields} R=dnslookup T=remote_smtp{fhost}{tls}: SMTP error from remote "
                    f"mail server after RCPT TO:<{rc.addr}>: {ev.reply}{dt}"]
        if o == "expired":
            self.truth["expired"] += 1
            return [head + f"** {rc.addr}{fields}: retry timeout exceeded"]
        if o == "unrouteable":
            self.truth["bounced"] += 1
            return [head + f"** {rc.addr}{fields}: Unrouteable address"]
        raise ValueError(o)

    def noise(self, at: datetime) -> list[str]:
        r = self.r
        pid = r.randint(1000, 65000)
        s = self.stamp(at, pid)
        k = r.random()
        if k < 0.4:
            return [f"{s} Start queue run: pid={pid}", f"{s} End queue run: pid={pid}"]
        if k < 0.8:
            return [f"{s} SMTP connection from app1.example.net [192.0.2.10]:{r.randint(30000, 60000)} "
                    f"I=[{OUR_IP}]:25 (TCP/IP connection count = {r.randint(1, 9)})"]
        return [f"{s} H=({_tag(r)}) [203.0.113.{r.randint(1, 254)}] F=<spam@{_tag(r)}.example> "
                "rejected RCPT <info@example.net>: relay not permitted"]


def _tag(r: random.Random) -> str:
    return "".join(r.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=12))


def _dur(d: timedelta) -> str:
    """Exim's readable_time: 1h2m3s."""
    s = int(d.total_seconds())
    out = ""
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= n:
            out += f"{s // n}{unit}"
            s %= n
    return out + f"{s}s"


def write(out: TextIO, lines: int, seed: int, plain: bool, old_ids: bool, start: datetime,
          lifetime: timedelta = timedelta(hours=4)) -> Counter[str]:
    sim = Simulation(seed=seed, start=start, lifetime=lifetime)
    ren = EximRenderer(seed, plain=plain, old_ids=old_ids)
    n = 0
    for ev in sim.events():
        batch = ren.render(ev)
        if ren.r.random() < 0.08:
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
    ap.add_argument("--plain", action="store_true", help="Debian's default log_selector instead")
    ap.add_argument("--old-ids", action="store_true", help="pre-4.97 message ids (1rABCD-000123-AB)")
    ap.add_argument("--start", default="2026-11-20T06:00:00")
    ap.add_argument("--queue-lifetime", type=float, default=4 * 3600, help="seconds before a deferred address expires")
    a = ap.parse_args(argv)
    out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    try:
        truth = write(out, a.lines, a.seed, a.plain, a.old_ids, datetime.fromisoformat(a.start),
                      timedelta(seconds=a.queue_lifetime))
    finally:
        if out is not sys.stdout:
            out.close()
    if a.truth:
        Path(a.truth).write_text(json.dumps(dict(truth), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
