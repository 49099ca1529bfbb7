"""Blind round U: the receiver replies quoted in ZoneMTA's bounce rule list -> (category, provider,
blocklist), the same table format and taxonomy as tests/test_classify_replies.py (whose module
docstring states the rules the expectations follow) and tests/test_classify_replies_intl2.py
(round T, which took the list's non-English replies).

Source: github.com/zone-eu/zone-mta, config/bounces.txt (read whole, commit 0009aafa). Above most of
its rules the author quoted the replies he met ("# 550 ..."), and a few rule lines are themselves a
reply (the 454 SORBS text, left without its "#"; "554 rejected due to virus"); those are the rows
below, in the file's order. Rules that are only fragments of a reply (Hotmail's "DY-001", AOL's "RTR:BL", Gmail's, Yahoo's) are not
replies and were not taken. ZoneMTA's placeholders (11.22.33.44, 1.2.3.4, example.com) become
documentation values; each reply is wrapped as Postfix logs it, answering the command the rule
implies (a sender address quoted: MAIL FROM; a connection-level refusal: the greeting), else RCPT
TO, with a plausible receiving host. ZoneMTA's own reason column (blacklist, spam, ...) was a hint,
not the answer: the expectations follow DESIGN.md.

Skipped, already in a table (tests/test_classify_replies*.py, test_classify_sisimai_*.py,
tests/data/real-log-lines.txt) by a distinctive fragment: 27 texts -- round T's three (grey.rbl,
the Dutch and the Estonian), Spamhaus via Exchange Online (AS16012611), "Email blocked by
SPAMHAUS", Yahoo's BL21, TSS07 and BL23, GoDaddy's IB105, T-Online's two "A problem occurred",
Trend Micro RBL+, AT&T's two DNSBL:ATTRBL/RBL, "the sending MTA's poor reputation", Microsoft's
S3150, 5.7.606 and 5.7.511, Barracuda's "permanent failure ... :blocked", Mimecast's
csi.mimecast.org, "550 Too many invalid recipients", Comcast's "found on one or more DNSBLs",
"Your access to submit messages", "You are not allowed to connect", and the literal rules
"550 spam message rejected" (Mail.ru), "554 Invalid mailbox", "451 4.3.5 Server configuration
problem" (Hot.ee). A text that differs from a
tabled one only by the list it names was taken: the list's name is part of the expectation.

Decisions the rows make (before scoring):
- A reply that names a DNS zone or a list's lookup/removal page is blocklisted with that list,
  whatever else it says ("Mailbox unavailable", "Recipient address rejected", "You are sending
  spam", a 553 or 5.3.0): the address is not the problem.
- Spamhaus names follow 10-blocklists.toml's: a zone named (zen, sbl, xbl, dbl; the old union
  sbl-xbl as spamhaus-sbl, as the rule file writes it), else "spamhaus" (a query/lookup link
  names no zone).
- URIBL is its own list (uribl.com), not SURBL; "Client host [name] blocked using
  multi.uribl.com" is our host name on it (Postfix's reject_rhsbl_client), not a URL in the body:
  blocklisted/uribl, not spam_content.
- A country zone (ee.countries.nerd.dk, "rejected based on geographical location") is a
  receiver's geographic policy, not a block list (as round T's grey.rbl is greylisting):
  policy_block, no list.
- A list without a name of its own (DRBL, cobion, spamrl) is "dnsbl".
- A receiver's own verdict without a list ("has a bad reputation", "Your IP identified as
  spammer") is bad_reputation; "Blacklisted by recipient" is the recipient's own block,
  policy_block.

Scored before any rule change (commit "round U expectations, before scoring"): 60 of 66 (91 %). No
miss was harmful: none read a block as a dead, disabled or full mailbox (the 5.2.1 "Mailbox
unavailable", the 553s, 5.3.0s and "Recipient address rejected" IP blocks all read as
blocklisted with the right list), and no dead address was among the rows. The six misses, all
other/investigate either way:
- the country zone ee.countries.nerd.dk and "Blacklisted by recipient" read as blocklisted/dnsbl
  (the generic dnsbl entry took "blocked using <zone>" and "blacklisted by");
- both URIBL rows read as spam_content/surbl (uribl was folded into surbl, and every surbl hit was
  taken for a URL in the body);
- "Client host rejected: Relaying denied - Your IP identified as spammer" read as spam_content;
- "The sending IP (x) is listed on https://spamrl.com/" read as general_bounce (the generic dnsbl
  entry took "listed on <zone>" but not a zone written as a URL).
Fixed as data: the generic dnsbl entry takes "listed on https://<zone>" and leaves out a
recipient's own blacklist and a country zone, which policy-block then reads (10-blocklists.toml);
uribl is its own name, and a URIBL/SURBL hit is spam content unless the reply names the host or
sender it checked (Postfix's "Client host [..]" / "Sender address [..]" / "Helo command [..]")
(10-blocklists.toml); reputation takes "ip/host identified as spammer" (50-text.toml). After: 66
of 66, no xfail. No expectation was revised after scoring; the other reply tables and the Postfix
corpus are unchanged.
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf, pf_greet
from test_classify_replies_providers import _row

IP = "198.51.100.7"
MX = "mx.example.net"
RCPT = "x@example.net"
SH_BL = f"http://www.spamhaus.org/query/bl?ip={IP}"
SH_IP = f"https://www.spamhaus.org/query/ip/{IP}"


def bl(reply: str, blocklist: str, cmd: str = "RCPT TO") -> tuple:
    """A plain listing at a neutral receiver: blocklisted, no provider."""
    return C(pf(MX, reply, cmd), MX, RCPT, "blocklisted", None, blocklist)


CASES: list = [
    # --- Spamhaus (the list's "Spamhaus related error messages").
    bl(f"550 {IP} blacklisted see {SH_BL}", "spamhaus"),
    bl(f"550 {IP} listed at spamhaus, see http://www.spamhaus.org", "spamhaus"),
    # "Mailbox unavailable" and 5.2.1 borrowed by an IP block: the list decides, not the mailbox words.
    bl(f"550 5.2.1 Mailbox unavailable. Your IP address {IP} is blacklisted using SPAMHAUS-XBL. Details: {SH_IP}.",
       "spamhaus-xbl"),
    bl("550 5.7.0 Your server IP address is in the SpamHaus SBL-XBL database, bye", "spamhaus-sbl"),
    bl(f"550 5.7.1 {IP} has been blocked by zen.spamhaus.org", "spamhaus-zen"),
    # A geographic zone: the receiver refuses a country, no list to be delisted from.
    C(pf("mx.example.ee", f"554 5.7.1 Service unavailable; Client host [{IP}] blocked using ee.countries.nerd.dk; "
                          "Your IP is in ee, rejected based on geographical location"),
      "mx.example.ee", "x@example.ee", "policy_block", None, None),
    bl(f"550 5.7.1 :127.0.0.4:Client host {IP} blocked using 87.blocklist.zap; Mail from IP banned. To request "
       f"removal from this list please visit {SH_BL}", "spamhaus"),
    # The rule line that is itself a reply (a 454: deferred, the listing still named).
    bl(f"454 4.7.1 Service unavailable; Client host [{IP}] blocked using dnsbl.sorbs.net; Currently Sending Spam "
       f"See: http://www.sorbs.net/lookup.shtml?{IP}", "sorbs"),
    bl(f"550 5.7.1 <sender@example.com>... {IP} listed at zen.spamhaus.org", "spamhaus-zen", "MAIL FROM"),
    bl(f"550 5.7.1 <{RCPT}>... Rejected: {IP} listed at zen.spamhaus.org.", "spamhaus-zen"),
    # The text the rule is written NOT to match: the recipient's own block.
    C(pf(MX, "550 5.7.1 Blacklisted by recipient"), MX, RCPT, "policy_block", None, None),
    bl(f"550 5.7.1 Client address [{IP}] blocked. You are in the SPAMMER List - Listed on The Spamhaus Project. "
       f"See {SH_BL}", "spamhaus"),
    bl(f"550 5.7.1 Mail from {IP} rejected using zen.spamhaus.org. Please see {SH_BL}", "spamhaus-zen"),
    bl(f"550 5.7.1 Mail from IP {IP} was rejected due to listing in Spamhaus XBL. For details please see {SH_BL}",
       "spamhaus-xbl"),
    # "SPL-XBL" as quoted (a typo for SBL-XBL): only Spamhaus is certain.
    bl(f"550 5.7.1 Rejected. Sender {IP} found in SPL-XBL listing; see {SH_BL}", "spamhaus"),
    bl(f"550 5.7.1 Rejected: {IP} listed at zen.spamhaus.org", "spamhaus-zen"),
    # URIBL checked against our host name (reject_rhsbl_client); the second: URIBL refused the
    # receiver's resolver and Postfix read the refusal answer as a listing -- still a block naming it.
    bl("554 5.7.1 Service unavailable; Client host [mail.example.com] blocked using multi.uribl.com", "uribl"),
    bl("554 5.7.1 Service unavailable; Client host [mail.example.com] blocked using multi.uribl.com; 127.0.0.1 -> "
       "Query Refused. See http://uribl.com/refused.shtml for more information [Your DNS IP: 203.0.113.5]", "uribl"),
    # Our sender domain on the DBL (reject_rhsbl_sender).
    bl("554 5.7.1 Service unavailable; Sender address [user@example.com] blocked using dbl.spamhaus.org; "
       "https://www.spamhaus.org/query/domain/example.com", "spamhaus-dbl"),
    # Postfix's default rbl reply in three forms.
    bl(f"550 5.7.1 Service unavailable; client [{IP}] blocked using spamhaus.org", "spamhaus"),
    bl(f"550-5.7.1 Service unavailable; client [{IP}] blocked using zen.spamhaus.org For assistance, see "
       "http://www.scrolloutf1.com or contact your administrator. Please provide the following information in your "
       f"problem report: Time: (Nov 02 11:59:39), Client: ({IP}), Server: (mx.example.net).", "spamhaus-zen"),
    C(pf_greet(MX, f"521 5.7.1 Service unavailable; client [{IP}] blocked using dnsbl.sorbs.net"), MX, RCPT,
      "blocklisted", None, "sorbs"),
    bl("550 5.7.1 The IP address was rejected by the Realtime Block List provider zen.spamhaus.org.", "spamhaus-zen"),
    bl("550 5.7.1 The IP address was rejected by the sbl.spamhaus.org RBL.", "spamhaus-sbl"),
    bl(f"550 5.7.1 This system is configured to reject mail from mta.example.com. Connecting host [{IP}] is listed "
       "by the lookup site 'zen.spamhaus.org.'.", "spamhaus-zen"),
    bl("550 5.7.1 Your IP address is listed by https://spamhaus.org/zen, correct this", "spamhaus-zen"),
    bl("550 5.7.107 The IP address was rejected by the sbl.spamhaus.org RBL.", "spamhaus-sbl"),
    bl(f"550 Listed in zen.spamhaus.org. {SH_IP}", "spamhaus-zen"),
    # A bare lookup link, as a 550 and as a 553 (not "mailbox name not allowed").
    bl(f"550 {SH_IP}", "spamhaus"),
    bl(f"553 {SH_IP}", "spamhaus"),
    bl(f"550-IP {IP} is blacklisted (xbl.spamhaus.org). Help at/Hilfe unter www.mfaq.info", "spamhaus-xbl"),
    bl(f"550-Rejected message because {IP} is in a black list at sbl-xbl.spamhaus.org", "spamhaus-sbl"),
    bl(f"553 5.3.0 {IP} Rejected - see http://www.spamhaus.org", "spamhaus"),
    bl(f"553 5.3.0 <{RCPT}>... Mail from {IP} rejected,see http://www.spamhaus.org/lookup/", "spamhaus"),
    # "Recipient address rejected" borrowed by an IP block.
    bl(f"554 5.7.1 <{RCPT}>: Recipient address rejected: {SH_IP}", "spamhaus"),
    bl(f"554 5.7.1 Blocked - see {SH_BL}", "spamhaus"),
    bl(f"554 5.7.1 IP blocked see: {SH_IP}", "spamhaus"),
    # "sending spam" said of our IP with the list's link: a listing, not a verdict on this message.
    bl(f"554 5.7.1 You are sending spam (check {SH_BL})", "spamhaus"),
    bl(f"554 5.7.1 mta.example.com[{IP}] blocked using zen.spamhaus.org. Please see {SH_IP}", "spamhaus-zen"),
    # Rackspace (emailsrvr.com) querying its own mirror of the XBL.
    C(pf("mx1.emailsrvr.com", f"554 5.7.1 ACL dns_rbl; Client host [{IP}] blocked using "
                              "sa-ip4tset.blagr.emailsrvr.com=127.24.0.2 Spamhaus XBL. Please visit "
                              "http://www.spamhaus.org/lookup/ for more information on why this message could not "
                              "be delivered"),
      "mx1.emailsrvr.com", RCPT, "blocklisted", "rackspace", "spamhaus-xbl"),
    bl(f"554 5.7.1 Service unavailable; Client host [{IP}] blocked using sbl-xbl.spamhaus.org", "spamhaus-sbl"),
    bl(f"554 5.7.1 Service unavailable; Client host [{IP}] blocked using sbl-xbl.spamhaus.org; {SH_IP}",
       "spamhaus-sbl"),
    C(pf_greet(MX, f"554 Denied [SHXBL] - Denied by Spamhaus XBL - See {SH_BL} (Mode: normal)"), MX, RCPT,
      "blocklisted", None, "spamhaus-xbl"),
    C(pf_greet(MX, "554 Refused. Your IP address is listed in the RBL at xbl.spamhaus.org"), MX, RCPT,
      "blocklisted", None, "spamhaus-xbl"),
    bl(f"554 Service unavailable; Client host [{IP}] blocked using zen.spamhaus.org; {SH_IP}", "spamhaus-zen"),
    bl(f"554 Service unavailable; Client host [mta.example.com] blocked by zen.spamhaus.org; {IP}", "spamhaus-zen"),
    # GoDaddy's inbound (bizsmtp) and a Cloudmark-gateway MX (cmsmtp), both at the greeting.
    C(pf_greet("smtp.secureserver.net", f"554 bosimpinc12 bizsmtp {IP} is on the Spamhaus XBL blacklist. Please "
                                        f"visit: {SH_BL}"),
      "smtp.secureserver.net", RCPT, "blocklisted", None, "spamhaus-xbl"),
    C(pf_greet(MX, f"554 {MX} cmsmtp 1sSZcfhLEUv3Q IP blacklisted by Spamhaus. For remediation please use "
                   "https://www.spamhaus.org/lookup/ [103]"), MX, RCPT, "blocklisted", None, "spamhaus"),

    # --- SORBS and other lists.
    C(pf("mx01.example.bg", f"591 x@example.bg your host [{IP}] is blacklisted by dnsbl.sorbs.net. Currently "
                            f"Sending Spam See: http://www.sorbs.net/lookup.shtml?{IP}. Send your questions to "
                            "blacklist-admin@mx01.example.bg"),
      "mx01.example.bg", "x@example.bg", "blocklisted", None, "sorbs"),
    bl(f"550 Rejected: {IP} is listed at work.drbl.example.net", "dnsbl"),
    bl(f"550 Rejected due to DNSBL server response (dnsbl.cobion.com - {IP})", "dnsbl"),
    bl(f"550 Rejected {IP} found in dnsbl.sorbs.net", "sorbs"),
    C(pf_greet(MX, f"554 Connection from {IP} rejected for policy reasons. Host found in DNS blacklist at "
                   "dnsbl.sorbs.net"), MX, RCPT, "blocklisted", None, "sorbs"),
    bl(f"554 5.7.1 SORBS DNSBL Entry - see <http://www.us.sorbs.net/lookup.shtml?{IP}>", "sorbs"),
    bl(f"550 Mail from {IP} rejected see: http://www.dnsbl.sorbs.net/", "sorbs"),
    bl(f"451 Currently Sending Spam See: http://www.sorbs.net/lookup.shtml?{IP}", "sorbs"),
    # Our sender quoted, but the DNSBL refused our IP: not our envelope sender's fault.
    bl("501 5.7.1 <sender@example.com>... Sender refused by the DNSBL dnsbl.sorbs.net", "sorbs", "MAIL FROM"),
    # Coremail's deferral naming the list it checked.
    C(pf("mx.example.cn", "450 Requested action not taken:c1mx2, IwENCgC3+s5MYEpYXlIcAA--.4588S3, dnsbl.sorbs.net, "
                          "please try again"),
      "mx.example.cn", "x@example.cn", "blocklisted", None, "sorbs"),
    # Cloudmark's CSI, behind an Exim ACL and behind Terra's cmsmtp.
    bl(f"550-\"JunkMail rejected - mail.example.com [{IP}]:39153 is in an RBL on "
       f"csi.cloudmark.com/reset-request/?ip={IP} , see Poor Reputation Sender\"", "cloudmark"),
    C(pf_greet("mx.terra.com", f"554 mx.terra.com cmsmtp 5.7.1 Service unavailable; Client host [{IP}] blocked using "
                               "cm-csi-v11; Cloudmark Poor Reputation Sender Blacklist "
                               f"http://csi.cloudmark.com/reset-request/?ip={IP}"),
      "mx.terra.com", "x@terra.com.br", "blocklisted", "terra", "cloudmark"),
    # The receiver's own verdict, with its own unblock page: no list named.
    C(pf(MX, f"554 5.5.4 Your IP {IP} address has a bad reputation. To unblock visit "
             f"http://cloud-security.net/unblock?ip={IP}"), MX, RCPT, "bad_reputation", None, None),
    C(pf(MX, f"553 5.7.1 <mail.example.com[{IP}]>: Client host rejected: Relaying denied - Your IP identified as "
             "spammer. Please contact 123"), MX, RCPT, "bad_reputation", None, None),

    # --- "Other servers".
    bl(f"550 Black listed at hostkarma http://ipadmin.junkemailfilter.com/remove.php?ip={IP}", "hostkarma"),
    bl(f"550 The sending IP ({IP}) is listed on https://spamrl.com/. Please resolve this and retry.", "dnsbl"),
    bl(f"550 5.7.1 {IP} listed at dnsbl.cobion.com", "dnsbl"),
    C(pf(MX, "554 rejected due to virus", "end of DATA"), MX, RCPT, "virus_or_attachment", None, None),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{_row(c)[3]}" for i, c in enumerate(CASES)])
def test_real_zonemta_reply(classifier, case):
    check_reply(classifier, case)
