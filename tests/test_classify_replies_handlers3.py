"""Blind round X: reply texts quoted by more mail software -- its fixtures, and the replies its users
pasted into its issue trackers -> (category, provider, blocklist), the same table format, taxonomy
and method as rounds V and W (tests/test_classify_replies_handlers.py and _handlers2.py, whose
docstrings this one follows; the expectations follow tests/test_classify_replies.py's docstring and
../shared/DESIGN.md).

Sources: see the groups below (repository and path, or issue thread, per group).

Only what identifies people was changed: local parts become x, IPs documentation values. A reply
with an SMTP code and a known receiving host is wrapped as Postfix logs it (pf) or as Exim logs it
(ex) when Exim reported it; a notice without a host or a code is logged bare with the status its
source gives, as in rounds T, V and W.

Each expectation was written down before bouncewatch was run on the rows (commit "round X
expectations, before scoring").
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, ex, pf
from test_classify_replies_providers import _row

MX = "mx.example.com"
RCPT = "x@example.com"


def _miss(row: tuple, why: str):
    """A known miss: a strict xfail that says why the rules do not chase it."""
    return pytest.param(row, marks=pytest.mark.xfail(strict=True, reason=why))


CASES: list = [
    # --- listmonk, github.com/knadh/listmonk internal/bounce/mailbox/test-messages/dsn7.eml (the DSN
    # its parser_test.go asserts): Amazon SES's mailbox simulator refusing its bounce address.
    C(pf("simulator.amazonses.com", "550 5.1.1 As requested: user unknown <bounce@simulator.amazonses.com>"),
      "simulator.amazonses.com", "bounce@simulator.amazonses.com", "bad_mailbox", None, None),
    # listmonk internal/bounce/gmail.bounce: Gmail's returned-mail notice (its human text, without the
    # quoted 5.1.1 reply that the tables already hold).
    C("Address not found. Your message wasn't delivered to x@zerodha.com because the address couldn't be found, "
      "or is unable to receive mail.", None, "x@zerodha.com", "bad_mailbox", None, None, "bounced"),
    # listmonk issue #1463: the Diagnostic-Code SES reports (no Remote-MTA) for a misspelt domain
    # (gmail.ocm): the domain does not exist.
    C("550 5.4.4 Invalid domain", None, "x@gmail.ocm", "bad_domain", None, None, "bounced"),

    # --- Postal (postalserver/postal) issues.
    # #1243: AT&T's own block list refusing the sending IP; the address is fine.
    C(pf("al-ip4-mx-vip1.prodigy.net", "553 5.3.0 alpd681 DNSBL:RBL 521< 192.0.2.51 >_is_blocked.For assistance "
                                       "forward this error to abuse_rbl@abuse-att.net"),
      "al-ip4-mx-vip1.prodigy.net", "x@att.net", "blocklisted", "att", "att"),
    # #3444: Postal's own soft-fail notice: no MX (Microsoft 365's) answered in time.
    C("No SMTP servers were available for pacificbluejeans.com. Tried pacificbluejeans-com.mail.protection."
      "outlook.com. execution expired", None, "x@pacificbluejeans.com", "unable_to_connect", "microsoft", None,
      "deferred"),
    # #1159: a temporary refusal that names no cause.
    C(pf(MX, "451 Temporarily unable to process your email. Please try again later."), MX, RCPT, "soft_general",
      None, None),

    # --- Haraka (haraka/Haraka) issues.
    # #1973: a temporary failure that names no cause.
    C(pf(MX, "451 4.5.7 try again after some time"), MX, RCPT, "soft_general", None, None),
    # #2222: the receiver timed out waiting for the message body (a mid-transaction timeout, as
    # test_classify_replies reads Postfix's "timed out while sending end of data").
    C(pf("mx1.bon.at", '421 Enter message, ending with "." on a line by itself mx1.bon.at SMTP incoming data '
                       'timeout - closing connection.', "end of DATA"),
      "mx1.bon.at", "x@bon.at", "protocol_error", None, None),
    # #3403: Haraka 3.0.4 as the receiver: a 451 whose reason is empty but for the transaction id.
    C(pf(MX, "451  (BB3E0490-E92C-410E-A87A-698FCF6D332A.1)", "end of DATA"), MX, RCPT, "soft_general", None, None),

    # --- dada-mail (justingit/dada-mail) issue #717: Exim's bounce quoting MailChannels (the sender's
    # smarthost) refusing the message because the sender's SPF does not allow it.
    C(ex("550 5.7.1 [BFD] Sender prohibited by SPF", "end of data"), "smtp.mailchannels.net", "x@gmail.com",
      "auth_failure", "gmail", None),

    # --- jsdelivr/jsdelivr issue #18728: a provider's returned-mail notice a user pasted -- its
    # "bounce reason" line and the remote reply it quoted.
    C("Bounce reason: The recipient's email address (x@jsdelivr.com) does not exist, so the message could not be "
      "delivered.", None, "x@jsdelivr.com", "bad_mailbox", None, None, "bounced"),
    C("550 No such user (TB)", None, "x@jsdelivr.com", "bad_mailbox", None, None, "bounced"),

    # --- listmonk issue threads: the replies its users' relays gave.
    # #1353: Amazon SES refusing a message whose From identity is not verified -- our own setup.
    C(pf("email-smtp.ca-central-1.amazonaws.com", "554 Message rejected: Email address is not verified. The following "
                                                  "identities failed the check in region CA-CENTRAL-1: x@example.com",
         "end of DATA"), "email-smtp.ca-central-1.amazonaws.com", RCPT, "sender_rejected", None, None),
    # #1239 and #1497: the relay's complaints about the command sequence.
    C(pf(MX, "503 5.5.1 Error: nested MAIL command", "MAIL FROM"), MX, RCPT, "protocol_error", None, None),
    C(pf(MX, "503 5.5.1 command out of sequence", "MAIL FROM"), MX, RCPT, "protocol_error", None, None),

    # --- Mailtrain (Mailtrain-org/mailtrain) issues.
    # #96 and #782: its ZoneMTA's sender-config plugin failing (an HTTP 404) -- a temporary refusal
    # that says nothing about the address.
    C(pf(MX, "442 Invalid status code 404", "MAIL FROM"), MX, RCPT, "soft_general", None, None),
    # #278: nodemailer gave up waiting for the server's greeting.
    C("Greeting never received", None, RCPT, "unable_to_connect", None, None, "deferred"),

    # --- Mautic (mautic/mautic) issue #7384: Exchange Online refusing to send as the From address
    # -- our own account's permission.
    C(pf("smtp.office365.com", "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; "
                               "Failed to process message due to a permanent exception with message Cannot submit "
                               "message.", "end of DATA"),
      "smtp.office365.com", RCPT, "sender_rejected", "microsoft", None),

    # --- sisimai/p5-sisimai issue #395 (an SES bounce a user pasted): Spectrum refusing our envelope
    # sender (SES's return path), not the recipient.
    C(pf("mx.charter.net", "550 5.1.0 <x@amazonses.com> sender rejected. Please see https://www.spectrum.net/support/"
                           "internet/understanding-email-error-codes for more information. AUP#In-1310"),
      "mx.charter.net", "x@charter.net", "sender_rejected", "charter", None),

    # --- zone-eu/zone-mta issue #324: a receiver's refusal a user quoted.
    C(pf(MX, "550 No user found"), MX, RCPT, "bad_mailbox", None, None),

    # --- listmonk internal/bounce/mailbox/test-messages/dsn8.eml: Office 365's returned-mail notice for
    # iCloud's policy refusal (its human text; the quoted [CS01] reply is in the tables already).
    C("Your message to x@icloud.com couldn't be delivered. Security or policy settings at icloud.com have rejected "
      "your message.", None, "x@icloud.com", "policy_block", "apple", None, "bounced"),

    # --- Haraka issues #2520, #2507, #2713: Haraka's outbound log lines for a connection that failed
    # (the receiver closed it mid-transaction; no answer; a TCP timeout), logged bare as deferred.
    C("Remote end 192.0.2.27:25 closed connection while we were processing mail. Trying next MX.", None, RCPT,
      "protocol_error", None, None, "deferred"),
    C("Outbound connection timed out to 192.0.2.124:25", None, RCPT, "unable_to_connect", None, None, "deferred"),
    C("Outbound connection error: Error: connect ETIMEDOUT 192.0.2.36:25", None, RCPT, "unable_to_connect", None,
      None, "deferred"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{_row(c)[3]}" for i, c in enumerate(CASES)])
def test_real_handler_reply(classifier, case):
    check_reply(classifier, case)
