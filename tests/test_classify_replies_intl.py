"""Blind round H: real receiver texts in languages other than English -> (category, provider,
blocklist), the same table format and taxonomy as tests/test_classify_replies.py (whose module
docstring states the rules the expectations follow).

Every text below is quoted from a public source named above its group, and the expected answer
was written down before bouncewatch was run on it. Real SMTP replies in other languages are
rare (most receivers answer in English, the ones that do not often add an English gloss), so
several groups are the phrase lists of bounce processors that were collected from real bounces
and tagged by language; those are fragments, logged here bare (a Postfix/Sendmail reason with
no SMTP code in front), with the delivery status their source gives them.

Scored before any rule change: 4 of 23 (Italian 0/5, Polish 0/3, German 1/2, French 1/2, Spanish
2/9, Japanese 0/2). 15 of the 19 misses were harmful: a dead or disabled address read as
general_bounce (investigate, never suppressed), because no rule knew the words (the first
commit's message says 14: the French Exchange text, revised below, was one more). One expectation
was revised after scoring, with its reason at the case. Fixed as words of the languages in the
existing rules (50-text.toml; Spanish "tiempo de entrega vencido" in 00-status.toml's expired).

Where the text says "unknown or disabled" (the receiver does not say which), the first word
decides: bad_mailbox. Both answers suppress the address; only the category name differs.
"""

from __future__ import annotations

import pytest

from test_classify_replies import C, check_reply, pf

CASES: list[tuple] = [
    # --- PHP-Bounce-Handler's bounce_responses (github.com/cfortune/PHP-Bounce-Handler, also copied
    # in eNichers/node-bounce-handler lib/responses.js): phrases from real bounces, each with the
    # language the file tags it with and the status code it maps to (5.1.1, 5.2.1, 5.7.1).
    C("destin. Sconosciuto", None, "x@example.it", "bad_mailbox", None, None, "bounced"),  # IT, user unknown
    C("Destinatario errato", None, "x@example.it", "bad_mailbox", None, None, "bounced"),  # IT, wrong recipient
    C("Destinatario sconosciuto o mailbox disatttivata", None, "x@example.it", "bad_mailbox", None, None,
      "bounced"),  # IT, unknown or deactivated (sic: the triple t is the source's)
    C("Indirizzo inesistente", None, "x@example.it", "bad_mailbox", None, None, "bounced"),  # IT, no such address
    C("Nie ma takiego konta", None, "x@example.pl", "bad_mailbox", None, None, "bounced"),  # PL, no such account
    C("Podane konto jest zablokowane administracyjnie lub nieaktywne", None, "x@example.pl", "inactive_mailbox",
      None, None, "bounced"),  # PL, the account is blocked by the admin or inactive
    C("Questo indirizzo e' bloccato per inutilizzo", None, "x@example.it", "inactive_mailbox", None, None,
      "bounced"),  # IT, this address is blocked for non-use
    C("Wiadomosc zostala odrzucona przez system antyspamowy", None, "x@example.pl", "spam_content", None, None,
      "bounced"),  # PL, the message was rejected by the anti-spam system
    C("Adressat unbekannt oder Mailbox deaktiviert", None, "x@example.de", "bad_mailbox", None, None,
      "bounced"),  # DE, addressee unknown or mailbox deactivated
    C("Destinataire inconnu ou boite aux lettres desactivee", None, "x@example.fr", "bad_mailbox", None, None,
      "bounced"),  # FR, recipient unknown or mailbox deactivated
    C("Esta casilla ha expirado por falta de uso", None, "x@example.com.ar", "inactive_mailbox", None, None,
      "bounced"),  # ES, this mailbox expired for lack of use
    C("El usuario esta en estado: inactivo", None, "x@example.es", "inactive_mailbox", None, None,
      "bounced"),  # ES, the user's state is: inactive

    # --- alexborras.com "Errores y Warnings habituales en retorno de email" (2009): the Spanish
    # wordings of permanent errors and of warnings seen in returned mail.
    C("Usuario inexistente", None, "x@example.es", "bad_mailbox", None, None, "bounced"),
    C("no se encuentra en el Directorio de Domino", None, "x@example.es", "bad_mailbox", None, None,
      "bounced"),  # Domino's "not listed in Domino Directory" in Spanish
    C("no se encuentra en la Libreta", None, "x@example.es", "bad_mailbox", None, None,
      "bounced"),  # Notes' "not listed in public Name & Address Book" in Spanish
    C("destino errónea", None, "x@example.es", "bad_mailbox", None, None, "bounced"),  # wrong destination (address)
    C("correo lleno", None, "x@example.es", "mailbox_full", None, None, "deferred"),  # (mailbox) mail full
    C("tiempo de entrega vencido", None, "x@example.es", "expired", None, None, "bounced"),  # delivery time expired

    # --- Sisimai's Lhost::Domino and Lhost::Notes (sisimai/p5-sisimai lib/Sisimai/Lhost/Domino.pm,
    # Notes.pm): the Japanese texts of IBM Domino and Lotus Notes for an unknown user.
    C("Domino ディレクトリには見つかりません", None, "x@example.jp", "bad_mailbox", None, None, "bounced"),
    C("ディレクトリのリストにありません", None, "x@example.jp", "bad_mailbox", None, None, "bounced"),

    # --- Exchange's French language pack (uitranslation.com fr-fr, term 04a5485eb88d): the NDR text
    # of a recipient whose address changed with no forwarding address (5.1.6, gone for us).
    # Revised after scoring from bad_mailbox: the same language pack's explanation of this text says
    # it comes when the recipient's mailbox was deleted, and DESIGN.md files an account the receiver
    # reports deleted as inactive_mailbox (as Yahoo's "is no longer valid" above in set 1). Both suppress.
    C("l'adresse électronique du destinataire a changé. L'adresse à laquelle ce message a été envoyé "
      "n'accepte plus de messages.", None, "x@example.fr", "inactive_mailbox", None, None, "bounced"),

    # --- WEB.DE's bilingual reply (sitepackage.de "Typische Fehlermeldungen bei Unzustellbarkeit").
    C(pf("mx-ha01.web.de", "550 Benutzer nicht bekannt/User unknown"), "mx-ha01.web.de", "x@web.de",
      "bad_mailbox", "gmx", None),

    # --- alexborras.com (above): Exchange's Spanish NDR heading, no cause given.
    C("Error en la entrega a los siguientes destinatarios", None, "x@example.es", "general_bounce", None, None,
      "bounced"),
]

# Second batch, collected after the first batch's fixes; expectations written before scoring.
# Scored before any change: 5 of 7 (German 0/1, French 1/2, Spanish 1/1, Japanese 3/3): Exchange's
# German and French "recipient's mailbox is full" read as general_bounce (the words had the
# recipient between mailbox and full). Fixed in mailbox-full's patterns.
CASES += [
    # --- An Exim log line quoted in sisimai/p5-sisimai issue 66 (latinmail.com, Spanish): "unknown
    # recipient or mailbox full". The first word decides (see the module docstring).
    C("SMTP error from remote mail server after RCPT TO:<x@latinmail.com>: host mx1.latinmail.com [192.0.2.40]: "
      "550 <x@latinmail.com>: Destinatario desconocido o mailbox lleno", "mx1.latinmail.com", "x@latinmail.com",
      "bad_mailbox", None, None),
    # --- Exchange Online NDRs pasted in GitHub issues: German (corona-warn-app/
    # cwa-quicktest-onboarding issue 47) and French (ForumPostAssistant/FPA issue 136).
    C("Das Postfach des Empfängers ist voll und kann zurzeit keine Nachrichten annehmen. Versuchen Sie zu einem "
      "späteren Zeitpunkt noch mal, Ihre Nachricht zu senden, oder wenden Sie sich direkt an den Empfänger.",
      None, "x@example.de", "mailbox_full", None, None, "bounced"),
    C("La boîte aux lettres du destinataire est pleine et ne peut pas accepter de messages pour l’instant. "
      "Essayez de renvoyer votre message ultérieurement ou contactez directement le destinataire.",
      None, "x@example.fr", "mailbox_full", None, None, "bounced"),
    C("Échec de la remise pour ces destinataires ou groupes :", None, "x@example.fr", "general_bounce", None, None,
      "bounced"),  # the NDR's heading alone: no cause
    # --- Japanese gateways' own failure notices with no cause (Sisimai Lhost::InterScanMSS subjects,
    # Lhost::mFILTER body): nothing in them may be read as a cause.
    C("メッセージを配信できません。", None, "x@example.jp", "general_bounce", None, None, "bounced"),
    C("メール配信に失敗しました", None, "x@example.jp", "general_bounce", None, None, "bounced"),
    C("以下のメールアドレスへの送信に失敗しました。", None, "x@example.jp", "general_bounce", None, None, "bounced"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{c[3]}" for i, c in enumerate(CASES)])
def test_real_intl_reply(classifier, case):
    check_reply(classifier, case)
