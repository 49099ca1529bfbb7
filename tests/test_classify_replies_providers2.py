"""Blind round Z2: replies of mailbox providers and of relaying ESPs that the tables barely covered --
Bell, Telstra, Terra, OVHcloud, Aruba, Tuta, Yahoo's rarer codes, Rackspace's own help page, and the
refusals our own smarthost (SendGrid, SMTP2GO, JetEmail) sends back -> (category, provider,
blocklist), the same table format, taxonomy and method as rounds V, W and X
(tests/test_classify_replies_handlers3.py and the two before it, whose docstrings this one follows;
the expectations follow tests/test_classify_replies.py's docstring and ../shared/DESIGN.md).

Sources (the texts only; no handler's code or patterns were used):
- a blog note on docker-mailserver behind SendGrid (code corpus id 19541608293): Postfix bouncing at
  smtp.sendgrid.net, "The from address does not match a verified Sender Identity";
- Adobe Commerce's help article on SendGrid credits (code corpus id 27252445133, and its
  translations): postfix/error's "delivery temporarily suspended: SASL authentication failed;
  server smtp.sendgrid.net[...] said: 451 Authentication failed: Maximum credits exceeded";
- SMTP2GO: support.smtp2go.com "Common Sending Errors" (its own replies as our relay), and a forum
  note with a whole Postfix line (code corpus id 57018529637, a bounce with the null sender);
- JetEmail: jetemail.com/docs/outbound/smtp-error-codes/550-5.7.1-[ABUSE]-Sender-blocked (the
  example bounce its page shows, as Exim logs it);
- pastebin Y6mnKJ1Z (MailChannels' Postfix bounce: Bell/Sympatico's MX), pastebin hLKNgCBD (a
  DSN's Diagnostic-Code from Telstra's extmail.bigpond.com), pastebin RgeZSyxd and jJtiRTuu
  (Yahoo's "dd Requested mail action aborted" after the data);
- github ActiveCampaign/smtp-field-manual data/codes/554.json (Yahoo's "Message not allowed - [299]");
- a bounce fixture of a mail client (code corpus id 67246956974: OVHcloud's filerz host, "user over
  quota" with #5.1.1);
- Aruba: guide.pec.it "Risoluzione agli errori comuni" (the PEC service's refusal of uncertified
  mail, in Italian);
- Rackspace: docs.rackspace.com/docs/common-email-bounces (its own 451 "Throttled" row);
- Tuta: github turtl/tracker issue #345 (SendGrid's bounce list) and tutao/tutanota issue #7713;
  Mail.ru refusing Tuta's servers: tutao/tutanota issue #2299;
- Terra: github magicdude4eva/port25-bouncehandler issue #8 (a PowerMTA accounting record quoting
  vip-us-br-mx.terra.com).
Searched without a usable new text: Proton's and Seznam's SMTP error pages (the stored copies are
script bundles without the texts), Fastmail's help pages (Postfix's own texts), Posteo, mailbox.org,
Hetzner, Hostinger, Namecheap Private Email, Videotron, Shaw, Rogers, Optus, iiNet, Rediffmail,
Yahoo Japan, NTT docomo, au, SoftBank, Naver, Daum/Kakao, mail.com, Libero/Virgilio (their help
pages name no reply or only the ones the tables hold), Mailjet, Brevo, Mandrill, Postmark, Mailgun,
Elastic Email, SocketLabs, Resend (only sent lines, API errors or texts the tables hold); the
Yahoo, iCloud and Google postmaster pages archived in azumakuniyuki/feb-2024-no-auth-no-entry
(2025-2026 revisions list no reply text).

Skipped as already in a table (a distinctive fragment grep'd in tests/test_classify_replies*.py,
tests/test_classify_sisimai_*.py, tests/data/real-log-lines.txt): 48 texts -- SendGrid's "Temporary
local problem - please try later", "too frequent connects", "Too many recipients received this
hour", "Unauthenticated senders not allowed", its and Mailgun's "no mechanism available"; SMTP2GO's
"From header sender domain not verified" (a whole line) and "535 Incorrect authentication data";
Mandrill's "435 4.7.8 Error: authentication failed" (the 535 5.7.8 row's words); Proton's "not
owned by user" and "550 5.5.1 Protocol error"; Fastmail's "need fully-qualified address"; iCloud's
[HM07] (the words of the [HM08]/[CS02] rows), "user does not exist", "me.com Error: too many
errors", "deferred due to excessive volume", the Spamhaus DBL refusal; Yahoo's "is no longer valid
[-20]", "This mailbox is disabled (554.30)", "Headers are not RFC compliant", "[-9]", "dd Not a
valid recipient", "doesn't have a yahoo.co.jp account", Verizon's "relaying denied for"; Rackspace's
G2, G1F, G6, G30, G1E, G28 and its "blagr" list; Daum's DAS51/E06, RUSR, CCRT, CHIC; Naver's
realip.naver.com; IONOS's "Reject due to policy violations", "Rate limit reached", "local error in
processing", "Unknown User", "Quota Exceeded"; Aruba's "spam detected", "user is over quota", "bad
chars in command", "not logged in"; GMX's "Failure sending mail" and "mailbox unavailable" (Posteo's
NDN quotes it); Hostinger's "User unknown in virtual mailbox table". Left out as not decidable from
the text or not an SMTP reply: UOL's "450 4.7.1 ... Recipient address rejected: UOL-SH_D-H[...]" (an
opaque code), IONOS's "Your message couldn't be delievered to all recipients" (names no cause),
SendGrid's, Mailgun's and Postmark's HTTP API errors ("403 You are not authorized to send from that
email address", "Sandbox subdomains are for test purposes only", "is not a Sender Signature"), Brevo's
"Sending has been rejected because the sender you used ... is not valid" (an event in Brevo's log after
it accepted the message, which Postfix logs as sent).

Only what identifies people was changed: local parts become x, IPs documentation values; a
reference's placeholders (servername[xx.xx.xx.xx], <indirizzoemail>) are filled with documentation
values. A reply with an SMTP code and a known receiving host is wrapped as Postfix logs it (pf) or as
Exim logs it (ex) when Exim reported it; a reply whose source gives no host is wrapped with the
receiver's MX name where it is known (Tuta's mail.tutanota.de), else with mx.example.com; Postfix's
own SASL notice is logged bare, as the lines of test_classify_replies do. Where our own relay
answers, the provider is the recipient domain's (the third pass of 20-providers.toml), as round X's
MailChannels row expects.

Each expectation was written down before bouncewatch was run on the rows (commit "round Z2
expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 11 of 15 (73 %). One miss was harmful: Aruba PEC's "554 ... Messaggio
rifiutato dal sistema. Indirizzo destinatario sconosciuto o non abilitato alla ricezione di posta non
certificata" read as bad_mailbox ("destinatario sconosciuto"), which suppresses a live certified
mailbox that only refuses uncertified mail. Not harmful, fixed as a clear miss: SMTP2GO's "550 You
must specify a sender address" (our null sender refused at MAIL FROM) read as general_bounce. Fixed
as data, a few words each in 50-text.toml: policy-stated takes "non abilitato alla ricezione / a
ricevere" (not enabled to receive: the mailbox exists), sender-rejected "must/please specify (a
valid) sender". No other table changed (tests/test_classify*.py pass as before); on ../shared/corpus
(bouncewatch parse --all over the lead's corpus file list, 15,143 events) the output is
byte-identical. After: 13 of 15, two strict xfails, none harmful (their reasons below): JetEmail's
"[ABUSE] Sender blocked: spam or abuse detected" read as spam_content, Bell's "you are not allowed to
send mail to <x>" read as relay_denied -- both other/investigate, as the expected categories are.
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, ex, pf
from test_classify_replies_providers import _NOT_HARMFUL, _miss, _row

MX = "mx.example.com"
RCPT = "x@example.com"
SENDGRID = "smtp.sendgrid.net"
YAHOO_EU = "mx-eu.mail.am0.yahoodns.net"
YAHOO = "mta6.am0.yahoodns.net"


_RELAY_SPAM = (_NOT_HARMFUL + "read as spam_content by its 'spam or abuse detected' (other, investigate, as "
               "sender_rejected is; nothing suppressed); the words do not say that the refusing host is our own "
               "relay judging our account rather than a receiver judging the message")
_NOT_ALLOWED_TO = (_NOT_HARMFUL + "read as relay_denied (other, investigate, as policy_block is); relay-denied has "
                   "held 'you are not allowed to send mail to' since the first rules, the words a relay answers an "
                   "unauthenticated client with; only the host (the recipient domain's own MX) tells them apart")


CASES: list = [
    # --- Our own smarthost refusing our mail. None of these says anything about the recipient.
    # SendGrid (blog note, code corpus id 19541608293): the From address is not a verified sender of
    # our SendGrid account.
    C(pf(SENDGRID, "550 The from address does not match a verified Sender Identity. Mail cannot be sent until "
                   "this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/"
                   "sender-identity/ to see the Sender Identity requirements", "end of DATA"),
      SENDGRID, "x@gmail.com", "sender_rejected", "gmail", None),
    # SendGrid (Adobe Commerce help): the SASL login at the relay refused because our account is out of
    # credits; Postfix's own notice, as test_classify_replies logs its SASL failures.
    C("delivery temporarily suspended: SASL authentication failed; server smtp.sendgrid.net[192.0.2.25] said: "
      "451 Authentication failed: Maximum credits exceeded", None, RCPT, "auth_failure", None, None, "deferred"),
    # SMTP2GO's "Common Sending Errors": no SMTP login, so the relay refuses to relay.
    C(pf("mail.smtp2go.com", "550 Relay access denied - please authenticate"), "mail.smtp2go.com", RCPT,
      "relay_denied", None, None),
    # SMTP2GO (a whole Postfix line, code corpus id 57018529637): Postfix's bounce, sent with the null
    # sender, refused by the relay at MAIL FROM -- our envelope sender.
    C(pf("smtp2go.com", "550 You must specify a sender address", "MAIL FROM"), "smtp2go.com", RCPT,
      "sender_rejected", None, None),
    # JetEmail's docs: the smarthost blocks our SMTP user for spam or abuse (as Workspace's relay
    # suspending our account "due to abuse" is sender_rejected in round Q).
    _miss(C(ex("550 5.7.1 [ABUSE] Sender blocked: spam or abuse detected. See: https://reports.jetsmtp.net/"
               "?id=1ec5d310c951ebd54d84&auth=33fb6ec0-5aa9-4b3f-b312-4d7189471226", "end of data"),
            "relay.jetsmtp.net", "user@example.com", "sender_rejected", None, None), _RELAY_SPAM),

    # --- Mailbox providers.
    # Bell/Sympatico (pastebin Y6mnKJ1Z): a refusal to accept mail for this address from us; the
    # address is not said to be unknown.
    _miss(C(pf("mxmta.owm.bell.net", "550 you are not allowed to send mail to <x@sympatico.ca>"),
            "mxmta.owm.bell.net", "x@sympatico.ca", "policy_block", None, None), _NOT_ALLOWED_TO),
    # Telstra BigPond (pastebin hLKNgCBD): the recipient rejected, with Telstra's code.
    C(pf("extmail.bigpond.com", "550 5.1.1 <x@bigpond.com.au> recipient rejected. IB603c"), "extmail.bigpond.com",
      "x@bigpond.com.au", "bad_mailbox", "telstra", None),
    # Terra (port25-bouncehandler #8): the recipient rejected with 5.1.1 twice over.
    C(pf("vip-us-br-mx.terra.com", "550 5.1.1 5.1.1 <x@terra.com.br>: Recipient address rejected"),
      "vip-us-br-mx.terra.com", "x@terra.com.br", "bad_mailbox", "terra", None),
    # OVHcloud (a bounce fixture): a full mailbox, although qmail's #5.1.1 tag rides along.
    C(pf("filerz.276.mgra1.mail.ovh.net", "550 sorry, user over quota [mx1] (#5.1.1)"),
      "filerz.276.mgra1.mail.ovh.net", "x@balticboatbroker.com", "mailbox_full", None, None),
    # Aruba PEC (guide.pec.it): "message refused by the system. Recipient address unknown or not enabled
    # to receive uncertified mail" -- Aruba's guide says it is mostly a certified mailbox refusing
    # ordinary mail; the text does not say the address is dead.
    C(pf(MX, "554 <x@example.com>: Messaggio rifiutato dal sistema. Indirizzo destinatario sconosciuto o non "
             "abilitato alla ricezione di posta non certificata"), MX, RCPT, "policy_block", None, None),
    # Rackspace's own bounce page: throttled because our server sent too much spam -- its verdict on
    # our server, worded as a throttle.
    C(pf("mx1.emailsrvr.com", "451 4.3.0 <mail.example.org[192.0.2.7]>: Client host rejected: Throttled - Too "
                              "much spam from your mail server. Try again later."),
      "mx1.emailsrvr.com", RCPT, "bad_reputation", "rackspace", None),
    # Tuta (turtl/tracker #345, tutanota #7713): no such recipient, under a 5.7.1.
    C(pf("mail.tutanota.de", "550 5.7.1 <x@tutanota.com>: Recipient address rejected: Recipient not found"),
      "mail.tutanota.de", "x@tutanota.com", "bad_mailbox", None, None),
    # Mail.ru refusing mail from Tuta's servers (tutanota #2299): a block of the sending service.
    C(pf("mxs.mail.ru", "550 tutanota is blocked", "end of DATA"), "mxs.mail.ru", "x@mail.ru", "policy_block",
      "mailru", None),
    # Yahoo: refused after the data without a reason (pastebin RgeZSyxd).
    C(pf(YAHOO_EU, "554 delivery error: dd Requested mail action aborted - mta1054.mail.ir2.yahoo.com",
         "end of DATA"), YAHOO_EU, "x@yahoo.fr", "general_bounce", "yahoo", None),
    # Yahoo (smtp-field-manual 554.json): a policy refusal with a bare numeric code.
    C(pf(YAHOO, "554 Message not allowed - [299]", "end of DATA"), YAHOO, "x@yahoo.com", "policy_block", "yahoo",
      None),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{_row(c)[3]}" for i, c in enumerate(CASES)])
def test_real_provider_reply(classifier, case):
    check_reply(classifier, case)
