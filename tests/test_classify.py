"""Real reply texts (as receivers send them) -> category. The provider
references these come from: Gmail's SMTP error reference, Microsoft 365 /
Outlook.com NDR docs, Yahoo's SMTP error codes page, and bounce samples."""

import pytest

from bouncewatch.parsers.records import Delivery, Envelope, Relay
from bouncewatch.parsers.smtp import parse_reply
from bouncewatch.plugin.event import rule_context

CASES = [
    # (status, reason, relay host, category, provider, blocklist)
    ("bounced", "host gmail-smtp-in.l.google.com[142.250.1.27] said: 550-5.1.1 The email account that you tried to "
     "reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or "
     "550-5.1.1 unnecessary spaces. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser x1si - gsmtp "
     "(in reply to RCPT TO command)", "gmail-smtp-in.l.google.com", "bad_mailbox", "gmail", None),
    ("bounced", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 550-5.2.1 The email account that you tried to "
     "reach is disabled. gsmtp (in reply to RCPT TO command)", "gmail-smtp-in.l.google.com",
     "inactive_mailbox", "gmail", None),
    ("deferred", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 452-4.2.2 The email account that you tried to "
     "reach is over quota. gsmtp (in reply to RCPT TO command)", None, "mailbox_full", "gmail", None),
    ("bounced", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 550-5.7.1 [192.0.2.1] Our system has detected "
     "that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message "
     "has been blocked. gsmtp (in reply to end of DATA command)", None, "spam_content", "gmail", None),
    ("deferred", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 421-4.7.0 [192.0.2.1] Our system has detected "
     "that this message is suspicious due to the very low reputation of the sending IP address. gsmtp "
     "(in reply to end of DATA command)", None, "bad_reputation", "gmail", None),
    ("bounced", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 550-5.7.26 This mail has been blocked because "
     "the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. gsmtp "
     "(in reply to end of DATA command)", None, "auth_failure", "gmail", None),
    ("bounced", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 552-5.7.0 This message was blocked because its "
     "content presents a potential 552-5.7.0 security issue. gsmtp (in reply to end of DATA command)", None,
     "virus_or_attachment", "gmail", None),
    ("bounced", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 552-5.2.3 Your message exceeded Google's message "
     "size limits. gsmtp (in reply to end of DATA command)", None, "message_too_large", "gmail", None),
    ("deferred", "host gmail-smtp-in.l.google.com[1.2.3.4] said: 421-4.7.28 [192.0.2.1 15] Our system has "
     "detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from "
     "spam, mail sent from your IP address has been temporarily rate limited. gsmtp (in reply to end of DATA "
     "command)", None, "bad_reputation", "gmail", None),
    ("bounced", "host example-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.4.1 Recipient address "
     "rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors "
     "[BN8NAM11FT066.eop-nam11.prod.protection.outlook.com] (in reply to RCPT TO command)",
     "example-com.mail.protection.outlook.com", "bad_mailbox", "microsoft", None),
    ("bounced", "host hotmail-com.olc.protection.outlook.com[52.101.1.1] said: 550 5.7.1 Unfortunately, messages "
     "from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network "
     "is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/"
     "troubleshooting.aspx#errors. (in reply to MAIL FROM command)", "hotmail-com.olc.protection.outlook.com",
     "blocklisted", "microsoft", "microsoft"),
    ("deferred", "host mx-eu.mail.am0.yahoodns.net[1.2.3.4] said: 421 4.7.0 [TSS04] Messages from 192.0.2.1 "
     "temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see "
     "https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)",
     "mx-eu.mail.am0.yahoodns.net", "bad_reputation", "yahoo", None),
    ("bounced", "host mta7.am0.yahoodns.net[1.2.3.4] said: 554 delivery error: dd This user doesn't have a "
     "yahoo.com account (x@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com (in reply to end of DATA command)",
     "mta7.am0.yahoodns.net", "bad_mailbox", "yahoo", None),
    ("bounced", "host mx[1.2.3.4] said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
     "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1 (in reply to RCPT TO command)", None,
     "blocklisted", None, "spamhaus-zen"),
    ("bounced", "host mx[1.2.3.4] said: 550 5.7.1 Service unavailable; client [192.0.2.1] blocked using "
     "b.barracudacentral.org (in reply to RCPT TO command)", None, "blocklisted", None, "barracuda"),
    ("deferred", "host mx[1.2.3.4] said: 450 4.2.0 <x@example.org>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/example.org.html (in reply to RCPT TO command)", None, "greylisted",
     None, None),
    ("deferred", "Host or domain name not found. Name service error for name=example.org type=MX: Host not found, "
     "try again", None, "dns_failure", None, None),
    # An old Postfix (no dsn=) looking up the MX of a name that is not the recipient's domain:
    # its relayhost, our own next hop (blind round O, an ISP smarthost that did not resolve).
    ("deferred", "Host or domain name not found. Name service error for name=mail.isp.example type=MX: Host "
     "not found, try again", None, "routing_error", None, None),
    ("bounced", "Host or domain name not found. Name service error for name=nope.invalid type=A: Host not found",
     None, "bad_domain", None, None),
    ("deferred", "connect to mx.example.com[192.0.2.1]:25: Connection refused", None, "unable_to_connect", None,
     None),
    ("deferred", "lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting",
     None, "unable_to_connect", None, None),
    ("deferred", "lost connection with mx.example.com[192.0.2.1] while sending RCPT TO", None, "protocol_error",
     None, None),
    ("bounced", "mail for example.com loops back to myself", None, "routing_error", None, None),
    ("bounced", "host mx[1.2.3.4] said: 554 5.7.1 <x@example.org>: Relay access denied (in reply to RCPT TO "
     "command)", None, "relay_denied", None, None),
    ("deferred", "TLS is required, but was not offered by host mx.example.com[192.0.2.1]", None, "tls_failure",
     None, None),
    ("bounced", "host mx[1.2.3.4] said: 552 5.3.4 Message size exceeds fixed limit (in reply to end of DATA "
     "command)", None, "message_too_large", None, None),
    ("deferred", "host mx[1.2.3.4] said: 421 4.7.0 Too many concurrent SMTP connections; please try again later. "
     "(in reply to MAIL FROM command)", None, "rate_limited", None, None),
    ("bounced", "host mx[1.2.3.4] said: 550 5.7.1 Message rejected: DMARC policy of example.com is reject "
     "(in reply to end of DATA command)", None, "auth_failure", None, None),
    ("bounced", "host mx[1.2.3.4] said: 553 5.1.8 <bounce@example.com>: Sender address rejected: Domain not found "
     "(in reply to MAIL FROM command)", None, "sender_rejected", None, None),
    ("bounced", "host mx[1.2.3.4] said: 550 Benutzer unbekannt (in reply to RCPT TO command)", None, "bad_mailbox",
     None, None),
    ("bounced", "host mxs.mail.ru[94.100.180.31] said: 550 Message was not accepted -- invalid mailbox.  Local "
     "mailbox x@mail.ru is unavailable: user not found (in reply to end of DATA command)", "mxs.mail.ru",
     "bad_mailbox", "mailru", None),
    ("bounced", "host mx[1.2.3.4] said: 550 5.7.1 Message contains a virus (in reply to end of DATA command)",
     None, "virus_or_attachment", None, None),
    ("bounced", "unknown user: \"jdoe\"", None, "bad_mailbox", None, None),
    ("bounced", "host mx[1.2.3.4] said: 550 Requested action not taken (in reply to RCPT TO command)", None,
     "general_bounce", None, None),
    ("deferred", "host mx[1.2.3.4] said: 451 Temporary local problem - please try later (in reply to RCPT TO "
     "command)", None, "soft_general", None, None),
    ("expired", "status=expired, returned to sender", None, "expired", None, None),
    ("sent", "250 2.0.0 Ok: queued as 123", None, "delivered", None, None),
    # Mailgun refusing our sandbox domain (baserow/baserow#1776): our account, not the recipient
    ("deferred", "host smtp.mailgun.org[192.0.2.1] said: 421 Domain sandboxdf3479ebf6574f74ae2b802abc2ae513.mailgun"
     ".org is not allowed to send: Sandbox subdomains are for test purposes only. Please add your own domain or add"
     " the address to authorized recipients in Account Settings. (in reply to end of DATA command)", None,
     "sender_rejected", None, None),
    # Exim's callout to our server failing: it refuses MAIL FROM:<> (andris9/simplesmtp#77)
    ("bounced", "host mx.example.net[192.0.2.1] said: 550-Callback setup failed while verifying <xxx@xxx.xxx> "
     "550-(result of an earlier callout reused). 550-The initial connection, or a HELO or MAIL FROM:<> command was "
     "550-rejected. Refusing MAIL FROM:<> does not help fight spam, disregards 550-RFC requirements, and stops you "
     "from receiving standard bounce 550-messages. This host does not accept mail from domains whose servers 550 "
     "refuse bounces. (in reply to RCPT TO command)", None, "sender_rejected", None, None),
    # Exchange Online's NDR body (learn.microsoft.com, "Email non-delivery reports and SMTP errors in
    # Exchange Online"), as ingest-mail reads it when no status code is near; round T has its German.
    ("bounced", "Your message to user@example.org couldn't be delivered. user wasn't found at example.org.", None,
     "bad_mailbox", None, None),
]


@pytest.mark.parametrize("status,reason,relay,category,provider,blocklist", CASES,
                         ids=[f"{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_real_replies(classifier, status, reason, relay, category, provider, blocklist):
    d = Delivery("postfix", "Q", "x@example.org", status, reason=reason,
                 relay=Relay(relay) if relay else None, reply=parse_reply(reason))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    assert (c.category, c.provider, c.blocklist) == (category, provider, blocklist), c


def test_temporary_hard_is_soft(classifier):
    d = Delivery("postfix", "Q", "x@e.org", "deferred",
                 reason="host mx[1.2.3.4] said: 450 4.1.1 <x@e.org>: Recipient address rejected: User unknown",
                 reply=parse_reply("host mx[1.2.3.4] said: 450 4.1.1 <x@e.org>: Recipient address rejected: User "
                                   "unknown"))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    assert (c.category, c.type, c.action) == ("bad_mailbox", "soft", "retry")


MAIL_FROM_TEXTS = [
    ("550 5.1.1 User unknown", "bad_mailbox"),
    ("550 Unknown user news@ourdomain.example", "bad_mailbox"),
    ("550 5.1.1 No such user", "bad_mailbox"),
    ("550 5.2.1 Mailbox disabled", "inactive_mailbox"),
    ("550 5.7.1 Account disabled", "inactive_mailbox"),
    ("550 5.2.1 The email account is inactive", "inactive_mailbox"),
]


@pytest.mark.parametrize("reply,at_rcpt", MAIL_FROM_TEXTS)
def test_an_address_refused_at_mail_from_is_our_sender(classifier, reply, at_rcpt):
    """No recipient has been named when MAIL FROM is answered: an unknown
    user or a disabled account there is our sender, or the account we relay
    through (a smarthost). Read as the recipient's, it would suppress every
    recipient of the message. The same words to RCPT TO are the recipient's."""
    def category(cmd: str) -> str:
        reason = f"host mx.example.net[192.0.2.1] said: {reply} (in reply to {cmd} command)"
        d = Delivery("postfix", "Q", "x@example.org", "bounced", reason=reason, reply=parse_reply(reason))
        c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
        return c.category
    assert category("MAIL FROM") == "sender_rejected"
    assert category("RCPT TO") == at_rcpt


@pytest.mark.parametrize("reply", [
    "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. "
    "Contact your administrator.",
    "535 5.7.0 Error: account disabled",
    "454 4.7.0 Too many login attempts, please try again later. a1sm123 - gsmtp",
])
def test_a_reply_to_auth_is_our_relay_account(classifier, reply):
    """AUTH is our credentials at the relay: a locked or disabled account
    there is ours. Read as the recipient's (inactive_mailbox, or a 4xx's
    soft_general) it would count against every recipient sent through it."""
    reason = f"host smtp.office365.com[192.0.2.1] said: {reply} (in reply to AUTH command)"
    d = Delivery("postfix", "Q", "x@example.org", "bounced", reason=reason, reply=parse_reply(reason),
                 relay=Relay("smtp.office365.com", "192.0.2.1", 587))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    assert (c.category, c.type, c.provider) == ("auth_failure", "other", "microsoft")


@pytest.mark.parametrize("reply", [
    "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. "
    "Contact your administrator.",
    "535-5.7.8 Username and Password not accepted. For more information, go to 535 5.7.8 "
    "https://support.google.com/mail/?p=BadCredentials a1sm123456wrx.1 - gsmtp",
])
def test_microsofts_and_gmails_auth_replies_need_no_command(classifier, reply):
    """Pasted into explain, or in a log that names no command, these still
    say our account at the relay."""
    d = Delivery("postfix", "Q", "x@example.org", "bounced", reason=reply, reply=parse_reply(reply))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    assert (c.category, c.type) == ("auth_failure", "other")


@pytest.mark.parametrize("reason", [
    "host mx.example.com[192.0.2.1] refused to talk to me: 554 5.7.1 Mailbox unavailable",
    "host mx.example.com[192.0.2.1] refused to talk to me: 550 5.7.1 Account suspended",
    "host mx.example.com[192.0.2.1] said: 550 5.1.1 Sorry, no such user (in reply to EHLO command)",
])
def test_a_refused_session_names_no_recipient(classifier, reason):
    """The greeting and HELO come before any address: a generic 'Mailbox
    unavailable' there refuses our connection, and must not suppress."""
    d = Delivery("postfix", "Q", "x@example.org", "bounced", reason=reason, reply=parse_reply(reason))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    assert (c.category, c.type) == ("policy_block", "other")


@pytest.mark.parametrize("reply,category", [
    ("450 4.7.1 Connection rate limit exceeded, please try again later", "rate_limited"),
    ("451 4.7.1 Sending rate exceeded, please try again later", "rate_limited"),
    ("451 4.7.1 Message throttled, try again later", "rate_limited"),
    ("421 4.7.1 Server busy, please try again later", "rate_limited"),
    ("450 4.7.1 Greylisted, please try again in 300 seconds", "greylisted"),
    ("451 4.7.1 Please try again later", "greylisted"),
    ("451 4.7.1 Service unavailable - try again later", "greylisted"),
])
def test_a_rate_limit_that_says_try_again_is_no_greylisting(classifier, reply, category):
    """Greylisting is the recipient's soft failure (it counts towards
    suppressing the address); a receiver throttling us is ours (type other).
    A 4.7.1 "try again" was read as greylisting even when the reply said it
    was a rate limit (the bench log's Proofpoint deferral, 165 a run)."""
    reason = f"host mx.example.com[192.0.2.1] said: {reply} (in reply to MAIL FROM command)"
    d = Delivery("postfix", "Q", "x@example.org", "deferred", reason=reason, reply=parse_reply(reason))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    assert c.category == category, c


def test_a_reply_naming_our_sender_as_unknown_is_ours_whatever_the_command(classifier):
    """Sendmail logs no command: "<sender>... User unknown" is told apart
    from "<recipient>... User unknown" by the address it names."""
    def category(named: str, sender: str | None = "news@ourdomain.example") -> str:
        reason = f"550 5.1.1 <{named}>... User unknown"
        d = Delivery("sendmail", "Q", "x@example.org", "bounced", reason=reason, reply=parse_reply(reason),
                     sender=sender)
        c, _ = classifier.classify(rule_context(Envelope(None, None, "sm-mta", 1, ""), d))
        return c.category
    assert category("news@ourdomain.example") == "sender_rejected"
    assert category("x@example.org") == "bad_mailbox"
    assert category("bobnews@ourdomain.example") == "bad_mailbox"   # someone else
    assert category("news@ourdomain.example", sender=None) == "bad_mailbox"   # no from= line seen


@pytest.mark.parametrize("line,category", [
    # Exim's own words when its settings hold or queue mail (lines of Exim's test suite, log/*)
    ("1999-03-02 09:44:33 10HmaY-000000005vi-0000 == CALLER@two.test.ex defer (-23): domain is held", "local_policy"),
    ("1999-03-02 09:44:33 10HmaZ-000000005vi-0000 == xxx@local.test.ex routing defer (-56): domain is in "
     "queue_domains", "local_policy"),
    ("1999-03-02 09:44:33 10HmbC-000000005vi-0000 == xxx@ten-2.test.ex R=lookuphost T=smtp defer (-1): first-pass "
     "only routing due to -odqs, queue_smtp_domains or control=queue", "local_policy"),
    ("1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userz@domain1 R=others T=smtp defer (0): SMTP delivery "
     "explicitly queued", "local_policy"),
    ("1999-03-02 09:44:33 10HmbB-000000005vi-0000 == usery@domf.ex R=all T=smtp defer (-57): concurrency limit "
     "reached for transport", "local_policy"),
    ("1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userz@myhost.test.ex R=defer defer (-1): forcibly deferred",
     "local_policy"),
    # Postfix's qmgr for a transport in defer_transports (qmgr_message.c: "deferred transport")
    ("Nov 24 06:30:01 mx postfix/qmgr[1234]: 4AB12C0601: to=<a@example.com>, relay=none, delay=1.2, "
     "delays=1.2/0/0/0, dsn=4.3.0, status=deferred (deferred transport)", "local_policy"),
    # Exim's configuration failing
    ("1999-03-02 09:44:33 10HmaX-000000005vi-0000 == no.hosts@test.ex R=no_hosts T=no_hosts defer (-1): no_hosts "
     "transport called with no hosts set", "routing_error"),
    ("1999-03-02 09:44:33 10HmaX-000000005vi-0000 == badport1@z R=r3 T=t4 defer (-1): TCP port \"nonexistent\" is "
     "not defined for t4 transport", "routing_error"),
    ("1999-03-02 09:44:33 10HmaX-000000005vi-0000 == bad.return@test.ex R=bad_return T=bad_return defer (-27): "
     "Failed to expand return path \"${if\" in bad_return transport: condition name expected, but found \"\"",
     "routing_error"),
])
def test_our_mta_holding_or_misconfigured_is_ours(classifier, line, category):
    """Exim or Postfix deferring by its own settings (hold_domains,
    queue_domains, -odqs, max_parallel, a bare :defer:, defer_transports) or
    failing on its own configuration:
    as soft_general these counted toward suppressing the recipient."""
    from bouncewatch.plugin.pipeline import Pipeline
    evs = Pipeline(classifier).feed(line, "/var/log/exim4/mainlog", 0)
    assert [(e["status"], e["classification"]["category"]) for e in evs] == [("deferred", category)]


def test_every_category_maps_to_taxonomy(classifier):
    t = classifier.taxonomy
    for r in classifier.rules:
        assert t.get(r.category) is not None
    assert t.get("delivered").code == 0 and t.get("spam_complaint").code == 200
    assert t.get("user_unknown").name == "bad_mailbox"  # alias


def test_user_rules_come_first(tmp_path):
    from bouncewatch.plugin.classify.engine import Classifier
    (tmp_path / "local.toml").write_text('[[rule]]\nname = "ours"\ncategory = "local_policy"\n'
                                         'when = \'reason ~ /user unknown/\'\n')
    c = Classifier.load([tmp_path])
    d = Delivery("postfix", "Q", "x@e.org", "bounced", reason="550 5.1.1 User unknown",
                 reply=parse_reply("550 5.1.1 User unknown"))
    got, _ = c.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    assert (got.category, got.rule) == ("local_policy", "ours")


@pytest.mark.parametrize("text,needle", [
    ('[[rule]]\nname = "x"\ncategory = "nope"\nwhen = \'status = "a"\'\n', "unknown category 'nope'"),
    ('[[rule]]\nname = "x"\ncategory = "bad_mailbox"\nwhen = \'status = \'\n', "syntax error"),
    ('[[rule]]\nname = "x"\ncategory = "bad_mailbox"\nwhen = \'reason ~ /(a/\'\n', "bad regular expression"),
    ('[[rule]]\nname = "x"\ncategory = "bad_mailbox"\nwhen = 1\n', "'when' must be"),
    ('[[rule]]\nname = "x"\ncolour = 1\ncategory = "bad_mailbox"\nwhen = \'a\'\n', "unknown key 'colour'"),
    ('[[rule\n', "Expected"),
])
def test_bad_rule_files_name_file_and_line(tmp_path, text, needle):
    from bouncewatch.plugin.classify.engine import Classifier, RuleError
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(RuleError) as e:
        Classifier.load([tmp_path])
    msg = str(e.value)
    assert "bad.toml" in msg and needle in msg


def test_discard_is_our_own_policy_not_a_delivery(classifier):
    """Postfix's discard(8) logs what it drops as status=sent (real Postfix
    3.7); DESIGN.md's local_policy names the discard transport."""
    d = Delivery("postfix", "Q", "x@example.org", "sent", reason="dropped by local policy")
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/discard", 1, ""), d))
    assert (c.category, c.type) == ("local_policy", "other")
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix-out/smtp", 1, ""), d))
    assert c.category == "delivered"


SUBMITTED = ("Nov 24 15:21:47 mta sendmail[53]: 6AOFO8kr000053: to=rcpt@access-tempfail.test, "
             "ctladdr=bounces@sender.test (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30359, "
             "relay={relay}, dsn={dsn}, reply={reply}, stat=Deferred: {reply}")


@pytest.mark.parametrize("reply,dsn", [
    # real Sendmail 8.17: our own access map (To:access-tempfail.test ERROR:4.3.2:450 ...)
    ("450 4.3.2 <rcpt@access-tempfail.test>... Mail for this domain is held for now", "4.3.2"),
    ("451 4.3.0 Temporary system failure. Please try again later.", "4.3.0"),
])
def test_sendmail_submission_deferred_by_our_own_mta_is_ours(classifier, reply, dsn):
    """The submission program hands every message to the MTA on this
    machine: its 4xx is our side's, not the recipient's soft failure that
    counts toward suppressing it. The same reply from a remote host is not.
    (A reply that an earlier rule explains keeps its category: greylisting,
    a full disk, as Postfix's own next hops do.)"""
    from bouncewatch.plugin.pipeline import Pipeline
    def category(relay):
        line = SUBMITTED.format(relay=relay, dsn=dsn, reply=reply)
        (ev,) = Pipeline(classifier).feed(line, "/var/log/maillog", 0)
        return ev["classification"]["category"], ev["classification"]["type"]
    assert category("[127.0.0.1] [127.0.0.1]") == ("routing_error", "other")
    assert category("localhost [127.0.0.1]") == ("routing_error", "other")
    assert category("mx.example.org. [192.0.2.7]") != ("routing_error", "other")
