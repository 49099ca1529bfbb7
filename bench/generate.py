#!/usr/bin/env python3
"""Realistic Postfix logs of a busy outbound relay, for benchmarks and demos.

A small discrete-event simulation of an ESP's relay, not a line shuffler: a
message arrives (smtpd, cleanup, opendkim, qmgr), is delivered per recipient
by ``postfix/smtp`` (a share first through an amavis content filter on
127.0.0.1:10024/10025), is retried from the deferred queue with Postfix's
backoff under the same queue id, bounces (with a non-delivery notification
to the sender), expires after ``--queue-lifetime`` or is deleted by the
operator. Around it: postscreen, NOQUEUE rejects, SASL guessing, TLS lines,
anvil/scache statistics, cron. Receiver replies are the texts Gmail,
Microsoft, Yahoo, iCloud, GMX, Orange ... really send, with their per-message
ids and the recipient's address inside, so a classifier cannot answer from a
cache of a few dozen distinct texts.

Same ``--seed``, same options -> the same bytes. ``--truth FILE`` writes what
a parser must find (deliveries per status, expiry/removal fan-out, lines of
non-Postfix programs) as JSON.

    python bench/generate.py --lines 400000 --seed 1 -o mail.log --truth mail.truth.json
    python bench/generate.py --rate 40 --follow /tmp/demo/mail.log   # live, until Ctrl-C
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import random
import signal
import string
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, TextIO

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HOST = "mx-out1"
OUR_IP = "198.51.100.25"          # the relay's sending address, named in blocks
MYHOSTNAME = "mx-out1.relay.example"
LINES_PER_MESSAGE = 14            # lines per message, noise included (measured), to pace --rate


# -- reply texts ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reply:
    """One receiver answer. ``text`` is a str.format template over the fields
    of :class:`Fields`; ``command`` is what Postfix names in ``(in reply to X
    command)``; ``greeting`` replies are logged as ``refused to talk to me``.
    ``dsn`` is what Postfix writes in ``dsn=`` (the reply's enhanced code, or
    the class default x.0.0 when the reply carries none)."""

    text: str
    dsn: str
    command: str = "RCPT TO"
    weight: int = 1
    greeting: bool = False


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    domains: tuple[str, ...]
    mx: tuple[tuple[str, str], ...]     # (host, ip prefix)
    ok: tuple[str, ...]                 # 250 replies
    hard: tuple[Reply, ...]             # 5xx
    soft: tuple[Reply, ...]             # 4xx
    tls: float = 0.9                    # share of sessions logging a TLS line


def R(text: str, dsn: str, command: str = "RCPT TO", weight: int = 1, greeting: bool = False) -> Reply:
    return Reply(text, dsn, command, weight, greeting)


GMAIL_HARD = (
    R("550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 "
      "double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. "
      "For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser {gid} - gsmtp",
      "5.1.1", weight=70),
    R("550-5.2.1 The email account that you tried to reach is inactive. For more 550-5.2.1 information, "
      "go to 550 5.2.1  https://support.google.com/mail/?p=DisabledUser {gid} - gsmtp", "5.2.1", weight=10),
    R("550-5.7.26 Unauthenticated email from {sdomain} is not accepted due to domain's 550-5.7.26 DMARC "
      "policy. Please contact the administrator of {sdomain} domain if 550-5.7.26 this was a legitimate "
      "mail. To learn about the DMARC initiative, go 550-5.7.26 to 550 5.7.26  "
      "https://support.google.com/mail/?p=DmarcRejection {gid} - gsmtp", "5.7.26", "end of DATA", 8),
    R("550-5.7.1 [{ourip}] Gmail has detected that this message is likely 550-5.7.1 suspicious due to the "
      "very low reputation of the sending domain. To 550-5.7.1 best protect our users from spam, the "
      "message has been blocked. For 550-5.7.1 more information, go to 550 5.7.1  "
      "https://support.google.com/mail/answer/188131 {gid} - gsmtp", "5.7.1", "end of DATA", 6),
    R("552-5.2.3 Your message exceeded Google's message size limits. For more 552-5.2.3 information, go to "
      "552 5.2.3  https://support.google.com/mail/?p=MaxSizeError {gid} - gsmtp", "5.2.3", "end of DATA", 2),
)
GMAIL_SOFT = (
    R("452-4.2.2 The recipient's inbox is out of storage space. Please direct the 452-4.2.2 recipient to "
      "452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp {gid} - gsmtp", "4.2.2", weight=30),
    R("421-4.7.28 [{ourip}      15] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail "
      "originating from your IP address. To protect our 421-4.7.28 users from spam, mail sent from your IP "
      "address has been temporarily 421-4.7.28 rate limited. Please visit 421-4.7.28  "
      "https://support.google.com/mail/?p=UnsolicitedRateLimitError to 421 4.7.28 review our Bulk Email "
      "Senders Guidelines. {gid} - gsmtp", "4.7.28", "end of DATA", 40),
    R("450-4.2.1 The user you are trying to contact is receiving mail at a rate that 450-4.2.1 prevents "
      "additional messages from being delivered. Please resend your 450-4.2.1 message at a later point. If "
      "the user is able to receive mail at that 450-4.2.1 time, your message will be delivered. For more "
      "information, go to 450-4.2.1  https://support.google.com/mail/?p=ReceivingRatePerUser {gid} - gsmtp",
      "4.2.1", weight=20),
    R("451 4.3.0 Mail server temporarily rejected message. {gid} - gsmtp", "4.3.0", "end of DATA", 10),
)
GMAIL_OK = ("250 2.0.0 OK  {epoch} {gid} - gsmtp",)

MS_HARD = (
    R("550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [{exhost} {isots} {hexid}]",
      "5.5.0", weight=60),
    R("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {rcpt} not found by SMTP address lookup",
      "5.1.10", "end of DATA", 15),
    R("550 5.7.1 Unfortunately, messages from [{ourip}] weren't sent. Please contact your Internet service "
      "provider since part of their network is on our block list (S3150). You can also refer your provider "
      "to http://mail.live.com/mail/troubleshooting.aspx#errors. [{exhost} {isots} {hexid}]",
      "5.7.1", "MAIL FROM", 10),
)
MS_SOFT = (
    R("451 4.7.650 The mail server [{ourip}] has been temporarily rate limited due to IP reputation. For "
      "e-mail delivery information, see https://postmaster.live.com (S775) [{exhost} {isots} {hexid}]",
      "4.7.650", "MAIL FROM", 60),
    R("451 4.7.500 Server busy. Please try again later from [{ourip}]. (S77714) [{exhost} {isots} {hexid}]",
      "4.7.500", "MAIL FROM", 25),
    R("421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission "
      "channel", "4.3.2", "CONNECT", 15, greeting=True),
)
MS_OK = ("250 2.6.0 <{msgid}> [InternalId={iid}, Hostname={exhost}] {size} bytes in {secs}, {kbps} KB/sec "
         "Queued mail for delivery -> 250 2.1.5",)
M365_HARD = (
    R("550 5.4.1 Recipient address rejected: Access denied. For more information see "
      "https://aka.ms/EXOSmtpErrors [{exhost} {isots} {hexid}]", "5.4.1", weight=60),
    R("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {rcpt} not found by SMTP address lookup",
      "5.1.10", "end of DATA", 30),
    R("550 5.7.606 Access denied, banned sending IP [{ourip}]. To request removal from this list please "
      "visit https://sender.office.com/ and follow the directions. For more information please go to  "
      "http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430) [{exhost} {isots} {hexid}]",
      "5.7.606", "MAIL FROM", 10),
)

YAHOO_HARD = (
    R("554 delivery error: dd This user doesn't have a {domain} account ({rcpt}) [0] - "
      "mta{n4}.mail.{dc}.yahoo.com", "5.0.0", "end of DATA", 70),
    R("552 1 Requested mail action aborted, mailbox not found", "5.0.0", "end of DATA", 15),
    R("553 5.7.2 [TSS09] All messages from {ourip} will be permanently deferred; Retrying will NOT succeed. "
      "See https://senders.yahooinc.com/error-codes", "5.7.2", "MAIL FROM", 15),
)
YAHOO_SOFT = (
    R("421 4.7.0 [TSS04] Messages from {ourip} temporarily deferred due to unexpected volume or user "
      "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", "4.7.0", "MAIL FROM", 70),
    R("451 Message temporarily deferred - [160]", "4.0.0", "end of DATA", 30),
)

APPLE_HARD = (
    R("550 5.1.1 <{rcpt}>: user does not exist", "5.1.1", weight=80),
    R("554 5.7.1 [CS01] Message rejected due to local policy. Please visit "
      "https://support.apple.com/en-us/HT204137", "5.7.1", "end of DATA", 20),
)
APPLE_SOFT = (
    R("421 4.7.0 [HM08] Message rejected due to local policy. Please visit "
      "https://support.apple.com/en-us/HT204137", "4.7.0", "end of DATA", 1),
)

GMX_HARD = (
    R("550 Requested action not taken: mailbox unavailable", "5.0.0", weight=60),
    R("554-Transaction failed 554-Reject due to policy restrictions. 554 For explanation visit "
      "https://postmaster.gmx.net/en/case?c=r0701&i=ip&v={ourip}&r={gmxid}", "5.0.0", "MAIL FROM", 30),
    R("552 Requested mail action aborted: exceeded storage allocation", "5.0.0", "end of DATA", 10),
)
GMX_SOFT = (
    R("421-gmx.net ({mxshort}) Nemesis ESMTP Service not available 421-Service unavailable 421-Reject due "
      "to policy restrictions. 421 For explanation visit "
      "https://postmaster.gmx.net/en/case?c=hi&i=ip&v={ourip}&r={gmxid}", "4.0.0", "CONNECT", 1, True),
)

ORANGE_HARD = (
    R("550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]", "5.1.1",
      weight=80),
    R("550 5.7.1 Service refuse. Veuillez essayer plus tard. service refused, please try later. "
      "OFR_999 [999]", "5.7.1", "MAIL FROM", 20),
)
ORANGE_SOFT = (
    R("421 mwinf{n4} ME Trop de connexions, veuillez verifier votre configuration. Too many connections, "
      "slow down. OFR005_104 [104]", "4.0.0", "CONNECT", 1, True),
)

MAILRU_HARD = (
    R("550 Message was not accepted -- invalid mailbox.  Local mailbox {rcpt} is unavailable: user not found",
      "5.0.0", "end of DATA", 1),
)
MAILRU_SOFT = (R("451 Ratelimit exceeded for mailbox {rcpt}. Try again later.", "4.0.0", "end of DATA", 1),)
YANDEX_HARD = (R("550 5.7.1 No such user!", "5.7.1", weight=1),)
YANDEX_SOFT = (R("451 4.7.1 Sorry, the service is currently unavailable. Please come back later.", "4.7.1",
                 weight=1),)

COMCAST_HARD = (
    R("550 5.1.1 <{rcpt}> Not our Customer", "5.1.1", weight=80),
    R("554 resimta-po-{n2}v.sys.comcast.net resimta-po-{n2}v.sys.comcast.net {ourip} found on one or more "
      "DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000001", "5.0.0", "CONNECT", 20, True),
)
COMCAST_SOFT = (
    R("421 resimta-h2p-{n6}.sys.comcast.net {ourip} rate limited, too many connections. see "
      "http://postmaster.comcast.net/smtp-error-codes.php#RL000001", "4.0.0", "CONNECT", 1, True),
)

PPOINT_HARD = (
    R("550 5.1.1 <{rcpt}>... User Unknown", "5.1.1", weight=80),
    R("554 5.7.1 Message rejected: spam detected, Proofpoint Reference {hexid}", "5.7.1", "end of DATA", 20),
)
PPOINT_SOFT = (R("450 4.7.1 Connection rate limit exceeded, please try again later", "4.7.1", "MAIL FROM", 1),)
MIMECAST_HARD = (
    R("550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [{mcid}.{mxshort}]",
      "5.0.0", weight=80),
    R("554 Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 "
      "[{mcid}.{mxshort}]", "5.0.0", "end of DATA", 20),
)
MIMECAST_SOFT = (
    R("451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451 "
      "[{mcid}.{mxshort}]", "4.0.0", weight=1),
)

# Small organisations' own Postfix/Exim servers (with their own DNSBL checks).
SMALL_HARD = (
    R("550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table", "5.1.1",
      weight=40),
    R("550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table", "5.1.1",
      weight=20),
    R("550 Unrouteable address", "5.0.0", weight=5),
    R("554 5.7.1 Service unavailable; Client host [{ourip}] blocked using zen.spamhaus.org; "
      "https://www.spamhaus.org/query/ip/{ourip}", "5.7.1", weight=8),
    R("554 Service unavailable; Client host [{ourip}] blocked using b.barracudacentral.org; "
      "http://www.barracudanetworks.com/reputation/?pr=1&ip={ourip}", "5.0.0", weight=4),
    R("554 5.7.1 Service unavailable; Client host [{ourip}] blocked using bl.spamcop.net; Blocked - see "
      "https://www.spamcop.net/bl.shtml?{ourip}", "5.7.1", weight=3),
    R("552 5.2.2 <{rcpt}> Mailbox is full / Blocks limit exceeded / Inode limit exceeded", "5.2.2",
      "end of DATA", 8),
    R("550 5.7.23 <{rcpt}>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. "
      "Please see http://www.openspf.net/Why?s=mfrom;id={sender};ip={ourip};r=<UNKNOWN>", "5.7.23", weight=4),
    R("552 5.3.4 Message size exceeds fixed limit", "5.3.4", "end of DATA", 3),
    R("554 5.7.1 <{rcpt}>: Relay access denied", "5.7.1", weight=3),
)
SMALL_SOFT = (
    R("450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see "
      "http://postgrey.schweikert.ch/help/{domain}.html", "4.2.0", weight=50),
    R("451 4.7.1 Greylisting in action, please come back later", "4.7.1", weight=15),
    R("452 4.2.2 <{rcpt}> Quota exceeded (mailbox for user is full)", "4.2.2", weight=15),
    R("451 4.3.0 <{rcpt}>: Temporary lookup failure", "4.3.0", weight=10),
    R("421 4.7.0 {mx} Error: too many connections from {ourip}", "4.7.0", "CONNECT", 10, True),
)
SMALL_OK = ("250 2.0.0 Ok: queued as {pfid}", "250 OK id={eximid}", "250 2.0.0 {pfid} Message accepted for delivery")

# Failures on our side of the wire (relay=none or no reply at all).
CONNECT_FAILURES = (
    ("connect to {mx}[{mxip}]:25: Connection timed out", "4.4.1", True),
    ("connect to {mx}[{mxip}]:25: Connection refused", "4.4.1", True),
    ("Host or domain name not found. Name service error for name={domain} type=MX: Host not found, try again",
     "4.4.3", True),
)
SESSION_FAILURES = (
    ("lost connection with {mx}[{mxip}] while receiving the initial server greeting", "4.4.2", False),
    ("conversation with {mx}[{mxip}] timed out while sending end of data -- message may be sent more than once",
     "4.4.2", False),
    ("Cannot start TLS: handshake failure", "4.7.5", False),
)

PROVIDERS: tuple[tuple[int, Provider], ...] = (
    (30, Provider("gmail", ("gmail.com",) * 20 + ("googlemail.com",),
                  (("gmail-smtp-in.l.google.com", "142.250.102."), ("alt1.gmail-smtp-in.l.google.com", "142.250.153."),
                   ("alt2.gmail-smtp-in.l.google.com", "74.125.200.")), GMAIL_OK, GMAIL_HARD, GMAIL_SOFT)),
    (5, Provider("workspace", ("northwind-traders.example", "contoso-labs.example", "fabrikam.example",
                               "tailspin.example", "adatum.example"),
                 (("aspmx.l.google.com", "142.250.27."), ("alt1.aspmx.l.google.com", "142.250.150.")),
                 GMAIL_OK, GMAIL_HARD, GMAIL_SOFT)),
    (12, Provider("microsoft", ("outlook.com", "outlook.com", "hotmail.com", "hotmail.com", "live.com",
                                "msn.com", "hotmail.fr", "outlook.de"),
                  (("hotmail-com.olc.protection.outlook.com", "52.101.42."),
                   ("outlook-com.olc.protection.outlook.com", "52.101.68.")), MS_OK, MS_HARD, MS_SOFT)),
    (8, Provider("m365", ("woodgrove.example", "litware.example", "proseware.example", "wingtip.example",
                          "lucerne.example", "margie.example"),
                 (("{dashdomain}.mail.protection.outlook.com", "52.101.11."),
                  ("{dashdomain}.mail.protection.outlook.com", "40.93.212.")), MS_OK, M365_HARD, MS_SOFT)),
    (9, Provider("yahoo", ("yahoo.com",) * 6 + ("ymail.com", "aol.com", "aol.com", "yahoo.fr", "rocketmail.com"),
                 (("mta5.am0.yahoodns.net", "67.195.204."), ("mta6.am0.yahoodns.net", "98.136.96."),
                  ("mta7.am0.yahoodns.net", "67.195.228.")), ("250 ok dirdel", "250 ok dirdel {n4}"),
                 YAHOO_HARD, YAHOO_SOFT)),
    (5, Provider("apple", ("icloud.com", "icloud.com", "me.com", "mac.com"),
                 (("mx01.mail.icloud.com", "17.57.154."), ("mx02.mail.icloud.com", "17.42.251.")),
                 ("250 2.0.0 Ok: queued as {pfid}",), APPLE_HARD, APPLE_SOFT)),
    (4, Provider("gmx", ("gmx.de", "gmx.net", "web.de", "web.de", "gmx.at"),
                 (("mx00.emig.gmx.net", "212.227.15."), ("mx01.emig.gmx.net", "212.227.17.")),
                 ("250 Requested mail action okay, completed: id={gmxid}",), GMX_HARD, GMX_SOFT)),
    (2, Provider("orange", ("orange.fr", "wanadoo.fr"),
                 (("smtp-in.orange.fr", "80.12.242."), ("smtp-in.orange.fr", "193.252.22.")),
                 ("250 2.0.0 {orangeid} mail accepted for delivery",), ORANGE_HARD, ORANGE_SOFT, 0.5)),
    (1, Provider("mailru", ("mail.ru", "bk.ru", "list.ru", "inbox.ru"),
                 (("mxs.mail.ru", "94.100.180."), ("mxs.mail.ru", "217.69.139.")),
                 ("250 OK id=1{mrid}",), MAILRU_HARD, MAILRU_SOFT)),
    (1, Provider("yandex", ("yandex.ru", "ya.ru"), (("mx.yandex.ru", "77.88.21."),),
                 ("250 2.0.0 Ok: queued on mail-nwsmtp-mxfront-production-main-{n2}.iva.yp-c.yandex.net "
                  "{epoch}-{yid}",), YANDEX_HARD, YANDEX_SOFT)),
    (2, Provider("comcast", ("comcast.net",), (("mx1a1.comcast.net", "96.114.157."), ("mx2c1.comcast.net", "68.87.26.")),
                 ("250 2.0.0 {cmid} mail accepted for delivery",), COMCAST_HARD, COMCAST_SOFT)),
    (2, Provider("proofpoint", ("globex.example", "initech.example", "umbrella-corp.example"),
                 (("mx0a-00{n6}.pphosted.com", "148.163.156."), ("mx0b-00{n6}.pphosted.com", "148.163.158.")),
                 ("250 2.0.0 {ppid} Message accepted for delivery",), PPOINT_HARD, PPOINT_SOFT)),
    (1, Provider("mimecast", ("hooli.example", "vandelay.example"),
                 (("eu-smtp-inbound-1.mimecast.com", "195.130.217."), ("eu-smtp-inbound-2.mimecast.com", "91.220.42.")),
                 ("250 {mcid} Message accepted",), MIMECAST_HARD, MIMECAST_SOFT)),
    (18, Provider("small", tuple(f"{w}.example" for w in (
        "bakery-schmidt", "kanzlei-weber", "lyon-avocats", "tandem-cycles", "harbourview-dental",
        "oakridge-school", "riverside-clinic", "nordlicht-reisen", "casa-lucia", "mapleleaf-realty",
        "brightpath-tutoring", "alpine-sports", "greenfield-farm", "bluewave-it", "stadtwerke-musterstadt",
        "pixelforge", "copperkettle", "sunrise-yoga", "hanseatic-logistik", "westend-music")),
                  (("mail.{domain}", "203.0.113."), ("mx1.{domain}", "192.0.2.")), SMALL_OK, SMALL_HARD, SMALL_SOFT,
                  0.6)),
)
TYPO_DOMAINS = ("gmial.com", "gmai.com", "hotmial.com", "yaho.com", "outlok.com", "gnail.com", "icloud.co")
NULLMX_DOMAINS = ("nomail.example", "parked-domain.example")
DEAD_DOMAINS = ("old-startup.example", "defunct-shop.example", "closed-gmbh.example", "expired-club.example")

FIRST = ("anna", "ben", "clara", "david", "emma", "felix", "greta", "hugo", "ines", "jonas", "karla", "leon",
         "mia", "noah", "olivia", "paul", "queenie", "rafael", "sofia", "tom", "ursula", "viktor", "wendy",
         "xavier", "yara", "zoe", "li", "wei", "aiko", "omar", "fatima", "lucas", "chloe", "mateo", "nina")
LAST = ("mueller", "smith", "dubois", "rossi", "garcia", "kowalski", "nguyen", "jensen", "silva", "ivanova",
        "murphy", "schmidt", "martin", "lopez", "novak", "tanaka", "kim", "olsen", "bernard", "weber")
SENDER_DOMAINS = ("news.shopmail.example", "em.fashionhub.example", "mail.travelbuddy.example",
                  "notify.bankly.example", "info.gamezone.example", "bounce.saasly.example")
APP_HOSTS = tuple((f"app{n:02d}.int.relay.example", f"10.20.0.{10 + n}") for n in range(1, 13))


# -- helpers -------------------------------------------------------------------------
B32 = string.ascii_uppercase + "234567"
HEX = "0123456789ABCDEF"
ALNUM = string.ascii_letters + string.digits


class Fields(dict):
    """The template fields of one delivery; random ids are drawn only when a
    template names them (``str.format_map`` asks through ``__missing__``)."""

    def __init__(self, rng: random.Random, base: dict[str, str]) -> None:
        super().__init__(base)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key == "gid":       # Gmail's per-transaction id: "a640si1234567ejc.123"
            v = (r.choice(("a", "d", "5b1f17b1804b1-")) + "".join(r.choices(string.ascii_lowercase + string.digits, k=10))
                 + f"si{r.randrange(10**6, 10**7)}" + r.choice(("ejc", "wrc", "pfh", "qtx")) + f".{r.randrange(1000)}")
        elif key == "hexid":
            v = "08" + "".join(r.choices(HEX, k=14))
        elif key == "exhost":
            v = (r.choice(("AM4PEPF", "DB5PEPF", "CH1PEPF", "SN1PEPF", "VI1EUR04FT", "BN8NAM12FT"))
                 + f"{r.randrange(10**5):05d}" + r.choice((".eurprd04.prod.outlook.com", ".namprd05.prod.outlook.com",
                                                            ".eop-EUR03.prod.protection.outlook.com")))
        elif key == "iid":
            v = str(r.randrange(10**13, 10**14))
        elif key in ("pfid", "cmid"):
            v = "4" + "".join(r.choices(ALNUM, k=13))
        elif key == "eximid":
            v = "".join(r.choices(ALNUM, k=6)) + "-" + "".join(r.choices(ALNUM, k=6)) + "-" + "".join(r.choices(ALNUM, k=2))
        elif key in ("gmxid", "mcid", "ppid", "orangeid", "yid", "mrid"):
            v = "".join(r.choices(ALNUM, k=r.randrange(12, 22)))
        elif key == "n2":
            v = f"{r.randrange(10, 99)}"
        elif key == "n4":
            v = f"{r.randrange(1000, 9999)}"
        elif key == "n6":
            v = f"{r.randrange(100000, 999999)}"
        elif key == "dc":
            v = r.choice(("bf1", "gq1", "ne1", "ir2"))
        elif key == "secs":
            v = f"{r.uniform(0.05, 2.5):.3f}"
        elif key == "kbps":
            v = f"{r.uniform(20, 400):.3f}"
        elif key == "mxshort":
            v = f"mxgmx{r.randrange(1, 120):03d}"
        else:
            raise KeyError(key)
        self[key] = v
        return v


def weighted(rng: random.Random, items, weights=None):
    return rng.choices(items, weights=weights)[0]


@dataclass(slots=True)
class Recipient:
    address: str
    domain: str
    provider: Provider | None
    mx: str
    mxip: str
    script: list[tuple[str, object]]   # per attempt: ("ok", None) | ("hard"|"soft", Reply) | ("conn"|"session", tuple)
    attempt: int = 0
    done: bool = False
    bounced: bool = False
    logged: bool = False               # a delivery line of it was written (the parser knows it)


@dataclass(slots=True)
class Message:
    qid: str
    sender: str
    msgid: str
    size: int
    arrived: float
    recipients: list[Recipient]
    attempts: int = 0
    doomed_removal: bool = False       # the operator deletes it from the deferred queue


@dataclass
class Config:
    seed: int = 1
    msg_rate: float = 2.0                  # messages per second arriving
    queue_lifetime: float = 3 * 3600.0     # maximal_queue_lifetime (bulk relays shorten it)
    min_backoff: float = 300.0             # minimal_backoff_time (queue_run_delay follows it)
    max_backoff: float = 4000.0
    filter_share: float = 0.25             # through amavis
    postscreen_rate: float = 0.5           # inbound connections per second
    failure_scale: float = 1.0             # multiplies every failure probability
    start: datetime = datetime(2026, 11, 20, 6, 0, 0)   # sim time 0, local wall time


class Relay:
    """The simulation: pops the earliest item; lines are yielded, actions run
    (and schedule more). ``truth`` counts what a parser must find."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        # (time, seq, line without stamp | None, truth meta | None, action | None); seq breaks ties
        self._heap: list[tuple] = []
        self._seq = itertools.count()
        self.truth: Counter[str] = Counter()
        self._qids: set[str] = set()
        self._pids = {name: [self.rng.randrange(2000, 60000) for _ in range(n)]
                      for name, n in (("smtpd", 24), ("smtp", 40), ("cleanup", 6), ("bounce", 3),
                                      ("postscreen", 1), ("dnsblog", 4), ("opendkim", 1), ("amavis", 8))}
        self._qmgr_pid = self.rng.randrange(900, 2000)
        self.now = 0.0
        self.epoch = cfg.start.replace(tzinfo=timezone.utc).timestamp()  # for ids; zone-independent

    def wall(self, t: float) -> datetime:
        return self.cfg.start + timedelta(seconds=max(t, 0.0))

    def clock(self, t: float) -> str:
        """RFC 3164 style, as Postfix writes times inside messages (anvil, scache)."""
        d = self.wall(t)
        return f"{MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S}"

    def iso(self, t: float) -> str:
        return self.wall(t).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t * 1000) % 1000:03d}Z"

    # -- scheduling ---------------------------------------------------------------
    def at(self, t: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self._heap, (t, next(self._seq), None, None, action))

    def log(self, t: float, program: str, msg: str, meta: str | None = None, pid: int | None = None) -> None:
        if pid is None:
            pid = self.pid(program.rsplit("/", 1)[-1])
        heapq.heappush(self._heap, (t, next(self._seq), f"{HOST} {program}[{pid}]: {msg}", meta, None))

    def pid(self, daemon: str) -> int:
        if daemon == "qmgr":
            return self._qmgr_pid
        pool = self._pids.get(daemon)
        return self.rng.choice(pool) if pool else self.rng.randrange(2000, 60000)

    def run(self) -> Iterator[tuple[float, str]]:
        """(sim seconds, line without the stamp), forever, in time order."""
        for start in (self.arrival, self.postscreen, self.housekeeping, self.sasl_guessing):
            self.at(self.rng.uniform(0, 2), start)
        heap = self._heap
        while heap:
            t, _, text, meta, action = heapq.heappop(heap)
            self.now = t
            if action is not None:
                action(t)
                continue
            if meta:
                kind, _, n = meta.partition("=")
                self.truth[kind] += int(n) if n else 1
            self.truth["lines"] += 1
            yield t, text

    # -- ids ------------------------------------------------------------------------
    def new_qid(self) -> str:
        while True:
            q = "".join(self.rng.choices(HEX, k=self.rng.choice((10, 10, 11))))
            if q not in self._qids:
                self._qids.add(q)
                if len(self._qids) > 200_000:
                    self._qids.clear()
                return q

    def address(self) -> tuple[str, str, Provider | None, str]:
        """-> (address, domain, provider, kind) with kind normal|typo|nullmx|dead."""
        r = self.rng
        local = f"{r.choice(FIRST)}{r.choice(('.', '_', ''))}{r.choice(LAST)}"
        if r.random() < 0.6:
            local += str(r.randrange(1, 9999))
        u = r.random() / self.cfg.failure_scale
        if u < 0.004:
            return f"{local}@{r.choice(TYPO_DOMAINS)}", "", None, "typo"
        if u < 0.005:
            d = r.choice(NULLMX_DOMAINS)
            return f"{local}@{d}", d, None, "nullmx"
        if u < 0.011:
            d = r.choice(DEAD_DOMAINS)
            return f"{local}@{d}", d, None, "dead"
        p = weighted(r, [p for _, p in PROVIDERS], [w for w, _ in PROVIDERS])
        d = r.choice(p.domains)
        if r.random() < 0.03:   # mixed-case domains happen; Postfix logs them as given
            d = d.capitalize()
        return f"{local}@{d}", d.lower(), p, "normal"

    def recipient(self) -> Recipient:
        r = self.rng
        addr, domain, prov, kind = self.address()
        if prov is None:
            mxhost = f"mx.{domain}" if domain else ""
            mx = (mxhost, f"203.0.113.{r.randrange(2, 250)}")
            if kind == "typo":
                domain = addr.rsplit("@", 1)[1]
                script: list[tuple[str, object]] = [("dns", None)]
            elif kind == "nullmx":
                script = [("nullmx", None)]
            else:
                script = [("conn", r.choice(CONNECT_FAILURES))]
            return Recipient(addr, domain, None, *mx, script=script)
        host, prefix = r.choice(prov.mx)
        host = host.format(domain=domain, dashdomain=domain.replace(".", "-"), n6=r.randrange(100000, 999999))
        mxip = prefix + str(r.randrange(2, 250))
        u = r.random() / self.cfg.failure_scale
        ok: tuple[str, object] = ("ok", None)
        if u < 0.035:
            script = [("hard", self.pick(prov.hard))]
        elif u < 0.043:                    # deferred until the queue lifetime ends
            script = [("soft", self.pick(prov.soft))]
        elif u < 0.05:                     # deferred a few times, then given up with a 5xx
            soft = self.pick(prov.soft)
            script = [("soft", soft)] * r.randint(1, 3) + [("hard", self.pick(prov.hard))]
        elif u < 0.10:                     # greylisted, throttled, over quota: delivered on a retry
            soft = self.pick(prov.soft)
            script = [("soft", soft)] * (1 if "reylist" in soft.text else r.randint(1, 3)) + [ok]
        elif u < 0.104:                    # a broken session, delivered on retry
            script = [("session", r.choice(SESSION_FAILURES)), ok]
        else:
            script = [ok]
        return Recipient(addr, domain, prov, host, mxip, script)

    def pick(self, replies: tuple[Reply, ...]) -> Reply:
        return weighted(self.rng, replies, [x.weight for x in replies])

    # -- message life ------------------------------------------------------------------
    def arrival(self, t: float) -> None:
        r = self.rng
        self.at(t + r.expovariate(self.cfg.msg_rate), self.arrival)
        n = 1 if r.random() < 0.82 else (r.randint(2, 5) if r.random() < 0.85 else r.randint(6, 20))
        sdom = r.choice(SENDER_DOMAINS)
        sender = (f"bounces+{r.randrange(10**5, 10**6)}-{''.join(r.choices(string.ascii_lowercase, k=4))}"
                  f"@{sdom}") if r.random() < 0.9 else f"noreply@{sdom}"
        qid = self.new_qid()
        msg = Message(qid, sender, f"{int((self.epoch + t) * 1000)}.{r.randrange(10**8)}@{sdom}",
                      r.randrange(3000, 90000) if r.random() < 0.95 else r.randrange(2_000_000, 30_000_000),
                      t, [self.recipient() for _ in range(n)])
        msg.doomed_removal = r.random() < 0.1
        app, ip = r.choice(APP_HOSTS)
        spid = self.pid("smtpd")
        self.log(t, "postfix/smtpd", f"connect from {app}[{ip}]", pid=spid)
        t += r.uniform(0.01, 0.05)
        if r.random() < 0.5:
            self.log(t, "postfix/smtpd", f"Anonymous TLS connection established from {app}[{ip}]: TLSv1.3 with "
                     "cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS "
                     "(2048 bits) server-digest SHA256", pid=spid)
        t += r.uniform(0.01, 0.2)
        self.log(t, "postfix/smtpd", f"{qid}: client={app}[{ip}], sasl_method=PLAIN, "
                 f"sasl_username=cust{r.randrange(1, 400):04d}", pid=spid)
        t += r.uniform(0.01, 0.3)
        self.log(t, "postfix/cleanup", f"{qid}: message-id=<{msg.msgid}>")
        if r.random() < 0.7:
            self.log(t, "opendkim", f"{qid}: DKIM-Signature field added (s=mail2026, d={sdom})",
                     "other_program")
        t += r.uniform(0.001, 0.05)
        self.queue_active(t, msg)
        self.log(t + r.uniform(0.01, 0.1), "postfix/smtpd",
                 f"disconnect from {app}[{ip}] ehlo=2 starttls=1 auth=1 mail=1 rcpt={n} data=1 quit=1 "
                 f"commands={7 + n}", pid=spid)
        if r.random() < self.cfg.filter_share:
            self.at(t + r.uniform(0.05, 0.5), lambda when: self.content_filter(when, msg))
        else:
            self.at(t + r.uniform(0.05, 1.0), lambda when: self.attempt(when, msg))

    def queue_active(self, t: float, msg: Message) -> None:
        self.log(t, "postfix/qmgr", f"{msg.qid}: from=<{msg.sender}>, size={msg.size}, "
                 f"nrcpt={len(msg.recipients)} (queue active)")

    def content_filter(self, t: float, msg: Message) -> None:
        """amavis on 127.0.0.1:10024 hands the message back on :10025 under a new queue id."""
        r = self.rng
        new = self.new_qid()
        spid, apid = self.pid("smtpd"), self.pid("amavis")
        t_end = t + r.uniform(0.3, 2.5)
        self.log(t_end - 0.05, "postfix/smtpd", "connect from localhost[127.0.0.1]", pid=spid)
        self.log(t_end - 0.04, "postfix/smtpd", f"{new}: client=localhost[127.0.0.1]", pid=spid)
        self.log(t_end - 0.03, "postfix/cleanup", f"{new}: message-id=<{msg.msgid}>")
        self.log(t_end - 0.02, "postfix/qmgr", f"{new}: from=<{msg.sender}>, size={msg.size + 812}, "
                 f"nrcpt={len(msg.recipients)} (queue active)")
        self.log(t_end - 0.01, "postfix/smtpd", "disconnect from localhost[127.0.0.1] ehlo=1 mail=1 "
                 f"rcpt={len(msg.recipients)} data=1 quit=1 commands={4 + len(msg.recipients)}", pid=spid)
        rcpts = ",".join(f"<{x.address}>" for x in msg.recipients)
        self.log(t_end, "amavis", f"({apid}-{r.randrange(1, 99):02d}) Passed CLEAN {{RelayedOutbound}}, "
                 f"LOCAL [10.20.0.1]:{r.randrange(30000, 60000)} <{msg.sender}> -> {rcpts}, Queue-ID: {msg.qid}, "
                 f"Message-ID: <{msg.msgid}>, mail_id: {''.join(r.choices(ALNUM + '-_', k=12))}, Hits: "
                 f"{r.uniform(-3, 2):.3f}, size: {msg.size}, queued_as: {new}, {int((t_end - t) * 1000)} ms",
                 "other_program", pid=apid)
        spid2 = self.pid("smtp")
        delay = t_end - msg.arrived
        for x in msg.recipients:
            self.log(t_end + 0.001, "postfix/smtp", f"{msg.qid}: to=<{x.address}>, relay=127.0.0.1[127.0.0.1]:10024, "
                     f"delay={_fmt_delay(delay)}, delays={_delays(r, delay)}, dsn=2.0.0, status=sent (250 2.0.0 from "
                     f"MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as {new})", "sent", pid=spid2)
        self.log(t_end + 0.002, "postfix/qmgr", f"{msg.qid}: removed")
        msg.qid = new
        self.at(t_end + r.uniform(0.05, 1.0), lambda when: self.attempt(when, msg, first=True))

    def attempt(self, t: float, msg: Message, first: bool = True) -> None:
        r = self.rng
        cfg = self.cfg
        msg.attempts += 1
        pending = [x for x in msg.recipients if not x.done]
        if not first:
            if t - msg.arrived >= cfg.queue_lifetime:
                return self.expire(t, msg, pending)
            if msg.doomed_removal and msg.attempts >= 3:
                return self.operator_removes(t, msg, pending)
            self.queue_active(t, msg)
        last = t
        by_domain: dict[str, list[Recipient]] = {}
        for x in pending:
            by_domain.setdefault(x.domain, []).append(x)
        for group in by_domain.values():
            spid = self.pid("smtp")
            tt = t + r.uniform(0.1, 1.5)
            first_x = group[0]
            outcome = first_x.script[min(first_x.attempt, len(first_x.script) - 1)]
            if first_x.provider is not None and outcome[0] in ("ok", "hard", "soft") and \
                    r.random() < first_x.provider.tls:
                self.log(tt - 0.05, "postfix/smtp", f"{r.choice(('Trusted', 'Verified', 'Untrusted'))} TLS "
                         f"connection established to {first_x.mx}[{first_x.mxip}]:25: TLSv1.3 with cipher "
                         "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature "
                         f"{r.choice(('RSA-PSS (2048 bits)', 'ECDSA (P-256)'))} server-digest SHA256", pid=spid)
            conn_use = 1
            for x in group:
                self.deliver(tt, msg, x, spid, conn_use)
                tt += r.uniform(0.01, 0.2)
                conn_use += 1
            last = max(last, tt)
        pending = [x for x in msg.recipients if not x.done]
        if pending:
            backoff = min(cfg.max_backoff, cfg.min_backoff * 2 ** (msg.attempts - 1))
            self.at(last + backoff + r.uniform(0, cfg.min_backoff),
                    lambda when: self.attempt(when, msg, first=False))
            return
        self.finish(last + 0.01, msg)

    def deliver(self, t: float, msg: Message, x: Recipient, spid: int, conn_use: int) -> None:
        r = self.rng
        kind, spec = x.script[min(x.attempt, len(x.script) - 1)]
        x.attempt += 1
        delay = t - msg.arrived
        f = Fields(r, {"rcpt": x.address, "domain": x.domain, "mx": x.mx, "mxip": x.mxip, "ourip": OUR_IP,
                       "sender": msg.sender, "sdomain": msg.sender.rsplit("@", 1)[1], "msgid": msg.msgid,
                       "size": str(msg.size), "epoch": str(int(self.epoch + t)),
                       "isots": self.iso(t)})
        relay = f"{x.mx}[{x.mxip}]:25"
        if kind == "ok":
            status, dsn = "sent", "2.0.0"
            reason = r.choice(x.provider.ok if x.provider else SMALL_OK).format_map(f)
        elif kind in ("hard", "soft"):
            rep: Reply = spec  # type: ignore[assignment]
            text = rep.text.format_map(f)
            status = "bounced" if kind == "hard" else "deferred"
            dsn = rep.dsn
            if rep.greeting:
                # Postfix defers a 5xx greeting too (smtp_skip_5xx_greeting) and says so in dsn.
                status, dsn = "deferred", "4" + dsn[1:]
                reason = f"host {x.mx}[{x.mxip}] refused to talk to me: {text}"
            else:
                reason = f"host {x.mx}[{x.mxip}] said: {text} (in reply to {rep.command} command)"
        elif kind in ("conn", "session"):
            text_t, dsn, no_relay = spec  # type: ignore[misc]
            status, reason = "deferred", text_t.format_map(f)
            if no_relay:
                relay = "none"
        elif kind == "dns":
            status, dsn, relay = "bounced", "5.4.4", "none"
            reason = f"Host or domain name not found. Name service error for name={x.domain} type=A: Host not found"
        else:  # nullmx
            status, dsn, relay = "bounced", "5.1.0", "none"
            reason = f"Domain {x.domain} does not accept mail (nullMX)"
        if status != "deferred":
            x.done = True
            x.bounced = status == "bounced"
        x.logged = True
        orig = f"orig_to=<{x.address.split('@')[0]}@lists.relay.example>, " if r.random() < 0.01 else ""
        cu = f"conn_use={conn_use}, " if conn_use > 1 else ""
        self.log(t, "postfix/smtp", f"{msg.qid}: to=<{x.address}>, {orig}relay={relay}, {cu}"
                 f"delay={_fmt_delay(delay)}, delays={_delays(r, delay)}, dsn={dsn}, status={status} ({reason})",
                 status, pid=spid)

    def finish(self, t: float, msg: Message) -> None:
        if any(x.bounced for x in msg.recipients):
            t = self.notify_sender(t, msg)
        self.log(t, "postfix/qmgr", f"{msg.qid}: removed")

    def expire(self, t: float, msg: Message, pending: list[Recipient]) -> None:
        known = sum(1 for x in pending if x.logged)
        self.log(t, "postfix/qmgr", f"{msg.qid}: from=<{msg.sender}>, status=expired, returned to sender",
                 f"expired={max(known, 1)}")
        t = self.notify_sender(t + 0.01, msg)
        self.log(t, "postfix/qmgr", f"{msg.qid}: removed")

    def operator_removes(self, t: float, msg: Message, pending: list[Recipient]) -> None:
        known = sum(1 for x in pending if x.logged)
        pid = self.rng.randrange(2000, 60000)
        self.log(t, "postfix/postsuper", f"{msg.qid}: removed", f"removed={max(known, 1)}", pid=pid)
        self.log(t, "postfix/postsuper", "Deleted: 1 message", pid=pid)

    def notify_sender(self, t: float, msg: Message) -> float:
        """The bounce daemon's non-delivery notification, delivered to the sender's bounce host."""
        r = self.rng
        new = self.new_qid()
        sdom = msg.sender.rsplit("@", 1)[1]
        self.log(t, "postfix/bounce", f"{msg.qid}: sender non-delivery notification: {new}")
        self.log(t, "postfix/cleanup", f"{new}: message-id=<{self.wall(t):%Y%m%d%H%M%S}.{new}@{MYHOSTNAME}>")
        self.log(t + 0.001, "postfix/qmgr", f"{new}: from=<>, size={r.randrange(2500, 9000)}, nrcpt=1 (queue active)")
        tt = t + r.uniform(0.2, 1.2)
        ip = f"192.0.2.{r.randrange(2, 250)}"
        self.log(tt, "postfix/smtp", f"{new}: to=<{msg.sender}>, relay=bounce-in.{sdom}[{ip}]:25, "
                 f"delay={_fmt_delay(tt - t)}, delays={_delays(r, tt - t)}, dsn=2.0.0, status=sent "
                 f"(250 2.0.0 Ok: queued as {''.join(r.choices(HEX, k=10))})", "sent")
        self.log(tt + 0.001, "postfix/qmgr", f"{new}: removed")
        return t + 0.002

    # -- background -----------------------------------------------------------------------
    def postscreen(self, t: float) -> None:
        """Inbound connections on port 25: most pass, bots are caught, some reach smtpd and are rejected."""
        r = self.rng
        self.at(t + r.expovariate(self.cfg.postscreen_rate), self.postscreen)
        ip = f"{r.choice((45, 85, 91, 103, 176, 185, 194, 212))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        port = r.randrange(30000, 65000)
        peer = f"[{ip}]:{port}"
        self.log(t, "postfix/postscreen", f"CONNECT from {peer} to [{OUR_IP}]:25")
        u = r.random()
        if u < 0.25:
            rank = r.choice((1, 3, 5, 8))
            zone = r.choice(("zen.spamhaus.org", "b.barracudacentral.org", "bl.spamcop.net"))
            self.log(t + 0.01, "postfix/dnsblog", f"addr {ip} listed by domain {zone} as 127.0.0.{r.choice((2, 4, 11))}")
            self.log(t + 0.1, "postfix/postscreen", f"DNSBL rank {rank} for {peer}")
            if rank >= 3:
                self.log(t + 0.2, "postfix/postscreen", f"NOQUEUE: reject: RCPT from {peer}: 550 5.7.1 Service "
                         f"unavailable; client [{ip}] blocked using {zone}; from=<{r.choice(FIRST)}@{r.choice(LAST)}.example>, "
                         f"to=<postmaster@relay.example>, proto=ESMTP, helo=<{r.choice(('ylmf-pc', 'User', 'WIN-' + ''.join(r.choices(HEX, k=8))))}>")
            self.log(t + 0.3, "postfix/postscreen", f"DISCONNECT {peer}")
            return
        if u < 0.35:
            self.log(t + 0.05, "postfix/postscreen", f"PREGREET 11 after 0.{r.randrange(10, 99)} from {peer}: EHLO ylmf-pc\\r\\n")
            self.log(t + 0.06, "postfix/postscreen", f"DISCONNECT {peer}")
            return
        self.log(t + 0.01, "postfix/postscreen", f"PASS {r.choice(('OLD', 'OLD', 'NEW'))} {peer}")
        spid = self.pid("smtpd")
        host = r.choice(("unknown", f"mail{r.randrange(1, 9)}.{r.choice(LAST)}-{r.choice(('net', 'online', 'mail'))}.example"))
        self.log(t + 0.02, "postfix/smtpd", f"connect from {host}[{ip}]", pid=spid)
        v = r.random()
        if v < 0.5:
            reply = r.choice((
                "554 5.7.1 <{rcpt}>: Relay access denied",
                "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table",
                "450 4.7.1 Client host rejected: cannot find your reverse hostname, [{ip}]",
                "450 4.7.1 <{helo}>: Helo command rejected: Host not found"))
            rcpt = f"{r.choice(FIRST)}@{r.choice(('relay.example', 'gmail.com', 'example.net'))}"
            helo = r.choice(("User", "localhost", f"{host}", "[" + ip + "]"))
            self.log(t + 0.3, "postfix/smtpd", f"NOQUEUE: reject: RCPT from {host}[{ip}]: "
                     + reply.format(rcpt=rcpt, ip=ip, helo=helo)
                     + f"; from=<{r.choice(FIRST)}@{r.choice(LAST)}.example> to=<{rcpt}> proto=ESMTP helo=<{helo}>",
                     pid=spid)
            self.log(t + 0.4, "postfix/smtpd", f"disconnect from {host}[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
                     pid=spid)
        else:
            self.log(t + 0.1, "postfix/smtpd", f"lost connection after {r.choice(('EHLO', 'CONNECT', 'STARTTLS'))} "
                     f"from {host}[{ip}]", pid=spid)
            self.log(t + 0.11, "postfix/smtpd", f"disconnect from {host}[{ip}] ehlo=1 commands=1", pid=spid)

    def sasl_guessing(self, t: float) -> None:
        r = self.rng
        self.at(t + r.expovariate(0.03), self.sasl_guessing)
        ip = f"{r.choice((5, 45, 141, 193))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        spid = self.pid("smtpd")
        self.log(t, "postfix/smtpd", f"connect from unknown[{ip}]", pid=spid)
        self.log(t + 1.5, "postfix/smtpd", f"warning: unknown[{ip}]: SASL LOGIN authentication failed: "
                 "UGFzc3dvcmQ6", pid=spid)
        self.log(t + 1.6, "postfix/smtpd", f"lost connection after AUTH from unknown[{ip}]", pid=spid)
        self.log(t + 1.61, "postfix/smtpd", f"disconnect from unknown[{ip}] ehlo=1 auth=0/1 commands=1/2", pid=spid)

    def housekeeping(self, t: float) -> None:
        r = self.rng
        self.at(t + 600, self.housekeeping)
        pid = r.randrange(2000, 60000)
        self.log(t, "postfix/anvil", f"statistics: max connection rate {r.randrange(5, 60)}/60s for "
                 f"(smtp:10.20.0.{r.randrange(11, 23)}) at {self.clock(t - r.uniform(0, 500))}", pid=pid)
        self.log(t, "postfix/anvil", f"statistics: max connection count {r.randrange(2, 20)} for "
                 f"(smtp:10.20.0.{r.randrange(11, 23)}) at {self.clock(t - r.uniform(0, 500))}", pid=pid)
        self.log(t, "postfix/anvil", f"statistics: max cache size {r.randrange(10, 90)} at {self.clock(t - r.uniform(0, 500))}",
                 pid=pid)
        spid = r.randrange(2000, 60000)
        self.log(t + 1, "postfix/scache", f"statistics: start interval {self.clock(t - 600)}", pid=spid)
        self.log(t + 1, "postfix/scache", f"statistics: domain lookup hits={r.randrange(100, 900)} "
                 f"miss={r.randrange(50, 400)} success={r.randrange(40, 90)}%", pid=spid)
        self.log(t + 1, "postfix/scache", f"statistics: address lookup hits={r.randrange(100, 900)} "
                 f"miss={r.randrange(50, 400)} success={r.randrange(40, 90)}%", pid=spid)
        self.log(t + 2, "CRON", "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", "other_program",
                 pid=r.randrange(2000, 60000))
        self.log(t + 3, "systemd", "Started session-" + str(r.randrange(1000, 9999)) + ".scope - Session of User monitor.",
                 "other_program", pid=1)


# -- formatting ------------------------------------------------------------------------
def _fmt_delay(d: float) -> str:
    """Postfix's style: two significant digits below 10 s, whole seconds above, 0 below 10 ms."""
    if d >= 10:
        return str(int(d))
    return f"{d:.2g}" if d >= 0.01 else "0"


def _delays(r: random.Random, d: float) -> str:
    """``delays=a/b/c/d``: before qmgr, in qmgr, connection setup, transmission."""
    conn = min(d, r.uniform(0.01, 0.6))
    tx = min(max(d - conn, 0), r.uniform(0.05, 0.8))
    before = max(d - conn - tx, 0)
    return f"{_fmt_delay(before)}/{r.choice(('0', '0.01', '0.02'))}/{_fmt_delay(conn)}/{_fmt_delay(tx)}"


class Stamper:
    """RFC 3164 stamps (``Nov 20 06:00:01``), one strftime per distinct second."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self._sec = -1
        self._text = ""

    def __call__(self, t: float) -> str:
        s = int(t)
        if s != self._sec:
            d = self.start + timedelta(seconds=s)
            self._sec, self._text = s, f"{MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S}"
        return self._text


def write_batch(out: TextIO, relay: Relay, lines: int, start: datetime) -> None:
    stamp = Stamper(start)
    buf: list[str] = []
    for n, (t, text) in enumerate(relay.run(), 1):
        buf.append(f"{stamp(t)} {text}\n")
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf.clear()
        if n >= lines:
            break
    out.write("".join(buf))


def follow(path: str, relay: Relay, rate: float, lines: int | None) -> None:
    """Append ``rate`` lines per second to ``path`` with the wall clock's stamps, for live demos."""
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    it = relay.run()
    written = 0
    t0 = time.monotonic()
    with open(path, "a", encoding="utf-8") as out:
        while not stop and (lines is None or written < lines):
            due = int((time.monotonic() - t0) * rate) + 1 - written
            if lines is not None:
                due = min(due, lines - written)
            if due > 0:
                now = datetime.now()
                prefix = f"{MONTHS[now.month - 1]} {now.day:2d} {now:%H:%M:%S} "
                out.write("".join(prefix + next(it)[1] + "\n" for _ in range(due)))
                out.flush()
                written += due
            time.sleep(min(0.1, 1.0 / rate))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, help="stop after N lines (default: 100000; unbounded with --follow)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    ap.add_argument("--truth", metavar="FILE", help="write the ground truth (counts a parser must find) as JSON")
    ap.add_argument("--start", default="2026-11-20T06:00:00", help="first stamp (local time, ISO)")
    ap.add_argument("--msg-rate", type=float, help="messages per second (default 2, or --rate/11 with --follow)")
    ap.add_argument("--queue-lifetime", type=float, default=3 * 3600, help="seconds before a deferred message expires")
    ap.add_argument("--min-backoff", type=float, default=300.0,
                    help="seconds before the first retry (minimal_backoff_time; max is 4000)")
    ap.add_argument("--failure-scale", type=float, default=1.0, help="multiply failure probabilities (tests)")
    ap.add_argument("--follow", metavar="FILE", help="append live to FILE (wall-clock stamps) instead")
    ap.add_argument("--rate", type=float, default=20.0, help="lines per second with --follow")
    a = ap.parse_args(argv)
    cfg = Config(seed=a.seed, queue_lifetime=a.queue_lifetime, failure_scale=a.failure_scale,
                 min_backoff=a.min_backoff, start=datetime.fromisoformat(a.start))
    if a.msg_rate:
        cfg.msg_rate = a.msg_rate
    elif a.follow:
        cfg.msg_rate = a.rate / LINES_PER_MESSAGE
    relay = Relay(cfg)
    if a.follow:
        follow(a.follow, relay, a.rate, a.lines)
        return 0
    lines = a.lines or 100_000
    start = cfg.start
    if a.output == "-":
        write_batch(sys.stdout, relay, lines, start)
    else:
        with open(a.output, "w", encoding="utf-8") as out:
            write_batch(out, relay, lines, start)
    if a.truth:
        t = relay.truth
        truth = {"generator": "bench/generate.py", "seed": a.seed, "lines": t["lines"],
                 "events": {k: t[k] for k in ("sent", "deferred", "bounced", "expired", "removed")},
                 "other_program": t["other_program"]}
        with open(a.truth, "w", encoding="utf-8") as f:
            json.dump(truth, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
