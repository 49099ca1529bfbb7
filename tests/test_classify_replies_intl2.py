"""Blind round T: real receiver texts in languages the tables did not have yet (Estonian, Dutch, Czech,
Chinese, Korean, Russian) and new wordings in German and Spanish -> (category, provider, blocklist),
the same table format and taxonomy as tests/test_classify_replies.py (whose module docstring states
the rules the expectations follow) and tests/test_classify_replies_intl.py (round H).

Every text below is quoted from the public source named above its group, and the expected answer
was written down before bouncewatch was run on it (commit "round T expectations, before scoring").
Only what identifies people was changed: local parts become x, IPs documentation values.

What the search found, which is itself the finding of this round: the mailbox providers the brief
listed answer SMTP in English. Libero's and Virgilio's help pages say their DSNs are "generalmente
in lingua inglese"; Seznam's own bounce gives its reason in English ("5.1.1 szn; User hasn't got the
service mapped") with a Czech gloss; Yandex's, Mail.ru's, Aruba's, Daum's and Naver's published
replies, docomo's and au's, the Czech hostings' (grhosting, aspone, c4) and Interia's are English.
Real texts in other languages come from two places:
- small and national servers that answer in their own language, mostly next to an English one
  (the replies quoted in ZoneMTA's bounce rules);
- the failure notices the *sender's* provider writes in its user's language, around the remote
  reply or instead of it: Gmail's "Address not found" in Korean and Chinese, Exchange Online's
  new-style NDR in German, the Chinese providers' (NetEase/Coremail, Aliyun, Tencent) DSN texts.
  bouncewatch sees those through ``ingest-mail`` (returned mail, no SMTP code), as round H's
  Exchange rows; they are logged here bare with the status their source gives (bounced).
Where a notice says "does not exist, or is temporarily unavailable" the first words decide
(bad_mailbox), as round H decided "unknown or disabled"; where it carries the remote reply, the
remote reply decides: it names the cause, the wrapper is the sender side's guess.

Scored before any rule change: 7 of 15 (Estonian 1/1, Spanish 0/1, Dutch 1/1, Czech 2/2, German 0/1,
Chinese 3/7, Korean 0/1, Russian 0/1). Five misses were harmful, all a dead address read as
general_bounce (builtin:status: no rule knew the words, investigate, never suppressed): Exchange
Online's German "x wurde nicht in Y gefunden", NetEase's "收件人邮件地址（x）不存在", Coremail's
"收件人地址不存在", Gmail's Chinese "找不到电子邮件地址" and Korean "주소를 찾을 수 없음".
Not harmful: the Spanish greylist served as a DNS zone ("blocked using grey.rbl ... Greylisting in
action") read as blocklisted/dnsbl (other instead of soft; the MTA retries either way), Tencent
Cloud's "NotAuthenticatedSender" (our own relay refusing our sender) read as general_bounce by its
554, and the Russian notice read as spam_content by the name of the page it links (both other).
Fixed as data: bad-mailbox takes the German, Chinese and Korean words and sender-rejected Tencent's
code and its Chinese gloss (50-text.toml); the generic dnsbl entry no longer names a list in a
reply that says greylisting (10-blocklists.toml), so the greylisted rule reads it. After: 14 of 15,
one strict xfail (the Russian notice). No expectation was revised after scoring. A second batch
(Korean and Chinese notices, below) scored 0 of 4, none harmful; 4 of 4 after. Both batches: 7 of 19
before, 18 of 19 after.
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf
from test_classify_replies_providers import _row

CASES: list[tuple] = [
    # --- ZoneMTA's bounce rules (github.com/zone-eu/zone-mta config/bounces.txt): the replies its
    # author met, quoted above each rule. Estonian, Spanish and Dutch next to English.
    # ET: "SEND THIS MESSAGE TO YOUR IT GUY! YOUR server ... is on BLACKLIST dnsbl.sorbs.net, Sorbs
    # blocked the letter!", then the same in English.
    C(pf("mx.example.ee", "550 5.7.1 --- SAATKE SEE TEADE OMA IT-MEHELE! --- TEIE server 198.51.100.7 on BLACKLISTIS "
                          "dnsbl.sorbs.net, Sorbs blokeeris kirja! YOUR server 198.51.100.7 is in the blacklist "
                          "dnsbl.sorbs.net, your message was blocked by Sorbs! Check "
                          "http://www.robtex.com/ip/198.51.100.7.html#blacklists"),
      "mx.example.ee", "user@example.ee", "blocklisted", None, "sorbs"),
    # ES: "temporary refusal, please try again later" next to "Greylisting in action". A greylist
    # served as a DNS zone (grey.rbl) is still greylisting: soft, the retry delivers; it names no
    # block list (DESIGN.md: blocklist names the list of a block).
    C(pf("mx.example.es", "421 4.7.1 Service unavailable; Client host [198.51.100.7] blocked using grey.rbl - Rechazo "
                          "temporal, intentelo mas tarde por favor...Greylisting in action, please try again later"),
      "mx.example.es", "user@example.es", "greylisted", None, None),
    # NL: "visit the site to fix this problem", after a Spamhaus ZEN listing.
    C(pf("mx.example.nl", "550 5.7.1 Blacklisted by zen.spamhaus.org. To avoid this problem on this particular server "
                          "please visit http://spamfiltered.extra-dns.com/resolve/000-00-00-000-00-00-00-id-00000-00000 "
                          "- Bezoek de site om dit probleem te verhelpen"),
      "mx.example.nl", "user@example.nl", "blocklisted", None, "spamhaus-zen"),

    # --- Seznam's bounce as its help page shows it (napoveda.seznam.cz/uzivatel-neexistuje), Czech
    # with English. The heading alone: "your message for X of 19.11.2012 could not be delivered" (no
    # cause); the explanation: "permanent error on the user's side" / bad destination mailbox.
    C("Vaše zpráva pro <x@seznam.cz> ze dne 19.11.2012 nemohla být doručena. Zpráva je přiložena.", None,
      "x@seznam.cz", "general_bounce", "seznam", None, "bounced"),
    C("Permanentní chyba na straně uživatele. Permanent Failure - Bad destination mailbox address", None,
      "x@seznam.cz", "bad_mailbox", "seznam", None, "bounced"),

    # --- Exchange Online's NDR in German, pasted in github fschulze/jumpnbump issue 3: "Your message
    # to X couldn't be delivered. X wasn't found at swipnet.se." (the English NDR's "wasn't found at").
    C("Ihre Nachricht an x@swipnet.se konnte nicht zugestellt werden. x wurde nicht in swipnet.se gefunden.", None,
      "x@swipnet.se", "bad_mailbox", None, None, "bounced"),

    # --- Chinese providers' failure notices pasted in GitHub issues.
    # NetEase-style notice (dreamhunter2333/cloudflare_temp_email issue 52): the heading ("sorry,
    # the mail you sent was returned; here is its information"), no cause ...
    C("很抱歉您发送的邮件被退回，以下是该邮件的相关信息：", None, "x@example.org", "general_bounce", None, None, "bounced"),
    # ... and its bounce reason: "the recipient's address (X) does not exist; the mail cannot be delivered".
    C("退信原因 收件人邮件地址（x@example.org）不存在，邮件无法送达。", None, "x@example.org", "bad_mailbox", None,
      None, "bounced"),
    # Coremail's notice at a university (OpenXiangShan/XiangShan issue 1531): "the receiving server
    # told our server the recipient address does not exist; contact them another way, confirm the
    # address and resend, or send to another of their addresses".
    C("收件方服务器反馈收件人地址不存在的信息给我们服务器，建议以其他方式联系收件方，确认准确的邮件地址后再次尝试发送，"
      "或者将信件发送到收件方其他邮箱地址。", None, "x@example.cn", "bad_mailbox", None, None, "bounced"),
    # Aliyun's notice around QQ's reply (songquanpeng/message-pusher issue 127): "bounce reason: the
    # address does not exist or is temporarily unavailable ... solution: check the address; check the
    # domain's MX; check whether the mailbox expired, was disabled or frozen", then the remote
    # reply: QQ refused a missing/invalid From header. The remote reply decides.
    C("退信原因 | 收件方地址不存在，或暂时不可用，导致邮件被系统退回。 解决方案 | 1. 请检查输入的收件方地址是否有误；"
      "2. 请联系收件方确认其域名MX是否存在,指向是否正确；3. 请联系收件方确认其邮箱使用状态，是否存在过期、被禁用或冻结等情况。 "
      "远程响应 | the mta server of qq.com -- mx3.qq.com(192.0.2.41) reply:550 The \"From\" header is missing or "
      "invalid. Please follow RFC5322, RFC2047, RFC822 standard protocol. [MEwgNYCUUqQdt1qml2CjHV6aouwXiNz1KplnTFuwgwG"
      "N67bolrd0KDmJ07BuZ3e8jQ== IP: 198.51.100.7]. https://service.mail.qq.com/detail/124/995. at 2023-12-30 "
      "19:27:15", None, "x@qq.com", "noncompliant_message", "qq", None, "bounced"),
    # NetEase's notice, 163 to QQ (testerSunshine/12306 issue 135): "sorry, your mail was returned ...
    # reason: the content is suspected of mass mailing and was reported as spam by most users".
    C("抱歉，您的邮件被退回来了……出错原因：该邮件内容涉嫌大量群发，并且被多数用户投诉为垃圾邮件。", None, "x@qq.com",
      "spam_content", "qq", None, "bounced"),
    # Tencent Cloud's sending service as relay (QuantumNous/new-api issue 1347, songquanpeng/one-api
    # issue 1630): "operation failed: the sender is not authenticated, cannot send" -- our own sender
    # not verified with our relay, not the recipient's fault.
    C(pf("smtp.qcloudmail.com", "554 5.0.0 Error: transaction failed, blame it on the weather: ##SES-response-json:"
                                "{\"Response\":{\"RequestId\":\"111d9e76-96b9-46a8-9a0b-e19dba0a75d6\",\"QcloudError\":"
                                "{\"Error\":{\"Code\":\"FailedOperation.NotAuthenticatedSender.操作失败。发件sender没有经过"
                                "认证，无法发送。\"}}}}", "end of DATA"),
      "smtp.qcloudmail.com", "user@example.org", "sender_rejected", None, None),
    # Gmail's "Address not found" in Chinese (lavas-project/lavas issue 247): "because the system
    # cannot find the address X, or it cannot receive mail, your mail could not be delivered".
    C("由于系统找不到电子邮件地址 x@baidu.com，或该地址无法接收邮件，因此无法递送您的邮件。", None, "x@baidu.com",
      "bad_mailbox", None, None, "bounced"),

    # --- Gmail's "Address not found" in Korean (openspeech-team/openspeech issue 69): "address not
    # found / the mail was not sent because the address X cannot be found or cannot receive mail".
    C("주소를 찾을 수 없음 x@gmail.com 주소를 찾을 수 없거나 해당 주소에서 메일을 받을 수 없어 메일이 전송되지 않았습니다.",
      None, "x@gmail.com", "bad_mailbox", "gmail", None, "bounced"),

    # --- A Russian personal server's notice, pasted as a comment in podivilov/nginx-blackout pull
    # request 1: "unfortunately your letter cannot be delivered to X; the possible reasons are listed
    # at <link>". No cause stated (the link's name is no reason).
    pytest.param(
        C("Это письмо было сформировано и отправлено почтовым роботом в автоматическом режиме. К сожалению, мы "
          "вынуждены сообщить Вам о том, что Ваше письмо не может быть доставлено адресату x@podivilov.ru. Возможные "
          "причины недоставки указаны по адресу: https://www.podivilov.ru/spam.html. Пожалуйста, не отвечайте на это "
          "сообщение.", None, "x@podivilov.ru", "general_bounce", None, None, "bounced"),
        marks=pytest.mark.xfail(strict=True, reason=(
            "known miss, not harmful: read as spam_content (other, investigate, as general_bounce is) by the word "
            "'spam' in the name of the page it links; rules read words, and keeping them from reading inside links "
            "would need the text without its URLs (the engine masks parties, not links)"))),
]


# Second batch, collected after the first batch's fixes; expectations written before scoring
# (commit "round T second batch expectations, before scoring"). Failure notices of Korean and Chinese
# providers that reached GitHub as comments (a bounce of a notification mail) or were pasted.
# Scored before any change: 0 of 4, none harmful (all four read as general_bounce by builtin:status,
# other/investigate: a recipient's own block and a receiving policy that are policy_block, a full
# mailbox and a failed connection that are soft). Fixed as words: policy-stated takes "수신차단" /
# "수신을 제한", mailbox-full "메일함(용량)이 가득", unable-to-connect "连接收件方...失败". After: 4 of 4.
CASES += [
    # --- Naver's notice (thomasJang/axisj pull request 416, codechobostudy/code-chobo-study issue 3):
    # "the mail you sent to X <subject> failed for this reason: the recipient has blocked your mail".
    # The recipient's own block: the address is alive, a policy refused us.
    C("NAVER - http://www.naver.com/ x@naver.com 님께 보내신 메일 <Re: [axisj] 2월 3. (#416)> 이 다음과 같은 이유로 "
      "전송 실패했습니다. 받는 사람이 회원님의 메일을 수신차단 하였습니다.", None, "x@naver.com", "policy_block",
      "naver", None, "bounced"),
    # --- NHN Dooray!'s notice, its failure reason (tobie/specref pull request 873: "the recipient's
    # mailbox is full; ask them to clean it up and send again"; aishwaryanr/awesome-generative-ai-guide
    # pull request 91: "the recipient currently restricts receiving mail; this setting was applied by
    # a personal or organisational receiving policy").
    C("실패 사유 : 받는 사람의 메일함 용량이 가득 찼습니다. 받는 사람에게 메일함 정리를 요청하신 후 다시 발송하시기 "
      "바랍니다.", None, "x@example.kr", "mailbox_full", None, None, "bounced"),
    C("실패 사유 : 받는 사람이 현재 메일 수신을 제한하고 있습니다. 이 설정은 개인 또는 조직의 메일 수신 정책에 의해 "
      "적용되었습니다.", None, "x@example.kr", "policy_block", None, None, "bounced"),
    # --- Aliyun-style notice (lisijie/webcron issue 14): "cannot send to X; system reply: connect to
    # the server failed; bounce reason: connecting to the recipient's mail system failed, so the mail
    # was returned; advice: ask whether they set a refusal policy or a blacklist; retry later". The
    # advice names no list the mail was refused by.
    C("无法发送到admin@example.com 系统应答：(9)connect to the \"192.0.2.34(192.0.2.34) of example.com\" server "
      "failed 退信原因：连接收件方邮件系统失败，导致邮件被系统退回。 解决建议：1.请联系收件方确认是否设置相关的拒收策略,"
      "或添加了黑名单等设置；2. 请稍后重新尝试发送。", None, "admin@example.com", "unable_to_connect", None, None,
      "bounced"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{_row(c)[3]}" for i, c in enumerate(CASES)])
def test_real_intl2_reply(classifier, case):
    check_reply(classifier, case)
