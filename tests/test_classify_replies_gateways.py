"""Blind round J: mail security gateways and filtering services, mailbox providers and regional
providers not yet covered by the other tables -> (category, provider, blocklist), the same table
format and taxonomy as tests/test_classify_replies.py (whose module docstring states the rules the
expectations follow).

Every text below is quoted from a public source named above its group, and the expected answer
was written down before bouncewatch was run on it. Most come from the bounce references of
ActiveCampaign's "SMTP Field Manual" (github.com/ActiveCampaign/smtp-field-manual data/codes/*.json)
and of its successor smtp.codes (github.com/fm/smtp-codes data/codes/*.json), which collect the
replies ESPs saw from each receiver, grouped by provider or by spam filter, many with the
receiver's own documentation linked. Those list only the reply ("smtp;550 ..."); it is wrapped
here as Postfix logs a reply to RCPT TO (or to the command the text says it answers), with the
receiver's MX name as relay. Addresses, IPs and ids are replaced as in the other tables.

Both batches together, before their fixes: 44 of 65 right (68 %), 3 misses harmful.

The first batch, scored before any rule change: 37 of 51 (73 %). 2 of the 14 misses were harmful:
ZeroSpam's "Recipient address rejected: Not in recipient list" (its list of the domain's valid
recipients) read as policy_block, so a dead address is never suppressed; Zoho's "553 Relaying
disallowed" (a domain the MX does not serve) read as bad_mailbox by the 553-to-RCPT fallback, which
suppresses a live recipient. The 12 others kept the right action: Barracuda's "rejecting spoofed
message", Trend Micro's NO-DOMAIN and ERS-Customized-Block, Proofpoint's "Address verification in
progress" (bad_mailbox but soft, retried) and its prs.proofpoint.com list (named dnsbl), Zoho's
5.2.3 "MailPolicy violation" (message_too_large), WEB.DE's "policy restrictions (IP/domain/header
based)" (policy_block), its "Invalid DNS MX or A/AAAA resource record" and "IP address is block
listed" (general_bounce), QQ's "Suspected spam sender" (spam_content). No expectation of this batch
was revised after scoring. Fixed as data: words in 50-text.toml's bad-mailbox, relay-denied,
policy-stated, reputation and temporary-server-error rules, the proofpoint/trendmicro/dnsbl
patterns of 10-blocklists.toml, and four receiver rules in 20-providers.toml (WEB.DE/GMX, Zoho) for
texts only their documentation explains.

Gateways other than Proofpoint, Mimecast and Barracuda (Trend Micro, Email Security.cloud,
ZeroSpam, FireEye, Baruwa) and hosts without a provider entry (Rackspace) get provider None, as
MessageLabs does in test_classify_replies.py.
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf, pf_greet

RCPT = "user@example.org"
CUDA = "d123456a.ess.barracudanetworks.com"      # Barracuda Email Security Service MX
TMES = "example-org.in.tmes.trendmicro.com"      # Trend Micro Email Security (HES) MX
MLABS = "cluster1.eu.messagelabs.com"            # Broadcom Email Security.cloud
ZSPAM = "mx1.zerospam.ca"
FEYE = "mx1.us.fireeyecloud.com"
PPT = "mx0a-00123456.pphosted.com"
MIME = "us-smtp-inbound-1.mimecast.com"
EXO = "example-org.mail.protection.outlook.com"
COMCAST = "mx1a1.comcast.net"
YAHOO = "mta5.am0.yahoodns.net"
ICLOUD = "mx01.mail.icloud.com"
FREE = "mx1.free.fr"
ZOHO = "mx.zoho.com"
YANDEX = "mx.yandex.ru"
RAMBLER = "mx1.rambler.ru"
NAVER = "mx1.naver.com"
WEBDE = "mx-ha01.web.de"
LAPOSTE = "smtpz4.laposte.net"
QQ = "mx3.qq.com"

CASES: list[tuple] = [
    # --- Barracuda Email Security Service / Gateway: SMTP Field Manual 550.json, 554.json,
    # 450.json, 451.json, 421.json ("spamFilters": barracuda); smtp.codes 550.json.
    C(pf(CUDA, "550 cuda_nsu 5.1.1 <user@example.org>... User unknown"), CUDA, RCPT, "bad_mailbox", "barracuda",
      None),
    C(pf(CUDA, "550 No such user (user@example.org)"), CUDA, RCPT, "bad_mailbox", "barracuda", None),
    # smtp.codes: Barracuda thinks the message impersonates a known brand: not the address.
    C(pf(CUDA, "550 rejecting spoofed message", "end of DATA"), CUDA, RCPT, "policy_block", "barracuda", None),
    # Barracuda in front of Exchange Online passes on EXO's 5.4.1 recipient check (no such recipient).
    C(pf(CUDA, "550 cuda_nsu 5.4.1 [user@example.org]: Recipient address rejected: Access denied [example.org]"),
      CUDA, RCPT, "bad_mailbox", "barracuda", None),
    C(pf(CUDA, "554 rejected due to spam URL in content", "end of DATA"), CUDA, RCPT, "spam_content", "barracuda",
      None),
    # The field manual: only the recipient and their admin can resolve it; a policy, deferred.
    C(pf(CUDA, "450 cuda_nsu 4.7.1 <user@example.org>: Recipient address rejected: Policy Rejection- Abuse. Go "
               "away."), CUDA, RCPT, "policy_block", "barracuda", None),
    C(pf(CUDA, "451 4.7.1 <user@example.org>: Recipient address rejected: Greylisted for 5 minutes"), CUDA, RCPT,
      "greylisted", "barracuda", None),
    # The recipient's filter licence expired: their problem, temporary.
    C(pf(CUDA, "422 License Expired"), CUDA, RCPT, "soft_general", "barracuda", None),

    # --- Trend Micro Email Security (Hosted Email Security): SMTP Field Manual 554.json
    # (success.trendmicro.com 1055758, 1120618), smtp.codes 550.json.
    C(pf(TMES, "554 5.7.1 <user@example.org>: Recipient address rejected: BLOCK-SEND-ER."), TMES, RCPT,
      "policy_block", "trendmicro", None),  # the recipient's admin blocked our sender
    # The recipient domain is not (yet) routed through Trend Micro: the gateway will not relay for it.
    C(pf(TMES, "554 5.7.1 <user@example.org>: Recipient address rejected: NO-DOMAIN."), TMES, RCPT, "relay_denied",
      "trendmicro", None),
    C(pf(TMES, "554 5.7.1 <user@example.org>: Recipient address rejected: BLOCK-RCPT."), TMES, RCPT, "policy_block",
      "trendmicro", None),
    # ERS is Trend Micro's Email Reputation Services list (delisting at ers.trendmicro.com).
    C(pf(TMES, "550 5.7.1 <user@example.org>: Recipient address rejected: ERS-Customized-Block."), TMES, RCPT,
      "blocklisted", "trendmicro", "trendmicro"),

    # --- Broadcom Email Security.cloud (MessageLabs): SMTP Field Manual 450.json.
    C(pf(MLABS, "450 Requested action aborted [9] #-#, please visit "
                "https://knowledge.broadcom.com/external/article?legacyId=TECH246726 for more details about this "
                "error message."), MLABS, RCPT, "soft_general", "messagelabs", None),

    # --- ZeroSpam: SMTP Field Manual 450.json, 554.json.
    C(pf(ZSPAM, "450 4.2.0 <user@example.org>: Recipient address rejected: example.org greylisted for 60 seconds "
                "by ZEROSPAM"), ZSPAM, RCPT, "greylisted", None, None),
    C(pf(ZSPAM, "554 5.7.1 <user@example.org>: Recipient address rejected: Not in recipient list"), ZSPAM, RCPT,
      "bad_mailbox", None, None),  # the gateway's list of the domain's valid recipients

    # --- FireEye/Trellix Email Threat Prevention: smtp.codes 550.json.
    C(pf(FEYE, "550 5.7.26 <user@example.org>: ETP205 DMARC Failure for domain", "end of DATA"), FEYE, RCPT,
      "auth_failure", None, None),

    # --- Proofpoint: SMTP Field Manual 421.json, 550.json; smtp.codes 550.json.
    C(pf(PPT, "421 4.1.1 <user@example.org>: Recipient address rejected: unverified address: Address verification "
              "in progress"), PPT, RCPT, "soft_general", "proofpoint", None),
    C(pf(PPT, "550 5.1.1 - This is not a valid email address. Please verify that you have the correct email address "
              "for your recipient."), PPT, RCPT, "bad_mailbox", "proofpoint", None),
    C(pf(PPT, "550 5.7.1 Service unavailable; client [198.51.100.7] blocked using prs.proofpoint.com", "MAIL FROM"),
      PPT, RCPT, "blocklisted", "proofpoint", "proofpoint"),  # Proofpoint Dynamic Reputation
    C(pf(PPT, "550 5.7.0 Email rejected per sender's DMARC policy", "end of DATA"), PPT, RCPT, "auth_failure",
      "proofpoint", None),
    C(pf(PPT, "550 5.1.8 Domain of sender address does not exist", "MAIL FROM"), PPT, RCPT, "sender_rejected",
      "proofpoint", None),

    # --- Mimecast: SMTP Field Manual 550.json, 451.json.
    C(pf(MIME, "550 Rejected by header based manually Blocked Senders: sender@example.com - "
               "https://community.mimecast.com/docs/DOC-1369#550 [aBcDeFgHiJ.uk42]", "end of DATA"), MIME, RCPT,
      "policy_block", "mimecast", None),
    C(pf(MIME, "451 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#451 [aBcDeFgHiJ.uk42]"), MIME,
      RCPT, "bad_mailbox", "mimecast", None),  # a 4xx: soft, retried (see test_temporary_reply_never_suppresses)

    # --- Microsoft Exchange Online / Outlook.com: SMTP Field Manual 421.json; smtp.codes 550.json.
    C(pf(EXO, "421 4.3.2 The maximum number of concurrent connections per resource forest has exceeded a limit, "
              "closing transmission channel. example.org. PRX8 [AM6PR04MB1234.eurprd04.prod.outlook.com]",
         "MAIL FROM"), EXO, RCPT, "rate_limited", "microsoft", None),
    # smtp.codes: typically a tenant that takes mail only from given senders/servers, not a dead address.
    C(pf(EXO, "550 5.4.1 All recipient addresses rejected : Access denied "
              "[AM6PEPF0000F3A1.eurprd04.prod.protection.outlook.com]"), EXO, RCPT, "policy_block", "microsoft", None),
    C(pf(EXO, "550 5.7.1 Service unavailable, Helo domain is listed in Spamhaus. (S8001) "
              "[AM6PEPF0000F3A1.eurprd04.prod.protection.outlook.com]", "MAIL FROM"), EXO, RCPT, "blocklisted",
      "microsoft", "spamhaus"),
    C(pf("eur.olc.protection.outlook.com", "550 5.7.1 Service unavailable, MailFrom domain is listed in Spamhaus. To "
         "request removal from this list see https://www.spamhaus.org/query/lookup/ (S8002) "
         "[VI1EUR04FT012.eop-eur04.prod.protection.outlook.com]", "MAIL FROM"), "eur.olc.protection.outlook.com",
      "x@outlook.com", "blocklisted", "microsoft", "spamhaus"),

    # --- Comcast: SMTP Field Manual 550.json, 450.json, 552.json; smtp.codes 550.json.
    C(pf(COMCAST, "550 5.1.1 Not our Customer"), COMCAST, "x@comcast.net", "bad_mailbox", "comcast", None),
    C(pf(COMCAST, "550 5.1.1 <x@comcast.net> recipient mailbox unallocated"), COMCAST, "x@comcast.net", "bad_mailbox",
      "comcast", None),
    C(pf(COMCAST, "550 5.2.0 Message rejected due to DMARC. Please see "
                  "http://postmaster.comcast.net/smtp-error-codes.php#DM000001", "end of DATA"), COMCAST,
      "x@comcast.net", "auth_failure", "comcast", None),
    C(pf(COMCAST, "450 4.2.0 <x@comcast.net> - Recipient temporarily unavailable"), COMCAST, "x@comcast.net",
      "soft_general", "comcast", None),
    C(pf(COMCAST, "550 5.2.0 <x@comcast.net> - Recipient unavailable"), COMCAST, "x@comcast.net", "bad_mailbox",
      "comcast", None),  # "mailbox unavailable" in DESIGN.md's evidence for bad_mailbox
    C(pf(COMCAST, "552 5.1.1 <x@comcast.net> recipient rejected - extended quota violation"), COMCAST,
      "x@comcast.net", "mailbox_full", "comcast", None),

    # --- Yahoo (Verizon Media): SMTP Field Manual 554.json.
    C(pf(YAHOO, "554 delivery error: dd Sorry, your message to x@yahoo.com cannot be delivered. This mailbox is "
                "disabled (554.30). - mta1234.mail.bf1.yahoo.com", "end of DATA"), YAHOO, "x@yahoo.com",
      "inactive_mailbox", "yahoo", None),

    # --- Apple iCloud: SMTP Field Manual 552.json, 550.json (support.apple.com/HT204137).
    C(pf(ICLOUD, "552 5.2.2 <x@icloud.com>: user is overquota"), ICLOUD, "x@icloud.com", "mailbox_full", "apple",
      None),
    C(pf(ICLOUD, "550 5.7.1 Your message was rejected due to example.com's DMARC policy. See "
                 "https://support.apple.com/en-us/HT204137 for info", "end of DATA"), ICLOUD, "x@icloud.com",
      "auth_failure", "apple", None),

    # --- Free.fr: smtp.codes 550.json (postmaster.free.fr).
    C(pf(FREE, "550 5.2.1 This mailbox has been blocked due to inactivity"), FREE, "x@free.fr", "inactive_mailbox",
      "free", None),
    C(pf(FREE, "550 virus detected", "end of DATA"), FREE, "x@free.fr", "virus_or_attachment", "free", None),

    # --- Zoho Mail: SMTP Field Manual 554.json, 553.json.
    C(pf(ZOHO, "554 5.2.3 MailPolicy violation Error delivering to mailboxes", "end of DATA"), ZOHO, "x@zoho.com",
      "policy_block", "zoho", None),
    C(pf(ZOHO, "553 Relaying disallowed"), ZOHO, "x@example.com", "relay_denied", "zoho", None),

    # --- Yandex: SMTP Field Manual 450.json, 550.json.
    C(pf(YANDEX, "450 4.2.1 The recipient has exceeded message rate limit. Try again later."), YANDEX, "x@yandex.ru",
      "rate_limited", "yandex", None),
    C(pf(YANDEX, "550 5.7.1 Email rejected per DMARC policy for mail.ru", "end of DATA"), YANDEX, "x@yandex.ru",
      "auth_failure", "yandex", None),

    # --- Rambler: SMTP Field Manual 554.json (help.rambler.ru feedback form 144).
    C(pf(RAMBLER, "554 5.7.1 Spam message rejected; If this is not spam contact abuse", "end of DATA"), RAMBLER,
      "x@rambler.ru", "spam_content", "rambler", None),

    # --- Naver: the reply quoted in Gmail's bounce in github your-digital-rights/yourdigitalrights.org
    # issue 736.
    C(pf(NAVER, "550 5.1.1 No such user. For more information, go to https://help.naver.com/alias/mail/newmail10.naver "
                "YFIkhhfiSGCl2Nuynp4eNQ - nsmtp"), NAVER, "x@naver.com", "bad_mailbox", "naver", None),

    # --- WEB.DE / GMX: smtp.codes 550.json (postmaster.web.de/en/error-messages, /en/email-policy).
    # IP based: a high share of our mail judged spam, the IP is refused for a time (their verdict);
    # domain based: our domain known as a spam domain; header based: headers not to standard.
    C(pf(WEBDE, "550 <x@web.de>: Reject due to policy restrictions (IP based)"), WEBDE, "x@web.de", "bad_reputation",
      "gmx", None),
    C(pf(WEBDE, "550 <x@web.de>: Reject due to policy restrictions (domain based)"), WEBDE, "x@web.de",
      "bad_reputation", "gmx", None),
    C(pf(WEBDE, "550 <x@web.de>: Reject due to policy restrictions (header based)", "end of DATA"), WEBDE, "x@web.de",
      "noncompliant_message", "gmx", None),
    # Our sender domain has no MX or A record to take replies.
    C(pf(WEBDE, "550 <x@web.de>: Invalid DNS MX or A/AAAA resource record", "MAIL FROM"), WEBDE, "x@web.de",
      "sender_rejected", "gmx", None),
    # "one of the block lists used by Web.de", not named.
    C(pf(WEBDE, "550 <x@web.de>: IP address is block listed", "MAIL FROM"), WEBDE, "x@web.de", "blocklisted", "gmx",
      "dnsbl"),

    # --- La Poste (French and English): smtp.codes 550.json (postmaster.laposte.net).
    C(pf(LAPOSTE, "550 5.7.20 Message refuse, DKIM n'est pas configure sur votre domaine d'expedition. Message "
                  "refused, DKIM is not configured on your sending domain. LPN007_402", "end of DATA"), LAPOSTE,
      "x@laposte.net", "auth_failure", "laposte", None),

    # --- Tencent QQ Mail: smtp.codes 550.json (service.mail.qq.com no=1001461): much spam from our
    # domain or mail operator, the receiver's verdict.
    C(pf(QQ, "550 Suspected spam sender.", "MAIL FROM"), QQ, "x@qq.com", "bad_reputation", "qq", None),
]


# Second batch, collected after the first batch's fixes; expectations written before scoring.
# Scored before any change: 7 of 14 (Baruwa 2/6, Rackspace 5/8). 1 miss harmful: Baruwa's
# "Recipient verification failed" (its recipient callout said no) read as general_bounce, never
# suppressed. Not harmful: Baruwa's banned sender/domain and "Dictionary attack detected"
# (general_bounce), Rackspace's G30 "too much email in a short period" under 4.2.1 (inactive_mailbox,
# but soft), its G1E temporary DMARC DNS failure (auth_failure), its G6 (unable_to_connect; the
# expectation was revised, see the case). Fixed as words in 50-text.toml's rules (bad-mailbox,
# policy-stated, reputation, rate-limited; the DMARC rule leaves a temporary DNS failure to
# dns-failure).
BARUWA = "bastion.example.net"                   # a Baruwa gateway (its MX name is the customer's)
RACKSPACE = "mx1.emailsrvr.com"
CASES += [
    # --- Baruwa (open-source mail gateway): the reject texts and their meanings as a Baruwa
    # operator publishes them (bastion.umanix.net/info).
    C(pf(BARUWA, "550 The sender 198.51.100.7 is banned", "MAIL FROM"), BARUWA, RCPT, "policy_block", None, None),
    C(pf(BARUWA, "550 The domain example.com is banned", "MAIL FROM"), BARUWA, RCPT, "policy_block", None, None),
    # "an attempt to harvest email addresses": the gateway's verdict on our sending.
    C(pf(BARUWA, "550 Dictionary attack detected"), BARUWA, RCPT, "bad_reputation", None, None),
    C(pf(BARUWA, "550 Sender verification failed", "MAIL FROM"), BARUWA, RCPT, "sender_rejected", None, None),
    # "The recipient email address could not be verified - check the email address you are sending to".
    C(pf(BARUWA, "550 Recipient verification failed"), BARUWA, RCPT, "bad_mailbox", None, None),
    C(pf(BARUWA, "550 The email address does not exist"), BARUWA, RCPT, "bad_mailbox", None, None),

    # --- Rackspace Email: its postmaster's response codes as listed by smtp.codes/rackspace
    # (postmaster.apps.rackspace.com/system-info/response-codes).
    # Revised after scoring from soft_general: Rackspace's gateway could not reach the recipient's
    # own server to verify the address, which its 4.4.1 (no answer from host) says too: the next
    # hop did not answer. Both are soft and retried.
    C(pf(RACKSPACE, "450 4.4.1 <user@example.org>: The recipient's server was temporarily unavailable to accept "
                    "your message (G6)"), RACKSPACE, RCPT, "unable_to_connect", "rackspace", None),
    C(pf(RACKSPACE, "450 4.2.1 <user@example.org>: Mailbox received too much email in a short period of time "
                    "(G30)"), RACKSPACE, RCPT, "rate_limited", "rackspace", None),
    # A temporary failure looking up our DMARC policy: DNS, retried.
    C(pf(RACKSPACE, "450 4.4.0 <user@example.org> Temporary DMARC DNS lookup failure (G1E)", "end of DATA"),
      RACKSPACE, RCPT, "dns_failure", "rackspace", None),
    C(pf(RACKSPACE, "451 4.7.1 Received too many messages from a new or untrusted IP (G28)", "MAIL FROM"), RACKSPACE,
      RCPT, "rate_limited", "rackspace", None),
    C(pf_greet(RACKSPACE, "421 Too many concurrent connections from this client (G2)"), RACKSPACE, RCPT,
      "rate_limited", "rackspace", None),
    C(pf(RACKSPACE, "450 4.7.1 Client host 198.51.100.7 has no PTR record (G1F)", "MAIL FROM"), RACKSPACE, RCPT,
      "auth_failure", "rackspace", None),
    C(pf(RACKSPACE, "550 5.1.1 Email address could not be found, or was misspelled (G8)"), RACKSPACE, RCPT,
      "bad_mailbox", "rackspace", None),
    C(pf(RACKSPACE, "550 5.7.0 mime_banned_file - Your message has been rejected because it contains a banned file "
                    "attachment (G1A)", "end of DATA"), RACKSPACE, RCPT, "virus_or_attachment", "rackspace", None),
]

@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{c[3]}" for i, c in enumerate(CASES)])
def test_real_gateway_reply(classifier, case):
    check_reply(classifier, case)
