"""``make run``: follow this machine's MTA log, or show a live demo.

With an MTA log on the machine this is ``bouncewatch run`` with the
embedded default config (the auto-detected log; events on stdout and in
``events.jsonl`` in the default state directory). Without one it says so,
says how to point bouncewatch at a log, and runs the same follower on a
log that a writer appends to in real time, as Postfix would.

The writer prefers ``bench/generate.py --follow FILE --rate N`` (the
benchmark's generator) when the source tree has it; until then the small
:class:`DemoWriter` below replays a handful of realistic Postfix messages.
It is deliberately tiny and replaceable.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# (status, dsn, relay, reply) — replies as real receivers word them.
SCENARIOS = [
    ("sent", "2.0.0", "gmail-smtp-in.l.google.com[142.250.102.27]:25",
     "250 2.0.0 OK  1732300000 a1si123456wrb.12 - gsmtp"),
    ("sent", "2.6.0", "example-com.mail.protection.outlook.com[52.101.68.1]:25",
     "250 2.6.0 <m@example.org> [InternalId=1, Hostname=AM0PR01MB0001.eurprd01.prod.outlook.com] Queued mail for delivery"),
    ("bounced", "5.1.1", "gmail-smtp-in.l.google.com[142.250.102.27]:25",
     "host gmail-smtp-in.l.google.com[142.250.102.27] said: 550-5.1.1 The email account that you tried to "
     "reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or "
     "550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1si123wrb.12 - gsmtp "
     "(in reply to RCPT TO command)"),
    ("deferred", "4.2.0", "mx.greylist.example[192.0.2.25]:25",
     "host mx.greylist.example[192.0.2.25] said: 450 4.2.0 <{rcpt}>: Recipient address rejected: "
     "Greylisted, see http://postgrey.schweikert.ch/help/greylist.example.html (in reply to RCPT TO command)"),
    ("bounced", "5.7.1", "mx.corp.example[198.51.100.7]:25",
     "host mx.corp.example[198.51.100.7] said: 554 5.7.1 Service unavailable; Client host [203.0.113.5] "
     "blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5 (in reply to RCPT TO command)"),
    ("deferred", "4.2.2", "mx.isp.example[198.51.100.20]:25",
     "host mx.isp.example[198.51.100.20] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)"),
    ("deferred", "4.4.1", None,
     "connect to mx.down.example[192.0.2.99]:25: Connection timed out"),
    ("deferred", "4.7.0", "mta7.am0.yahoodns.net[67.195.204.72]:25",
     "host mta7.am0.yahoodns.net[67.195.204.72] said: 421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily "
     "deferred due to unexpected volume or user complaints - 4.16.55.1; see "
     "https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)"),
    ("bounced", "5.4.4", None,
     "Host or domain name not found. Name service error for name=nxdomain.example type=MX: Host not found"),
]
DOMAINS = {0: "gmail.com", 1: "example.com", 2: "gmail.com", 3: "greylist.example", 4: "corp.example",
           5: "isp.example", 6: "down.example", 7: "yahoo.com", 8: "nxdomain.example"}


class DemoWriter(threading.Thread):
    """Appends one Postfix message (cleanup, qmgr, smtp, removed) every
    ``1/rate`` seconds, with the current time, like a live maillog."""

    def __init__(self, path: Path, rate: float = 2.0, host: str = "mx1") -> None:
        super().__init__(daemon=True, name="demo-writer")
        self.path, self.rate, self.host = path, rate, host
        self.stop = threading.Event()

    def message(self, n: int, rnd: random.Random) -> str:
        i = rnd.randrange(len(SCENARIOS))
        status, dsn, relay, reply = SCENARIOS[i]
        qid = f"{rnd.getrandbits(40):010X}"
        rcpt = f"user{rnd.randrange(10_000)}@{DOMAINS[i]}"
        ts = time.strftime("%b %e %H:%M:%S")
        h = self.host
        reason = reply.replace("{rcpt}", rcpt)
        lines = [
            f"{ts} {h} postfix/cleanup[2101]: {qid}: message-id=<{n}.{qid}@news.example.org>",
            f"{ts} {h} postfix/qmgr[812]: {qid}: from=<bounces@news.example.org>, size={rnd.randrange(2_000, 90_000)}, "
            "nrcpt=1 (queue active)",
            f"{ts} {h} postfix/smtp[{rnd.randrange(3000, 3100)}]: {qid}: to=<{rcpt}>, "
            f"relay={relay or 'none'}, delay={rnd.uniform(0.2, 9):.1f}, delays=0.05/0.01/0.3/0.4, "
            f"dsn={dsn}, status={status} ({reason})",
        ]
        if status != "deferred":
            lines.append(f"{ts} {h} postfix/qmgr[812]: {qid}: removed")
        return "\n".join(lines) + "\n"

    def run(self) -> None:
        rnd = random.Random()
        n = 0
        with open(self.path, "a", encoding="utf-8") as f:
            while not self.stop.wait(1.0 / self.rate):
                f.write(self.message(n, rnd))
                f.flush()
                n += 1


def _bench_generator() -> Path | None:
    here = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    return here if here.is_file() else None


def main(argv: list[str] | None = None) -> int:
    from .cli import main as cli_main
    from .locate import find_mta_log

    found = None if os.environ.get("BOUNCEWATCH_DEMO") else find_mta_log()
    if found is not None and found.paths:
        return cli_main(["run"])
    err = sys.stderr
    print("bouncewatch: no MTA log on this machine (looked for a running Postfix/Exim/Sendmail, "
          "/var/log/mail.log, /var/log/maillog, /var/log/exim4/mainlog and the journal"
          + (f": {found.tried[-1]}" if found is not None and found.tried else "") + ").", file=err)
    print("bouncewatch: to follow a real log:  .venv/bin/bouncewatch follow /path/to/mail.log "
          "[--sink file:events.jsonl]   (or: bouncewatch run -c contrib/postfix/bouncewatch.toml)", file=err)
    tmp = Path(tempfile.mkdtemp(prefix="bouncewatch-demo-"))
    log = tmp / "mail.log"
    log.touch()
    rate = float(os.environ.get("BOUNCEWATCH_DEMO_RATE", "2"))
    gen = _bench_generator()
    proc = None
    writer = None
    if gen is not None:
        # A demo should show failures, retries and expiries within seconds, not
        # a real relay's 1-in-50: more failures, short backoff and queue lifetime.
        proc = subprocess.Popen([sys.executable, str(gen), "--follow", str(log), "--rate", str(rate * 25),
                                 "--failure-scale", "4", "--min-backoff", "20", "--queue-lifetime", "120"],
                                start_new_session=True)  # Ctrl-C is ours to handle
        what = f"{gen.name} --follow {log}"
    else:
        writer = DemoWriter(log, rate)
        writer.start()
        what = f"a demo writer appending a Postfix log to {log}"
    print(f"bouncewatch: live demo: {what}; the follower classifies it as it grows. "
          f"Events also go to {tmp / 'events.jsonl'}. Ctrl-C stops.", file=err, flush=True)
    try:
        return cli_main(["follow", str(log), "--from-start", "--sink", "-", "--sink",
                         f"file:{tmp / 'events.jsonl'}", "--state-dir", str(tmp / "state"),
                         "--status-interval", "15"])
    finally:
        if writer is not None:
            writer.stop.set()
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    raise SystemExit(main())
