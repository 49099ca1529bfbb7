"""Event renderers: one bouncewatch event (DESIGN.md schema) -> one record in
the shape a SIEM ingests without a custom parser.

    json  the event as is (schema ``bouncewatch/1``)
    ecs   Elastic Common Schema 8.x: ``@timestamp``, ``event.*``, ``email.*``,
          ``destination.*``, ``host.*``; our own fields under ``bouncewatch.*``
    ocsf  OCSF 1.1 Email Activity (class_uid 4009, category 4); ours under ``unmapped``
    cef   ArcSight Common Event Format 0 (one text line)
    leef  IBM QRadar LEEF 2.0, tab-delimited (one text line)

``get_format(name)`` returns a :class:`Format`; ``fmt.render(event)`` gives
one line of text without a trailing newline; ``fmt.structured(event)``
gives the dict behind a JSON format (``None`` for cef/leef), which the HTTP
presets wrap in their envelope.

Why every renderer escapes: recipient addresses come from the log, and a
quoted local part may legally hold ``|``, ``=``, ``\\`` (and a hostile log
line can hold anything). A value is never able to end its field or its
record: JSON formats rely on the encoder (control characters become
``\\n``/``\\u0000``), CEF escapes ``\\`` and ``|`` in the header and ``\\``,
``=``, CR and LF in extension values, LEEF escapes ``\\``, the tab
delimiter, CR and LF. No format ever emits a raw CR or LF.

JSON is encoded with orjson (several times faster than the stdlib encoder,
which matters on a busy ESP's backlog replay); the stdlib is the fallback
for the values orjson refuses (lone surrogates, integers beyond 64 bits).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

import orjson

from bouncewatch import __version__

Event = dict[str, Any]
FORMATS = ("json", "ecs", "ocsf", "cef", "leef")

VENDOR, PRODUCT = "bouncewatch", "bouncewatch"


class FormatError(ValueError):
    """An unknown format name."""


def dumps(obj: Any) -> str:
    """Compact JSON, UTF-8 kept as is (same bytes as ``json.dumps(...,
    ensure_ascii=False, separators=(",", ":"))`` for our events)."""
    try:
        return orjson.dumps(obj).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def dumpb(obj: Any) -> bytes:
    try:
        return orjson.dumps(obj)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class Format:
    name: str
    structured: Callable[[Event], dict[str, Any] | None]
    _text: Callable[[Event], str] | None = None

    def render(self, event: Event) -> str:
        if self._text is not None:
            return self._text(event)
        return dumps(self.structured(event))

    @property
    def binary(self) -> bool:
        """JSON: :meth:`render_bytes` gives the UTF-8 bytes without a str between."""
        return self._text is None

    def render_bytes(self, event: Event) -> bytes:
        if self._text is not None:
            return self._text(event).encode("utf-8")
        return dumpb(self.structured(event))

    def line_encoder(self) -> Callable[[Event], bytes]:
        """``render_bytes(event) + b"\\n"`` as one function, for writing many
        events: orjson appends the newline itself, and the plain event
        (``json``) is encoded without a call to its identity mapping."""
        if self._text is not None:
            text = self._text
            return lambda event: (text(event) + "\n").encode("utf-8")
        encode, newline, refused = orjson.dumps, orjson.OPT_APPEND_NEWLINE, (TypeError, orjson.JSONEncodeError)

        def plain(obj: Any) -> bytes:
            try:
                return encode(obj, option=newline)
            except refused:
                return dumpb(obj) + b"\n"
        if self.structured is _json:
            return plain
        structured = self.structured
        return lambda event: plain(structured(event))


def get_format(name: str | None) -> Format:
    key = (name or "json").lower()
    try:
        return _REGISTRY[key]
    except KeyError:
        raise FormatError(f"unknown format {name!r} (known: {', '.join(FORMATS)})") from None


def render(event: Event, name: str = "json") -> str:
    return get_format(name).render(event)


# -- helpers -----------------------------------------------------------------------
def _cls(event: Event) -> dict[str, Any]:
    return event.get("classification") or {}


def _epoch_ms(ts: str | None) -> int | None:
    if not ts:
        return None
    try:
        return int(datetime.fromisoformat(ts).timestamp() * 1000)
    except ValueError:
        return None


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    """Drop None and empty containers, recursively: SIEM mappings treat a
    null differently from an absent field, and absent is what we mean."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if v is None:
            continue
        t = type(v)
        if t is dict:
            v = _compact(v)
            if not v:
                continue
        elif t is list and not v:
            continue
        out[k] = v
    return out


def _outcome(event: Event) -> str:
    return "success" if event.get("status") == "sent" else "failure"


def _severity(event: Event) -> int:
    """0 informational .. 3 serious, shared by the text formats' scales."""
    status = event.get("status")
    if status == "sent":
        return 0
    t = _cls(event).get("type")
    if status in ("bounced", "expired"):
        return 3 if t == "hard" else 2
    return 1


def _ours(event: Event) -> dict[str, Any]:
    """Our fields that no standard schema has a place for."""
    return _compact({
        "schema": event.get("schema"),
        "event_id": event.get("event_id"),
        "mta": event.get("mta"),
        "status": event.get("status"),
        "queue_id": event.get("queue_id"),
        "recipient_domain": event.get("recipient_domain"),
        "orig_recipient": event.get("orig_recipient"),
        "attempt": event.get("attempt"),
        "delay": event.get("delay"),
        "size": event.get("size"),
        "smtp_code": event.get("smtp_code"),
        "dsn": event.get("dsn"),
        "reply_dsn": event.get("reply_dsn"),
        "smtp_command": event.get("smtp_command"),
        "classification": dict(_cls(event)),
    })


# -- json --------------------------------------------------------------------------
def _json(event: Event) -> dict[str, Any]:
    return event


# -- ecs ---------------------------------------------------------------------------
ECS_VERSION = "8.11.0"


def _ecs(event: Event) -> dict[str, Any]:
    relay = event.get("relay") or {}
    source = event.get("source") or {}
    c = _cls(event)
    return _compact({
        "@timestamp": event.get("timestamp"),
        "ecs": {"version": ECS_VERSION},
        "message": event.get("reason"),
        "event": {
            "id": event.get("event_id"),
            "kind": "event",
            "category": ["email"],
            "type": ["info"],
            "action": event.get("status"),
            "outcome": _outcome(event),
            "reason": c.get("category"),
            "code": event.get("dsn"),
            "module": "bouncewatch",
            "dataset": "bouncewatch.delivery",
            "severity": _severity(event),
            "duration": int(event["delay"] * 1e9) if isinstance(event.get("delay"), (int, float)) else None,
        },
        "email": {
            "from": {"address": [event["sender"]] if event.get("sender") else None},
            "to": {"address": [event["recipient"]] if event.get("recipient") else None},
            "message_id": event.get("message_id"),
            "local_id": event.get("queue_id"),
            "direction": "outbound",
        },
        "destination": {
            "domain": relay.get("host") or event.get("recipient_domain"),
            "address": relay.get("ip") or relay.get("host"),
            "ip": relay.get("ip"),
            "port": relay.get("port"),
        },
        "host": {"name": event.get("host"), "hostname": event.get("host")},
        "process": {"name": event.get("program"), "pid": event.get("pid")},
        "log": {"file": {"path": source.get("path")}, "offset": source.get("offset")},
        "bouncewatch": _ours(event),
    })


# -- ocsf --------------------------------------------------------------------------
OCSF_VERSION = "1.1.0"
_OCSF_SEVERITY = {0: 1, 1: 2, 2: 3, 3: 4}   # Informational, Low, Medium, High
_OCSF_SEVERITY_NAME = {1: "Informational", 2: "Low", 3: "Medium", 4: "High"}


def _ocsf(event: Event) -> dict[str, Any]:
    relay = event.get("relay") or {}
    sev = _OCSF_SEVERITY[_severity(event)]
    ok = event.get("status") == "sent"
    ms = _epoch_ms(event.get("timestamp"))
    rcpt = event.get("recipient")
    return _compact({
        "class_uid": 4009,
        "class_name": "Email Activity",
        "category_uid": 4,
        "category_name": "Network Activity",
        "activity_id": 1,
        "activity_name": "Send",
        "type_uid": 400901,
        "type_name": "Email Activity: Send",
        "time": ms,
        "time_dt": event.get("timestamp"),
        "severity_id": sev,
        "severity": _OCSF_SEVERITY_NAME[sev],
        "status_id": 1 if ok else 2,
        "status": "Success" if ok else "Failure",
        "status_code": str(event["smtp_code"]) if event.get("smtp_code") is not None else None,
        "status_detail": event.get("reason"),
        "message": f"{event.get('status')}: {_cls(event).get('category')}",
        "direction_id": 2,
        "direction": "Outbound",
        "attempt": event.get("attempt"),
        "command": event.get("smtp_command"),
        "email": {
            "uid": event.get("queue_id"),
            "message_uid": event.get("message_id"),
            "from": event.get("sender"),
            "smtp_from": event.get("sender"),
            "to": [rcpt] if rcpt else None,
            "smtp_to": rcpt,
            "size": event.get("size"),
        },
        "dst_endpoint": {"hostname": relay.get("host"), "ip": relay.get("ip"), "port": relay.get("port"),
                         "domain": event.get("recipient_domain")},
        "src_endpoint": {"hostname": event.get("host")},
        "device": {"hostname": event.get("host"), "type_id": 0},
        "metadata": {
            "version": OCSF_VERSION,
            "uid": event.get("event_id"),
            "log_name": (event.get("source") or {}).get("path"),
            "product": {"name": PRODUCT, "vendor_name": VENDOR, "version": __version__},
        },
        "unmapped": {"bouncewatch": _ours(event)},
    })


# -- cef ---------------------------------------------------------------------------
def _cef_header(v: Any) -> str:
    s = "" if v is None else str(v)
    s = s.replace("\\", "\\\\").replace("|", "\\|")
    # The header has no escape for line breaks: they would end the record.
    return s.replace("\r", " ").replace("\n", " ")


def _cef_value(v: Any) -> str:
    s = str(v)
    return (s.replace("\\", "\\\\").replace("=", "\\=")
            .replace("\r", "\\r").replace("\n", "\\n"))


_CEF_SEVERITY = {0: 1, 1: 4, 2: 6, 3: 8}


def _cef(event: Event) -> str:
    c = _cls(event)
    relay = event.get("relay") or {}
    ext: list[tuple[str, Any]] = [
        ("rt", _epoch_ms(event.get("timestamp"))),
        ("externalId", event.get("event_id")),
        ("dvchost", event.get("host")),
        ("deviceProcessName", event.get("program")),
        ("dvcpid", event.get("pid")),
        ("suser", event.get("sender")),
        ("duser", event.get("recipient")),
        ("dhost", relay.get("host")),
        ("dst", relay.get("ip")),
        ("dpt", relay.get("port")),
        ("outcome", _outcome(event)),
        ("act", c.get("action")),
        ("reason", event.get("reason")),
        ("cat", c.get("category")),
        ("cs1Label", "dsn"), ("cs1", event.get("dsn")),
        ("cs2Label", "queueId"), ("cs2", event.get("queue_id")),
        ("cs3Label", "messageId"), ("cs3", event.get("message_id")),
        ("cs4Label", "bounceType"), ("cs4", c.get("type")),
        ("cs5Label", "provider"), ("cs5", c.get("provider")),
        ("cs6Label", "rule"), ("cs6", c.get("rule")),
        ("cn1Label", "smtpCode"), ("cn1", event.get("smtp_code")),
        ("cn2Label", "bounceCode"), ("cn2", c.get("code")),
        ("cn3Label", "attempt"), ("cn3", event.get("attempt")),
    ]
    # A label without its value would mislead; drop both.
    pairs: list[str] = []
    for i, (k, v) in enumerate(ext):
        if k.endswith("Label"):
            continue
        if v is None or v == "":
            continue
        if i > 0 and ext[i - 1][0] == k + "Label":
            pairs.append(f"{k}Label={_cef_value(ext[i - 1][1])}")
        pairs.append(f"{k}={_cef_value(v)}")
    status = event.get("status") or "unknown"
    category = c.get("category") or "unknown"
    header = ["CEF:0", VENDOR, PRODUCT, __version__, f"{status}:{category}",
              f"mail {status} ({category})", str(_CEF_SEVERITY[_severity(event)])]
    return "|".join(header[:1] + [_cef_header(h) for h in header[1:]]) + "|" + " ".join(pairs)


# -- leef --------------------------------------------------------------------------
LEEF_DELIMITER = "\t"


def _leef_header(v: Any) -> str:
    s = "" if v is None else str(v)
    return (s.replace("\\", "\\\\").replace("|", "\\|")
            .replace("\r", " ").replace("\n", " "))


def _leef_value(v: Any) -> str:
    s = str(v)
    return (s.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\r", "\\r").replace("\n", "\\n"))


_LEEF_SEVERITY = _CEF_SEVERITY  # the same 1-10 scale


def _leef(event: Event) -> str:
    c = _cls(event)
    relay = event.get("relay") or {}
    ms = _epoch_ms(event.get("timestamp"))
    attrs: list[tuple[str, Any]] = [
        ("devTime", ms), ("devTimeFormat", "epoch" if ms is not None else None),
        ("cat", c.get("category")),
        ("sev", _LEEF_SEVERITY[_severity(event)]),
        ("eventId", event.get("event_id")),
        ("identHostName", event.get("host")),
        ("sender", event.get("sender")),
        ("recipient", event.get("recipient")),
        ("usrName", event.get("recipient")),
        ("dstHost", relay.get("host")),
        ("dst", relay.get("ip")),
        ("dstPort", relay.get("port")),
        ("status", event.get("status")),
        ("bounceType", c.get("type")),
        ("bounceCode", c.get("code")),
        ("action", c.get("action")),
        ("rule", c.get("rule")),
        ("provider", c.get("provider")),
        ("blocklist", c.get("blocklist")),
        ("dsn", event.get("dsn")),
        ("smtpCode", event.get("smtp_code")),
        ("queueId", event.get("queue_id")),
        ("messageId", event.get("message_id")),
        ("reason", event.get("reason")),
    ]
    body = LEEF_DELIMITER.join(f"{k}={_leef_value(v)}" for k, v in attrs if v is not None and v != "")
    header = ["LEEF:2.0", VENDOR, PRODUCT, __version__, event.get("status") or "unknown"]
    return "|".join(header[:1] + [_leef_header(h) for h in header[1:]]) + "|x09|" + body


_REGISTRY: dict[str, Format] = {
    "json": Format("json", _json),
    "ecs": Format("ecs", _ecs),
    "ocsf": Format("ocsf", _ocsf),
    "cef": Format("cef", lambda e: None, _cef),
    "leef": Format("leef", lambda e: None, _leef),
}
