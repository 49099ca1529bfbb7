import pytest

from bouncewatch.parsers.smtp import parse_reply, valid_enhanced


@pytest.mark.parametrize("reason,code,dsn,command", [
    ("host mx[1.2.3.4] said: 550 5.1.1 <x@y>: User unknown (in reply to RCPT TO command)", 550, "5.1.1", "RCPT TO"),
    ("host mx[1.2.3.4] refused to talk to me: 554 5.7.1 Go away", 554, "5.7.1", "CONNECT"),
    ("host mx[1.2.3.4] said: 451 4.3.0 busy (in reply to end of DATA command)", 451, "4.3.0", "END OF DATA"),
    ("host mx[1.2.3.4] said: 421 Too many (in reply to MAIL FROM command)", 421, None, "MAIL FROM"),
    ("lost connection with mx[1.2.3.4] while receiving the initial server greeting", None, None, "CONNECT"),
    ("lost connection with mx[1.2.3.4] while sending RCPT TO", None, None, "RCPT TO"),
    ("conversation with mx[1.2.3.4] timed out while sending end of data -- message may be sent more than once",
     None, None, "END OF DATA"),
    ("connect to mx[1.2.3.4]:25: Connection refused", None, None, None),
    ("SMTP error from remote mail server after RCPT TO:<a@b.c>: 550 5.1.1 <a@b.c> unknown", 550, "5.1.1", "RCPT TO"),
    ("SMTP error from remote mail server after initial connection: 554 5.7.1 blocked", 554, "5.7.1", "CONNECT"),
    ("SMTP error from remote mail server after pipelined MAIL FROM:<s@x> SIZE=100: 550 no", 550, None, "MAIL FROM"),
    ("SMTP error from remote mail server after end of data: 552 5.3.4 too big", 552, "5.3.4", "END OF DATA"),
    ("Deferred: 451 4.7.1 Please try again later", 451, "4.7.1", None),
    ("host mx[1.2.3.4] said: 550 #5.1.0 Address rejected (in reply to RCPT TO command)", 550, "5.1.0", "RCPT TO"),
    ("host mx[::1] said: 250 2.0.0 Ok", 250, "2.0.0", None),
    # Real Exim 4.96 lines (tests/test_realmta_exim.py): the reply starts after
    # the command's argument, at the first ": " before a reply code.
    ("SMTP error from remote mail server after HELO mta.bouncewatch.test: 554 5.7.1 <mta.bouncewatch.test>: "
     "Helo command rejected: Host not found", 554, "5.7.1", "HELO"),
    ("SMTP error from remote mail server after MAIL FROM:<bounces@sender.test> SIZE=1450: 553 5.1.8 "
     "<bounces@sender.test>: Sender address rejected: Domain not found", 553, "5.1.8", "MAIL FROM"),
    ("SMTP error from remote mail server after RCPT TO:<a@b.c>: host mx.b.c [192.0.2.1]: 550 5.1.1 unknown",
     550, "5.1.1", "RCPT TO"),
    ("Remote host closed connection in response to RCPT TO:<rcpt@lost-connection.test>", None, None, "RCPT TO"),
    ("Remote host closed connection in response to initial connection", None, None, "CONNECT"),
    ("Remote host closed connection in response to pipelined end of data", None, None, "END OF DATA"),
    ("SMTP timeout after EHLO mta.example.org", None, None, "HELO"),
    # Postfix's SASL client names no command: its "server ... said" answers AUTH.
    ("SASL authentication failed; server smtp.example.net[192.0.2.1] said: 535 5.7.8 Error: authentication "
     "failed: authentication failure", 535, "5.7.8", "AUTH"),
    ("SASL authentication failed; cannot authenticate to server smtp.example.net[192.0.2.1]: no mechanism "
     "available", None, None, "AUTH"),
])
def test_reply_parts(reason, code, dsn, command):
    r = parse_reply(reason)
    assert (r.code, r.dsn, r.command) == (code, dsn, command)


def test_multiline_folded():
    r = parse_reply("host gmail-smtp-in.l.google.com[142.250.1.27] said: 550-5.1.1 The email account "
                    "that you tried to reach does not exist. Please try 550-5.1.1 double-checking the "
                    "recipient's email address. 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser "
                    "a1si123 - gsmtp (in reply to RCPT TO command)")
    assert r.code == 550 and r.dsn == "5.1.1" and r.command == "RCPT TO"
    assert "550" not in r.text and r.text.startswith("The email account that you tried to reach does not exist.")
    assert r.remote == "gmail-smtp-in.l.google.com[142.250.1.27]"


def test_exim_literal_newlines_folded():
    r = parse_reply("SMTP error from remote mail server after RCPT TO:<a@b>: 550-5.7.1 first\\n550 5.7.1 second")
    assert r.text == "first second" and r.dsn == "5.7.1"


def test_reply_class_disagreement_keeps_both():
    r = parse_reply("host mx[1.2.3.4] said: 451 5.7.3 try later (in reply to RCPT TO command)")
    assert (r.code, r.dsn) == (451, "5.7.3")


@pytest.mark.parametrize("code,ok", [("5.1.1", True), ("4.7.26", True), ("2.0.0", True), ("5.8.1", False),
                                     ("3.1.1", False), ("5.1.1234", False), ("5.1", False), ("5.x.1", False)])
def test_enhanced_validation(code, ok):
    assert valid_enhanced(code) is ok


def test_exim_reply_text_starts_after_the_argument():
    r = parse_reply("SMTP error from remote mail server after HELO mta.bouncewatch.test: 554 5.7.1 "
                    "<mta.bouncewatch.test>: Helo command rejected: Host not found")
    assert r.text == "<mta.bouncewatch.test>: Helo command rejected: Host not found"


@pytest.mark.parametrize("reason,code,dsn,command,text", [
    ("LMTP error after RCPT TO:<a@b.example>: 552 5.2.2 <a@b.example> Quota exceeded (mailbox for user is full)",
     552, "5.2.2", "RCPT TO", "<a@b.example> Quota exceeded (mailbox for user is full)"),
    ("LMTP error after end of data: 452 4.2.2 <a@b.example> Mailbox is full", 452, "4.2.2", "END OF DATA",
     "<a@b.example> Mailbox is full"),
    ("LMTP error after DATA: 550-I don't like this user\\n550 Bad user", 550, None, "DATA",
     "I don't like this user Bad user"),
    ("LMTP timeout after DATA", None, None, "DATA", "LMTP timeout after DATA"),
])
def test_exim_lmtp_transport(reason, code, dsn, command, text):
    r = parse_reply(reason)
    assert (r.code, r.dsn, r.command, r.text) == (code, dsn, command, text)


def test_exim_reply_without_a_code():
    r = parse_reply("SMTP error from remote mail server after RCPT TO:<a@b>: no code here: at all")
    assert (r.code, r.command, r.text) == (None, "RCPT TO", "no code here: at all")


def test_exim_hostile_reason_stays_fast():
    import time
    reason = "SMTP error from remote mail server after RCPT TO:<a@b>" + ": 5" * 50_000 + ">: " * 50_000
    t = time.perf_counter()
    parse_reply(reason)
    assert time.perf_counter() - t < 1.0
