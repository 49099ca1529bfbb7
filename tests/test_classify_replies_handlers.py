"""Blind round V: the reply texts other open-source bounce handlers quote as samples and test
fixtures -> (category, provider, blocklist), the same table format and taxonomy as
tests/test_classify_replies.py (whose module docstring states the rules the expectations follow),
tests/test_classify_replies_intl2.py (round T: returned-mail texts without a code logged bare with
status "bounced") and tests/test_classify_replies_providers.py.

Sources (the texts only; the handlers' code and patterns were not used):
- PHPMailer-BMH / BounceMailHandler, ``phpmailer-bmh_rules.php``: the "sample:" reply quoted above
  each of its rules (bmhBodyRules for bounce bodies without a DSN, bmhDSNRules for Diagnostic-Code
  and the DSN's human text). Read in the copy vendored by tinyCampaign (etsis; file id 40993437516
  of the search index, Lars Moelleken's 2015-2019 revision of Kevin's 2006 original) and the 2006
  original (id 9134365303), whose samples keep the real domains.
- Mail::DeliveryStatus::BounceParser (Perl, CPAN), github.com/rjbs/Mail-DeliveryStatus-BounceParser
  ``t/corpus/*.msg``: real Postfix bounces; the remote reply is taken from the "host X said:" line
  (spam-rejection11, 16, 18, 19, 21, 23, 25, 27).
Not used: flufl.bounce's test data (already in tests/data/mail/flufl, read by test_ingest_mail);
copies of the Ruby bounce_email gem were found (ronbeltran/bounce_email, rtd/bounce_email) but not
read for lack of time; a search for Mautic's BodyParser found only unrelated classes; phpList's
rules were not searched.

Skipped as already in a table (a distinctive fragment grep'd in tests/test_classify_replies*.py,
tests/test_classify_sisimai_*.py, tests/data/real-log-lines.txt): some 60 of BMH's samples --
Sisimai's phrase tables quote many of the same replies: "no mailbox here by that name",
"Unrouteable address", "unknown local-part", "Invalid recipient", "No such user (here)", "User
unknown", "This address no longer accepts mail", "MTA-imposed quota exceeded", "Inactive account",
"Resources temporarily unavailable [#4.16", "doesn't have a yahoo.com account", "unrouteable mail
domain", "larger than the current system limit", "Insufficient system storage", "zuviele Mails",
"exceeded storage allocation", "exhausted allowed storage space", "exceeds allowed size", "File too
large", "not listed in public Name & Address Book", "Relaying denied", "Relay access denied",
"relaying to <x> prohibited by administrator", "Invalid User", "disabled or discontinued [#102]",
"unknown or illegal alias", "Addressee unknown, relay=", "user disabled", "MAILBOX NOT FOUND", "is a
deactivated mailbox", "not our customer", "bad address", "Unable to relay for", "user not exist",
"User suspended", "allowed rcpthosts", "relay not permitted", "Transaction failed", "Local user
only", "Content reject", "Specified domain is not allowed", "No route to host", "Host or domain
name not found", "loops back to myself", "Client host rejected: Access denied", "Rejected as Spam",
"Message filtered", "Temporary local problem", "system config error", "timed out while sending end
of data", "mail receiving disabled", "Deferred: Connection refused/reset/timed out", "Name server
timeout", "host name lookup failure", "Over quota" at 5.2.2, Gmail's 5.1.1 and Hotmail's "mailbox
unavailable" -- and 12 of BounceParser's (spam-rejection10, 12, 13, 14, 15, 17, 20, 22, 24, 26,
deactivated-mailbox, quota-6). Left out as too ambiguous to decide from the text: a pipe's
"(reason: Can't create output)", "553 AUTH FAILED - x", "550 This account is not allowed...x",
"VS10-RT Possible forgery or deactivated due to abuse", "503 All recipients are invalid",
"connection with x is broken", "AutoReply message from" (its status decides, not its text).

Only what identifies people was changed: local parts become x, IPs documentation values; the
handlers' own placeholders (yourdomain.com, domain.com, a@b.c) become example domains. Where a
sample gives a Diagnostic-Code "smtp; NNN ...", it is wrapped as Postfix logs the reply (pf) with a
plausible receiving host and the command the text answers (RCPT TO unless the text is about the
message); a text from a bounce body without an SMTP code (qmail's, CommuniGate's, Gmail's old
notices) is logged bare with the status its source gives (bounced; deferred for a delay notice).

Each expectation was written down before bouncewatch was run on the rows (commit "round V
expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 61 of 98 (62 %; BMH 54 of 90, BounceParser 7 of 8). Ten misses were
harmful:
- eight dead addresses read as general_bounce (code-5xx or builtin:status: other, never
  suppressed): "帐号不存在" (account does not exist), "Mailbox ( x ) not found or inactivated",
  "<x> is now disabled with MTA service", "Command RCPT User <x> not OK", "User not a member of
  domain", "The recipient cannot be verified", "User account not activated", "User status is
  locked";
- two refusals read as a dead mailbox (suppressing a live address): "550 5.7.1 Requested action not
  taken: mailbox not available" (bad-mailbox's "mailbox not available" over the 5.7.1 policy code)
  and "553 mailbox x is restricted" (code-551-553-mailbox).
Not harmful, fixed as clear misses: six full mailboxes in words the rules lacked ("not enough
storage space", "quota limit is exceeded", "exceeded the allowed mailbox quota", "Mailbox space not
enough", "the destination mailbox <x> is full", "Mailbox quota usage exceeded"; general_bounce or
soft_general), Gmail's "Could not initiate SMTP conversation ... Connection dropped" and "did not
accept our requests to connect" (protocol_error by "connection dropped"), "450 user path no exist",
"Recipient address no longer exists" (bad_mailbox; deleted is inactive_mailbox), "Unauthorized relay",
"Messages without To: fields are not accepted", MessageWall's "MIME/REJECT" (message_too_large by its
bare 552), NetEase's "sender is rejected", "Verify mailfrom failed,blocked", a dspam "CONTENT REJECT".
Fixed as data, each a few words added to an existing rule of 50-text.toml: bad-mailbox, inactive-
mailbox (also "no longer exists"), policy-stated ("is restricted"; and with a 5.7.x code "mailbox
unavailable / not available", as it already read "Recipient address rejected: Access denied"),
mailbox-full, unable-to-connect, relay-denied, sender-rejected, spam-content, noncompliant-message.
No other table changed; on ../shared/corpus (bouncewatch parse over its 1,203 files, 4,128 events)
no event's category or rule changed. After: 87 of 98, eleven strict xfails, none harmful (their
reasons below).
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf
from test_classify_replies_providers import _NOT_HARMFUL, _miss, _row

RCPT = "x@example.com"
MX = "mx.example.com"
MXCN = "mx.example.cn"


_IO_ERROR = (_NOT_HARMFUL + "read as general_bounce (other, never suppresses); the only code of this bare notice is "
             "qmail's '(#4.3.0)' inside its text, and 'input/output error' alone is no cause to read as temporary")
_NON_WESTERN = (_NOT_HARMFUL + "read as general_bounce (other, investigate, as policy_block is); one receiver's words "
                "about character sets, not worth a rule")
_4XX = (_NOT_HARMFUL + "a 4xx naming the mailbox is read as {} typed soft (retry), the same outcome as soft_general; "
        "test_classify_replies keeps that reading for 4xx address words (its note on '450 4.7.1 ... Recipient "
        "address rejected: Access denied')")
_REFUSED = _NOT_HARMFUL + "read as policy_block by the word 'refused' (other, investigate, as general_bounce is)"
_NO_PERMIT = (_NOT_HARMFUL + "read as general_bounce (other, investigate, as policy_block is); 'No permit' alone is "
              "too short a phrase to read")
_SYNTAX_CODE = (_NOT_HARMFUL + "read as protocol_error by its 5.5.2 (a syntax code; other, investigate, as "
                "noncompliant_message is)")
_AISP = (_NOT_HARMFUL + "read as policy_block by 'refused' (other, investigate, as spam_content is); AISP is one "
         "vendor's anti-spam name")
_NETEASE_BM = (_NOT_HARMFUL + "read as general_bounce (other, investigate, as spam_content is); NetEase's 'BM' tag "
               "is not documented as spam")
_SPAMTRAP = (_NOT_HARMFUL + "read as policy_block by 'blocked' (other, investigate, as spam_content is); the vendor "
             "name 'SpamTrap' is not the word spam, and reading it would mislead on replies about spam traps")
_ALIGNMENT = (_NOT_HARMFUL + "read as general_bounce (other, investigate, as auth_failure is); one receiver's "
              "envelope-versus-header check in its own words")

CASES: list = [
    # --- PHPMailer-BMH bmhBodyRules: bounce bodies without a DSN (bare, bounced).
    # eyou's local delivery (qmail): "can't find user's mailbox".
    C("local: Sorry, can't find user's mailbox. (#5.1.1)", None, "x@eyou.com", "bad_mailbox", None, None,
      "bounced"),
    # A Chinese server's notice: "could not deliver your mail to these addresses: x : delivery failed,
    # the account does not exist."
    C("无法将您的邮件投递至以下指定地址: x@58866.com.cn : 投递失败, 帐号不存在.", None, "x@58866.com.cn",
      "bad_mailbox", None, None, "bounced"),
    C("This account is over quota and unable to receive mail.", None, "x@chek.com", "mailbox_full", None, None,
      "bounced"),
    C("Warning: undefined mail delivery mode: normal (ignored). The users mailfolder is over the allowed quota "
      "(size). (#5.2.2)", None, "x@net-yan.com", "mailbox_full", None, None, "bounced"),
    # Sendmail's transcript: the receiver's mail.local hit the disk quota.
    C("mail.local: /var/mail/2b/10/x: Disc quota exceeded 554 <x@msa.hinet.net>... Service unavailable", None,
      "x@msa.hinet.net", "mailbox_full", None, None, "bounced"),
    C("Hi. This is the qmail-send program at 263.sina.com. <x@263.sina.com>: - User disk quota exceeded. "
      "(#4.3.0)", None, "x@263.sina.com", "mailbox_full", None, None, "bounced"),
    C("The message to x@tom.com is bounced because : Quota exceed the hard limit", None, "x@tom.com",
      "mailbox_full", None, None, "bounced"),
    C("553 user is inactive (eyou mta)", None, "x@eyou.com", "inactive_mailbox", None, None, "bounced"),
    # vpopmail at the receiver failing on its own disk: the receiver's trouble, temporary (#4.3.0).
    _miss(C("Unable to switch to /var/vpopmail/domains/jstel.net: input/output error. (#4.3.0)", None,
            "x@jstel.net", "soft_general", None, None, "bounced"), _IO_ERROR),
    # vpopmail unable to write the mailbox file (errno 13, permissions): the receiver's fault, no verdict
    # on the address.
    C("can not open new email file errno=13 file=/home/vpopmail/domains/fromc.com/0/x/Maildir/tmp/"
      "1155254417.28358.mx05,S=212350", None, "x@fromc.com", "general_bounce", None, None, "bounced"),
    # A recipient's preference about character sets: the address is alive.
    _miss(C("The user does not accept email in non-Western (non-Latin) character sets.", None,
            "x@realmsolutions.com", "policy_block", None, None, "bounced"), _NON_WESTERN),
    # Gmail's old notices ("Technical details of permanent failure").
    C("Technical details of permanent failure: DNS Error: Domain name not found", None, RCPT, "bad_domain",
      None, None, "bounced"),
    C("Delivery to the following recipient failed permanently: x@example.com", None, RCPT, "general_bounce",
      None, None, "bounced"),
    C("Delivery to the following recipient failed permanently: x@example.com Technical details of permanent "
      "failure: TEMP_FAILURE: Could not initiate SMTP conversation with any hosts: [example.com (1): Connection "
      "timed out]", None, RCPT, "unable_to_connect", None, None, "bounced"),
    C("Delivery to the following recipient failed permanently: x@example.com Technical details of permanent "
      "failure: TEMP_FAILURE: Could not initiate SMTP conversation with any hosts: [pop.example.com (1): "
      "Connection dropped]", None, RCPT, "unable_to_connect", None, None, "bounced"),
    C("Delivery to the following recipient has been delayed: x@example.com Message will be retried for 2 more "
      "day(s) Technical details of temporary failure: TEMP_FAILURE: Could not initiate SMTP conversation with any "
      "hosts: [example.com (50): Connection timed out]", None, RCPT, "unable_to_connect", None, None, "deferred"),
    C("Delivery to the following recipient has been delayed: x@example.com Message will be retried for 2 more "
      "day(s) Technical details of temporary failure: TEMP_FAILURE: The recipient server did not accept our "
      "requests to connect. Learn more at ... [example.com (10): Connection dropped]", None, RCPT,
      "unable_to_connect", None, None, "deferred"),
    # The remote reply Gmail's notice quoted: a Latvian DNSBL (ROTA) that names itself a DNSBL.
    C(pf("mx.example.lv", "550 5.7.1 Your message (sent through 192.0.2.44) was blocked by ROTA DNSBL. If you are "
                          "not a spammer, open http://www.rota.lv/DNSBL and follow instructions or call +371 "
                          "7019029, or send an e-mail message from another address to dz@ROTA.lv with the blocked "
                          "sender e-mail name.", "end of DATA"),
      "mx.example.lv", "x@example.lv", "blocklisted", None, "dnsbl"),
    # CommuniGate's notice: the message lacks a To: header.
    C("Failed to deliver to '<x@example.com>' Messages without To: fields are not accepted here", None, RCPT,
      "noncompliant_message", None, None, "bounced"),
    C(pf("mail-host.example.com", "550 5.1.1 This user does not exist"), "mail-host.example.com", RCPT,
      "bad_mailbox", None, None),
    # Domino: the address matches several people in the receiver's directory -- its directory's
    # trouble, the address is not shown dead.
    C("Recipient user name info (x@example.com) not unique.  Several matches found in Domino Directory.", None,
      RCPT, "general_bounce", None, None, "bounced"),
    C("Message rejected. Not enough storage space in user's mailbox to accept message.", None, RCPT,
      "mailbox_full", None, None, "bounced"),

    # --- PHPMailer-BMH bmhDSNRules: Diagnostic-Code replies.
    C(pf(MX, "552 Requested mailbox exceeds quota."), MX, RCPT, "mailbox_full", None, None),
    C(pf("mta5.us4.example.com", "552 recipient storage full, try again later"), "mta5.us4.example.com", RCPT,
      "mailbox_full", None, None),
    # X-HERMES: the receiver's own Postfix behind its content filter.
    C("host 127.0.0.1[127.0.0.1] said: 551 bounce as<the destination mailbox <x@example.cn> is full> queue as "
      "100.1.ZmxEL.720k.1140313037.x@example.cn (in reply to end of DATA command)", "127.0.0.1", "x@example.cn",
      "mailbox_full", None, None),
    C(pf(MX, "422 Mailbox quota usage exceeded"), MX, RCPT, "mailbox_full", None, None),
    C(pf(MX, "552 Account(s) <x@example.com> does not have enough space"), MX, RCPT, "mailbox_full", None, None),
    # A 450 that says the user's path does not exist: the user does not exist, whatever the code.
    C(pf(MXCN, "450 user path no exist"), MXCN, "x@example.cn", "bad_mailbox", None, None),
    C(pf(MX, "554 qq Sorry, no valid recipients (#5.1.3)"), MX, RCPT, "bad_mailbox", None, None),
    C(pf("mx.example.tw", "550 «Dªk¦a§} - invalid address (#5.5.0)"), "mx.example.tw", "x@example.tw",
      "bad_mailbox", None, None),
    # "mailbox unavailable" with a 4xx: temporary, nothing more specific.
    _miss(C(pf(MX, "450 mailbox unavailable."), MX, RCPT, "soft_general", None, None), _4XX.format("bad_mailbox")),
    # 5.7.1, a policy code, with the words "mailbox not available" (as GMX/1&1 borrow them).
    C(pf(MX, "550 5.7.1 Requested action not taken: mailbox not available"), MX, RCPT, "policy_block", None, None),
    _miss(C(pf(MX, "452 4.2.1 mailbox temporarily disabled: x@example.com"), MX, RCPT, "soft_general", None, None),
          _4XX.format("inactive_mailbox (by its 4.2.1)")),
    C(pf(MXCN, "550 Mailbox ( x@example.cn ) not found or inactivated"), MXCN, "x@example.cn", "bad_mailbox", None,
      None),
    # "recipient rejected" and nothing else: no cause named.
    C(pf(MX, "550 <x@example.com> recipient rejected"), MX, RCPT, "general_bounce", None, None),
    C("5.x.0 - Message bounced by administrator  (delivery attempts: 0)", None, RCPT, "general_bounce", None, None,
      "bounced"),
    C(pf(MXCN, "550 <x> is now disabled with MTA service."), MXCN, "x@example.cn", "inactive_mailbox", None, None),
    C("5.1.0 - Unknown address error 540-'Error: Wrong recipients' (delivery attempts: 0)", None, RCPT,
      "bad_mailbox", None, None, "bounced"),
    C(pf(MX, "550 Command RCPT User <x@example.com> not OK"), MX, RCPT, "bad_mailbox", None, None),
    C(pf(MX, "550 5.7.1 Access-Denied-XM.SSR-001"), MX, RCPT, "policy_block", None, None),
    C(pf(MX, "550 5.1.1 <x@example.com>... email address lookup in domain map failed"), MX, RCPT, "bad_mailbox",
      None, None),
    C(pf(MX, "550 User not a member of domain: <x@example.com>"), MX, RCPT, "bad_mailbox", None, None),
    C(pf(MX, "550-\"The recipient cannot be verified.  Please check all recipients of this"), MX, RCPT,
      "bad_mailbox", None, None),
    C(pf(MX, "550 sorry, that recipient doesn't exist (#5.7.1)"), MX, RCPT, "bad_mailbox", None, None),
    C(pf(MX, "550-I'm sorry but x@example.com does not have an account here. I will not"), MX, RCPT, "bad_mailbox",
      None, None),
    C(pf(MX, "550 x@example.com Account Inactive"), MX, RCPT, "inactive_mailbox", None, None),
    C(pf(MX, "550 <x@example.com>: Recipient address rejected: Account closed due to inactivity. No forwarding "
             "information is available."), MX, RCPT, "inactive_mailbox", None, None),
    C(pf(MX, "550 <x@example.com>... User account not activated"), MX, RCPT, "inactive_mailbox", None, None),
    C(pf(MX, "550 account expired"), MX, RCPT, "inactive_mailbox", None, None),
    # An address that existed and was removed: deleted, inactive_mailbox (hard either way).
    C(pf(MX, "553 5.3.0 <x@example.com>... Recipient address no longer exists"), MX, RCPT, "inactive_mailbox", None,
      None),
    # "restricted" states a restriction on what the mailbox takes, not a dead or disabled account.
    C(pf(MXCN, "553 mailbox x@example.cn is restricted"), MXCN, "x@example.cn", "policy_block", None, None),
    C(pf(MXCN, "550 <x@example.cn>: User status is locked."), MXCN, "x@example.cn", "inactive_mailbox", None, None),
    C(pf(MXCN, "553 User refused to receive this mail."), MXCN, "x@example.cn", "policy_block", None, None),
    C(pf(MX, "501 x@example.org Sender email is not in my domain", "MAIL FROM"), MX, RCPT, "sender_rejected", None,
      None),
    _miss(C(pf(MX, "554 Message refused", "end of DATA"), MX, RCPT, "general_bounce", None, None), _REFUSED),
    _miss(C(pf(MX, "550 5.0.0 <x@example.com>... No permit"), MX, RCPT, "policy_block", None, None), _NO_PERMIT),
    C(pf(MX, "530 5.7.1 Relaying not allowed: x@example.com"), MX, RCPT, "relay_denied", None, None),
    C(pf(MX, "550 not local host example.com, not a gateway"), MX, RCPT, "relay_denied", None, None),
    C(pf(MX, "500 Unauthorized relay msg rejected"), MX, RCPT, "relay_denied", None, None),
    _miss(C(pf(MX, "554 5.5.2 Invalid data in message", "end of DATA"), MX, RCPT, "noncompliant_message", None,
            None), _SYNTAX_CODE),
    # cPanel's relay refusal (POP-before-SMTP or SMTP AUTH expected).
    C(pf(MX, "550-ds176.example.com [198.51.100.7] is currently not permitted to relay through this server. Perhaps "
             "you have not logged into the pop/imap server in the last 30 minutes or do not have SMTP Authentication "
             "turned on in your email client."), MX, RCPT, "relay_denied", None, None),
    C(pf(MX, "552 MessageWall: MIME/REJECT: Invalid structure", "end of DATA"), MX, RCPT, "noncompliant_message",
      None, None),
    C(pf(MX, "554 5.6.0 Message with invalid header rejected, id=13462-01 - MIME error: error: UnexpectedBound: "
             "part didn't end with expected boundary [in multipart message]; EOSToken: EOF; EOSType: EOF",
         "end of DATA"), MX, RCPT, "noncompliant_message", None, None),
    # AISP: the receiver's anti-spam content rule.
    _miss(C(pf(MX, "553 Mail data refused by AISP, rule [169648].", "end of DATA"), MX, RCPT, "spam_content", None,
            None), _AISP),
    C(pf(MX, "550 Host unknown"), MX, RCPT, "bad_domain", None, None),
    C(pf(MX, "451 System(u) busy, try again later."), MX, RCPT, "soft_general", None, None),
    # NetEase's id format; the reply names our sender.
    C(pf(MXCN, "554 sender is rejected: 0,mx20,wKjR5bDrnoM2yNtEZVAkBg==.32467S2", "MAIL FROM"), MXCN,
      "x@example.cn", "sender_rejected", None, None),
    # The receiver checks our MAIL FROM domain against our IP (an SPF-like binding).
    C(pf(MXCN, "554 Connection refused(mx). MAIL FROM [x@example.org] mismatches client IP [198.51.100.7].",
         "MAIL FROM"), MXCN, "x@example.cn", "auth_failure", None, None),
    # The receiver's own IP deny page, no list named.
    C(pf(MX, "554 Please visit http://antispam.example.com/denyip.php?IP=198.51.100.7 (#5.7.1)"), MX, RCPT,
      "policy_block", None, None),
    C(pf(MX, "554 Service unavailable; Client host [198.51.100.7] blocked using dynablock.example.com; Your message "
             "could not be delivered due to complaints we received regarding the IP address you're using or your "
             "ISP. See http://blackholes.example.com/ Error: WS-02"), MX, RCPT, "blocklisted", None, "dnsbl"),
    _miss(C(pf(MXCN, "550 Requested action not taken: mail IsCNAPF76kMDARUY.56621S2 is rejected,mx3,BM",
               "end of DATA"), MXCN, "x@example.cn", "spam_content", None, None), _NETEASE_BM),
    C(pf(MX, "552 sorry, the spam message is detected (#5.6.0)", "end of DATA"), MX, RCPT, "spam_content", None,
      None),
    _miss(C(pf(MX, "553 5.7.1 <x@example.com>... SpamTrap=reject mode, dsn=5.7.1, Message blocked by BOX "
                   "Solutions (www.example.com) SpamTrap Technology, please contact the example.com site manager "
                   "for help: (ctlusr8012).", "end of DATA"), MX, RCPT, "spam_content", None, None), _SPAMTRAP),
    C(pf(MX, "550 Verify mailfrom failed,blocked", "MAIL FROM"), MX, RCPT, "sender_rejected", None, None),
    # Envelope sender against the From: header: an alignment check (as Gmail's 4.7.32).
    _miss(C(pf(MXCN, "550 Error: MAIL FROM is mismatched with message header from address!", "end of DATA"),
            MXCN, "x@example.cn", "auth_failure", None, None), _ALIGNMENT),
    C(pf(MX, "554 5.7.1 Message scored too high on spam scale.  For help, please quote incident ID 22492290.",
         "end of DATA"), MX, RCPT, "spam_content", None, None),
    # Our IP should send through its provider's relay (dynamic space): the receiver's policy.
    C(pf(MX, "554 5.7.1 reject: Client host bypassing service provider's mail relay: ds176.example.com"), MX, RCPT,
      "policy_block", None, None),
    C(pf(MX, "550 sorry, it seems as a junk mail", "end of DATA"), MX, RCPT, "spam_content", None, None),
    # Sendmail's own transcript lines (the sending side's MTA).
    C("554 5.0.0 MX list for znet.ws. points back to mail01.example.com 554 5.3.5 Local configuration error", None,
      "x@znet.ws", "routing_error", None, None, "bounced"),
    C("553 5.1.2 <x@example..com>... Invalid host name", None, "x@example..com", "bad_domain", None, None,
      "bounced"),
    C("550 5.1.2 x@example.com... Host unknown (Name server: .: no data known)", None, RCPT, "bad_domain", None,
      None, "bounced"),
    C("451 4.0.0 I/O error", None, RCPT, "soft_general", None, None, "deferred"),
    # The DSNs' human texts.
    C("This Message was undeliverable due to the following reason: The user(s) account is temporarily over quota. "
      "<x@example.com>", None, RCPT, "mailbox_full", None, None, "bounced"),
    C("Recipient address: x@example.com Reason: Over quota", None, RCPT, "mailbox_full", None, None, "bounced"),
    C("Sorry the recipient quota limit is exceeded. This message is returned as an error.", None, RCPT,
      "mailbox_full", None, None, "bounced"),
    C("The user to whom this message was addressed has exceeded the allowed mailbox quota. Please resend the "
      "message at a later time.", None, RCPT, "mailbox_full", None, None, "bounced"),
    C("Failed to deliver to '<x@example.com>' LOCAL module(account x) reports: account is full (quota exceeded)",
      None, RCPT, "mailbox_full", None, None, "bounced"),
    C("Error in fabiomod_sql_glob_init: no data source specified - database access disabled [Fri Feb 17 23:29:38 "
      "PST 2006] full error for x: that member's mailbox is full 550 5.0.0 <x@example.com>... Can't create output",
      None, RCPT, "mailbox_full", None, None, "bounced"),
    C("x \"(0), ErrMsg=Mailbox space not enough (space limit is 10240KB)", None, RCPT, "mailbox_full", None, None,
      "bounced"),
    C("User quota exceeded: SMTP <x@example.com>", None, RCPT, "mailbox_full", None, None, "bounced"),

    # --- Mail::DeliveryStatus::BounceParser t/corpus: the "host X said:" replies of real bounces.
    C(pf("mx0.123-reg.co.uk", "550 ATLAS(2503): Your email was detected as spam. (RCPTs: x@example.net)",
         "end of DATA"), "mx0.123-reg.co.uk", "x@example.net", "spam_content", None, None),     # spam-rejection11
    C("host 127.0.0.1[127.0.0.1] said: 550 Rejected by ESETS_SMTP (spam) (in reply to end of DATA command)",
      "127.0.0.1", "x@example.net", "spam_content", None, None),                                   # spam-rejection16
    C(pf("renko.ucs.example.net", "554 5.7.1 Spam score (12.878) too high: see http://www.example.net/is/email/error",
         "end of DATA"), "renko.ucs.example.net", "x@example.net", "spam_content", None, None),  # spam-rejection18
    C(pf("inbound.registeredsite.com", "554 5.7.1 The message from (<bounces@email.example.com>) with the subject of "
                                       "(foo) matches a profile the Internet community may consider spam. Please "
                                       "revise your message before resending.", "end of DATA"),
      "inbound.registeredsite.com", "x@example.net", "spam_content", None, None),                 # spam-rejection19
    C(pf("ncmail2.example.com", "554 5.7.1 Message cannot be accepted, content filter rejection bbSpamReject>7.5",
         "end of DATA"), "ncmail2.example.com", "x@example.org.uk", "spam_content", None, None),  # spam-rejection21
    C(pf("mailgate.example.com", "554 Spam email. Email Session ID: {4EA34C51-0-5059ED9-FFFF}", "end of DATA"),
      "mailgate.example.com", "x@example.net", "spam_content", None, None),                       # spam-rejection23
    C(pf("testmx1.example.com", "553 5.7.3 CONTENT REJECT:192.168.95.162.2011101001.XXYIvtHf:dspam check:4:"
                                "http://mail.example.com/info/policy/12", "end of DATA"),
      "testmx1.example.com", RCPT, "spam_content", None, None),                                   # spam-rejection25
    C(pf("example.com.inbound10.example2.net", "550 Backend Replied [4afe3ce4.0.668380.00-2282.869002.p01c12m092."
                                               "example2.net]: 5.7.1 Message rejected as spam by Conten",
         "end of DATA"), "example.com.inbound10.example2.net", RCPT, "spam_content", None, None),  # spam-rejection27
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{_row(c)[3]}" for i, c in enumerate(CASES)])
def test_real_handler_reply(classifier, case):
    check_reply(classifier, case)
