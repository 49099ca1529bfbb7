"""Blind round Q: mailbox providers' and filtering services' published reply texts that the other
tables did not have yet -> (category, provider, blocklist), the same table format and taxonomy as
tests/test_classify_replies.py (whose module docstring states the rules the expectations follow)
and tests/test_classify_replies_gateways.py.

Every text below is quoted from the public source named above its group: mostly the receivers' own
error references (Google's "Gmail SMTP errors and codes", support.google.com/a/answer/3726730, in
its 2026-02-12 revision as archived in github.com/azumakuniyuki/feb-2024-no-auth-no-entry
google-3726730-smtp-errors-and-codes/text/...-2026-02-15.txt; Microsoft's Exchange Online NDR
reference and its IPv6 page in github MicrosoftDocs/OfficeDocs-Exchange and its translations;
Cloudflare's Email Service postmaster page), else a bounce posted publicly. Where a reference gives
only the text, it is wrapped with the reply and status codes it lists, as Postfix logs a reply to
the command the text says it answers, with the receiver's MX name as relay. A reference's
placeholders (ip-address, domain-name, header-name) are filled with documentation values; links
the reference shows as titles ("go to Email sender guidelines") are kept as printed. Gmail
appends " - gsmtp" to every reply, so it is appended here.

Each expectation was written down before bouncewatch was run on the rows (commit "round Q
expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 35 of 43 right (81 %). Three misses were harmful:
- Gmail's "550 5.2.1 The user you are trying to contact is receiving email at a rate that prevents
  additional messages from being delivered" read as inactive_mailbox by its 5.2.1 (hard, suppress):
  a live address suppressed for receiving much mail;
- Mail.ru's submission host saying "550 message sending for this account is disabled" (our own
  account) read as inactive_mailbox: every recipient of the relayed mail suppressed;
- Exchange Online's "451 4.4.62 Mail sent to the wrong Office 365 region" (connectors or hybrid
  routing) read as soft_general, which counts toward suppressing the recipient.
Not harmful: Workspace's relay suspending our sending account "due to abuse" read as spam_content
(its text names Google's "SMTP relay spam policy" page), Gmail's "No identity changes permitted"
read as policy_block, the two 4.7.28 and the La Poste row left below as known misses.
Fixed as data: rate-limited takes "receiving email at a rate", sender-rejected "sending for this
account is disabled" (50-text.toml); gmail-relay-sender-denied takes the suspended account, and
gmail-identity-change, microsoft-wrong-region are new receiver rules (20-providers.toml). After:
40 of 43, three strict xfails.
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf, pf_greet

RCPT = "user@example.org"
GMAIL = "gmail-smtp-in.l.google.com"
GRELAY = "smtp-relay.gmail.com"                  # Google Workspace's SMTP relay (our relayhost)
EXO = "example-org.mail.protection.outlook.com"
COMCAST = "mx2.mxge.comcast.net"
CFMX = "route1.mx.cloudflare.net"                # Cloudflare Email Routing's MX
LAPOSTE = "smtpz4.laposte.net"
MAILRU_SUBMIT = "smtp.mail.ru"                   # Mail.ru's submission host (our relayhost)
GM = "x@gmail.com"

_KNOWN_4728 = ("known miss, not harmful: read as bad_reputation (other, investigate; no suppression). "
               "test_classify_replies expects bad_reputation for the same 4.7.28 reply in Google's older "
               "wording ('an unusual rate of mail originating from your DKIM domain ... To protect our users "
               "from spam'); a rule telling 'email' from 'mail' would read two revisions of one reply apart")

CASES: list = [
    # --- Gmail: support.google.com/a/answer/3726730 (2026-02-12 revision).
    # 4.7.28, "unusual rate of unsolicited email" from a netblock, an SPF domain, a URL domain:
    # Gmail's verdict on our sending (as its DKIM-domain variant in test_classify_replies).
    C(pf(GMAIL, "421 4.7.28 Gmail has detected an unusual rate of unsolicited email originating from your IP "
                "Netblock 198.51.100.0/24. To protect our users from spam, email sent from your IP Netblock has been "
                "temporarily rate limited. To review our bulk email senders guidelines, go to Email sender "
                "guidelines. - gsmtp", "end of DATA"), GMAIL, GM, "bad_reputation", "gmail", None),
    C(pf(GMAIL, "421 4.7.28 Gmail has detected an unusual rate of unsolicited email originating from your SPF "
                "domain example.com. To protect our users from spam, email sent from your domain has been temporarily "
                "rate limited. To review our bulk email senders guidelines, go to Email sender guidelines. - gsmtp",
         "end of DATA"), GMAIL, GM, "bad_reputation", "gmail", None),
    C(pf(GMAIL, "421 4.7.28 Gmail has detected an unusual rate of unsolicited email containing one of your URL "
                "domains. To protect our users from spam, email with the URL has been temporarily rate limited. To "
                "review our bulk email senders guidelines, go to Email sender guidelines. - gsmtp", "end of DATA"),
      GMAIL, GM, "bad_reputation", "gmail", None),
    C(pf(GMAIL, "421 4.7.28 Gmail has detected an unusual amount of unsolicited email originating from your IP "
                "address. To protect our users from spam, email sent from your IP address has been temporarily "
                "blocked. To review our bulk email senders guidelines, go to Email sender guidelines. - gsmtp",
         "end of DATA"), GMAIL, GM, "bad_reputation", "gmail", None),
    # Without "unsolicited": a rate, not a verdict on the mail.
    pytest.param(C(pf(GMAIL, "421 4.7.28 Gmail has detected an unusual rate of email. To protect our users from "
                             "spam, email has been temporarily rate limited. To review our bulk email senders "
                             "guidelines, go to Email sender guidelines. - gsmtp", "end of DATA"), GMAIL, GM,
                   "rate_limited", "gmail", None),
                 marks=pytest.mark.xfail(strict=True, reason=_KNOWN_4728)),
    pytest.param(C(pf(GMAIL, "421 4.7.28 Gmail has detected an unusual rate of email originating from your IP "
                             "address 198.51.100.7. To protect our users from spam, email sent from your IP address "
                             "has been temporarily rate limited. To review our bulk email senders guidelines, go to "
                             "Email sender guidelines. - gsmtp", "end of DATA"), GMAIL, GM, "rate_limited", "gmail",
                   None),
                 marks=pytest.mark.xfail(strict=True, reason=_KNOWN_4728)),
    # A quota on copies of one Message-ID: volume throttling.
    C(pf(GMAIL, "421 4.7.28 Gmail has detected this sender exceeded the quota for sending messages that have the same "
                "Message-ID:. To best protect our users, the message has been temporarily rejected. For more "
                "information, go to Why has Gmail blocked my messages?. - gsmtp", "end of DATA"), GMAIL, GM,
      "rate_limited", "gmail", None),
    C(pf(GMAIL, "550 5.7.40 Your message was blocked because the sending domain doesn't have a DMARC record or the "
                "DMARC record doesn't specify a DMARC policy. Gmail requires all bulk email senders to add a DMARC "
                "record to their sending domain. See Set up DMARC. - gsmtp", "end of DATA"), GMAIL, GM,
      "auth_failure", "gmail", None),
    C(pf(GMAIL, "550 5.7.27 This message was blocked because it didn't pass SPF authentication. Gmail requires bulk "
                "email senders to authenticate their email with SPF. Authentication results: SPF with 198.51.100.7 = "
                "did not pass - gsmtp", "end of DATA"), GMAIL, GM, "auth_failure", "gmail", None),
    C(pf(GMAIL, "550 5.7.25 This message was blocked because the sending IP address doesn't have a PTR record, or the "
                "forwarding DNS entry doesn't reference the sending IP address. Gmail requires that sending IP "
                "addresses have a PTR record. - gsmtp", "end of DATA"), GMAIL, GM, "auth_failure", "gmail", None),
    C(pf(GMAIL, "451 4.7.23 198.51.100.7 The sending IP address for this message doesn't have a PTR record, or the "
                "PTR record's forward DNS entry doesn't match the sending IP address. To protect users from spam, your "
                "email has been temporarily rate limited. - gsmtp", "MAIL FROM"), GMAIL, GM, "auth_failure", "gmail",
      None),
    C(pf(GMAIL, "550 5.7.1 This message is likely suspicious due to the very low reputation of the sending domain. To "
                "best protect our users from spam, the message has been blocked. For more information, go to Why has "
                "Gmail blocked my messages? - gsmtp", "end of DATA"), GMAIL, GM, "bad_reputation", "gmail", None),
    C(pf(GMAIL, "550 5.7.1 This email has been rate limited. For more information, go to Limits for sending & getting "
                "email. - gsmtp", "end of DATA"), GMAIL, GM, "rate_limited", "gmail", None),
    # A 5.2.1 that is a rate, not a disabled mailbox (DESIGN.md: inactive_mailbox is 5.2.1's usual meaning).
    C(pf(GMAIL, "550 5.2.1 The user you are trying to contact is receiving email at a rate that prevents additional "
                "messages from being delivered. For more information, go to Limits for sending & getting email. "
                "- gsmtp"), GMAIL, GM, "rate_limited", "gmail", None),
    C(pf(GMAIL, "450 4.2.1 The user you are trying to contact is receiving email too quickly. Please resend your "
                "message at a later time. If the user is able to receive email at that time, your message will be "
                "delivered. For more information, go to Limits for sending & getting email. - gsmtp"), GMAIL, GM,
      "rate_limited", "gmail", None),
    C(pf(GMAIL, "451 4.3.0 Email server has temporarily rejected this message. Go to About SMTP error messages for more "
                "information. - gsmtp", "end of DATA"), GMAIL, GM, "soft_general", "gmail", None),
    # RFC 5322 conformance of the message (DESIGN.md: noncompliant_message).
    C(pf(GMAIL, "550 5.7.1 This message is not RFC 5322 compliant because it has duplicate headers. To reduce the "
                "amount of spam sent to Gmail, this message has been blocked. For more information, go to Email sender "
                "guidelines and review RFC 5322 specifications. - gsmtp", "end of DATA"), GMAIL, GM,
      "noncompliant_message", "gmail", None),
    C(pf(GMAIL, "550 5.7.1 This message is not RFC 5322 compliant because the From: header has a non-compliant domain "
                "name. To reduce the amount of spam sent to Gmail, this message has been blocked. For more "
                "information, go to Email sender guidelines and review RFC 5322 specifications. - gsmtp",
         "end of DATA"), GMAIL, GM, "noncompliant_message", "gmail", None),
    C(pf(GMAIL, "550 5.7.1 This message is not RFC 5322 compliant. There is a malformed Subject header. To reduce the "
                "amount of spam sent to Gmail, this message has been blocked. For more information, go to Email sender "
                "guidelines and review RFC 5322 specifications. - gsmtp", "end of DATA"), GMAIL, GM,
      "noncompliant_message", "gmail", None),
    C(pf(GMAIL, "550 5.7.1 This message is not RFC 5322 compliant because the From: header is missing. To reduce the "
                "amount of spam sent to Gmail, this message has been blocked. For more information, go to Email sender "
                "guidelines and review RFC 5322 specifications. - gsmtp", "end of DATA"), GMAIL, GM,
      "noncompliant_message", "gmail", None),
    C(pf(GMAIL, "550 5.7.1 This message is not RFC 5322 compliant because it has multiple From: headers. To reduce the "
                "amount of spam sent to Gmail, this message has been blocked. For more information, go to Email sender "
                "guidelines and review RFC 5322 specifications. - gsmtp", "end of DATA"), GMAIL, GM,
      "noncompliant_message", "gmail", None),
    C(pf(GMAIL, "550 5.7.1 Messages with multiple addresses in the From: header are not accepted. For more "
                "information, go to Email sender guidelines and review RFC 5322 specifications. - gsmtp",
         "end of DATA"), GMAIL, GM, "noncompliant_message", "gmail", None),
    C(pf(GMAIL, "550 5.7.1 Messages missing a valid Message-ID: header are not accepted. For more information, go to "
                "Email sender guidelines and review RFC 5322 specifications. - gsmtp", "end of DATA"), GMAIL, GM,
      "noncompliant_message", "gmail", None),
    C(pf(GMAIL, "554 5.6.0 Email message is malformed. Not accepted. For more information, go to Email sender "
                "guidelines and review RFC 5322 specifications. - gsmtp", "end of DATA"), GMAIL, GM,
      "noncompliant_message", "gmail", None),
    # The recipient's (or our) domain administrator's policy: not the address, no more specific cause.
    C(pf(GMAIL, "550 5.7.1 The user or domain that you are sending to (or from) has a policy that prohibits the email "
                "that you sent. Contact your domain administrator for assistance. For more information, go to Sorry, a "
                "policy is in place that prevents your message from being sent. - gsmtp", "end of DATA"), GMAIL,
      RCPT, "policy_block", "gmail", None),
    # Our SMTP dialogue (DESIGN.md: protocol_error).
    C(pf(GMAIL, "503 5.5.1 EHLO/HELO first. An email transaction protocol command was issued out of sequence. For more "
                "information, go to HELO/EHLO email error. - gsmtp", "MAIL FROM"), GMAIL, GM, "protocol_error",
      "gmail", None),
    C(pf(GMAIL, "501 5.5.4 Empty HELO/EHLO argument not allowed, closing connection. For more information, go to "
                "HELO/EHLO email error. - gsmtp", "EHLO"), GMAIL, GM, "protocol_error", "gmail", None),
    C(pf(GMAIL, "501 5.5.2 Syntax error, cannot decode response. For more information, go to About SMTP error "
                "messages. - gsmtp", "MAIL FROM"), GMAIL, GM, "protocol_error", "gmail", None),
    # Workspace's relay refusing our own sending account (suspended for abuse): our sender, not the
    # recipient (as gmail-relay-sender-denied reads "Mail sending denied").
    C(pf(GRELAY, "550 5.7.0 Email relay denied 198.51.100.7. The sending email account has been temporarily "
                 "suspended due to abuse. For more information, go to SMTP relay spam policy in Gmail. - gsmtp",
         "MAIL FROM"), GRELAY, RCPT, "sender_rejected", "gmail", None),
    C(pf(GRELAY, "503 5.7.0 No identity changes permitted. For more information, go to About SMTP error messages. "
                 "- gsmtp", "MAIL FROM"), GRELAY, RCPT, "protocol_error", "gmail", None),

    # --- Microsoft Exchange Online: "Support for anonymous inbound email messages over IPv6"
    # (OfficeDocs-Exchange, quoted in every translation) and the Exchange Online NDR reference
    # (non-delivery-reports-in-exchange-online.md: 4.7.26, 5.7.25). PTR and SPF/DKIM are
    # authentication (DESIGN.md).
    C(pf(EXO, "450 4.7.25 Service unavailable, sending IPv6 address [2001:db8::7] must have reverse DNS record.",
         "MAIL FROM"), EXO, RCPT, "auth_failure", "microsoft", None),
    C(pf(EXO, "450 4.7.26 Service unavailable, message sent over IPv6 [2001:db8::7] must pass either SPF or DKIM "
              "validation.", "end of DATA"), EXO, RCPT, "auth_failure", "microsoft", None),
    C(pf(EXO, "550 5.7.25 Access denied, the sending IPv6 address [2001:db8::7] must have a reverse DNS record",
         "MAIL FROM"), EXO, RCPT, "auth_failure", "microsoft", None),
    C(pf(EXO, "450 4.7.26 Access denied, a message sent over IPv6 [2001:db8::7] must pass either SPF or DKIM "
              "validation, this message is not signed", "end of DATA"), EXO, RCPT, "auth_failure", "microsoft", None),
    # smtp.codes microsoft365 (learn.microsoft.com "wrong-office-365-region-exo"): connectors or
    # hybrid routing send the mail to a region that does not host the tenant: routing, soft.
    C(pf(EXO, "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information please go to "
              "https://go.microsoft.com/fwlink/?linkid=865268 [AM6PEPF0000F3A1.eurprd04.prod.protection.outlook.com]"),
      EXO, RCPT, "routing_error", "microsoft", None),
    C(pf(EXO, "451 4.7.0 Temporary server error. Please try again later. PRX4 NextHop: example-org.mail.protection."
              "outlook.com [AM6PEPF0000F3A1.eurprd04.prod.protection.outlook.com]", "end of DATA"), EXO, RCPT,
      "soft_general", "microsoft", None),
    C(pf(EXO, "550 5.7.1 Service unavailable, Client host [198.51.100.7] blocked using Spamhaus. (AS16012611)",
         "MAIL FROM"), EXO, RCPT, "blocklisted", "microsoft", "spamhaus"),

    # --- Comcast: RL codes (postmaster.comcast.net/smtp-error-codes.php#RL...), throttling.
    # RL000003 as quoted from a real DSN in a Power BI dsnDiag parsing note (code corpus id
    # 24339717473); RL000010 as a "real world" reply in a bounce analyser's test (id 71339755154).
    C(pf(COMCAST, "421 4.1.0 198.51.100.7 Throttled - try again later. Please see "
                  "https://postmaster.comcast.net/smtp-error-codes.php#RL000003", "MAIL FROM"), COMCAST,
      "x@comcast.net", "rate_limited", "comcast", None),
    C(pf(COMCAST, "451 4.2.0 Throttled - https://postmaster.comcast.net/smtp-error-codes.php#RL000010"), COMCAST,
      "x@comcast.net", "rate_limited", "comcast", None),

    # --- Cloudflare Email Routing (developers.cloudflare.com/email-service/reference/postmaster,
    # "Realtime Block Lists", as archived in azumakuniyuki/feb-2024-no-auth-no-entry); its 5.1.1 as
    # in the bounce analyser's test above. Cloudflare has no provider entry.
    C(pf_greet(CFMX, "554 198.51.100.7 found on one or more RBLs (abusixip). Refer to "
                     "https://developers.cloudflare.com/email-service/reference/postmaster/#realtime-block-lists"),
      CFMX, RCPT, "blocklisted", None, "abusix", "bounced"),
    C(pf(CFMX, "550 5.1.1 Address does not exist. H471xiwLArEQ"), CFMX, RCPT, "bad_mailbox", None, None),

    # --- La Poste: the code list Sisimai keeps for Orange/La Poste (rhost FrancePTT, "LPN105_402"),
    # which quotes the reply. La Poste asks for SMTP authentication of a sender it hosts: our
    # envelope sender is refused, not the recipient.
    pytest.param(C(pf(LAPOSTE, "550 5.5.0 Authentification requise. Authentication Required. LPN105_402",
                      "MAIL FROM"), LAPOSTE, "x@laposte.net", "sender_rejected", "laposte", None),
                 marks=pytest.mark.xfail(strict=True, reason="known miss, not harmful: read as relay_denied (other, "
                                         "investigate), as test_classify_sisimai_phrases expects for Orange's "
                                         "'Authentification requise OFR_402', the same code 402; a rule telling "
                                         "the two apart would change that row")),

    # --- Mail.ru's submission host refusing our own account (mailout.ru/2015/09, "Популярные
    # ошибки ... Mail.ru": the account's password must be changed or ownership confirmed).
    C(pf(MAILRU_SUBMIT, "550 message sending for this account is disabled", "MAIL FROM"), MAILRU_SUBMIT, RCPT,
      "sender_rejected", "mailru", None),
]


def _row(case) -> tuple:
    """A row, whether plain or wrapped in pytest.param (a known miss)."""
    return case.values[0] if hasattr(case, "values") else case


def _miss(row: tuple, why: str):
    """A known miss of a later round's table: a strict xfail that says why
    the rules do not chase it."""
    return pytest.param(row, marks=pytest.mark.xfail(strict=True, reason=why))


_NOT_HARMFUL = "known miss, not harmful: "


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{_row(c)[3]}" for i, c in enumerate(CASES)])
def test_real_provider_reply(classifier, case):
    check_reply(classifier, case)
