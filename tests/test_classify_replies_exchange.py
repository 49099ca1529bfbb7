"""Blind round Z3: Exchange Online's own texts that the tables did not hold -- its submission
endpoint (smtp.office365.com, our relayhost) refusing our account, and the store driver and
transport of a Microsoft 365 tenant failing a delivery -> (category, provider, blocklist), the
same table format, taxonomy and method as rounds Z1 and Z2 (tests/test_classify_replies_providers2.py,
whose docstring this one follows; the expectations follow tests/test_classify_replies.py's docstring
and ../shared/DESIGN.md).

Sources (the texts only; no handler's code or patterns were used):
- Microsoft's Messaging Protection wiki page "Troubleshooting Restricted Senders, Tenants, and IPs"
  (code corpus id 51881386146): 5.1.90 (the daily recipient limit of our account) and
  SubmissionQuotaExceededException with its full message;
- github Youans/nodejs-nodemailer-outlook issue #11: OutboundSpamException with the "RefuseQuota"
  verdict (an unverified sending account);
- github gophish/gophish issue #2900: "554 5.2.252 SendAsDenied; ... not allowed to send as ...";
- github MicrosoftDocs/OfficeDocs-o365seccomp issue #643: "550 5.1.8 Access denied, bad outbound
  sender" (a restricted sending account);
- cloudbrothers.info, "The case of the... MapiExceptionShutoffQuotaExceeded": 554 5.2.0 with the
  store's QuotaExceededException (the recipient's Recoverable Items full);
- support.microsoft.com, "554 4.3.2 mailbox busy" (Czech edition, the reply quoted in English):
  MapiExceptionMaxObjsExceeded, a folder of the recipient's mailbox at its item limit;
- github crisp-oss/email-bounce-parser, a fixture attached to an issue (outlook.txt): 5.4.310
  InfoDomainNonexistent;
- pastebin 8Gsn975J and Eu4kTy0V: 5.4.316 "Message expired, connection refused" and the 4.4.316
  deferral before it.
Skipped as already in a table (a distinctive fragment grep'd in tests/test_classify_replies*.py,
tests/test_classify_sisimai_*.py, tests/data/real-log-lines.txt): SendAsDeniedException's 5.2.0 form
(Mautic), "Client does not have permissions to send as this sender" (5.7.60; the table has the
5.7.1 form), "spam abuse detected" (5.7.501), 5.7.705, 5.7.708, 5.7.750, 5.7.520, 5.7.511,
5.7.606, 4.7.500, 5.2.2 "mailbox full; STOREDRV.Deliver ... ShutoffQuotaExceeded".

Only what identifies people was changed: local parts become x, IPs and domains documentation
values. A reply our relayhost gave at submission is wrapped as Postfix logs it (pf) with
smtp.office365.com, whose name names the provider (as the Mautic row of round V expects); the
texts that only a non-delivery report carries (Exchange Online accepted the message, then failed
it) stand bare, as ``ingest-mail`` reads a Diagnostic-Code, with no relay and no provider: STOREDRV
is Exchange's, on-premises too, and the recipient's provider is not Microsoft's when Microsoft is
only our relay.

Each expectation was written down before bouncewatch was run on the rows (commit "round Z3
expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 3 of 10. One miss was harmful: "550 5.4.310 DNS domain x does not
exist" read as general_bounce, which keeps a dead domain's addresses for ever. Not harmful, fixed as
clear misses: the two daily limits of our account and the outbound spam restriction read as
general_bounce (other, investigate, as their categories are), the two store-driver refusals read as
general_bounce (a full mailbox is retried), and the 4.4.316 deferral naming Microsoft as the
recipient's provider because the reply names EOP's host. Fixed as data: bad-domain takes "dns domain
X does not exist" and "InfoDomainNonexistent", rate-limited "reached your daily limit" and
"submission quota", sender-rejected "OutboundSpamException", mailbox-full the store driver's
"STOREDRV.Deliver.Exception:QuotaExceeded" and "MapiExceptionMaxObjsExceeded" (not its Submission
quota, which is ours), and the reply signature of Microsoft in 20-providers.toml stands down where
Exchange Online names the next hop it tried ("[LastAttemptedServerName="). No other table changed
(tests/test_classify*.py pass as before); on ../shared/corpus (bouncewatch parse --all over every
file, 15,143 events) the output is byte-identical. After: 10 of 10.

Round Z4, the rows of Microsoft's own table of Exchange Online's NDR and SMTP errors
(MicrosoftDocs, "Email non-delivery reports and SMTP errors in Exchange Online", ms.date
2024-03-08; code corpus id 3501418619) that no table held: Exchange Online relaying for us and
refusing the destination's TLS (MTA-STS, DANE: starttls-not-supported, certificate-expired,
tlsa-invalid, certificate-host-mismatch) or DNSSEC (dnssec-invalid); a recipient tenant's
5.0.350 (a nested attachment's policy, an over-long x-dg-ref header), 5.3.190 (journaling),
5.7.12; our own tenant's Tenant Allow/Block List (5.7.703) and submission quota (5.2.2). The
table's codes come with their texts; the reply code before them (451 for a 4.x.x, 550 for a 5.x.x)
and documentation values for its placeholders were added. A text a tenant gives as the
recipient's MX is wrapped with its mail.protection.outlook.com host (provider microsoft); one only
our relay's non-delivery report carries stands bare. Skipped as already in a table: 4.3.2 "recipient
thread limit", 4.7.26 (IPv6 SPF or DKIM), 4.7.850 and 4.7.500 "Access denied, please try again later",
5.1.0 "Sender denied", 5.1.1 "Bad destination mailbox address", 4.4.7/5.4.300 "Message expired",
5.5.0, 5.6.11 "Invalid characters", 5.7.1 "Delivery not authorized" and "Unable to relay", 5.7.25
(IPv6 reverse DNS), 5.7.13x "Sender was not authenticated ...", 5.7.502/503/511/800 "banned sender",
5.7.505 "banned recipient", 5.7.506 "Bad HELO", 5.7.507 "rejected by recipient", 5.7.508, 5.7.510,
5.7.513, 5.2.121, 5.2.122, 5.7.750; 4.7.5/5.7.5 "Remote certificate failed MTA-STS validation.
Reason: <validityStatus>" was left out (the table gives no value for its placeholder). Each
expectation was written down before bouncewatch was run on the rows (commit "round Z4
expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 6 of 12, no miss harmful. The MTA-STS refusal read as general_bounce,
the expired certificate and dnssec-invalid as soft_general (the destination's trouble either way,
but not its TLS or its DNS), the journaling refusal as general_bounce, 5.7.12 as auth_failure (its
RFC 4954 meaning, "a password transition is needed"; Microsoft's words say the recipient takes mail
only from its own organization), and our own tenant's block list as bad_reputation, which sends an
admin to the receivers' verdicts instead of their own list. Fixed as data: tls-failure takes "failed
MTA-STS validation" and "certificate(-| is )expired", dns-failure "dnssec-invalid", policy-stated
"sender was not authenticated by organization" and "journaling ... not supported", and a new rule
of 20-providers.toml, microsoft-tenant-block-list, reads the Tenant Allow/Block List as local_policy.
No other table changed; the corpus output is byte-identical. After: 12 of 12.

Round Z5, Exchange Server's own status texts (the component tokens SMTPSEND, ROUTING, QUEUE,
RESOLVER and STOREDRV that its non-delivery reports and replies carry), which the tables had
barely met: their wording and codes as the Transport's AckReason constants give them, quoted in a
public repository (code corpus id 32634522267; the same texts in Sisimai's Exchange2007 table, code
corpus id 33839029, whose reason names were not used). They stand bare, as a non-delivery report's
Diagnostic-Code carries them, with no relay and no provider (Exchange on-premises too). Skipped as
already in a table: RESOLVER.ADR.RecipNotFound and ExRecipNotFound, RESOLVER.RST.AuthRequired,
NotAuthorized, RecipSizeLimit(.DL), SenderNotAuthenticated*, RESOLVER.FWD.Loop ("forwarding
loop"), SMTPSEND.BareLinefeedsAreIllegal, STOREDRV's "too busy" and "invalid message content",
QUEUE.Expired ("message expired"); left out: the texts Exchange only logs with 250 (expanded,
redirected, suppressed), the gateway and agent-internal ones (NONSMTPGW, DELIVERYAGENT), and those
whose meaning for the address the words do not settle (RESOLVER.ADR.Ambiguous, ROUTING.NoNextHop,
SMTPSEND.SuspiciousRemoteServerError). Each expectation was written down before bouncewatch was run
on the rows (commit "round Z5 expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 9 of 15. Two misses were harmful, both read as a dead domain by their
5.4.4, which suppresses every address of a domain that exists: SMTPSEND.DNS.MxLoopback (the
domain's MX leads back to the sending server, a routing fault as Postfix's "loops back to myself"
is) and SMTPSEND.DNS.InvalidData (a DNS answer Exchange could not read). Not harmful, fixed as clear
misses: QUEUE.Admin read as general_bounce (an operator deleted it), ROUTING.InvalidAddress ("invalid
address domain") read as bad_mailbox, the poison message read as policy_block by its 5.7.0. Fixed as
data: routing-error takes "records for this domain are configured in a loop", dns-failure "DNS
returned an invalid response", bad-domain "invalid address domain" and no longer the two above,
bad-mailbox no longer "invalid address domain", removed-by-admin (00-status.toml) "message deleted
by administrative action", and a new rule, receiver-crashed-on-message, reads "treated as poison" as
general_bounce. No other table changed; the corpus output is byte-identical. After: 14 of 15, one
strict xfail (RESOLVER.FWD.NotFound read as routing_error, other as expected; reason below).

Round Z6, Exchange Online's "mail flow intelligence" codes: its connector to our own or a partner's
server failing (MicrosoftDocs, "Mail flow intelligence in Office 365", code corpus id 16063473719:
4.4.312, 4.4.318, 4.7.320 as the page titles them; a Microsoft Q&A thread quoted in code corpus id
57352597994: the 4.4.317 reply as a queue showed it). Bare, no relay, no provider. Skipped as already
in a table: 4.4.315 "Connection timed out", 4.4.316 (round Z3). Each expectation was written down
before bouncewatch was run on the rows (commit "round Z6 expectations, before scoring"); none was
revised after scoring.

Scored before any rule change: 1 of 4, no miss harmful: "Certificate validation failed" read as
soft_general by its 4.7.x, the 4.4.317 TLS failure ("Security status IllegalMessage", SChannel's) as
unable_to_connect, "Connection was closed abruptly" as protocol_error. The first two are tls_failure
now (tls-failure takes "certificate validation failed" and "security status IllegalMessage"). After:
3 of 4, one strict xfail (reason below).

Round Z7, what an Exchange server's queue and non-delivery reports say when it is our relay (or a
hop on the way) and cannot hand a message on: "Primary target IP address responded with: ...",
"4.4.397 Error communicating with target host -> ...", the store driver's throttling, a delay
notice. Sources: Microsoft support (KB 4051498, "Outbound email messages are not sent on the
Exchange Hub Transport or Edge server", code corpus id 3792244095, and the "Temporary
authentication failure" article, id 3885561431); Microsoft Q&A threads quoted in code corpus ids
57444193612 (a bigpond.com destination), 57487566033 (Exchange 2016 behind an Edge server),
57542632590 (a proxy session that failed on TLS), 57868932363 (a delay notice); a qemu-devel
post (id 18712223998: an NDR of nongnu.org's list); an Exchange 2019 throttling note (id
12223622917). Bare, no relay, no provider. Skipped: "Temporary authentication failure" alone (in
tests/data/real-log-lines.txt, but kept inside Exchange's failover wording, which no table held),
"The admin has temporarily disallowed this secure domain" and "Cannot achieve Exchange Server
authentication" (Exchange's own domain-security and Edge-subscription topology: what they mean
for an address the words do not settle). Each expectation was written down before bouncewatch was
run on the rows (commit "round Z7 expectations, before scoring"); none was revised after scoring.

Scored before any rule change: 6 of 9, no miss harmful. Exchange's "Security status InvalidToken"
(a TLS failure, as round Z6's IllegalMessage) read as soft_general by its 4.7.0, and its "400 4.4.7
Message delayed" (a delay notice, the message still queued) as expired by its x.4.7, both soft. Now
tls-failure takes any "security status X" (SChannel's statuses: IllegalMessage, InvalidToken,
UntrustedRoot ...), and temporary-server-error the delay notice. The third miss is the expectation's:
the provider of a bigpond.com recipient is telstra by the recipient-domain pass. After: 8 of 9, that
row a strict xfail which says so.
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf
from test_classify_replies_providers import _NOT_HARMFUL, _miss, _row

O365 = "smtp.office365.com"
RCPT = "x@example.com"


CASES_Z3: list = [
    # --- Our relayhost refusing our own account. Nothing here is about the recipient.
    # The account's Recipient Rate Limit (10,000 a day by default): a throttle of our sending.
    C(pf(O365, "550 5.1.90 Your message can't be sent because you've reached your daily limit for message "
               "recipients. (AS:46601)", "end of DATA"), O365, RCPT, "rate_limited", "microsoft", None),
    # The same limit, as the store driver words it.
    C(pf(O365, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process "
               "message due to a permanent exception with message The message can't be submitted because the "
               "sender's submission quota was exceeded.", "end of DATA"), O365, RCPT, "rate_limited", "microsoft",
      None),
    # Outbound spam protection refusing an unverified account ("RefuseQuota, ShowTierUpgrade").
    C(pf(O365, "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to "
               "a permanent exception with message WASCL UserAction verdict is not None. Actual verdict is "
               "RefuseQuota, ShowTierUpgrade. OutboundSpamException: WASCL UserAction verdict is not None. Actual "
               "verdict is RefuseQuota, ShowTierUpgrade. [Hostname=VI1PR05MB5405.eurprd05.prod.outlook.com]",
         "end of DATA"), O365, RCPT, "sender_rejected", "microsoft", None),
    # Our login may not send as the From address.
    C(pf(O365, "554 5.2.252 SendAsDenied; x@outlook.com not allowed to send as x@example.net; "
               "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process "
               "message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.",
         "end of DATA"), O365, RCPT, "sender_rejected", "microsoft", None),
    # A sending account restricted for outbound spam.
    C(pf(O365, "550 5.1.8 Access denied, bad outbound sender", "MAIL FROM"), O365, RCPT, "sender_rejected",
      "microsoft", None),

    # --- The recipient's tenant failing the delivery (a non-delivery report's Diagnostic-Code).
    # The recipient's mailbox (its Recoverable Items) is full: a full mailbox, retried.
    C("554 5.2.0 STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to "
      "process message due to a permanent exception with message Move/Copy messages failed.", None, RCPT,
      "mailbox_full", None, None),
    # A folder of the recipient's mailbox at its million-item limit: it takes no more until emptied.
    C("554 4.3.2 mailbox busy; STOREDRV.Deliver.Exception:StoragePermanentException.MapiExceptionMaxObjsExceeded; "
      "Failed to process message due to a permanent exception with message Cannot complete delivery-time "
      "processing.", None, RCPT, "mailbox_full", None, None),

    # --- Microsoft 365 as our relay, failing the recipient's side.
    # The recipient's domain does not exist.
    C("550 5.4.310 DNS domain example.invalid does not exist [Message=InfoDomainNonexistent] "
      "[LastAttemptedServerName=example.invalid] [TYZAPC01FT035.eop-APC01.prod.protection.outlook.com "
      "2023-12-03T08:16:36.845Z 08DBF37C231BBFB9]", None, "x@example.invalid", "bad_domain", None, None),
    # The recipient's server refused connections until the message expired.
    C("550 5.4.316 Message expired, connection refused(Socket error code 10061)", None, RCPT, "expired", None,
      None),
    # The deferral before it.
    C("450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=example.com] "
      "[LastAttemptedIP=192.0.2.20:25] [BN3NAM01FT008.eop-nam01.prod.protection.outlook.com](Socket error code "
      "10061)", None, RCPT, "unable_to_connect", None, None),
]



EOP = "example-com.mail.protection.outlook.com"    # a recipient tenant's MX

CASES_Z4: list = [
    # --- Exchange Online relaying for us: the destination's TLS or DNSSEC is broken (its side).
    C("550 5.4.8 MX hosts of example.com failed MTA-STS validation", None, RCPT, "tls_failure", None, None),
    C("451 4.7.321 starttls-not-supported: Destination mail server must support TLS to receive mail.", None, RCPT,
      "tls_failure", None, None),
    C("451 4.7.322 certificate-expired: Destination mail server's certificate is expired.", None, RCPT,
      "tls_failure", None, None),
    C("451 4.7.323 tlsa-invalid: The domain failed DANE validation.", None, RCPT, "tls_failure", None, None),
    C("451 4.7.324 dnssec-invalid: Destination domain returned invalid DNSSEC records", None, RCPT, "dns_failure",
      None, None),
    C("451 4.7.325 certificate-host-mismatch: Remote certificate MUST have a common name or subject alternative "
      "name matching the hostname (DANE)", None, RCPT, "tls_failure", None, None),

    # --- A recipient tenant refusing the message (not the address).
    C(pf(EOP, "550 5.0.350 Requested action not taken: policy violation detected (AS345)", "end of DATA"), EOP, RCPT,
      "policy_block", "microsoft", None),
    C(pf(EOP, "550 5.0.350 x-dg-ref header is too long", "end of DATA"), EOP, RCPT, "noncompliant_message",
      "microsoft", None),
    C(pf(EOP, "550 5.3.190 Journaling on-premises messages to Microsoft 365 or Office 365 not supported when "
              "Journaling Archive is disabled", "end of DATA"), EOP, RCPT, "policy_block", "microsoft", None),
    C(pf(EOP, "550 5.7.12 Sender was not authenticated by organization"), EOP, RCPT, "policy_block", "microsoft",
      None),

    # --- Our own tenant: its block list, and our account's quota at the submission endpoint.
    C("550 5.7.703 Your message can't be delivered because messages to x@example.com are blocked by your "
      "organization using Tenant Allow Block List.", None, RCPT, "local_policy", None, None),
    C(pf(O365, "554 5.2.2 Submission quota exceeded", "end of DATA"), O365, RCPT, "rate_limited", "microsoft", None),
]



_FORWARDING = (_NOT_HARMFUL + "read as routing_error by its 'misconfigured' (other, investigate, as general_bounce "
               "is); a recipient whose forwarding leads nowhere is a misrouting of the recipient's own, which "
               "routing_error names as well as the general bounce expected")

CASES_Z5: list = [
    # --- SMTPSEND (Exchange's SMTP client): the recipient's domain, by DNS.
    C("554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain", None, RCPT, "bad_domain", None, None),
    C("554 5.4.4 SMTPSEND.DNS.MxLoopback; DNS records for this domain are configured in a loop", None, RCPT,
      "routing_error", None, None),
    C("554 5.4.4 SMTPSEND.DNS.InvalidData; DNS returned an invalid response for this domain", None, RCPT,
      "dns_failure", None, None),
    # --- QUEUE and ROUTING.
    C("550 4.3.2 QUEUE.Admin; message deleted by administrative action", None, RCPT, "removed_by_admin", None, None),
    C("550 5.3.4 ROUTING.SizeLimit; message size exceeds fixed maximum size for route", None, RCPT,
      "message_too_large", None, None),
    C("550 5.1.2 ROUTING.InvalidAddress; invalid address domain", None, RCPT, "bad_domain", None, None),
    # --- RESOLVER (the recipient's directory).
    C("550 5.2.3 RESOLVER.RST.SendSizeLimit.Org; message too large for this organization", None, RCPT,
      "message_too_large", None, None),
    C("550 5.7.1 RESOLVER.RST.NotAuthorizedToGroup; not authorized to send to the distribution list", None, RCPT,
      "policy_block", None, None),
    C("550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients", None, RCPT, "rate_limited", None, None),
    _miss(C("550 5.2.0 RESOLVER.FWD.NotFound; misconfigured forwarding address", None, RCPT, "general_bounce", None,
            None), _FORWARDING),
    C("550 5.1.0 RESOLVER.ADR.InvalidInSmtp; encapsulated INVALID address inside an SMTP address (IMCEAINVALID-)",
      None, RCPT, "bad_mailbox", None, None),
    # --- STOREDRV (the recipient's mailbox store).
    C("431 4.3.1 STOREDRV; mailbox disk is full", None, RCPT, "mailbox_full", None, None),
    C("432 4.3.2 STOREDRV; mailbox database is offline", None, RCPT, "soft_general", None, None),
    C("550 5.2.0 STOREDRV.Deliver; directory misconfiguration.", None, RCPT, "general_bounce", None, None),
    C("550 5.7.0 STOREDRV.Deliver; message is treated as poison. Crash count = '3'", None, RCPT, "general_bounce",
      None, None),
]



_ABRUPTLY = (_NOT_HARMFUL + "read as protocol_error (other, investigate), as a connection lost mid-transaction is; "
             "the words do not say at which stage it closed, and the page names causes of either kind (a firewall's "
             "SMTP inspection, a server that hangs)")

CASES_Z6: list = [
    C("450 4.4.312 DNS query failed", None, RCPT, "dns_failure", None, None),
    C("450 4.4.317 Cannot connect to remote server [Message=451 4.4.0 Security status IllegalMessage]", None, RCPT,
      "tls_failure", None, None),
    _miss(C("450 4.4.318 Connection was closed abruptly", None, RCPT, "unable_to_connect", None, None), _ABRUPTLY),
    C("450 4.7.320 Certificate validation failed", None, RCPT, "tls_failure", None, None),
]


_FAILOVER = (" Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or "
             "delivery failed to all alternate hosts.")

_THIRD_PASS = ("known miss of the expectation, not of the rules: the provider came out as telstra, named by the "
               "recipient's domain (bigpond.com), the third pass of 20-providers.toml, which says who hosts the "
               "mailbox; the row expected none because the text names none, forgetting that pass. The category "
               "is right")

CASES_Z7: list = [
    C('451 4.4.0 Primary target IP address responded with: "421 4.4.1 Connection timed out."' + _FAILOVER, None,
      RCPT, "unable_to_connect", None, None),
    C('451 4.4.0 Primary target IP address responded with: "454 4.7.0 Temporary authentication failure."' + _FAILOVER,
      None, RCPT, "auth_failure", None, None),
    _miss(C("550 5.4.300 Message expired -> 451 4.4.397 Error communicating with target host. -> 421 4.4.2 "
            "Connection dropped due to ConnectionReset", None, "x@bigpond.com", "expired", None, None), _THIRD_PASS),
    C("451 4.4.397 Error communicating with target host. -> 421 4.2.1 Unable to connect -> SocketTimedout: Socket "
      "error code 10060", None, RCPT, "unable_to_connect", None, None),
    C("451 4.4.397 Error communicating with target host. -> 421 4.2.1 Unable to connect -> SocketError: Failed to "
      "connect. Winsock error code: 10051, Win32 error code: 10051", None, RCPT, "unable_to_connect", None, None),
    C("451 4.4.397 Error communicating with target host -> 421 4.3.2 Service not active", None, RCPT, "soft_general",
      None, None),
    C("432 4.3.2 STOREDRV.Deliver - dynamic mailbox database throttling limit exceeded", None, RCPT, "rate_limited",
      None, None),
    C("450 4.7.0 Proxy session setup failed on Frontend with '451 4.4.0 Primary target IP address responded with: "
      '"451 4.4.0 Security status InvalidToken."' + _FAILOVER + " The last endpoint attempted was "
      "2001:db8::25:25'", None, RCPT, "tls_failure", None, None),
    C("400 4.4.7 Message delayed", None, RCPT, "soft_general", None, None),
]


# One table per round, its rows named by round: "z5-003-removed_by_admin".
ROUNDS = {"z3": CASES_Z3, "z4": CASES_Z4, "z5": CASES_Z5, "z6": CASES_Z6, "z7": CASES_Z7}
_ROWS = [(name, i, c) for name, cases in ROUNDS.items() for i, c in enumerate(cases)]
CASES = [c for _, _, c in _ROWS]   # every row, as each table module gives them (test_classify_invariance)


@pytest.mark.parametrize("case", CASES, ids=[f"{n}-{i:03d}-{_row(c)[3]}" for n, i, c in _ROWS])
def test_exchange_reply(classifier, case):
    check_reply(classifier, case)
