"""Returned mail (bytes) -> the few parts a bounce parser reads. Pure: no I/O.

A report puts what matters first: RFC 3462/6522 ``multipart/report`` is the
human text, then the machine part (``message/delivery-status``,
``message/feedback-report``), then the returned message; qmail, Exim and
the rest write their explanation before "a copy of the message follows".
So only the head of a message is parsed (:data:`HEAD_LIMIT`, the caller cuts
it), and of that only text parts, the machine parts and the returned
message's headers are decoded; an attachment (a 20 MB PDF in the returned
copy) is never decoded. Decoded text is capped per part (:data:`TEXT_LIMIT`).

Nothing here raises on bad input: a missing boundary, an unknown or lying
charset, broken base64 or a truncated message become ``defects`` and the
best text that can be had.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.header import Header, decode_header
from email.message import Message
from email.parser import BytesParser, HeaderParser

from .lazyre import lazy

HEAD_LIMIT = 1 << 20          # bytes of a message that are parsed at all
TEXT_LIMIT = 256 << 10        # bytes of one decoded text part that are kept
MAX_PARTS = 200               # MIME parts walked (a bomb of empty parts stops here)

_TAG = lazy(r"<(?:style|script)[^>]{0,200}>[^<]{0,20000}</(?:style|script)>|<[^>]{0,2000}>", re.I)
_BR = lazy(r"<(?:br|/p|/div|/tr|/li|/h\d)[^>]{0,200}>", re.I)


@dataclass(slots=True)
class MailParts:
    """What a returned message holds, in reading order."""

    headers: dict[str, str]                 # top-level headers, lower-cased names, first value wins
    header_list: list[tuple[str, str]]      # all top-level headers, in order
    content_type: str
    report_type: str | None
    texts: list[str] = field(default_factory=list)            # human-readable parts (HTML stripped)
    delivery_status: list[str] = field(default_factory=list)  # message/(global-)delivery-status bodies
    feedback: list[str] = field(default_factory=list)         # message/feedback-report bodies
    original_headers: dict[str, str] | None = None            # the returned message's headers
    embedded_reports: list[bytes] = field(default_factory=list)  # a bounce forwarded as an attachment
    defects: list[str] = field(default_factory=list)
    truncated: bool = False


def header_text(value: object) -> str:
    """A header value as text: RFC 2047 words decoded, raw 8-bit bytes
    decoded as UTF-8 (else Latin-1), never an exception."""
    if value is None:
        return ""
    if isinstance(value, Header):  # 8-bit bytes in a header: the email package wraps them
        try:
            return _unfold("".join(decode_bytes(b, cs, []) if isinstance(b, bytes) else b
                                   for b, cs in decode_header(value)))
        except Exception:
            value = str(value)
    text = str(value)
    if any("\udc80" <= c <= "\udcff" for c in text):
        text = text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    if "=?" not in text:
        return _unfold(text)
    try:
        out = []
        for chunk, cs in decode_header(text):
            out.append(decode_bytes(chunk, cs, []) if isinstance(chunk, bytes) else chunk)
        return _unfold("".join(out))
    except Exception:  # a malformed encoded word: keep it as written
        return _unfold(text)


def _unfold(s: str) -> str:
    return " ".join(s.split()) if ("\n" in s or "\r" in s or "\t" in s) else s.strip()


def decode_bytes(data: bytes, charset: str | None, defects: list[str]) -> str:
    """Bytes in the declared charset; if that is unknown or wrong, UTF-8;
    then Windows-1252 (the usual truth behind a wrong label)."""
    tried = []
    for cs in (charset, "utf-8"):
        if not cs or cs in tried:
            continue
        tried.append(cs)
        try:
            return data.decode(cs)
        except LookupError:
            defects.append(f"unknown charset {cs!r}")
        except UnicodeDecodeError:
            defects.append(f"text is not valid {cs}")
    return data.decode("cp1252", "replace")


def html_to_text(s: str) -> str:
    import html  # only HTML-only bounces need it (Yahoo, some gateways); keeps the pipe's start-up lean
    s = _BR.sub("\n", s)
    s = _TAG.sub(" ", s)
    return html.unescape(s)


def parse_headers_text(text: str) -> dict[str, str]:
    """A header block given as text (text/rfc822-headers, a copy below a
    qmail marker) -> lower-cased name -> first value."""
    msg = HeaderParser().parsestr(text[:65536], headersonly=True)  # policy: compat32, see read_mail
    return _first_values(msg)


def _first_values(msg: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in msg.items():
        k = k.lower()
        if k not in out:
            out[k] = header_text(v)
    return out


def _block_text(payload: object, part: Message, defects: list[str]) -> str:
    """message/delivery-status and message/feedback-report: the email package
    parses them as header blocks; give them back as the text they were."""
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, Message):
                blocks.append("\n".join(f"{k}: {header_text(v)}" for k, v in block.items()))
                # _payload, not get_payload(): that decodes raw 8-bit text as ASCII with "?" replacements
                rest = block._payload  # noqa: SLF001
                if isinstance(rest, str) and rest.strip():
                    # message/global-delivery-status (RFC 6533) and other message/* types the
                    # email package reads as one header block plus a "body": the other blocks
                    blocks.append(rest.encode("ascii", "surrogateescape").decode("utf-8", "replace")
                                  if any("\udc80" <= c <= "\udcff" for c in rest) else rest)
        return "\n\n".join(blocks)
    return _decoded_text(part, defects)


def _decoded_text(part: Message, defects: list[str]) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception as e:  # broken base64 / quoted-printable
        defects.append(f"undecodable part: {type(e).__name__}")
        data = None
    if data is None:
        raw = part.get_payload()
        if not isinstance(raw, str):
            return ""
        data = raw.encode("ascii", "surrogateescape")
    if not isinstance(data, bytes):
        return ""
    if len(data) > TEXT_LIMIT:
        defects.append(f"text part cut at {TEXT_LIMIT} bytes")
        data = data[:TEXT_LIMIT]
    charset = part.get_content_charset()
    return decode_bytes(data, charset, defects)


def read_mail(raw: bytes, truncated: bool = False) -> MailParts:
    """Parse the (head of the) message. ``truncated`` says the caller cut it
    at :data:`HEAD_LIMIT`; the missing tail can only be the returned copy."""
    if len(raw) > HEAD_LIMIT:
        raw, truncated = raw[:HEAD_LIMIT], True
    if raw.startswith(b"From ") and b"\n" in raw[:1000]:  # mbox "From " line (Exim/procmail delivery)
        raw = raw[raw.index(b"\n") + 1:]
    # The parsers' documented default policy, compat32: lenient with broken
    # mail, plain string headers. (Not named: importing email.policy costs a
    # short-lived ingest-mail process more than parsing the message.)
    msg = BytesParser().parsebytes(raw)
    headers = _first_values(msg)
    header_list = [(k, header_text(v)) for k, v in msg.items()]
    mp = MailParts(headers=headers, header_list=header_list,
                   content_type=msg.get_content_type(), report_type=(msg.get_param("report-type") or None),
                   truncated=truncated)
    if isinstance(mp.report_type, tuple):  # RFC 2231-encoded parameter
        mp.report_type = str(mp.report_type[2])
    if mp.report_type:
        mp.report_type = mp.report_type.lower()
    for d in msg.defects:
        mp.defects.append(type(d).__name__)
    _walk(msg, mp, depth=0, counter=[0])
    return mp


def _walk(part: Message, mp: MailParts, depth: int, counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > MAX_PARTS or depth > 20:
        if counter[0] == MAX_PARTS + 1:
            mp.defects.append(f"more than {MAX_PARTS} MIME parts; the rest ignored")
        return
    for d in part.defects if depth else ():
        mp.defects.append(type(d).__name__)
    ctype = part.get_content_type()
    maintype = part.get_content_maintype()
    payload = part.get_payload()
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        mp.delivery_status.append(_block_text(payload, part, mp.defects))
        return
    if ctype == "message/feedback-report":
        mp.feedback.append(_block_text(payload, part, mp.defects))
        return
    if ctype in ("message/rfc822", "message/global", "message/partial"):
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            if inner.get_content_type() == "multipart/report" and depth < 3 and len(mp.embedded_reports) < 2:
                # A report forwarded by a gateway or a person: analyzed on its own if the outer says nothing.
                try:
                    mp.embedded_reports.append(inner.as_bytes()[:HEAD_LIMIT])
                except Exception as e:
                    mp.defects.append(f"embedded report unreadable: {type(e).__name__}")
            elif mp.original_headers is None:
                mp.original_headers = _first_values(inner)
        return  # the returned copy: never read as the report's own text
    if ctype in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
        if mp.original_headers is None:
            mp.original_headers = parse_headers_text(_decoded_text(part, mp.defects))
        return
    if part.is_multipart() and isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                _walk(sub, mp, depth + 1, counter)
        return
    if maintype == "multipart":  # boundary missing or wrong: the body is all we have
        mp.defects.append("multipart without its boundary; body read as text")
        mp.texts.append(_decoded_text(part, mp.defects))
        return
    if maintype == "text" or (depth == 0 and maintype not in ("image", "audio", "video", "application")):
        disposition = (part.get("content-disposition") or "").lower()
        if depth and disposition.startswith("attachment") and ctype not in ("text/plain", "text/html"):
            return
        text = _decoded_text(part, mp.defects)
        if ctype == "text/html":
            text = html_to_text(text)
        mp.texts.append(text)
