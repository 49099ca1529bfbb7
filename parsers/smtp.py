"""Reason text -> Reply(code, dsn, command, text, remote).

One function, :func:`parse_reply`, for all three MTAs: each writes the remote
server's reply into its reason in its own words, and they differ only in the
markers around it:

* Postfix: ``host mx[ip] said: 550 5.1.1 ... (in reply to RCPT TO command)``,
  ``host mx[ip] refused to talk to me: 554 ...`` (the greeting),
  ``lost connection with mx[ip] while sending RCPT TO``.
* Exim: ``SMTP error from remote mail server after RCPT TO:<x@y>: 550 ...``
  (its lmtp transport: ``LMTP error after RCPT TO:<x@y>: 550 ...``),
  multi-line replies kept with a literal ``\\n``.
* Sendmail: ``Deferred: 451 4.7.1 ...``, ``reply=550 5.1.1 ...``.

Enhanced status codes are validated per RFC 3463/5248 (class 2, 4 or 5;
subject 0-7; detail 0-999). When the reply's class disagrees with the basic
code (``451 5.7.3``), both are kept; the caller decides (see DESIGN notes in
README: the MTA's status and ``dsn=`` field say what happened to the message,
the reply's enhanced code says why, and classification prefers the latter).
"""

from __future__ import annotations

import re

from .lazyre import lazy
from .memo import Memo
from .records import Reply

_CODE = lazy(r"([245]\d\d)(?:([ -])([245]\.\d{1,3}\.\d{1,3})(?![\d.]))?(?:[ -]|$)")
_ENHANCED = lazy(r"(?<![\d.])([245])\.([0-7])\.(\d{1,3})(?![\d.])")

_POSTFIX_CMD = lazy(r" \(in reply to ([A-Za-z /]{2,24}?) command\)\s*$")
# Exim names the command it was answering with its argument, then ": " and the
# reply: "after RCPT TO:<x@y>: 550 ...", "after HELO mx.example: 554 ...",
# "after pipelined MAIL FROM:<s@x> SIZE=100: 553 ...", and for a dropped
# connection "Remote host closed connection in response to RCPT TO:<x@y>".
# Only MAIL FROM and RCPT TO are two words: "HELO mx" is HELO and its argument.
_EXIM_AFTER = lazy(
    r"(?:(?:SMTP (?:error from remote (?:mail server|mailer)|timeout|data timeout|protocol (?:error|synchronization error))"
    r"|LMTP (?:error|timeout)) after|Remote host closed connection in response to) (?:pipelined )?(initial connection|end of data|"
    r"sending data block|MAIL FROM|RCPT TO|[A-Za-z]{4,8})(?![A-Za-z])")
# Where the reply starts after the command's argument: the first ": " before a
# reply code (the argument and the reply itself may hold ">: ").
# Reasons in which the reply follows "after <command>: ": the smtp
# transport's, and the lmtp transport's (Exim to Dovecot's LMTP socket,
# Debian's usual local delivery with Dovecot: "LMTP error after RCPT
# TO:<x@y>: 550 5.1.1 <x@y> User doesn't exist").
_EXIM_REPLY_LEADS = ("SMTP error from remote", "LMTP error after ")
_EXIM_REPLY = lazy(r": (?=[245]\d\d(?:[ -]|$))")
_WHILE = lazy(r" while (?:receiving the initial server greeting|sending (MAIL FROM|RCPT TO|DATA command|"
                    r"end of data|message body|XFORWARD|AUTH|BDAT|QUIT)|performing the ([A-Z]{3,8}) handshake)")
_REMOTE = lazy(r"(?:host|with|to|by) ([A-Za-z0-9._-]{1,255}\[[0-9A-Fa-f.:]{2,45}\])")

# Reply text follows these markers; the first one found wins.
_MARKERS = (" said: ", "refused to talk to me: ", "Deferred: ", "reply=")

COMMANDS = {
    "CONNECT": "CONNECT", "INITIAL CONNECTION": "CONNECT", "GREETING": "CONNECT",
    "HELO": "HELO", "EHLO": "HELO", "LHLO": "HELO",
    "STARTTLS": "STARTTLS", "AUTH": "AUTH", "XFORWARD": "XFORWARD",
    "MAIL": "MAIL FROM", "MAIL FROM": "MAIL FROM",
    "RCPT": "RCPT TO", "RCPT TO": "RCPT TO",
    "DATA": "DATA", "BDAT": "END OF DATA", "END OF DATA": "END OF DATA",
    "SENDING DATA BLOCK": "END OF DATA", "MESSAGE CONTENT": "END OF DATA",
    "QUIT": "QUIT", "RSET": "RSET", "DATA COMMAND": "DATA", "MESSAGE BODY": "END OF DATA",
}


# The receiving host as an MTA names it around a reply, at the start or after
# the MTA's own ": ": Postfix's "host mx[ip] said:" and "host mx[ip] refused
# to talk to me:" (also behind "delivery temporarily suspended: "), Exim's
# older "after RCPT TO:<x>: host mx [ip]: 554 ...", qmail's "Remote host mx
# said:". Not a "Client host [ip]" in the reply itself.
_RECEIVER = lazy(r"(?:^|: )(?:(?:Remote )?host [^\s\[]{1,255} ?\[[0-9A-Fa-f.:]{2,45}\](?::[0-9]{1,5})?"
                 r"(?: said:| refused to talk to me:|:)|Remote host [^\s\[]{1,255} said:) ?")


def after_receiver(reason: str) -> str:
    """What follows the MTA's words naming the receiving host (the reply and
    the MTA's words after it), or the reason as it is when it names none.
    Whoever looks for what a reply quotes (a listed IP, a text to group by)
    must not take the receiver's own name and address for it."""
    m = _RECEIVER.search(reason)
    return reason[m.end():] if m is not None else reason


def normalize_command(word: str | None) -> str | None:
    if not word:
        return None
    return COMMANDS.get(word.strip().upper(), word.strip().upper())


def valid_enhanced(code: str) -> bool:
    """RFC 3463/5248: class 2|4|5 . subject 0-7 . detail 0-999."""
    parts = code.split(".")
    return (len(parts) == 3 and parts[0] in ("2", "4", "5") and parts[1].isdigit()
            and 0 <= int(parts[1]) <= 7 and parts[2].isdigit() and len(parts[2]) <= 3)


def find_command(reason: str) -> str | None:
    return _command_and_start(reason)[0]


def _command_and_start(reason: str) -> tuple[str | None, int, re.Match[str] | None]:
    """The command the reply answered, where the remote server's own words
    begin in the reason (-1: nowhere), and Postfix's ``(in reply to ...
    command)`` match if any. One pass per marker, so they stay consistent
    and each regex runs once."""
    m = _POSTFIX_CMD.search(reason)
    if m:
        return normalize_command(m[1]), _marker_start(reason), m
    if "refused to talk to me" in reason or "initial server greeting" in reason:
        return "CONNECT", _marker_start(reason), None
    if reason.startswith("SASL authentication failed;"):
        # Postfix's smtp client (smtp_sasl_glue.c): "SASL authentication
        # failed; server H[ip] said: 535 ..." answers AUTH, with no
        # "(in reply to ...)" after it.
        return "AUTH", _marker_start(reason), None
    m = _EXIM_AFTER.search(reason)
    exim = reason.startswith(_EXIM_REPLY_LEADS)
    if m:
        command = normalize_command(m[1])
        return command, _exim_reply_start(reason, m.end()) if exim else _marker_start(reason), None
    if exim:  # "SMTP error from remote server for RCPT TO command, host: mx (ip) reason: 550 ..."
        return None, _exim_reply_start(reason, 0), None
    m = _WHILE.search(reason)
    if m:
        if m[1]:
            command = normalize_command(m[1])
        else:
            command = "STARTTLS" if m[2] == "TLS" else ("CONNECT" if m[2] is None else normalize_command(m[2]))
        return command, _marker_start(reason), None
    return None, _marker_start(reason), None


def _marker_start(reason: str) -> int:
    """Postfix and Sendmail: the reply follows a fixed marker, else it is the whole reason."""
    for marker in _MARKERS:
        i = reason.find(marker)
        if i >= 0:
            return i + len(marker)
    return 0


def _exim_reply_start(reason: str, after_command: int) -> int:
    """Exim: ``... after <command and its argument>: <reply>``. The reply
    starts at the first ``: `` followed by a reply code after the command
    (which also skips Exim 4.7x's ``: host mx [ip]: 550 ...``); a reply
    without a code starts at the first ``: `` after the command."""
    m = _EXIM_REPLY.search(reason, after_command)
    if m:
        return m.end()
    i = reason.find(": ", after_command)
    return i + 2 if i >= 0 else -1


# The continuation prefix of each (code, dsn) pair, compiled once: a few
# dozen pairs cover a log, and building the pattern cost more than using it.
# Two patterns: the prefix at the start or after a space (search), and the
# same for a text that starts with a space (sub), where "^" can never be
# followed by the code: one that starts with its literal " 550" is searched
# for by the literal, a sixth of the cost on a three-line Exim reply.
_FOLDS: Memo = Memo(limit=1024)


def fold_multiline(text: str, code: str, dsn: str | None, keep_first: bool = False) -> str:
    """``550-5.1.1 a 550-5.1.1 b 550 5.1.1 c`` -> ``a b c`` (Exim's ``\\n`` too).
    ``keep_first`` keeps the first code (for a whole reason: ``said: 550-5.1.1 a b c``)."""
    if "\\n" in text:
        text = text.replace("\\n", " ")
    if f" {code}-" not in text and f" {code} " not in text:
        return text
    pats = _FOLDS.get((code, dsn))
    if pats is None:
        prefix = rf"{re.escape(code)}[ -]" + (re.escape(dsn) + " " if dsn else "")
        pats = _FOLDS.keep((code, dsn), (re.compile("(?:^| )" + prefix), re.compile(" " + prefix)))
    pat, spaced = pats
    if keep_first:
        m = pat.search(text)
        if m is None:
            return text
        return text[: m.end()] + spaced.sub(" ", " " + text[m.end():]).strip()
    return spaced.sub(" ", " " + text).strip()


# Reasons repeat ("retry time not reached for any host for 'example.com'",
# a relay's "Connection refused"); Reply is frozen, so one can be shared.
# Bounded in entries and in the length of what is kept.
_REPLIES: Memo = Memo(max_len=1000)


def parse_reply(reason: str) -> Reply:
    """Recover the SMTP reply from a log reason. Never raises; fields that
    cannot be recovered are None."""
    reply = _REPLIES.get(reason)
    return reply if reply is not None else _REPLIES.keep(reason, _parse_reply(reason))


def _parse_reply(reason: str) -> Reply:
    command, start, cm = _command_and_start(reason)
    remote = None
    rm = _REMOTE.search(reason, 0, 400) if reason.find("[", 0, 400) >= 0 else None  # its "[" first: C, not sre
    if rm:
        remote = rm[1]
    body = reason[start:] if start >= 0 else ""
    if cm is not None:  # the same match in body when it lies there; else search body as before
        body = body[: cm.start() - start] if start >= 0 and cm.start() >= start else body
        if cm.start() < start:
            cm2 = _POSTFIX_CMD.search(body)
            if cm2:
                body = body[: cm2.start()]
    code = dsn = None
    m = _CODE.match(body)
    if m:
        code = int(m[1])
        if m[3] and valid_enhanced(m[3]):
            dsn = m[3]
        text = fold_multiline(body[m.end():], m[1], dsn if m[2] else None)
        if dsn is None:  # "550 #5.1.0 Address rejected" (Exchange), "550 Requested ... 5.7.1"
            em = _ENHANCED.search(text, 0, 64)
            if em and em[1] == m[1][0]:
                dsn = em[0]
    else:
        text = body
        em = _ENHANCED.search(body, 0, 64) if body else None
        if em:
            dsn = em[0]
    return Reply(code=code, dsn=dsn, command=command, text=text.strip(), remote=remote)
