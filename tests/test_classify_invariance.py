"""The same reply gets the same answer however it reaches the rules.

The reply tables (tests/test_classify_replies*.py, test_classify_sisimai_rhost.py)
check one wording of each reply, most of them as Postfix logs it. These are
metamorphic checks over all of their rows: a change that should change
nothing must change nothing.

* **Which MTA logged it.** DESIGN.md promises one stream whatever the MTA: a
  reply Postfix logs as ``host mx[ip] said: 550 ... (in reply to RCPT TO
  command)`` and Exim as ``SMTP error from remote mail server after RCPT
  TO:<x>: 550 ...`` must be classified alike. Each row is written as a whole
  Postfix line and a whole Exim line and fed through the pipeline, parsers
  included. This found rules that read Postfix's own words instead of the
  fact they stand for: ``refused to talk to me`` (the greeting) was the only
  way the greeting rules knew a greeting, so Exim's 4xx greetings fell to the
  code fallbacks, and ``refused`` in those words made every Postfix 5xx
  greeting a policy block while Exim's went elsewhere. The rules now ask for
  the command (``CONNECT``), which both parsers give.
  Sendmail logs less: no command, and of a multi-line reply only the first
  line (REAL-MTA-NOTES.md). Its rows must agree except where that missing
  information decides (``SENDMAIL_KNOWN``, each with its reason); a
  difference not listed, or a listed one that went away, fails.
* **A returned message instead of a log line.** ``ingest-mail`` reads the
  same reply from a DSN's ``Diagnostic-Code`` (as Postfix's bounce(8)
  writes one, the notification's text naming the command): each row must
  get the log line's answer. This found ``tls-failure`` knowing a reply to
  STARTTLS only by Postfix's "(in reply to STARTTLS command)"; it asks for
  the command now. So must Exim's own bounce (prose, the failed address
  with its host and reply indented, X-Failed-Recipients): it found the
  receiving host dropped (``host mx [ip]`` in the prose: no provider), and
  an address the reply quoted taken for a second failed recipient, though
  X-Failed-Recipients names the failed ones. And so must Sendmail's DSN,
  whose transcript (``>>> MAIL From:<...>`` then ``<<< 553 ...``) is the
  only place that names the command: it was not read, and a refusal of our
  sender at MAIL FROM ("554 mail address invalid") was a dead recipient.
* **Postfix's own additions.** A deferral repeated for the other messages
  to a throttled site (``delivery temporarily suspended: host mx said:
  ...``) and a delivery to an alias (``orig_to=``) keep the answer. The
  first found ``sender-rejected`` reading "suspended" in Postfix's prefix
  as a suspended sender: eleven deferrals to MAIL FROM (Gmail's "Connection
  expired", Mimecast's "Unable to process connection", "Insufficient system
  resources" ...) became our sender's fault once suspended. That clause
  reads the reply's text now.
* **Case.** A receiver may answer in capitals (``550 USER UNKNOWN``): the
  remote reply upper-cased, the MTA's own words left as they are.
* **IP addresses and the recipient's local part.** Every reply quotes some;
  none may decide a category (127.0.0.x, a DNSBL's answer code, is kept).

Rows a table marks as a known miss are checked too: a miss must at least be
the same miss everywhere.
"""

from __future__ import annotations

import importlib
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from bouncewatch.parsers.records import Delivery, Envelope, Relay
from bouncewatch.parsers.smtp import parse_reply
from bouncewatch.plugin.event import rule_context
from bouncewatch.plugin.ingest import analyze_bytes, build_events
from bouncewatch.plugin.mailspool import Options
from bouncewatch.plugin.pipeline import Pipeline

from test_classify_replies import _status

HERE = Path(__file__).resolve().parent
TABLES = sorted([p.stem for p in HERE.glob("test_classify_replies*.py")] + ["test_classify_sisimai_rhost"])

# Postfix smtp(8)'s wrapper: host, ip, said or refused (the greeting), the reply, the command
_PF = re.compile(r"host (\S+)\[([^\]]*)\] (said|refused to talk to me): (.*?)(?: \(in reply to (.*) command\))?",
                 re.S)
# the same commands as Exim names them after "SMTP error from remote mail server after "
_EXIM_AFTER = {"RCPT TO": "RCPT TO:<{rcpt}>", "MAIL FROM": "MAIL FROM:<bounces@sender.example> SIZE=1234",
               "DATA": "DATA", "end of DATA": "end of data", "EHLO": "EHLO mx.sender.example",
               "HELO": "HELO mx.sender.example", "STARTTLS": "STARTTLS", None: "initial connection"}
_EXIM_WRAP = re.compile(r"(SMTP error from remote mail server after [^:]*(?::<[^>]*>)?[^:]*: )(.*)", re.S)
_IPV4 = re.compile(r"(?<![\d.])(?!127\.)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])")
_LEADING_DSN = re.compile(r"\d{3}[ -]#?([245]\.\d{1,3}\.\d{1,3})\b")

# Sendmail rows whose answer differs from Postfix's, by a fragment of the
# reply, and why: what Sendmail does not log decides them.
_FIRST_LINE = "Sendmail's reply= keeps the first line of a multi-line reply only; the words that decide are further on"
_NO_COMMAND = "Sendmail names no command; the rule that decides needs RCPT TO (a code whose meaning depends on it)"
SENDMAIL_KNOWN = {
    "JunkMail rejected - ec2-198-51-100-7": _FIRST_LINE + " (the list's name, spamhaus, is in the URL)",
    "mailbox unavailable 550 Failure sending mail": _FIRST_LINE + " (GMX's 'try again later' says policy)",
    "550 #5.1.0 Address rejected.": _NO_COMMAND,
    "550 #5.1.0 Address rejected": _NO_COMMAND,
    "552 Account(s) <x@example.com> does not have enough space": _NO_COMMAND + " (552 after RCPT TO is storage)",
}


def _rows() -> Iterator[tuple[str, int, tuple]]:
    for name in TABLES:
        for i, case in enumerate(importlib.import_module(name).CASES):
            yield name, i, case.values[0] if hasattr(case, "values") else case


ROWS = list(_rows())
# rows Postfix logs as a remote reply, with a recipient to write lines for
WRAPPED = [(n, i, r) for n, i, r in ROWS if _PF.fullmatch(r[0]) and "\n" not in r[0] and "@" in (r[2] or "")]


def _answer(ev: dict[str, Any]) -> tuple:
    c = ev["classification"]
    return c["category"], c["provider"], c["blocklist"]


def _event(classifier: Any, line: str) -> dict[str, Any]:
    events = Pipeline(classifier, include_sent=True).feed(line)
    assert len(events) == 1, line
    return events[0]


def _dsn(reply: str, status: str) -> str:
    m = _LEADING_DSN.match(reply)
    return m[1] if m else ("5.0.0" if status == "bounced" else "4.0.0")


def postfix_line(row: tuple) -> str:
    reason, _, rcpt = row[:3]
    host, ip, _, reply, _ = _PF.fullmatch(reason).groups()
    status = _status(row)
    return (f"Nov 20 06:00:00 mx postfix/smtp[123]: 4F9D12345: to=<{rcpt}>, relay={host}[{ip}]:25, delay=1, "
            f"delays=0/0/0/1, dsn={_dsn(reply, status)}, status={status} ({reason})")


def exim_line(row: tuple) -> str | None:
    """The row as Exim's transport logs it; None for a command Exim names
    otherwise (AUTH, ...). A multi-line reply, which Postfix joins with
    spaces, keeps its lines apart with a literal ``\\n``, and a non-ASCII
    character is written as the octal escapes of its UTF-8 bytes
    (``\\320\\237``), as Exim logs them."""
    reason, _, rcpt = row[:3]
    host, ip, said, reply, command = _PF.fullmatch(reason).groups()
    if re.match(r"\d{3}-", reply):
        reply = "\\n".join(re.split(r" (?=" + reply[:3] + r"[ -])", reply))
    if not reply.isascii():  # Exim writes each byte of a non-ASCII character as an octal escape
        reply = "".join(c if c.isascii() else "".join(f"\\{b:03o}" for b in c.encode()) for c in reply)
    after = _EXIM_AFTER.get(command if said == "said" else None)
    if after is None or (said == "said" and command is None):
        return None
    status = _status(row)
    flag, defer = ("**", "") if status == "bounced" else ("==", " defer (-44)")
    return (f"2026-11-20 06:00:00 1rABCD-000123-AB {flag} {rcpt} R=dnslookup T=remote_smtp{defer} H={host} [{ip}]: "
            f"SMTP error from remote mail server after {after.format(rcpt=rcpt)}: {reply}")


def sendmail_line(row: tuple) -> str | None:
    """The row as sm-mta logs it (8.15+): a deferral's reply in stat=, a
    bounce's first reply line in reply=. Sendmail names no command; a reply
    to the greeting gets dsn=4.5.0 or 5.5.0 whatever its own code (usersmtp.c
    smtpinit), the others their own code. None for MAIL FROM and AUTH,
    which Sendmail's line does not tell from RCPT TO."""
    reason, _, rcpt = row[:3]
    host, ip, said, reply, command = _PF.fullmatch(reason).groups()
    if said == "said" and command not in ("RCPT TO", "DATA", "end of DATA"):
        return None
    status = _status(row)
    dsn = _dsn(reply, status) if said == "said" else ("5.5.0" if reply[:1] == "5" else "4.5.0")
    first = re.split(r" (?=[245]\d\d )", reply, maxsplit=1)[0] if re.match(r"\d{3}-", reply) else reply
    tail = f"stat=Deferred: {reply}" if status != "bounced" else f"stat=Service unavailable, reply={first}"
    return (f"Nov 20 06:00:00 mx sm-mta[123]: 5AK60012345678: to=<{rcpt}>, delay=00:00:01, xdelay=00:00:01, "
            f"mailer=esmtp, pri=120, relay={host}. [{ip}], dsn={dsn}, {tail}")


def test_the_tables_are_all_here():
    """Every reply table is read (a new round's file is picked up by its name)."""
    assert "test_classify_replies" in TABLES and len(TABLES) >= 11
    assert len(ROWS) >= 1300 and len(WRAPPED) >= 1000


def test_postfix_and_exim_agree(classifier):
    differ = []
    for name, i, row in WRAPPED:
        ex = exim_line(row)
        if ex is None:
            continue
        a, b = _answer(_event(classifier, postfix_line(row))), _answer(_event(classifier, ex))
        if a != b:
            differ.append(f"{name}[{i}]: postfix {a} exim {b}: {row[0][:160]}")
    assert not differ, "\n".join(differ)


def test_postfix_and_sendmail_agree_but_for_what_sendmail_does_not_log(classifier):
    differ, seen = [], set()
    for name, i, row in WRAPPED:
        sm = sendmail_line(row)
        if sm is None:
            continue
        a, b = _answer(_event(classifier, postfix_line(row))), _answer(_event(classifier, sm))
        if a == b:
            continue
        known = [k for k in SENDMAIL_KNOWN if k in row[0]]
        if known:
            seen.update(known)
        else:
            differ.append(f"{name}[{i}]: postfix {a} sendmail {b}: {row[0][:160]}")
    assert not differ, "\n".join(differ)
    assert seen == set(SENDMAIL_KNOWN), f"known differences that no longer differ: {set(SENDMAIL_KNOWN) - seen}"


@pytest.mark.parametrize("change", ["delivery temporarily suspended", "orig_to"])
def test_postfix_additions_change_nothing(classifier, change):
    differ, tried = [], 0
    for name, i, row in WRAPPED:
        line = postfix_line(row)
        if change == "orig_to":
            other = line.replace(", relay=", ", orig_to=<alias@example.net>, relay=", 1)
        elif "status=deferred (" in line:
            other = line.replace("status=deferred (", "status=deferred (delivery temporarily suspended: ", 1)
        else:
            continue
        tried += 1
        a, b = _answer(_event(classifier, line)), _answer(_event(classifier, other))
        if a != b:
            differ.append(f"{name}[{i}]: {a} -> {b}: {row[0][:160]}")
    assert tried >= 250, tried
    assert not differ, "\n".join(differ)


def returned_message(row: tuple) -> bytes:
    """The row's failure as Postfix's bounce(8) reports it to the sender."""
    reason, _, rcpt = row[:3]
    host, _, _, reply, _ = _PF.fullmatch(reason).groups()
    status = _status(row)
    return f"""From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)
To: bounces@sender.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"
Message-Id: <20261120060000.1@mx.sender.example>

--B
Content-Type: text/plain; charset=utf-8

This is the mail system at host mx.sender.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{rcpt}>: {reason}

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example
X-Postfix-Queue-ID: 4F9D12345
Arrival-Date: Fri, 20 Nov 2026 06:00:00 +0100

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: {"failed" if status == "bounced" else "delayed"}
Status: {_dsn(reply, status)}
Remote-MTA: dns; {host}
Diagnostic-Code: smtp; {reply}

--B--
""".replace("\n", "\r\n").encode("utf-8")


def exim_returned_message(row: tuple) -> bytes | None:
    """The row's failure as Exim's own bounce reports it: prose, the failed
    address with the host and the reply indented below it, and
    X-Failed-Recipients (no delivery-status part). None for a deferral
    (Exim warns later, in other words) or a command Exim names otherwise."""
    reason, _, rcpt = row[:3]
    host, ip, said, reply, command = _PF.fullmatch(reason).groups()
    after = _EXIM_AFTER.get(command if said == "said" else None)
    if _status(row) != "bounced" or after is None or (said == "said" and command is None):
        return None
    return f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@mx.sender.example>
To: bounces@sender.example
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1rABCD-000124-AB@mx.sender.example>
Auto-Submitted: auto-replied
X-Failed-Recipients: {rcpt}
Date: Fri, 20 Nov 2026 06:00:01 +0100

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {rcpt}
    host {host} [{ip}]
    SMTP error from remote mail server after {after.format(rcpt=rcpt)}:
    {reply}

------ This is a copy of the message, including all the headers. ------

From: <bounces@sender.example>
To: <{rcpt}>
Subject: test

test
""".replace("\n", "\r\n").encode("utf-8")


_SENDMAIL_SENT = {"RCPT TO": "RCPT To:<{rcpt}>", "MAIL FROM": "MAIL From:<news@ours.example> SIZE=1234",
                  "DATA": "DATA", "end of DATA": "."}


def sendmail_returned_message(row: tuple) -> bytes | None:
    """The row's failure as Sendmail's DSN reports it: the transcript of the
    session (the command sent, ``>>>``, and the refusal, ``<<<``) in the
    text, the reply's first line in Diagnostic-Code. None for a deferral or
    a command Sendmail's transcript shows otherwise."""
    reason, _, rcpt = row[:3]
    host, _, said, reply, command = _PF.fullmatch(reason).groups()
    if _status(row) != "bounced" or said != "said" or command not in _SENDMAIL_SENT:
        return None
    first = re.split(r" (?=[245]\d\d )", reply, maxsplit=1)[0] if re.match(r"\d{3}-", reply) else reply
    return f"""From: Mail Delivery Subsystem <MAILER-DAEMON@mx.ours.example>
To: <news@ours.example>
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B

The original message was received at Fri, 20 Nov 2026 06:00:00 +0100
from localhost [127.0.0.1]

   ----- The following addresses had permanent fatal errors -----
<{rcpt}>
    (reason: {first})

   ----- Transcript of session follows -----
... while talking to {host}.:
>>> {_SENDMAIL_SENT[command].format(rcpt=rcpt)}
<<< {first}
554 5.0.0 Service unavailable

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.ours.example
Received-From-MTA: DNS; localhost
Arrival-Date: Fri, 20 Nov 2026 06:00:00 +0100

Final-Recipient: RFC822; {rcpt}
Action: failed
Status: {_dsn(reply, "bounced")}
Remote-MTA: DNS; {host}
Diagnostic-Code: SMTP; {first}
Last-Attempt-Date: Fri, 20 Nov 2026 06:00:01 +0100

--B--
""".replace("\n", "\r\n").encode("utf-8")


RETURNED = {"postfix DSN": returned_message, "exim bounce": exim_returned_message,
            "sendmail DSN": sendmail_returned_message}


@pytest.mark.parametrize("form", list(RETURNED))
def test_returned_message_and_log_line_agree(classifier, form):
    differ, received, tried = [], datetime(2026, 11, 20, tzinfo=timezone.utc), 0
    for name, i, row in WRAPPED:
        message = RETURNED[form](row)
        if message is None:
            continue
        tried += 1
        rm = analyze_bytes(message, False, Options())
        events = build_events(rm, classifier, digest="0", received=received)
        assert len(events) == 1, (name, i)
        a, b = _answer(_event(classifier, postfix_line(row))), _answer(events[0])
        if a != b and not (form == "sendmail DSN" and any(k in row[0] for k in SENDMAIL_KNOWN)):
            differ.append(f"{name}[{i}]: log {a} returned mail {b}: {row[0][:160]}")
    assert tried >= 800, tried
    assert not differ, "\n".join(differ)


def _classify(classifier: Any, reason: str, relay: str | None, rcpt: str, status: str) -> tuple:
    d = Delivery("postfix", "Q", rcpt, status, reason=reason, relay=Relay(relay) if relay else None,
                 reply=parse_reply(reason))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    return c.category, c.provider, c.blocklist


def _upper_reply(reason: str) -> str | None:
    """The remote reply in capitals, the MTA's words around it as they are."""
    m = _PF.fullmatch(reason)
    if m is not None:
        return reason[:m.start(4)] + m[4].upper() + reason[m.end(4):]
    m = _EXIM_WRAP.fullmatch(reason)
    if m is not None:
        return m[1] + m[2].upper()
    return None


def _other_ips(reason: str) -> str:
    n = iter(range(1, 255))
    return _IPV4.sub(lambda _: f"203.0.113.{next(n)}", reason)


@pytest.mark.parametrize("change", ["upper-case reply", "other IP addresses", "other local part"])
def test_answer_does_not_depend_on(classifier, change):
    differ, tried = [], 0
    for name, i, row in ROWS:
        reason, relay, rcpt = row[:3]
        status = _status(row)
        if change == "upper-case reply":
            new, new_rcpt = _upper_reply(reason), rcpt
        elif change == "other IP addresses":
            new, new_rcpt = _other_ips(reason), rcpt
        else:
            local = (rcpt or "").partition("@")[0]
            if not local or f"{local}@" not in reason:
                continue
            new, new_rcpt = reason.replace(f"{local}@", "maria.kowalska77@"), rcpt.replace(local, "maria.kowalska77", 1)
        if new is None or new == reason:
            continue
        tried += 1
        a = _classify(classifier, reason, relay, rcpt, status)
        b = _classify(classifier, new, relay, new_rcpt, status)
        if a != b:
            differ.append(f"{name}[{i}]: {a} -> {b}: {new[:160]}")
    assert tried >= 150, tried  # the change applies to enough rows to mean something
    assert not differ, "\n".join(differ)


# -- no recipient named, no recipient blamed --------------------------------------------
HARD = {"bad_mailbox", "bad_domain", "inactive_mailbox"}
RECIPIENTS = HARD | {"mailbox_full"}  # a full mailbox counts towards suppressing its address


@pytest.mark.parametrize("code", ["550 5.1.1", "553 5.1.3", "550 5.1.4", "550 5.1.6", "550 5.1.2", "550 5.1.10",
                                  "550 5.2.1", "554 5.7.13", "452 4.2.2", "552 5.2.2", "452 4.3.1"])
def test_a_code_naming_a_mailbox_blames_no_recipient_before_one_is_named(classifier, code):
    """An enhanced code that names a mailbox or a domain is the recipient's
    only in reply to RCPT TO (or later): to the greeting, HELO or MAIL FROM
    no recipient has been named, and a recipient's category there (dead, or
    full: it counts towards suppression too) would suppress a good address
    for our own session's or sender's trouble ("452 4.3.1" at MAIL FROM is
    the server's disk). The text says nothing (the code alone decides)."""
    for cmd, named in (("RCPT TO", True), ("MAIL FROM", False), ("EHLO", False), (None, False)):
        if cmd is None:
            reason = f"host mx.example.com[192.0.2.25] refused to talk to me: {code} abc def"
        else:
            reason = f"host mx.example.com[192.0.2.25] said: {code} abc def (in reply to {cmd} command)"
        row = (reason, "mx.example.com", "x@example.com", None, None, None)
        for line in (postfix_line(row), exim_line(row)):
            category = _event(classifier, line)["classification"]["category"]
            assert (category in RECIPIENTS) == named, (line, category)
