"""What receivers answer, as data for bench/generate.py: per provider its MX
hosts, its 250 replies and its 4xx/5xx texts as they really read (Gmail's
SMTP error reference, Microsoft 365 / Outlook.com NDRs, Yahoo's error codes,
and bounce samples), plus the failures on the sender's side of the wire.
Templates are ``str.format`` strings over generate.Fields (``{rcpt}``,
``{gid}`` ...), so every delivery gets its own ids and addresses."""

from __future__ import annotations

from dataclasses import dataclass

@dataclass(frozen=True, slots=True)
class Reply:
    """One receiver answer. ``text`` is a str.format template over the fields
    of generate.Fields; ``command`` is what Postfix names in ``(in reply to X
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
