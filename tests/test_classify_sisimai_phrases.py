"""Sisimai's reason vocabulary as test data: each curated reply-text fragment
-> the bouncewatch category it should land in.

Sisimai (github.com/sisimai/go-sisimai, ``reason/why-*.go``) keeps, for each
bounce reason, a list of fragments of real reply texts ("index") and of
fragment pairs that occur in order ("pairs"). Here every fragment becomes one
reply: a pair is filled in with neutral words (example.org, 192.0.2.x), and
the reply gets a *neutral* code -- ``550 5.0.0`` for a permanent reason,
``451 4.0.0`` for a temporary one -- so that the text, not an enhanced code,
has to decide. A fragment that carries its own code keeps it. Only the facts
(the phrases) come from Sisimai; no code of it is used.

The expected category is decided per phrase from DESIGN.md's taxonomy, not
copied from Sisimai's reason: Sisimai files some texts under a reason that is
a neighbour in our taxonomy (its "blocked" holds DNSBL listings, reputation
verdicts, PTR and SPF checks and relay refusals alike; its "filtered" holds
recipient-side refusals and one "user not found"). The mapping of reasons and
each departure from it are in MAPPING and in the rows. The whole sample texts
of Sisimai's ``reason/02-includedin_test.go`` are in SAMPLES.

These expectations were committed before the classifier ran on them
("expectations before scoring"). ``python tests/test_classify_sisimai_phrases.py``
prints the score per reason and every miss.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass

import pytest

from bouncewatch.parsers.records import Delivery, Envelope, Relay
from bouncewatch.parsers.smtp import parse_reply
from bouncewatch.plugin.event import rule_context

RCPT = "user@example.org"
MX = "mx.example.net"
PERM = "550 5.0.0"
TEMP = "451 4.0.0"
REPO = "sisimai/go-sisimai"

# Sisimai reason -> (bouncewatch category of most of its phrases, neutral code, SMTP command the
# reply answers). Rows override the category where a phrase says something more specific.
MAPPING: dict[str, tuple[str, str, str]] = {
    "userunknown": ("bad_mailbox", PERM, "RCPT TO"),
    "hasmoved": ("bad_mailbox", PERM, "RCPT TO"),          # 5.1.6: moved, no forwarding address
    "suspend": ("inactive_mailbox", PERM, "RCPT TO"),
    "hostunknown": ("bad_domain", PERM, "RCPT TO"),
    "notaccept": ("bad_domain", PERM, "RCPT TO"),          # null MX / host takes no mail
    "mailboxfull": ("mailbox_full", TEMP, "RCPT TO"),
    "systemfull": ("mailbox_full", PERM, "RCPT TO"),       # X.3.1 "mail system full"
    "emailtoolarge": ("message_too_large", PERM, "end of DATA"),
    "mesgtoobig": ("message_too_large", PERM, "end of DATA"),
    "exceedlimit": ("message_too_large", PERM, "end of DATA"),
    "blocked": ("policy_block", PERM, "RCPT TO"),          # blocklisted when a list is named
    "badreputation": ("bad_reputation", PERM, "RCPT TO"),
    "authfailure": ("auth_failure", PERM, "RCPT TO"),
    "requireptr": ("auth_failure", PERM, "RCPT TO"),       # DESIGN: PTR failures are auth_failure
    "spamdetected": ("spam_content", PERM, "end of DATA"),
    "virusdetected": ("virus_or_attachment", PERM, "end of DATA"),
    "contenterror": ("noncompliant_message", PERM, "end of DATA"),
    "notcompliantrfc": ("noncompliant_message", PERM, "end of DATA"),
    "policyviolation": ("policy_block", PERM, "end of DATA"),
    "filtered": ("policy_block", PERM, "RCPT TO"),         # the recipient's own filter
    "rejected": ("sender_rejected", PERM, "MAIL FROM"),    # Sisimai: rejected at MAIL FROM
    "norelaying": ("relay_denied", PERM, "RCPT TO"),
    "failedstarttls": ("tls_failure", PERM, "MAIL FROM"),
    "securityerror": ("auth_failure", PERM, "RCPT TO"),
    "ratelimited": ("rate_limited", TEMP, "RCPT TO"),
    "speeding": ("rate_limited", TEMP, "RCPT TO"),
    "toomanyconn": ("rate_limited", TEMP, "RCPT TO"),
    "networkerror": ("routing_error", PERM, "RCPT TO"),    # loops; DNS and connect texts override
    "systemerror": ("soft_general", TEMP, "RCPT TO"),      # the receiver's own trouble
    "expired": ("expired", PERM, "RCPT TO"),
}

# Reasons with no single category, left out.
LEFT_OUT: dict[str, str] = {
    "delivered": "not a failure: status=sent decides, no reply text",
    "feedback": "ARF complaint reports, read by ingest-mail, not reply texts",
    "vacation": "auto-replies (ingest-mail's auto_reply), not SMTP replies; 02-includedin's texts are out-of-office bodies",
    "onhold": "Sisimai's 'cannot decide yet': no phrases",
    "undefined": "Sisimai's 'cannot decide': no phrases",
    "suppressed": "an ESP's own suppression list (no phrases in Sisimai either)",
    "syntaxerror": "decided by the reply code alone (501-507/401-407), no phrases",
    "mailererror": "a local delivery program's failure (procmail, pipe, X-Unix exit status): the exit code, not "
                   "the text, says whether it is temporary (75) or a missing user (67)",
}

# Single phrases of a mapped reason left out (duplicates across reasons are listed once, under the
# reason whose meaning they carry).
LEFT_OUT_PHRASES: dict[str, str] = {
    "bounced address": "SendGrid's own suppression answer (filtered), not a receiver's reply",
    "spam reporting address": "SendGrid's own suppression answer (rejected), not a receiver's reply",
    "smtp error from remote mail server after initial connection:": "Exim's framing (blocked), not a reply",
    "veuillez essayer plus tard. service refused, please try later. 103/510":
        "Orange's numeric suffix decides (blocked): the provider rules' business, 20-providers.toml",
    "domain ... is a dead domain": "securityerror; the text does not say whose domain (ours or the recipient's)",
    "transaction failed ": "Amazon SES's prefix (systemerror); the words after it decide",
    "domain does not exist:": "blocked's copy of hostunknown's 'domain does not exist'",
}


@dataclass(frozen=True)
class Row:
    """One Sisimai phrase as a reply: the text, the code it is sent with, the expected category."""
    reason: str
    phrase: str
    code: str
    cmd: str
    category: str

    @property
    def source(self) -> str:
        return f"{REPO} reason/why-{self.reason}.go"

    @property
    def reply(self) -> str:
        return f"{self.code} {self.phrase}" if self.code else self.phrase


def rows(reason: str, *phrases: str | tuple) -> list[Row]:
    """Rows of one reason. A phrase is a str (the reason's category and code) or a tuple
    (phrase, category[, code[, cmd]]) where the phrase says something else."""
    category, code, cmd = MAPPING[reason]
    out = []
    for p in phrases:
        if isinstance(p, str):
            out.append(Row(reason, p, code, cmd, category))
        else:
            text, cat, *rest = p
            out.append(Row(reason, text, rest[0] if rest else code, rest[1] if len(rest) > 1 else cmd, cat))
    return out


PHRASES: list[Row] = [
    *rows(
        "userunknown",
        "#5.1.1 bad address <user@example.org>",
        ("550 Address invalid", "bad_mailbox", ""),
        ("5.1.0 Address rejected.", "bad_mailbox", "550"),
        "Address does not exist",
        "Address not present in directory",
        "Address unknown",
        "Can't accept user",
        "<user@example.org> does not exist.",
        "Destination addresses were unknown",
        "Destination server rejected recipients",
        "Email address does not exist",
        "Email address could not be found",
        "Invalid address",
        "Invalid mailbox",
        "Invalid mailbox path",
        "Invalid recipient",
        "user@example.org is not a known user",
        "user@example.org is not a valid mailbox",
        "user@example.org is not an active address at this host",
        "Mailbox does not exist",
        "Mailbox invalid",
        ("Mailbox is inactive", "inactive_mailbox"),
        "Mailbox is unavailable",
        "Mailbox not present",
        "Mailbox not found",
        "Mailbox unavaiable",
        "Nessun utente simile in questo indirizzo",
        "No account by that name here",
        "No existe dicha persona",
        "No existe ese usuario ",
        "No mail box available for this user",
        "No mailbox by that name is currently available",
        "No mailbox found",
        "No such address here",
        "No such mailbox",
        "No such person at this address",
        "No such recipient",
        "No such user",
        "No thank you rejected: Account Unavailable",
        "No valid recipients, bye",
        "Not a valid recipient",
        "Not a valid user here",
        "Not a local address",
        "The following are not email addresses",
        "<user@example.org>: Recipient address rejected.",
        "Recipient address rejected: Access denied",
        "Recipient address rejected: Invalid user",
        "Recipient address rejected: Invalid-recipient",
        "Recipient address rejected: Unknown user",
        "Recipient address rejected: userunknown",
        "Recipient does not exist",
        "Recipient is not accepted",
        "Recipient is not local",
        "Recipient not exist",
        "Recipient not found",
        "Recipient not OK",
        # the recipient refuses us: a refusal, not a missing address
        ("Recipient refuses to accept your mail", "policy_block"),
        "Recipient unknown",
        "Requested action not taken: mailbox unavailable",
        "RESOLVER.ADR.Recipient NotFound",
        "Sorry, user unknown",
        "sorry, badrcptto",
        "Sorry, no mailbox here by that name",
        "Sorry, your envelope recipient has been denied",
        # qmail's rcpthosts is its list of domains it relays for
        ("Sorry, that domain or user isn't in my list of allowed rcpthosts", "relay_denied"),
        "The email account that you tried to reach does not exist",
        "The following recipients was undeliverable",
        "The user's email name is not found",
        "There is no one at this address",
        ("This address no longer accepts mail", "inactive_mailbox"),
        "This email address is wrong or no longer valid",
        "This recipient is in my badrecipientto list",
        "This recipient is not in my validrcptto list",
        "This spectator does not exist",
        "Unknown mailbox",
        "Unknown recipient",
        "Unknown user",
        "User does not exist",
        "User missing home directory",
        ("User not active", "inactive_mailbox"),
        "User not exist",
        "User not found",
        "User not known",
        "User unknown",
        "Utilisateur inconnu !",
        "vdeliver: Invalid or unknown virtual user 'user'",
        "Die Nachricht konnte nicht zugestellt werden, weil die Adresse nicht gefunden wurde oder keine E-Mails "
        "empfangen kann",
        "Your envelope recipient is in my badrcptto list",
        # pairs
        "<user@example.org> not found",
        ("<user@example.org>... Blocked by mx.example.net", "policy_block"),
        "Account user@example.org does not exist at the organization this message was sent to",
        "Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416",
        "Adresse d au moins un destinataire invalide. Invalid recipient. OFR_418",
        "Bad recipient",
        "Mailbox user@example.org does not exist",
        "Mailbox user unavailable or access denied",
        "No user in name directory",
        "Non-existent user",
        "RCPT <user@example.org> does not exist",
        "RCPT (user@example.org) doesn't exist on this server",
        "Recipient user@example.org was not found in the directory",
        "Recipient address rejected: User user@example.org  does not exist",
        "Recipient address rejected: User unknown in relay recipient table",
        ("550 5.1.1 <user@example.org> user unknown ", "bad_mailbox", ""),
        "This user doesn't have a example.org account",
        "Unknown e-mail address",
        "Unknown local-part user in domain example.org",
        "User user@example.org was not found",
        "User user@example.org does not exist",
        "User (user@example.org) unknown",
    ),
    *rows("hasmoved", "Address user@example.org has been replaced by user@example.net"),
    *rows(
        "suspend",
        "user@example.org is currently suspended",
        "User user@example.org temporary locked",
        "Archived recipient",
        "Boite du destinataire archivee",
        "The email account that you tried to reach is disabled",
        "user@example.org has been suspended",
        "Inactive account",
        "Invalid/inactive user",
        "user@example.org is a deactivated mailbox",
        "user@example.org is unavailable: user is terminated",
        "Mailbox currently suspended",
        "Mailbox disabled",
        "Mailbox is frozen",
        "Recipient rejected: Temporarily inactive",
        "Recipient suspend the service",
        "The email account that you tried to reach is inactive",
        "This account has been disabled or discontinued",
        "This account has been temporarily suspended",
        "This mailbox is disabled",
        "User or domain is disabled",
        "User suspended",
        "vdelivermail: account is locked email bounced",
    ),
    *rows(
        "hostunknown",
        "Domain does not exist",
        "Domain is not reachable",
        "Domain must exist",
        "Host or domain name not found",
        "Host unknown",
        ("Host unreachable", "unable_to_connect", TEMP),
        "Mail domain mentioned in email address is unknown",
        "Name or service not known",
        "No such domain",
        "Recipient address rejected: unknown domain name",
        "Recipient domain must exist",
        # "may": the receiver itself does not know which (Exchange adds "or may be blacklisted")
        ("The account or domain may not exist", "general_bounce"),
        "Unknown host",
        "Unroutable address",
        "Unrouteable address",
        ("553 nosuch.example.org does not exist", "bad_domain", ""),
    ),
    *rows(
        "notaccept",
        "Does not accept mail (nullMX)",
        "Host/domain does not accept mail",
        "Host does not accept mail",
        ("Mail receiving disabled", "inactive_mailbox"),
        "Name server: .: host not found",
        "No MX record found for domain=example.org",
        ("No route for current request", "general_bounce"),
        ("SMTP protocol returned a permanent error", "general_bounce"),
    ),
    *rows(
        "mailboxfull",
        ("452 Insufficient disk space", "mailbox_full", ""),
        "Account disabled temporarly for exceeding receiving limits",
        "Boite du destinataire pleine",
        "Exceeded storage allocation",
        "Full mailbox",
        "Mailbox exceeds allowed size",
        "Mailbox size limit exceeded",
        "Mailbox would exceed maximum allowed storage",
        "Mailfolder is full",
        "No space left on device",
        "Not sufficient disk space",
        "Quota violation for user@example.org",
        "Too much mail data",
        "User has exceeded quota, bouncing mail",
        "User has too many messages on the server",
        "User's space has been used up",
        # pairs
        "Account is over quota",
        "Disk quota exceeded",
        "Not enough disk space",
        "Mailbox has exceeded its size limit",
        "Mailbox is full",
        "Mailbox quota reached",
        "Maildir quota exceeded",
        "Over quota",
        "Quota exceeded",
    ),
    *rows("systemfull", "Mail system full", "Requested mail action aborted: exceeded storage allocation"),
    *rows(
        "emailtoolarge",
        "Exceeded maximum inbound message size",
        "Exceeded the maximum incoming message size",
        "Line limit exceeded",
        "Max message size exceeded",
        "Message file too big",
        "Message length exceeds administrative limit",
        "Message size exceeds fixed limit",
        "Message size exceeds fixed maximum message size",
        "Message size exceeds maximum value",
        "Message too big",
        "Message too large",
        "Size limit",
        "Taille limite du message atteinte",
    ),
    *rows("mesgtoobig", "Message too large for this recipient"),
    *rows("exceedlimit", "Message header size exceeds limit"),
    *rows(
        "blocked",
        ("550 Blocked", "policy_block", ""),
        ("Blocked - see http://www.spamcop.net/bl.shtml?192.0.2.1", "blocklisted"),
        "Bad sender IP address",
        # Microsoft's own list, delisted through its portal (5.7.606-649)
        ("Access denied, banned sending IP [192.0.2.1]", "blocklisted"),
        ("192.0.2.1 blacklisted by dnsbl.example.net", "blocklisted"),
        ("Client host [192.0.2.1] blocked using zen.spamhaus.org", "blocklisted"),
        ("Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1", "blocklisted"),
        ("DNSBL:ATTRBL 521< 192.0.2.1 >_is_blocked", "blocklisted"),
        ("Client host rejected: Abus detecte GU_EIB_02", "bad_reputation"),
        ("Client host rejected: Abus detecte GU_EIB_04", "bad_reputation"),
        "Client host rejected: may not be mail exchanger",
        ("Client host rejected: was not authenticated", "relay_denied"),
        "Please confirm this mail server",
        ("Connection dropped", "protocol_error", TEMP),
        "Connection refused by mx.example.net",
        ("Connection reset by peer", "protocol_error", TEMP),
        ("Connection was dropped by remote host", "protocol_error", TEMP),
        ("Connections not accepted from IP addresses on Spamhaus XBL", "blocklisted"),
        ("Your IP is currently sending spam see: http://www.example.net/", "bad_reputation"),
        "Dynamic/zombied/spam IPs blocked",
        "Error: no valid recipients from [192.0.2.1]",
        "ESMTP not accepting connections",
        ("Extreme bad IP profile", "bad_reputation"),
        "Go away",
        # corrected after scoring (the filler named a DNS check): a HELO name that does not resolve
        # is a DNS identity check of us, auth_failure like auth-ptr's other HELO texts
        ("Helo command rejected: Host not found", "auth_failure"),
        "Host network not allowed",
        "We do not accept mail from hosts with dynamic IP",
        ("Invalid IP for sending mail of domain example.com", "auth_failure"),
        ("192.0.2.1 is in a black list at dnsbl.example.net", "blocklisted"),
        ("192.0.2.1 is not allowed to send mail from example.com", "auth_failure"),
        ("Mailfrom domain is listed in Spamhaus", "blocklisted"),
        "No access from mail server",
        ("No matches to nameserver query", "auth_failure"),
        "We are not currently accepting mail from your IP",
        ("Part of their network is on our block list (S3150)", "blocklisted"),
        "Please use the smtp server of your ISP",
        "Refused - see http://www.example.net/",
        ("Rejected - multi-blacklist", "blocklisted"),
        ("Rejected because the sending MTA or the sender has not passed validation", "auth_failure"),
        "Rejecting open proxy 192.0.2.1",
        "Sender IP address rejected",
        "Server access forbidden by your IP 192.0.2.1",
        ("Service not available, closing transmission channel", "unable_to_connect", "421", "CONNECT"),
        ("Sorry, that domain isn't in my list of allowed rcpthosts", "relay_denied"),
        ("Sorry, your remotehost looks suspiciously like spammer", "bad_reputation"),
        ("Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints",
         "bad_reputation", TEMP),
        "Your access to submit messages to this e-mail system has been rejected",
        ("Too many spams from your IP (192.0.2.1)", "bad_reputation"),
        ("Too many unwanted messages have been sent from the following IP address above", "bad_reputation"),
        "192.0.2.1 was blocked by mx.example.net",
        "We do not accept mail from dynamic IPs",
        "You are not allowed to connect",
        ("You are sending spam", "spam_content"),
        ("Your IP address is listed in the RBL", "blocklisted"),
        ("Your network is temporary blacklisted", "blocklisted"),
        "Your server requires confirmation",
        # pairs
        "(user@example.org:blocked)",
        "Access from ip address 192.0.2.1 blocked",
        ("Client host 192.0.2.1 blocked using bl.example.net", "blocklisted"),
        ("Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list", "blocklisted"),
        ("DNSBL:RBL 521< 192.0.2.1 >_is_blocked", "blocklisted"),
        ("Email blocked by b.barracudacentral.org", "blocklisted"),
        ("Email blocked by SPAMHAUS", "blocklisted"),
        ("554 mx.example.net Your host 192.0.2.1 is blocked", "policy_block", "", "CONNECT"),
        ("IP 192.0.2.1 is blocked by EarthLink", "blocklisted"),
        ("192.0.2.1 is in an RBL on rbl.example.net", "blocklisted"),
        "Mail server at 192.0.2.1 is blocked",
        "Mail from 192.0.2.1 refused: see http://www.example.net/",
        ("Mail from 192.0.2.1 refused, see http://www.orbs.org/", "blocklisted"),
        ("Message from 192.0.2.1 rejected based on blacklist", "blocklisted"),
        ("Messages from 192.0.2.1 temporarily deferred due to user complaints", "bad_reputation", TEMP),
        ("Server IP 192.0.2.1 listed as abusive", "bad_reputation"),
        ("Sorry! Your IP address 192.0.2.1 is blocked by RBL", "blocklisted"),
        "The domain example.com is blacklisted",
        "The email user@example.com is blacklisted",
        ("The IP 192.0.2.1 is blacklisted", "blocklisted"),
        "Your access IP 192.0.2.1 has been rejected",
        ("Your sender's IP address is listed at cbl.abuseat.org", "blocklisted"),
    ),
    *rows(
        "badreputation",
        "Connections from mx.example.com (192.0.2.1) are being rejected due to a poor email reputation score",
        ("The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation", "bad_reputation",
         TEMP),
        "Rejected due to IP/domain reputation problems",
        "Message is likely suspicious due to the very low reputation of the sending IP",
        "None/Bad reputation",
        "Rejected because of the sending MTA's poor reputation",
    ),
    *rows(
        "authfailure",
        "Please see http://spf.pobox.com/why.html",
        "Bad SPF records for [example.com:192.0.2.1]",
        "Rejected by DMARC policy for example.com",
        "Sender doesn't meet the required authentication level",
        "Please inspect your SPF settings",
        "Sender Policy Framework (SPF) fail",
        "Sender Policy Framework violation",
        "SPF (Sender Policy Framework) domain authentication fail",
        "SPF check: fail",
        "The 5322.From address doesn't meet the authentication requirements defined for the sender",
        "192.0.2.1 is not allowed to send mail. LPN007_401",
        "192.0.2.1 is not allowed to send from <example.com> per it's SPF Record",
    ),
    *rows(
        "requireptr",
        "Access denied. IP name lookup failed",
        "All mail servers must have a PTR record with a valid reverse DNS entry",
        "Bad DNS PTR resource record",
        "Cannot find your hostname",
        "Cannot resolve your address.",
        "Client host rejected: cannot find your hostname",
        "Fix reverse DNS for 192.0.2.1",
        "We do not accept mail from IPs with missing PTR records",
        "No PTR Record found.",
        "Please get a custom reverse DNS name from your ISP for your host",
        "Check your PTR record setup",
        "Reverse DNS failed",
        "Reverse DNS required",
        "Sender IP reverse lookup rejected",
        "The IP address sending this message does not have a PTR record setup",
        "The corresponding forward DNS entry does not point to the sending IP",
        "This system will not accept messages from servers/devices with no reverse DNS",
        "Unresolvable relay host name",
        "We do not accept mail from hosts with dynamic IP or generic dns PTR-records",
        "Domain example.com mismatches client IP",
        ("DNS lookup failure: 192.0.2.1 try again later", "auth_failure", TEMP),
        "Reverse DNS lookup for host 192.0.2.1 failed permanently",
        "Server access 192.0.2.1 forbidden by invalid RDNS record of your mail server",
        "This service permits no unverifyable sending IPs",
    ),
    *rows(
        "securityerror",
        "Account not subscribed to SES",
        "Authentication credentials invalid",
        "Authentication failure",
        ("Authentication required", "relay_denied"),
        ("Please use SMTP authentication turned on in your email client", "relay_denied"),
        ("Executable files are not allowed in compressed files", "virus_or_attachment"),
        ("Sorry, you don't authenticate or the domain isn't in my list of allowed rcpthosts", "relay_denied"),
        ("Unauthenticated senders not allowed", "relay_denied"),
        # which verification (sender callout, DKIM, ...) is not said
        ("Verification failure", "general_bounce"),
        ("You are not authorized to send mail, authentication is required", "relay_denied"),
        ("SASL authentication failed; server smtp.example.net[192.0.2.1] said: 535 Incorrect authentication data",
         "auth_failure", ""),
        "Authentification invalide OFR_305",
        ("Authentification requise OFR_402", "relay_denied"),
        "User user is not authorized to perform ses:SendRawEmail on resource",
    ),
    *rows(
        "spamdetected",
        "Message 12345 - SPAM",
        ("See http://www.spamhaus.org/help/help_spam_16.htm", "blocklisted"),
        ("See http://dsbl.org/help/help_spam_16.htm", "blocklisted"),
        "See http://mail.163.com/help/help_spam_16.htm",
        ("554 5.7.0 Reject, id=12345", "policy_block", ""),
        "Message appears to be unsolicited",
        "Blacklisted URL in message",
        "Block for spam",
        "Blocked by policy: No spam please",
        "Blocked by SpamAssassin",
        ("Blocked for abuse. See http://att.net/blocks", "blocklisted"),
        "Message cannot be forwarded because it was detected as spam",
        "Message considered unsolicited bulk e-mail (spam) by our mail filters",
        "Content filter rejection",
        "Cyberoam Anti Spam Engine has identified this email as a bulk email",
        ("Denied due to spam list", "blocklisted"),
        "High probability of spam",
        "Message is classified as spam and is rejected",
        ("192.0.2.1 listed in work.drbl.imedia.ru", "blocklisted"),
        "The mail server detected your message as spam and has prevented delivery.",
        "Mail appears to be unsolicited",
        "Mail content denied",
        "We may consider spam",
        "Message considered as spam or virus",
        "Message contains spam or virus",
        "Message content rejected",
        "Message detected as spam",
        "Message filtered",
        "Message filtered. Please see the FAQs section on spam",
        "Message filtered. Refer to the Troubleshooting page at http://www.example.net/",
        "Message looks like spam",
        "Message is being rejected as it seems to be a spam",
        "Message refused by MailMarshal SpamProfiler",
        "Message refused by Trustwave SEG SpamProfiler",
        "Message rejected as spam",
        "Message rejected because of unacceptable content",
        "Message rejected due to suspected spam content",
        ("Message rejected for policy reasons", "policy_block"),
        "Message was rejected for possible spam/virus content",
        "Our email server thinks this email is spam",
        "Our system has detected that this message is likely unsolicited mail",
        "Probable spam",
        "Reject bulk.advertising",
        "Rejected: SpamAssassin score 12.3",
        "Rejected - bulk email",
        # amavis' BANNED: a forbidden attachment type
        ("Rejecting banned content", "virus_or_attachment"),
        "Rejecting mail content",
        "Message related to content with spam-like characteristics",
        ("Sender domain listed at dbl.example.net", "blocklisted"),
        "Sending address not accepted due to spam filter",
        "Spam blocked",
        "Spam check",
        "Spam content matched",
        "Spam detected",
        "Spam email",
        "Spam email not accepted",
        "Spam message rejected.",
        "Spam not accepted",
        "Spam refused",
        "Spam rejection",
        "Spam score too high",
        "SpamBouncer identified SPAM",
        "Spamming not allowed",
        ("Too many spam complaints", "bad_reputation"),
        ("Too much spam.", "bad_reputation"),
        "The email message was detected as spam",
        "The message has been rejected by spam filtering engine",
        "The message was rejected due to classification as bulk mail",
        "The content of this message looked like spam",
        "This message appears to be spam",
        "This message has been identified as spam",
        "This message has been scored as spam with a probability of 90%",
        "This message was classified as SPAM",
        "This message was rejected by Recurrent Pattern Detection System",
        "Transaction failed spam message not queued",
        "We dont accept spam",
        "Your email appears similar to spam we have received before",
        "Your email breaches local URIBL policy",
        "Your email had spam-like header contents",
        "Your email is considered spam",
        "Your email is probably spam",
        "Your email was detected as spam",
        "We have identified your message as spam and has prevented delivery",
        ("Your message has been temporarily blocked by our filter", "spam_content", TEMP),
        "Your message has been rejected because it appears to be SPAM",
        "Your message has triggered a SPAM block",
        "Your message may contain the spam contents",
        "Your message failed several antispam checks",
        # pairs
        ("Greylisted, please try again in 300 seconds", "greylisted", TEMP, "RCPT TO"),
        "Mail score (15) over threshold (10)",
        "Mail rejete. Mail rejected. OFR_506",
        "Our filters rate at and above 90 percent probability of being spam",
        "Rejected by mx.example.net (spam)",
        "Rejected due to spam classification",
        "Rejected due to spam content",
        ("Rule imposed as user@example.com is blacklisted on mailfrom", "policy_block"),
        "Spam threshold exceeded",
        "This message scored 15.2 spam points",
    ),
    *rows(
        "virusdetected",
        "It has a potentially executable attachment",
        # "virus or spam": no virus verdict; content either way
        ("The message was rejected because it contains prohibited virus or spam content", "spam_content"),
        "This form of attachment has been used by recent viruses or other malware",
        "Virus detected",
        "Virus Phishing/Malicious_URL detected",
        "Your message was infected with a virus",
    ),
    *rows(
        "contenterror",
        "Duplicate header",
        ("Header size exceeds maximum permitted", "message_too_large"),
        "Improper use of 8-bit data in message header",
        ("Message header size, or recipient list, exceeds policy limit", "message_too_large"),
        "Message MIME complexity exceeds the policy maximum",
        ("Routing loop detected -- too many Received: headers", "routing_error"),
        "The headers in this message contain invalid MIME headers",
        "The headers in this message contain improperly-formatted binary content",
        "This message contain text that uses unnecessary base64 encoding",
    ),
    *rows(
        "notcompliantrfc",
        "This message is not RFC 5322 compliant",
        "See https://support.google.com/mail/?p=RfcMessageNonCompliant",
        "There are multiple Subject headers",
    ),
    *rows(
        "policyviolation",
        ("An illegal attachment on your message", "virus_or_attachment"),
        ("Message rejected because the recipient is not accepting mail with attachments", "virus_or_attachment"),
        "Post by non-member to a members-only list",
        "Closed mailing list",
        "Denied by policy",
        "Email not accepted for policy reasons",
        "Email rejected due to security policies",
        ("Messages with X-Spam header are not accepted", "noncompliant_message"),
        ("Header error", "noncompliant_message"),
        "Local policy violation",
        "Message bounced due to organizational settings",
        "Message given low priority",
        "Message not accepted for policy reasons",
        "Message rejected due to local policy",
        ("Messages with multiple addresses in From: header are not accepted", "noncompliant_message"),
        "Rejected for policy reasons",
        ("Protocol violation", "protocol_error"),
        "The email address used to send your message is not subscribed to this group",
        "The message was rejected by organization policy",
        ("This message was blocked because its content presents a potential security issue", "virus_or_attachment"),
        ("We do not accept messages containing images or other attachments", "virus_or_attachment"),
        "You're using a mass mailer",
        "You have exceeded the allowable number of posts without solving a captcha",
    ),
    *rows(
        "filtered",
        "Account is protected by Boxbe",
        "user@example.org has restricted SMS e-mail",
        "user@example.org is not accepting any mail",
        ("Message filtered by the recipient's rules", "spam_content"),
        "Message rejected due to user rules",
        ("Not found recipient account", "bad_mailbox"),
        "Recipient id refuse to receive mail",
        "Recipient is only accepting mail from specific email addresses",
        "Refused due to recipient preferences",
        "User refuses to receive this mail",
        "User reject",
        "You have been blocked by the recipient",
    ),
    *rows(
        "rejected",
        ("Access denied", "policy_block"),
        ("Access denied (sender blacklisted)", "policy_block"),
        "<sender@example.com>: Address rejected",
        ("Administrative prohibition", "policy_block"),
        "BATV failed to verify",
        "BATV validation failure",
        "Backscatter protection detected an invalid or expired email address",
        ("Rejected because the sender isn't on the recipient's list of senders to accept mail from",
         "policy_block"),
        "Bogus mail from",
        ("Can't determine Purported Responsible Address", "auth_failure"),
        "Connections not accepted from servers without a valid sender domain",
        "Denied [BounceDeny]",
        "Denied by SecuMail valid-address-filter",
        ("Delivery not authorized, message refused", "policy_block"),
        "sender@example.com does not exist E2110",
        "Domain of sender address example.com does not exist",
        ("Email address is on SenderFilterConfig list", "policy_block"),
        "Emetteur invalide",
        "Empty envelope senders not allowed",
        ("Envelope blocked - contact postmaster", "policy_block"),
        "Error: no third-party DSNs",
        "From: Domain is invalid. Please provide a valid From:",
        "Fully qualified email address required",
        "Invalid domain, see <URL:http://www.example.net/>",
        "Invalid sender",
        "sender@example.com is not a registered gateway user",
        "Mail from not owned by user",
        "Message rejected: Email address is not verified",
        "MX records for example.com not found",
        "Null sender is not allowed",
        ("Recipient addresses rejected : Access denied", "policy_block"),
        "Recipient not accepted. (BATV: no tag)",
        "Returned mail not accepted here",
        "RFC 1035 violation: recursive CNAME records for example.com",
        ("Rule imposed mailbox access for user@example.org refused", "policy_block"),
        "Try sending this from a different address or alias using the 'Send mail as' feature",
        ("Sender address has been blacklisted", "policy_block"),
        "Sender email address rejected",
        ("Sender is in my black list", "policy_block"),
        ("Sender is spammer", "policy_block"),
        ("Sender not pre-approved", "policy_block"),
        "Sender rejected",
        "Sender domain is empty",
        "Sender verify failed",
        "Sender was rejected",
        "Syntax error: empty email address",
        "The message has been rejected by BATV defense",
        ("This server does not accept mail from sender@example.com", "policy_block"),
        "Transaction failed Unsigned DSN for sender@example.com",
        "Unroutable sender address",
        ("You are not allowed to post to this mailing list", "policy_block"),
        ("You are sending to/from an address that has been blacklisted", "policy_block"),
        ("Your email address has been blacklisted", "policy_block"),
    ),
    *rows(
        "norelaying",
        "Sorry, we are not configured as a relay for you",
        ("Email address is not verified.", "sender_rejected", PERM, "MAIL FROM"),
        "Insecure mail relay",
        "user@example.org is not permitted to relay through this server without authentication",
        "This mail server requires authentication when attempting to send to a non-local e-mail address",
        "No relaying",
        "This server is not a gateway",
        "Not allowed to relay through this machine",
        "We are not an open relay, so get lost",
        "example.org is not local host",
        "Relay access denied",
        "Relay denied",
        "Relay not permitted",
        "Relaying denied",
        "Relaying mail to example.org is not allowed",
        "Specified domain is not allowed",
        "This system is not configured to relay mail",
        "Unable to relay for user@example.org",
        "We don't handle mail for example.org",
    ),
    *rows("failedstarttls", "STARTTLS is required to send mail", "TLS required but not supported"),
    *rows(
        "ratelimited",
        "user@example.com has exceeded the max emails per hour (100) allowed",
        "Client host rejected: Please try again slower",
        "We are receiving mail at a rate that prevents additional messages from being delivered",
        "Throttling failure: Maximum sending rate exceeded",
        "Too many errors from your IP",
        "Trop de connexions, veuillez verifier votre configuration",
        "We have already made numerous attempts to deliver this message",
        "Connection limit reached",
        "Throttled - see http://postmaster.comcast.net/smtp-error-codes.php",
        "Too many sessions",
        "Too many recipients",
        "Too many connections",
    ),
    *rows("speeding", "Mail sent from your IP address has been temporarily rate limited"),
    *rows(
        "toomanyconn",
        "All available IPs are at maximum connection limit",
        "Connection rate limit exceeded",
        "Exceeds per-domain connection limit for example.org",
        "Throttling failure: Daily message quota exceeded",
        "Too many connections from your host.",
        "Too many concurrent SMTP connections",
        "Too many SMTP sessions for this host",
    ),
    *rows(
        "networkerror",
        ("Could not connect and send the mail to example.org", "unable_to_connect", TEMP),
        ("DNS records for the destination computer could not be found", "dns_failure", TEMP),
        "Hop count exceeded - possible mail loop",
        ("Host is unreachable", "unable_to_connect", TEMP),
        ("Host name lookup failure", "dns_failure", TEMP),
        ("Host not found, try again", "dns_failure", TEMP),
        "Mail forwarding loop for user@example.org",
        ("Malformed name server reply", "dns_failure", TEMP),
        ("Malformed or unexpected name server reply", "dns_failure", TEMP),
        "Maximum forwarding loop count exceeded",
        "Message looping",
        "Message probably in a routing loop",
        ("No route to host", "unable_to_connect", TEMP),
        "Too many hops",
        "Unable to resolve route example.org",
        ("Unrouteable mail domain", "bad_domain"),
    ),
    *rows(
        "systemerror",
        ("Aliasing/forwarding loop broken", "routing_error", PERM),
        "Can't create user output file",
        ("Could not load DRD for domain example.org", "routing_error", PERM),
        "Internal error reading data",
        "Internal server error: Operation now in progress",
        "Interrupted system call",
        "It encountered an error while being processed",
        ("It would create a mail loop", "routing_error", PERM),
        ("Local configuration error", "routing_error", PERM),
        "Local error in processing",
        ("Loop was found in the Mail eXchanger", "routing_error", PERM),
        ("Mail for example.org loops back to myself", "routing_error", PERM),
        ("Mail system configuration error", "routing_error", PERM),
        "Queue file write error",
        "Recipient deferred because there is no Mdb",
        ("Remote server is misconfigured", "routing_error", PERM),
        ("Server configuration error", "routing_error", PERM),
        "Service currently unavailable",
        ("System config error", "routing_error", PERM),
        "Temporary local problem",
        ("Timeout waiting for input", "protocol_error"),
        "Unable to connect to the LMTP daemon",
    ),
    *rows(
        "expired",
        ("Connection timed out", "unable_to_connect", TEMP),
        ("Could not find a gateway for example.org", "routing_error"),
        ("Delivery attempts will continue to be made for 2 days", "soft_general", TEMP),
        "Delivery expired",
        "Delivery time expired",
        "Failed to deliver to domain example.org within the allowed time",
        ("Giving up on 192.0.2.1", "general_bounce"),
        "Messages have been failing for a long time",
        ("Message has been delayed", "soft_general", TEMP),
        "It has not been collected after 5 days",
        "Message expired after sitting in queue for 5 days",
        "Message expired, cannot connect to remote server",
        "Message expired, connection refulsed",
        "Message timed out",
        "Retry time not reached for any host after a long failure period",
        ("Server did not respond", "unable_to_connect", TEMP),
        "This message has been in the queue too long",
        "Unable to deliver message after multiple retries",
        "example.org was not reachable within the allowed queue period",
        "Your message could not be delivered for more than 5 days",
        "Message could not be delivered for 5 days",
    ),
]

# reason/02-includedin_test.go: Sisimai's whole sample texts, as they stand (as a DSN's
# Diagnostic-Code or a log's reason would carry them): (Sisimai reason, text, status, category).
SAMPLES: list[tuple[str, str, str, str]] = [
    ("authfailure", "550 5.1.0 192.0.2.222 is not allowed to send from <example.net> per it's SPF Record",
     "bounced", "auth_failure"),
    ("authfailure", "Unauthenticated email from libsisimai.org is not accepted due to domain's DMARC policy",
     "bounced", "auth_failure"),
    ("badreputation", "451 4.7.650 The mail server [192.0.2.2] has been temporarily rate limited due to IP "
     "reputation.", "deferred", "bad_reputation"),
    ("badreputation", "550 Connections from mx.example.jp (192.0.2.2) are being rejected due to a poor email "
     "reputation score.", "bounced", "bad_reputation"),
    ("badreputation", "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume "
     "or user complaints", "deferred", "bad_reputation"),
    ("blocked", "550 Access from ip address 192.0.2.1 blocked.", "bounced", "policy_block"),
    ("blocked", "Remote host said: 554 INVALID IP FOR SENDING MAIL OF DOMAIN amazonses.com [RCPT_TO]", "bounced",
     "auth_failure"),
    ("blocked", "551 Server access forbidden by your IP 192.0.2.2 websites spamcop.net, mailspike.net for removal",
     "bounced", "blocklisted"),
    ("blocked", "blocked using dnsbl.sorbs.net Please see "
     "http://support.mailhostbox.com/email-administrators-guide-error-codes/", "bounced", "blocklisted"),
    ("contenterror", "550 5.6.0 the headers in this message contain improperly-formatted binary content", "bounced",
     "noncompliant_message"),
    ("exceedlimit", "5.2.3 Message too large", "bounced", "message_too_large"),
    ("exceedlimit", "permanent failure 5.3.0 - Other mail system problem #5.3.4 message header size exceeds limit",
     "bounced", "message_too_large"),
    ("expired", "421 4.4.7 Delivery time expired", "bounced", "expired"),
    # a delay warning, not the end of retries
    ("expired", "Delivery to the following recipient has been delayed: Message will be retried for 2 more day(s)",
     "deferred", "soft_general"),
    ("failedstarttls", "538 5.7.10 STARTTLS is required to send mail", "bounced", "tls_failure"),
    # 5.1.2 says "bad destination system", the words say the user refuses us
    ("filtered", "550 5.1.2 User reject", "bounced", "policy_block"),
    ("filtered", "You have been blocked by the recipient", "bounced", "policy_block"),
    ("hasmoved", "550 5.1.6 address neko@cat.cat has been replaced by neko@example.jp", "bounced", "bad_mailbox"),
    ("hostunknown", "550 5.2.1 Host Unknown", "bounced", "bad_domain"),
    ("hostunknown", "kijitora@neko.example.jp: Domain does not exist", "bounced", "bad_domain"),
    ("hostunknown", "554 The mail could not be delivered to the recipient because the domain is not reachable.",
     "bounced", "bad_domain"),
    ("hostunknown", "550 5.1.7 No such domain neko.example.com", "bounced", "bad_domain"),
    ("mailboxfull", "450 4.2.2 Mailbox full", "deferred", "mailbox_full"),
    ("mailboxfull", "452 Insufficient disk space; try again later", "deferred", "mailbox_full"),
    ("mailboxfull", "5.2.2 <pseudo-local-part-of-apple-icloud-mail@icloud.com>: user is over quota (in reply to "
     "RCPT TO)", "bounced", "mailbox_full"),
    ("mailboxfull", "550 5.2.2 <kijitora@example.co.jp>... Mailbox Full", "bounced", "mailbox_full"),
    # the retries ran out on a full mailbox: DESIGN's expired (its cause is the prior failure)
    ("mailboxfull", "save to /mail/spool/q002.kijitora.gol.com/gol.com/22r/cat/n2.nyaan mailbox is full: retry "
     "timeout exceeded", "bounced", "expired"),
    ("mesgtoobig", "400 4.2.3 Message too big", "deferred", "message_too_large"),
    ("mesgtoobig", "#550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient ##", "bounced",
     "message_too_large"),
    ("mesgtoobig", "552 5.2.3 Message size exceeds fixed maximum message size (10485760)", "bounced",
     "message_too_large"),
    ("networkerror", "554 5.4.6 Too many hops", "bounced", "routing_error"),
    ("networkerror", "554 5.4.6 Hop count exceeded - possible mail loop", "bounced", "routing_error"),
    ("networkerror", "neko.example.com[192.0.2.2]:25: No route to host", "deferred", "unable_to_connect"),
    ("networkerror", "Error transferring to neko22.example.org; Maximum hop count exceeded. Message probably in a "
     "routing loop.", "bounced", "routing_error"),
    ("norelaying", "550 5.0.0 Relaying Denied", "bounced", "relay_denied"),
    ("norelaying", "550 relay not permitted", "bounced", "relay_denied"),
    ("norelaying", "550 5.7.1 Unable to relay for neko@example.com", "bounced", "relay_denied"),
    ("notaccept", "556 SMTP protocol returned a permanent error", "bounced", "bad_domain"),
    ("notaccept", "550 5.1.2 <nekochan@libsisimai.org>... Host unknown (Name server: .: host not found)",
     "bounced", "bad_domain"),
    ("notcompliantrfc", "550 5.7.1 This message is not RFC 5322 compliant. There are multiple Subject headers.",
     "bounced", "noncompliant_message"),
    ("notcompliantrfc", "There are multiple Subject headers. Please visit "
     "https://support.google.com/mail/?p=RfcMessageNonCompliant", "bounced", "noncompliant_message"),
    ("notcompliantrfc", "554 Transaction failed: Duplicate header 'DKIM-Signature'. (in reply to end of DATA "
     "command)", "bounced", "noncompliant_message"),
    ("policyviolation", "570 5.7.7 Email not accepted for policy reasons", "bounced", "policy_block"),
    ("policyviolation", "550 Denied by policy", "bounced", "policy_block"),
    ("policyviolation", "554 email rejected due to security policies - MCSpamSignature.sa.2.2 (in reply to end of "
     "DATA command)", "bounced", "spam_content"),
    ("rejected", "550 5.1.8 Domain of sender address example.org does not exist", "bounced", "sender_rejected"),
    # "access denied" at MAIL FROM does not say the sender is the reason (an IP block is refused there too)
    ("rejected", "5.7.1 Access denied (in reply to MAIL FROM command)", "bounced", "policy_block"),
    ("requireptr", "550 5.7.25 [192.0.2.25] The IP address sending this message does not have a PTR record setup",
     "bounced", "auth_failure"),
    ("requireptr", "571 No PTR Record found. Reverse DNS required:", "bounced", "auth_failure"),
    ("requireptr", "550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS "
     "for 203.0.113.2", "bounced", "auth_failure"),
    ("securityerror", "570 5.7.0 Authentication failure", "bounced", "auth_failure"),
    # Exchange: the recipient (a group) takes mail only from authenticated senders
    ("securityerror", "#550 5.7.1 RESOLVER.RST.AuthRequired; authentication required "
     "##rfc822;neko-nyaan@cat.example.jp", "bounced", "policy_block"),
    ("spamdetected", "570 5.7.7 Spam Detected", "bounced", "spam_content"),
    ("spamdetected", "554 5.7.1 Mail Score (59) over MessageScoringUpperLimit (50) - send error reports to "
     "postmaster@example.net", "bounced", "spam_content"),
    ("speeding", "451 4.7.1 <smtp.example.jp[192.0.2.3]>: Client host rejected: Please try again slower",
     "deferred", "rate_limited"),
    ("suspend", "550 5.0.0 Recipient suspend the service", "bounced", "inactive_mailbox"),
    ("suspend", "550 The domain meangel.net is currently suspended. Try later.", "bounced", "inactive_mailbox"),
    ("suspend", "550 5.7.1 <kijitora@example.com>: Recipient address rejected: User kijitora@example.com temporary "
     "locked. Please try again later!", "bounced", "inactive_mailbox"),
    ("systemerror", "500 5.3.5 System config error", "bounced", "routing_error"),
    ("systemerror", "554 5.3.5 Local configuration error", "bounced", "routing_error"),
    ("systemerror", "X-Postfix; mail for example.jp loops back to myself", "bounced", "routing_error"),
    ("systemfull", "550 5.0.0 Mail system full", "bounced", "mailbox_full"),
    ("toomanyconn", "421 Too many connections", "deferred", "rate_limited"),
    ("toomanyconn", "452 4.3.2 Connection rate limit exceeded. (in reply to MAIL FROM command)", "deferred",
     "rate_limited"),
    ("userunknown", "550 5.1.1 Unknown User", "bounced", "bad_mailbox"),
    ("userunknown", "550 kijitora@example.com... No such user", "bounced", "bad_mailbox"),
    ("userunknown", "5.1.0 - Unknown address error 550-'No Such User Here\"' (delivery attempts: 0)", "bounced",
     "bad_mailbox"),
    ("userunknown", ": 550 5.1.1 <kijitora@example.jp>: Recipient address rejected: User unknown in local "
     "recipient table", "bounced", "bad_mailbox"),
    ("userunknown", "554 delivery error: dd This user doesn't have a yahoo.com account "
     "(this-local-part-does-not-exist@yahoo.com)", "bounced", "bad_mailbox"),
    ("userunknown", "procmail: Couldn't create \"/var/spool/mail/neko\" id: r.example.org: No such user", "bounced",
     "bad_mailbox"),
    ("virusdetected", "550 5.7.9 The message was rejected because it contains prohibited virus or spam content",
     "bounced", "spam_content"),
]

# 02-includedin's samples of reasons left out above (LEFT_OUT says why).
LEFT_OUT_SAMPLES: list[tuple[str, str]] = [
    ("mailererror", "X-Unix; 255"),
    ("mailererror", "554 \"|IFS=' ' && exec /usr/local/bin/procmail -f- || exit 75 #kijitora\"... Service "
     "unavailable"),
    ("mailererror", "pipe to |/usr/local/neko/bin/cat kijitora@example.com /home/neko/.cat"),
    ("vacation", "I am away on vacation until December 20th and will return email at that time"),
    ("vacation", "Hello, I am away until 05/07/2010 and am unable to read your message."),
    ("vacation", "I am out of the office until 02/02/2018"),
    ("vacation", "I will be traveling for work on July 16-30."),
]

# Rows the rules are known to miss, and why no rule is added for them: phrase -> reason.
KNOWN_MISSES: dict[str, str] = {
    "Destination server rejected recipients": "a refusal of recipients for any reason, policy too: suppressing "
                                              "on it would delete live addresses",
    "Not a local address": "also what a relay refusal says (a smarthost refusing a recipient it does not host): "
                           "read as a dead address it would suppress every recipient",
    "Recipient is not local": "also what a relay refusal says; read as a dead address it would suppress every "
                              "recipient",
    "<user@example.org>: Recipient address rejected.": "Postfix's prefix for every recipient restriction "
                                                       "(policy, greylisting, blocklists): alone it says no why",
    "Recipient is not accepted": "says refused, not that the address does not exist",
    "Recipient not OK": "says refused, not that the address does not exist",
    "The following recipients was undeliverable": "a summary line that any failure begins with",
    "553 nosuch.example.org does not exist": "'X does not exist' cannot tell a domain from a mailbox; 553's "
                                             "fallback says mailbox (hard either way)",
    "Size limit": "also a mailbox's size limit (a full mailbox): too generic for message_too_large",
    "See http://mail.163.com/help/help_spam_16.htm": "NetEase links this page from every reply (rate limits, "
                                                     "policy, protocol): its code decides (20-providers.toml)",
}


def pf(reply: str, cmd: str) -> str:
    """Postfix smtp(8)'s reason for a reply: to a command, or to the connection (the greeting)."""
    if cmd == "CONNECT":
        return f"host {MX}[192.0.2.25] refused to talk to me: {reply}"
    return f"host {MX}[192.0.2.25] said: {reply} (in reply to {cmd} command)"


def classify(classifier, reason: str, status: str, relay: str | None):
    d = Delivery("postfix", "Q", RCPT, status, reason=reason, relay=Relay(relay) if relay else None,
                 reply=parse_reply(reason))
    c, _ = classifier.classify(rule_context(Envelope(None, None, "postfix/smtp", 1, ""), d))
    return c


def row_status(row: Row) -> str:
    return "deferred" if row.reply[:1] == "4" else "bounced"


def classify_row(classifier, row: Row):
    return classify(classifier, pf(row.reply, row.cmd), row_status(row), MX)


def _param(row: Row):
    marks = ()
    if row.phrase in KNOWN_MISSES:
        marks = (pytest.mark.xfail(reason=KNOWN_MISSES[row.phrase], strict=True),)
    return pytest.param(row, id=f"{row.reason}-{row.phrase[:40]}", marks=marks)


@pytest.mark.parametrize("row", [_param(r) for r in PHRASES])
def test_sisimai_phrase(classifier, row):
    c = classify_row(classifier, row)
    assert c.category == row.category, (c.rule, row.reply, row.source)


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{s[0]}-{i}" for i, s in enumerate(SAMPLES)])
def test_sisimai_sample(classifier, sample):
    _, text, status, category = sample
    c = classify(classifier, text, status, None)
    assert c.category == category, (c.rule, text)


@pytest.mark.parametrize("reply,cmd", [
    # at MAIL FROM an address that "does not exist" or is "suspended" is our sender
    ("550 5.0.0 <sender@example.com> does not exist", "MAIL FROM"),
    ("550 5.0.0 User sender@example.com does not exist", "MAIL FROM"),
    ("550 5.0.0 sender@example.com has been suspended", "MAIL FROM"),
    # a smarthost suspending our account says nothing about the recipient
    ("554 5.0.0 Your account has been suspended", "RCPT TO"),
    ("550 5.0.0 Your email account has been suspended for sending spam", "RCPT TO"),
    # refusals of us that carry address words
    ("550 5.0.0 Error: no valid recipients from [192.0.2.1]", "RCPT TO"),
    ("550 5.1.2 User reject", "RCPT TO"),
    ("550 5.0.0 Account disabled temporarly for exceeding receiving limits", "RCPT TO"),
    # a reverse-DNS check of our host, not the recipient's domain
    ("550 5.0.0 hostname mail.example.com does not resolve to address 192.0.2.1: Name or service not known",
     "RCPT TO"),
])
def test_new_phrases_do_not_suppress_for_others(classifier, reply, cmd):
    """The guards beside the Sisimai phrases: texts near the new address patterns that must not
    delete a recipient (a sender refusal, a block, our own account)."""
    c = classify(classifier, pf(reply, cmd), "bounced", MX)
    assert c.action != "suppress", (c.rule, c.category, reply)


@pytest.mark.parametrize("reason", [
    "authentication required but authentication attempt(s) failed",
    "authentication required but server did not advertise AUTH support",
])
def test_our_own_smtp_auth_failing_is_no_relay_refusal(classifier, reason):
    """Exim's own words when it, the client, must authenticate and cannot (hosts_require_auth; seen in
    the shared corpus' Exim test-suite logs): our side's authentication, not a receiver refusing to
    relay, although the new relay pattern "authentication required" reads the same words."""
    assert classify(classifier, reason, "deferred", None).category == "auth_failure"


def test_table_covers_every_mapped_reason():
    """Every mapped reason has rows; nothing is both mapped and left out; categories exist."""
    import tomllib
    from pathlib import Path
    taxonomy = tomllib.loads((Path(__file__).parent.parent / "plugin" / "classify" / "taxonomy.toml").read_text())
    known = set(taxonomy["category"])
    assert set(MAPPING) <= {r.reason for r in PHRASES}
    assert not set(MAPPING) & set(LEFT_OUT)
    assert {r.category for r in PHRASES} | {s[3] for s in SAMPLES} <= known
    assert set(KNOWN_MISSES) <= {r.phrase for r in PHRASES}
    assert len({(r.reason, r.phrase) for r in PHRASES}) == len(PHRASES)


def score(classifier) -> None:
    """Print right/total per Sisimai reason, then every miss with the rule that decided."""
    right, total, misses = Counter(), Counter(), []
    for row in PHRASES:
        c = classify_row(classifier, row)
        total[row.reason] += 1
        if c.category == row.category:
            right[row.reason] += 1
        else:
            misses.append((row.reason, row.reply, row.category, c.category, c.rule))
    for reason, text, status, category in SAMPLES:
        c = classify(classifier, text, status, None)
        total["(samples)"] += 1
        if c.category == category:
            right["(samples)"] += 1
        else:
            misses.append(("(samples)", text, category, c.category, c.rule))
    for reason in sorted(total):
        print(f"{reason:16} {right[reason]:3}/{total[reason]:3}")
    print(f"{'TOTAL':16} {sum(right.values()):3}/{sum(total.values()):3}")
    for reason, text, want, got, rule in misses:
        print(f"MISS {reason}: {text!r}: want {want}, got {got} ({rule})")


if __name__ == "__main__":
    from bouncewatch.plugin.classify.engine import Classifier
    score(Classifier.load())
    sys.exit(0)
