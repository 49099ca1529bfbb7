import gzip
import json
import re
import subprocess
import sys

import pytest

LINES = (
    "Nov 20 10:00:01 mx postfix/smtp[3]: AAA111: to=<a@x.example>, relay=mx[192.0.2.1]:25, delay=1, "
    "delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx[192.0.2.1] said: 550 5.1.1 User unknown "
    "(in reply to RCPT TO command))\n"
    "Nov 20 10:00:02 mx postfix/smtp[3]: AAA112: to=<b@x.example>, relay=mx[192.0.2.1]:25, delay=1, "
    "delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
    "Nov 20 10:00:03 mx dovecot: imap-login: Login: user=<x>\n"
)


def bw(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "bouncewatch", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_parse_stdin_failures_only():
    r = bw("parse", stdin=LINES)
    assert r.returncode == 0, r.stderr
    evs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [e["recipient"] for e in evs] == ["a@x.example"]
    assert evs[0]["classification"]["category"] == "bad_mailbox"
    assert "3 lines read" in r.stderr and "1 lines of other programs" in r.stderr


def test_parse_docker_compose_logs():
    """`docker compose logs postfix-mailcow | bouncewatch parse`: the same
    events as the bare log (correlated, classified), through the block path
    of a file and the line path of follow alike."""
    from collections import Counter

    from bouncewatch.plugin.lineparse import LineParser
    qmgr = "Nov 20 10:00:00 mx postfix/qmgr[2]: AAA111: from=<news@shop.example>, size=1234, nrcpt=1 (queue active)\n"
    bare = qmgr + LINES
    col = "".join(f"postfix-mailcow-1  | {x}\n" for x in bare.splitlines())
    want = [json.loads(x) for x in bw("parse", "--all", stdin=bare).stdout.splitlines()]
    r = bw("parse", "--all", stdin=col)
    assert r.returncode == 0, r.stderr
    got = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(got) == 2 and got[0]["sender"] == "news@shop.example"
    for e in got + want:
        e.pop("event_id")   # a hash of the line as logged
        e.pop("source", None)
    assert got == want
    assert "unrecognized" not in r.stderr
    lp, counts = LineParser("auto"), Counter()
    recs = [lp.parse(x, counts) for x in col.splitlines()]
    assert [r[1].recipient for r in recs if r and hasattr(r[1], "recipient")] == ["a@x.example", "b@x.example"]
    assert counts["skipped:unrecognized"] == 0


def test_parse_a_log_with_no_host_names():
    """A container's syslog on stdout writes no host name ("Dec  4 14:44:07
    postfix/smtp[2097]: ..."; see test_envelope): the same events as the log
    with host names, host null, through the file's block path and follow's
    line path alike."""
    from collections import Counter

    from bouncewatch.plugin.lineparse import LineParser
    qmgr = "Nov 20 10:00:00 mx postfix/qmgr[2]: AAA111: from=<news@shop.example>, size=1234, nrcpt=1 (queue active)\n"
    bare = qmgr + LINES
    headless = bare.replace(" mx ", " ")
    want = [json.loads(x) for x in bw("parse", "--all", stdin=bare).stdout.splitlines()]
    r = bw("parse", "--all", stdin=headless)
    assert r.returncode == 0, r.stderr
    got = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(got) == 2 and got[0]["sender"] == "news@shop.example"
    assert got[0]["classification"]["category"] == "bad_mailbox"
    for e in got + want:
        e.pop("event_id")   # a hash of the line as logged
        e.pop("source", None)
        assert e.pop("host") in ("mx", None)
    assert got == want
    assert "1 lines of other programs" in r.stderr   # dovecot's
    lp, counts = LineParser("auto"), Counter()
    recs = [lp.parse(x, counts) for x in headless.splitlines()]
    assert [r[1].recipient for r in recs if r and hasattr(r[1], "recipient")] == ["a@x.example", "b@x.example"]
    assert counts["other_program"] == 1 and counts["skipped:unrecognized"] == 0


def test_an_mta_log_with_no_time_stamps_is_said_so():
    """`docker logs` without --timestamps of some mail images gives lines
    with no stamp ("postfix/smtp[137]: ..."): no time, no event; the summary
    counts them apart from other unrecognized lines and says what to do."""
    body = "".join(x.split(" mx ", 1)[1] + "\n" for x in LINES.splitlines()) + "garbage\n"
    r = bw("parse", "--all", stdin=body)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "4 skipped (no_timestamp=2, unrecognized=2)" in r.stderr   # dovecot's line is no MTA's, nor "garbage"
    assert "docker logs: add --timestamps" in r.stderr
    assert "--timestamps" not in bw("parse", stdin=LINES).stderr


SOLARIS = (  # Sendmail on Solaris: syslogd's "[ID 801593 mail.info]" before each message
    "Dec 12 00:00:02 machinename sendmail[20512]: [ID 801593 mail.info] kBC502520512: from=root, size=301, "
    "class=0, nrcpts=1, msgid=<200612120500.kBC502520512@name.domain.com>, relay=root@localhost\n"
    "Dec 12 00:00:03 machinename sendmail[20514]: [ID 801593 mail.info] kBC502520512: to=<ann@example.org>, "
    "ctladdr=root (0/1), delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=30301, relay=mx.example.org. "
    "[192.0.2.7], dsn=5.1.1, stat=User unknown\n")


def test_parse_solaris_syslog(tmp_path):
    """The file's block path and follow's line path both read it, correlated."""
    from collections import Counter

    from bouncewatch.plugin.lineparse import LineParser
    r = bw("parse", stdin=SOLARIS)
    assert r.returncode == 0, r.stderr
    (e,) = [json.loads(x) for x in r.stdout.splitlines()]
    assert (e["recipient"], e["status"], e["size"]) == ("ann@example.org", "bounced", 301)
    assert e["message_id"] == "200612120500.kBC502520512@name.domain.com"
    assert e["classification"]["category"] == "bad_mailbox"
    lp, counts = LineParser("auto"), Counter()
    recs = [lp.parse(x, counts) for x in SOLARIS.splitlines()]
    assert all(recs) and counts["mta_other"] == 0 and counts["skipped:unrecognized"] == 0


def test_parse_gz_all_and_where(tmp_path):
    f = tmp_path / "mail.log.1.gz"
    f.write_bytes(gzip.compress(LINES.encode()))
    r = bw("parse", str(f), "--all")
    assert [json.loads(x)["status"] for x in r.stdout.splitlines()] == ["bounced", "sent"]
    assert json.loads(r.stdout.splitlines()[0])["source"] == {"path": str(f), "offset": 0}
    r = bw("parse", str(f), "--all", "--where", "type = 'none'")
    assert [json.loads(x)["status"] for x in r.stdout.splitlines()] == ["sent"]


def test_exit_codes(tmp_path):
    r = bw("parse", str(tmp_path / "missing.log"))
    assert r.returncode == 1 and "missing.log" in r.stderr
    assert bw("parse", "--where", "status =").returncode == 2
    assert bw("parse", "--bogus").returncode == 2
    assert bw("nosuchcommand").returncode == 2


def test_explain_text_and_json():
    r = bw("explain", "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org")
    assert r.returncode == 0
    assert "blocklisted (code 51)" in r.stdout and "spamhaus-zen" in r.stdout and "blocklist by" in r.stdout
    j = json.loads(bw("explain", "452 4.2.2 Mailbox full", "--json").stdout)
    assert j["classification"]["category"] == "mailbox_full" and j["status"] == "deferred"
    assert j["evidence"] and j["evidence"][0]["matched"]
    # a pasted reason names no recipient: the MX lookup's name is taken for its domain (own-next-hop-unresolved
    # reads a lookup of another name as our relayhost's only when the recipient's domain is known)
    j = json.loads(bw("explain", "Host or domain name not found. Name service error for name=foo.example type=MX: "
                      "Host not found, try again", "--json").stdout)
    assert j["classification"]["category"] == "dns_failure"


def test_explain_of_a_2xx_reply_is_a_delivery():
    """A pasted 250 is a delivery, not a deferral to retry."""
    j = json.loads(bw("explain", "250 2.0.0 OK 1795150800 d76o6pwrhptsi.284 - gsmtp", "--json").stdout)
    assert j["status"] == "sent"
    assert (j["classification"]["category"], j["classification"]["type"]) == ("delivered", "none")
    assert j["classification"]["provider"] == "gmail"


EXPLAINED_LINES = [
    # Exim's reply follows its line head: read as a bare text, no reply code was found (soft_general)
    "2026-11-20 06:00:00 1rABCD-000123-AB == x@example.com R=dnslookup T=remote_smtp defer (-44) "
    "H=mx.example.com [192.0.2.25]: SMTP error from remote mail server after initial connection: "
    "421 4.2.1 Connection deferred",
    "Nov 20 06:00:00 mx postfix/smtp[123]: 4F9D12345: to=<felix@gmail.com>, relay=gmail-smtp-in.l.google.com"
    "[142.250.153.44]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host gmail-smtp-in.l.google.com"
    "[142.250.153.44] said: 550-5.1.1 The email account that you tried to reach does not exist. 550 5.1.1 "
    "https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp (in reply to RCPT TO command))",
    # Sendmail: stat= is derived from the code; the reply is in reply=
    "Nov 20 06:00:00 mx sm-mta[123]: 5AK60012345678: to=<a@example.net>,<b@example.net>, delay=00:00:01, "
    "xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx.example.net. [192.0.2.25], dsn=5.0.0, "
    "stat=Service unavailable, reply=554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
    "zen.spamhaus.org",
    # a Postfix deferral whose dsn= field alone names the category (the reason quotes no reply)
    "Nov 20 06:00:00 mx postfix/smtp[123]: 4F9D12345: to=<x@example.org>, relay=none, delay=1, "
    "delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.9]:25: Connection refused)",
]


@pytest.mark.parametrize("line", EXPLAINED_LINES, ids=["exim", "postfix", "sendmail", "postfix-connect"])
def test_explain_of_a_whole_log_line_says_what_the_event_says(line, tmp_path):
    """An admin pastes the line from the log: explain reads it as ``parse``
    does (its recipient, relay, dsn= and reply) and gives the event's answer."""
    log = tmp_path / "mail.log"
    log.write_text(line + "\n")
    events = [json.loads(x) for x in bw("parse", "--all", str(log)).stdout.splitlines()]
    j = json.loads(bw("explain", line, "--json").stdout)
    docs = j if isinstance(j, list) else [j]  # a list for a line naming several recipients
    assert len(docs) == len(events) >= 1
    for doc, event in zip(docs, events):
        assert doc["classification"] == event["classification"]
        assert doc["line"]["recipient"] == event["recipient"] and doc["line"]["status"] == event["status"]
        assert doc["status"] == event["status"] and doc["reply"]["code"] == event["smtp_code"]
    text = bw("explain", line).stdout
    assert text.startswith("line ") and text.count("\nline ") == len(events) - 1
    assert all(e["recipient"] in text and e["classification"]["category"] in text for e in events)


def test_explain_of_lines_grepped_by_queue_id_correlates_them_as_parse_does():
    """Several lines pasted at once (``grep QUEUEID mail.log``): read in
    order and correlated, so the sender from Sendmail's from= line tells our
    sender's rejection (masked as ``s@s.s``) from a dead recipient, and an
    expiry carries the cause of the deferrals before it."""
    head = "Nov 20 06:00:00 mx sm-mta[123]: 5AK60012345678: "
    to = (head + "to=<ann@example.net>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120, "
          "relay=mx.example.net. [192.0.2.25], dsn=5.1.1, stat=User unknown, "
          "reply=550 5.1.1 <news@ours.example>... User unknown")
    alone = json.loads(bw("explain", to, "--json").stdout)
    both = json.loads(bw("explain", head + "from=<news@ours.example>, size=100, class=0, nrcpts=1, "
                         "msgid=<a@ours.example>, proto=ESMTP, relay=localhost [127.0.0.1]\n" + to,
                         "--json").stdout)
    assert alone["classification"]["category"] == "bad_mailbox"  # the line alone cannot tell whose address
    assert both["classification"]["category"] == "sender_rejected" and both["line"]["recipient"] == "ann@example.net"
    pf = "Nov 20 06:00:0{} mx postfix/{}[9]: 4F9D12345: "
    lines = "\n".join([
        pf.format(0, "qmgr") + "from=<news@ours.example>, size=1, nrcpt=1 (queue active)",
        pf.format(1, "smtp") + "to=<bob@example.org>, relay=mx.example.org[192.0.2.9]:25, delay=1, "
        "delays=0/0/1/0, dsn=4.2.2, status=deferred (host mx.example.org[192.0.2.9] said: 452 4.2.2 Mailbox full "
        "(in reply to RCPT TO command))",
        pf.format(2, "qmgr") + "from=<news@ours.example>, status=expired, returned to sender"])
    docs = json.loads(bw("explain", lines, "--json").stdout)
    assert [d["classification"]["category"] for d in docs] == ["mailbox_full", "expired"]
    assert docs[1]["classification"]["cause"] == "mailbox_full" and docs[1]["line"]["recipient"] == "bob@example.org"
    assert re.search(r"\ncause +mailbox_full", bw("explain", lines).stdout)


def test_explain_reads_lines_from_standard_input():
    """``grep QUEUEID mail.log | bouncewatch explain -``: no shell quoting of
    the quotes and dollar signs a log line holds."""
    line = EXPLAINED_LINES[1].replace("does not exist.", 'does not exist: "$HOME".')
    piped = json.loads(bw("explain", "-", "--json", stdin=line + "\n").stdout)
    assert piped == json.loads(bw("explain", line, "--json").stdout)
    assert piped["line"]["recipient"] == "felix@gmail.com" and '"$HOME"' in piped["line"]["reason"]


def test_explain_options_override_what_the_line_says():
    j = json.loads(bw("explain", EXPLAINED_LINES[3], "--status", "expired", "--recipient", "y@example.org",
                      "--json").stdout)
    assert j["status"] == j["line"]["status"] == "expired" and j["line"]["recipient"] == "y@example.org"
    assert j["classification"]["category"] == "expired"


def test_explain_of_a_line_with_no_delivery_reads_it_as_text():
    """A line that logs no delivery (qmgr's from=, another program's) is a text, as before."""
    for text in ("Nov 20 06:00:00 mx postfix/qmgr[9]: 4F9D12345: from=<a@example.org>, size=1, nrcpt=1 (queue active)",
                 "Nov 20 06:00:00 mx sshd[9]: Accepted publickey for root",
                 "550 5.1.1 <x@example.org>: Recipient address rejected: User unknown"):
        j = json.loads(bw("explain", text, "--json").stdout)
        assert j["line"] is None
    assert j["classification"]["category"] == "bad_mailbox"


def test_parse_of_a_pipe_writes_each_event_as_its_line_arrives():
    """``tail -f mail.log | bouncewatch parse``: an event comes out while
    the pipe is still open, not when a block has filled or at its end."""
    import select
    line = ("Nov 20 06:02:01 mx postfix/smtp[22803]: 65712A6A7A: to=<ben@example.com>, "
            "relay=mx.example.com[192.0.2.1]:25, delay=2.1, delays=1.3/0/0.34/0.44, dsn=5.1.1, "
            "status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <ben@example.com>: "
            "User unknown (in reply to RCPT TO command))\n")
    p = subprocess.Popen([sys.executable, "-m", "bouncewatch", "parse", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        for n in range(2):
            p.stdin.write(line.replace("65712A6A7A", f"65712A6A7{n}").encode())
            p.stdin.flush()
            ready, _, _ = select.select([p.stdout], [], [], 20)
            assert ready, "no event while the pipe is open"
            ev = json.loads(p.stdout.readline())
            assert (ev["queue_id"], ev["classification"]["category"]) == (f"65712A6A7{n}", "bad_mailbox")
    finally:
        p.stdin.close()
        p.wait(10)
    assert p.returncode == 0
