"""Blind round Z1: rejection and deferral replies of email security gateways and hosted filters that
the tables barely covered -> (category, provider, blocklist), the same table format, taxonomy and
method as rounds V, W and X (tests/test_classify_replies_handlers3.py, whose docstring this one
follows; the expectations follow tests/test_classify_replies.py's docstring and ../shared/DESIGN.md).

Sources (the vendors' own references of the replies their servers send, or of the replies they saw
and quoted; the texts only):
- MailChannels, docs.mailchannels.com/inbound/smtp-errors (its Inbound Filtering's replies) and
  /email-api/sending-policies (its relay's refusals of our own mail);
- Cisco Secure Email (IronPort), the AsyncOS for Email user and CLI guides: the default SMTP
  responses of DMARC verification (reject, temporary failure) and SPF/SIDF verification;
- Broadcom Email Security.cloud (MessageLabs), knowledge.broadcom.com articles 162445 ("Outbound
  Mail returned by MAILER-DAEMON@messagelabs.com": the receivers' refusals its MTA quoted, and its own
  give-up text) and 169925 ("Common external Spam Filtering Error Codes": refusals of receivers'
  filtering gateways);
- Mimecast, its "Policies - Mimecast SMTP Error Codes" article as quoted by smtp.codes
  (github.com/fm/smtp-codes data/codes/550.json);
- Microsoft 365, its service alert EX703958 as relayed by support.nhs.net (2024-01-05): the NDR texts
  senders saw when a third-party anti-spam service blocked Microsoft's IPs;
- Trend Micro InterScan Messaging Security, success.trendmicro.com solution 1106332.
Searched without a usable new text: Sophos Email's SMTP error code list (docs.sophos.com: XGEMAIL_0001
to _0015, codes and descriptions only, no reply text); Hornetsecurity's support pages (no reply text);
FortiMail's troubleshooting guide ("550 5.7.1 Relay access denied", "451 Try again later", both in the
tables); SpamTitan, Libraesva, Vade, Mailinblack, Forcepoint, Zix/AppRiver, Check Point/Avanan and
Abnormal (no published reply texts found in the corpora; Avanan and Abnormal filter by API, after
delivery, and send no SMTP reply); Proofpoint Essentials' "Common Error Codes" (every text found is in
the tables); Google Workspace's SMTP error reference (every text found is in the tables); Microsoft's
5.7.700-5.7.750 page (its 5.7.703 text is an NDR to the tenant's own user, not a reply a sending MTA
logs); Vipre Email Security's "Email rejection reasons" (portal labels such as "XBL" or "You cannot say
you are me. I am me.", not reply texts, or texts the tables hold); the iridis mailRelay codes (prefixes
without their full reply).

Skipped as already in a table (a distinctive fragment grep'd in tests/test_classify_replies*.py,
tests/test_classify_sisimai_*.py, tests/data/real-log-lines.txt): about 100 texts -- smtp.codes'
gateway rows (Mimecast's "Administrative prohibition - envelope blocked", "Anti-Spoofing policy",
"Envelope blocked - User Entry" and "- User Domain Entry", "Local CT IP Reputation", "SPF/DKIM/DMARC
Sender Invalid", "Email rejected due to security policies", "Block policy for Envelope From address";
Proofpoint's thirteen 550s and its 554 relay denial; Exchange Online's five; Barracuda's seven;
Email Security.cloud's "Invalid recipient (#5.1.1)"; Trend Micro's five; ZeroSpam's; FireEye's ETP205;
Cisco's "Your access to submit messages"); Mimecast's 4xx ("Sender address blocked", "Unable to
process connection at this time", "Internal resource temporarily unavailable", "Account Service is
temporarily unavailable"); thirteen of Broadcom 162445's examples and all seven of 161393's; five of
169925's; six of MailChannels' inbound texts ("550 5.7.1 Message rejected", "[NR] Message rejected",
"550 Message Blocked.", Postfix's "Domain not found", "Relay access denied", "message file too big") and
its "[BFD] Sender prohibited by SPF"; Microsoft's ATTR35, PRX4, 4.7.500, 5.7.705, 5.7.708 and the
alert's "Client host [] blocked"; Google's gcdp policy text, "Peak SMTP relay limit", "The IP you're
using to send mail is not authorized"; Spambrella's four (a Proofpoint reseller); Mailprotector's two;
Cisco's "Too many recipients received this hour". The variant "Rejected by header-based manually
Blocked Senders - block for manual block." is left out as the same refusal as the Header From row
below. Left out as not decidable from the text: MailChannels' "452 4.5.3 Recipient policy mismatch"
(it defers the recipients of a second policy group to another transaction: neither a block nor a
limit the words name).

Only what identifies people was changed: local parts become x, IPs documentation values. A reply is
wrapped as Postfix logs it (pf), to RCPT TO unless the text says which stage it answers (a content or
header verdict: end of DATA; a sender or SPF verdict: MAIL FROM). A vendor reference names no
receiving host: a gateway's own reply gets its service's MX name (Cisco's hosted iphmx.com, Mimecast's
inbound hosts, MailChannels' relay as our smarthost) and a quoted receiver's reply a neutral MX; a
gateway without a provider entry gets provider None, as round J's gateways did. A notice that only an
NDR carries is logged bare with the status its source gives, as in rounds T, V, W and X.

Each expectation was written down before bouncewatch was run on the rows (commit "round Z1
expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 16 of 27 (59 %). Two misses were harmful: MailChannels' "[BR] Our
system has detected an excessively high number of invalid recipients originating from your account"
read as bad_mailbox (a verdict on our list hygiene that would suppress a live recipient), and its
"[UNS] Recipient has unsubscribed from your list" read as policy_block (an address the relay will never
deliver to again, kept and mailed). Not harmful, fixed as clear misses: MailChannels' "[S09] Try Again
Later" (soft_general, not greylisted), "This sender is not authorized to send from" and "554 5.1.0
Sender denied" (policy_block, not sender_rejected), Cisco's two verification defers (auth_failure,
though no check ran), "552 MS-Office file containing VBA macros" (message_too_large by its 552), "551
Sender is on domain's blacklist" (general_bounce), IMSS's "Domain of forward path is not allowed"
(policy_block, not relay_denied). Fixed as data, a few words each in 50-text.toml: reputation ("high
number of invalid recipients"), esp-suppressed-recipient ("recipient has unsubscribed"), greylisted (a
bare "try again later" behind a bracketed tag), sender-rejected ("sender is not authorized to send
from/as", "sender denied"), virus-or-attachment ("containing macros", "macros found"), policy-stated
("sender is on <someone>'s blacklist"), relay-denied ("domain of forward path is not allowed"), and an
exclusion in auth-dmarc-spf-dkim for a check the receiver could not run ("unable to perform DMARC
verification", "temporary error during SPF verification": their codes decide, 4.7.1 soft, 4.4.3 DNS).
No other table changed (tests/test_classify*.py pass); on ../shared/corpus (bouncewatch parse --all
over its files, 15,143 events) the output is byte-identical. After: 26 of 27, one strict xfail, not
harmful (its reason below).
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf
from test_classify_replies_providers import _miss, _row

MX = "mx.example.com"
RCPT = "x@example.com"
MC_RELAY = "smtp.mailchannels.net"               # MailChannels' relay, as our smarthost
CISCO = "mx1.hc1234-56.iphmx.com"                # a Cisco Secure Email Cloud MX
MIME = "eu-smtp-inbound-1.mimecast.com"


_SENDER_BLOCKED = ("known miss, not harmful: read as policy_block by its words (other, investigate, as sender_rejected "
                   "is); 'sender blocked' is also what a recipient's Blocked Senders policy says (Mimecast's "
                   "'Sender address blocked', policy_block in test_classify_replies): only the relay's identity as "
                   "our own smarthost tells them apart, and no provider entry names MailChannels")


CASES: list = [
    # --- MailChannels Inbound Filtering, docs.mailchannels.com/inbound/smtp-errors: its replies to
    # a sender, as the receiving domain's MX. S09 is its greylisting ("Legitimate mail servers
    # automatically retry after a short delay"), as rspamd's bare "Try again later" is in the tables.
    C(pf(MX, "450 [S09] Try Again Later"), MX, RCPT, "greylisted", None, None),
    # S10: the connecting IP is blocked by MailChannels until a review; the words name no cause.
    C(pf(MX, "550 [S10] Blocked"), MX, RCPT, "policy_block", None, None),
    C(pf(MX, "550 5.7.1 [IB_FEB] Your message could not be delivered because it contained an attachment type that "
             "is not allowed", "end of DATA"), MX, RCPT, "virus_or_attachment", None, None),
    C(pf(MX, "550 5.7.1 Email has been rejected due to the domain's SPF policy", "MAIL FROM"), MX, RCPT,
      "auth_failure", None, None),
    C(pf(MX, "550 5.7.1 Unauthenticated email is not accepted due to domain's DMARC policy", "end of DATA"), MX,
      RCPT, "auth_failure", None, None),

    # --- MailChannels as our own relay, docs.mailchannels.com/email-api/sending-policies: its
    # refusals of our mail. Domain Lockdown: our account may not send as that From domain -- our
    # sender, as Exchange Online's SendAsDenied is in round X.
    C(pf(MC_RELAY, "550 5.7.1 This sender is not authorized to send from example.com", "end of DATA"), MC_RELAY,
      RCPT, "sender_rejected", None, None),
    # Our sender blocked by the relay (as Zoho's smtp relay's "Sender Address Blocked" is in the tables).
    _miss(C(pf(MC_RELAY, "550 5.7.1 [ESA] Sender blocked.", "end of DATA"), MC_RELAY, RCPT, "sender_rejected",
            None, None), _SENDER_BLOCKED),
    # The relay's verdict on our list hygiene: the recipient is not said to be invalid.
    C(pf(MC_RELAY, "550 5.7.1 [BR] Our system has detected an excessively high number of invalid recipients "
                   "originating from your account.", "end of DATA"), MC_RELAY, RCPT, "bad_reputation", None, None),
    # The relay refusing a recipient on its suppression list: the tables' convention for an ESP
    # we relay through (SES, Postmark, SparkPost, Mailgun) is inactive_mailbox, never mailed again.
    C(pf(MC_RELAY, "550 5.7.1 [UNS] Recipient has unsubscribed from your list.", "end of DATA"), MC_RELAY, RCPT,
      "inactive_mailbox", None, None),

    # --- Cisco Secure Email (AsyncOS for Email user guide, "DMARC Verification"; CLI reference,
    # "SPF/SIDF in Default Policy Parameters"): the default reject and defer responses.
    C(pf(CISCO, "550 #5.7.1 DMARC unauthenticated mail is prohibited.", "end of DATA"), CISCO, RCPT, "auth_failure",
      "cisco", None),
    # A temporary failure of its DMARC check (the guide: the DNS lookup failed); 4.7.1 and the words
    # name no fault of ours: retried.
    C(pf(CISCO, "451 #4.7.1 Unable to perform DMARC verification.", "end of DATA"), CISCO, RCPT, "soft_general",
      "cisco", None),
    # Also quoted by Broadcom 162445 as "550 5.7.1 SPF unauthorized mail is prohibited.".
    C(pf(CISCO, "550 #5.7.1 SPF unauthorized mail is prohibited.", "MAIL FROM"), CISCO, RCPT, "auth_failure",
      "cisco", None),
    # SPF verification is a DNS lookup, and X.4.3 is the directory (DNS) server failure code.
    C(pf(CISCO, "451 #4.4.3 Temporary error occurred during SPF verification.", "MAIL FROM"), CISCO, RCPT,
      "dns_failure", "cisco", None),

    # --- Broadcom Email Security.cloud, KB 162445: receivers' refusals its MTA quoted.
    C(pf(MX, "552 MS-Office file containing VBA macros found inside of the email", "end of DATA"), MX, RCPT,
      "virus_or_attachment", None, None),
    C(pf(MX, "554 5.1.0 Sender denied", "MAIL FROM"), MX, RCPT, "sender_rejected", None, None),
    C(pf(MX, "553 Envelope sender rejected", "MAIL FROM"), MX, RCPT, "sender_rejected", None, None),
    C(pf(MX, "550 SPF check failed. Sender not authorized", "MAIL FROM"), MX, RCPT, "auth_failure", None, None),
    # Its own MTA giving up on a message it could not deliver in time (its "[internal]" marker): an
    # NDR's text, logged bare.
    C("554 5.4.7 [internal] exceeded max time without delivery", None, RCPT, "expired", None, None, "bounced"),

    # --- Broadcom KB 169925: refusals by receivers' spam-filtering gateways.
    # ClamAV's phishing heuristic: a scanner's signature, as "Suspected phishing attempt" is in the tables.
    C(pf(MX, "550 Message contained unsafe content (Heuristics.Phishing.Email.SpoofedDomain)", "end of DATA"), MX,
      RCPT, "virus_or_attachment", None, None),
    # The recipient domain's own list of refused senders: a policy, no DNSBL named.
    C(pf(MX, "551 Sender is on domain's blacklist", "MAIL FROM"), MX, RCPT, "policy_block", None, None),
    # "Banned" is the filter's word for a forbidden file (amavis' BANNED; Barracuda's "Rejecting banned
    # content" in test_classify_sisimai_phrases).
    C(pf(MX, "554 Rejected due to banned content", "end of DATA"), MX, RCPT, "virus_or_attachment", None, None),
    # A 5xx refusal of us, no cause named: a policy, not an unreachable host.
    C(pf(MX, "550 Connection refused"), MX, RCPT, "policy_block", None, None),
    C(pf(MX, "550 Permission denied"), MX, RCPT, "policy_block", None, None),

    # --- Mimecast, "Policies - Mimecast SMTP Error Codes" (smtp.codes 550.json): a Blocked Senders
    # policy of the recipient's organisation on our header From.
    C(pf(MIME, "550 Rejected by header-based manually Blocked Senders - Block policy for Header From.",
         "end of DATA"), MIME, RCPT, "policy_block", "mimecast", None),

    # --- Microsoft 365 alert EX703958 (support.nhs.net): the NDR texts senders saw.
    C("550 5.7.350 Remote server returned message detected as spam", None, RCPT, "spam_content", None, None,
      "bounced"),
    C("550 5.7.1 This email was rejected because it violates our security policy.", None, RCPT, "policy_block",
      None, None, "bounced"),

    # --- Trend Micro InterScan Messaging Security, solution 1106332: the recipient's domain is not in
    # the gateway's relay domains -- it will not relay for it; the domain itself may well exist.
    C(pf(MX, "550 Domain of forward path is not allowed"), MX, RCPT, "relay_denied", None, None),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{_row(c)[3]}" for i, c in enumerate(CASES)])
def test_real_gateway_reply(classifier, case):
    check_reply(classifier, case)
