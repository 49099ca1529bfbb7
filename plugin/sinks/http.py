"""HTTP(S) sink: batches of events POSTed to a collector, with presets for
Splunk HEC and Elasticsearch/OpenSearch ``_bulk``.

    https://collector.example.net/ingest?format=ecs&auth_env=COLLECTOR_TOKEN
    https://splunk.example.net:8088?preset=splunk&auth_file=/etc/bouncewatch/hec.token
    https://es.example.net:9200?preset=elasticsearch&index=bouncewatch&auth_env=ES_API_KEY

Keys:
  ``preset``       ``none`` (default) | ``splunk`` | ``elasticsearch`` (alias ``opensearch``)
  ``body``         ``ndjson`` (default) | ``array`` (one JSON array per request); preset none only
  ``format``       json (default; ecs for elasticsearch) | ecs | ocsf, or cef/leef (as strings:
                   in a Splunk ``event``, or NDJSON of JSON strings)
  ``gzip``         compress request bodies (``Content-Encoding: gzip``), default false
  ``timeout``      seconds for the whole request: connect, send and the complete answer (default 10)
  ``ca``, ``cert``, ``key``   PEM CA bundle to trust instead of the system store; client certificate
  ``auth_env`` / ``auth_file``   where the secret is: an environment variable or a file (first line)
  ``auth_scheme``  ``Bearer`` (default), ``Splunk`` (splunk), ``ApiKey`` (elasticsearch), ``Basic``
                   (secret ``user:password``), or ``none`` (the secret is the whole header value)
  ``auth_header``  header name (default ``Authorization``)
  ``sourcetype``, ``source``, ``splunk_index``   Splunk envelope fields (default sourcetype
                   ``bouncewatch:event``, source ``bouncewatch``)
  ``index``        Elasticsearch index or data stream (default ``bouncewatch``)
  plus the delivery keys of reliable.Policy (``batch_max``, ``backoff``, ``spool_max``, ``overflow`` ...).

Secrets never come from the command line: a URI with ``user:password@``, or a
``token=``/``password=`` key, is refused; the secret is read once at start
(missing -> refused, naming the sink and the key) and never appears in a log
line or an error.

Status handling: 2xx delivered; 429 and 503 retried after ``Retry-After``
(seconds or an HTTP date) or back-off; other 5xx, 408, 401, 403, 404 and
connection errors retried with back-off (a wrong token is fixed by an
operator, not by dropping events); 400/413/422 split the batch in halves to
find the record the receiver refuses, which is kept in the spool's
``rejected`` file. Elasticsearch per-item results are read: a 409 on
``create`` means the event (same ``_id`` = event_id) is already there, a 429
or 5xx item retries the batch, another error rejects that one record.

urllib3 is the client: a connection pool with keep-alive, explicit TLS
contexts, and no retry magic of its own (retries=False: the spool and
back-off here decide, so nothing retries twice).

``timeout`` is a deadline for the whole request (deadline.py): urllib3's
own timeouts bound each connect, send and read, so a receiver that trickles
its answer a byte at a time would hold the request as long as it likes.
When the deadline passes, the connection's socket is shut down; the read or
write in progress ends at once, urllib3 discards that connection, and the
batch is retried from the spool like after any failed send.
"""

from __future__ import annotations

import base64
import gzip
import os
import ssl
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable
from urllib.parse import urlsplit

import orjson
import urllib3

from ..formats import Format, dumpb, get_format
from . import LOOPBACK, SECRET_KEYS, ConfigError, Event, Options, _display
from .deadline import Deadline, pool_manager
from .reliable import DeliveryError, Policy, ReliableSink, spool_ident
from .tls import client_context

PRESETS = ("none", "splunk", "elasticsearch", "opensearch")
_SPLIT = (400, 413, 422)


class HttpTransport:
    def __init__(self, name: str, url: str, pool: urllib3.PoolManager, headers: dict[str, str],
                 body: Callable[[list[bytes]], bytes], gzip_level: int | None, check: Callable[..., Any],
                 timeout: float) -> None:
        self.name, self.url, self.pool, self.headers = name, url, pool, headers
        self.body, self.gzip_level, self.check = body, gzip_level, check
        self.seconds = timeout
        # urllib3's timeouts still end a silent connect or read by themselves;
        # the deadline ends the rest (a trickle, each read in time).
        self.timeout = urllib3.Timeout(total=timeout)
        self.deadline = Deadline(name)

    def deliver(self, records: list[bytes]) -> list[tuple[bytes, str]]:
        data = self.body(records)
        headers = dict(self.headers)
        if self.gzip_level is not None:
            data = gzip.compress(data, self.gzip_level)
            headers["Content-Encoding"] = "gzip"
        with self.deadline.bound(self.seconds):
            try:
                r = self.pool.request("POST", self.url, body=data, headers=headers, timeout=self.timeout,
                                      retries=False, redirect=False, preload_content=True)
            except urllib3.exceptions.HTTPError as e:
                if self.deadline.fired:
                    raise DeliveryError(f"no complete answer within timeout={self.seconds:g}s") from None
                raise DeliveryError(_transport_reason(e)) from None
        if self.deadline.fired:  # answered in full as the deadline passed: the socket is shut
            self.pool.clear()
        status = r.status
        if 200 <= status < 300:
            return self.check(records, r)
        text = _snippet(r.data)
        if status in _SPLIT:
            if len(records) > 1:
                mid = len(records) // 2
                return self.deliver(records[:mid]) + self.deliver(records[mid:])
            return [(records[0], f"HTTP {status}: {text}")]
        retry_after = _retry_after(r.headers.get("Retry-After")) if status in (429, 503) else None
        raise DeliveryError(f"HTTP {status}: {text}", retry_after=retry_after)

    def reset(self) -> None:
        self.pool.clear()  # a fresh connection next time: the old one may be half-dead

    def close(self) -> None:
        self.pool.clear()
        self.deadline.close()


def _transport_reason(e: Exception) -> str:
    inner = getattr(e, "reason", None) or e
    if isinstance(inner, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(inner):
        return f"TLS certificate verification failed ({getattr(inner, 'verify_message', inner)})"
    if isinstance(e, urllib3.exceptions.ReadTimeoutError):
        return "read timed out"
    if isinstance(e, urllib3.exceptions.ConnectTimeoutError):
        return "connect timed out"
    s = str(inner)
    return s.split(": ", 1)[-1] if "NewConnectionError" in s or "Failed to establish" in s else s


def _snippet(data: bytes | None) -> str:
    s = (data or b"")[:200].decode("utf-8", "replace").replace("\n", " ").strip()
    return s or "(empty body)"


def _retry_after(v: str | None) -> float | None:
    if not v:
        return None
    v = v.strip()
    if v.isdigit():
        return float(v)
    try:
        when = parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _check_plain(records: list[bytes], r: Any) -> list[tuple[bytes, str]]:
    return []


def _check_bulk(records: list[bytes], r: Any) -> list[tuple[bytes, str]]:
    try:
        doc = orjson.loads(r.data)
    except orjson.JSONDecodeError:
        raise DeliveryError(f"_bulk answered {r.status} with a body that is not JSON: {_snippet(r.data)}") from None
    if not doc.get("errors"):
        return []
    items = doc.get("items") or []
    if len(items) != len(records):
        raise DeliveryError(f"_bulk answered {len(items)} items for {len(records)} documents")
    rejected = []
    for rec, item in zip(records, items):
        res = next(iter(item.values()), {}) if isinstance(item, dict) else {}
        st = int(res.get("status", 0))
        if st < 300 or st == 409:  # 409 on create: this event_id is already indexed (a replay)
            continue
        if st == 429 or st >= 500:
            raise DeliveryError(f"_bulk item status {st}: {res.get('error')}")
        err = res.get("error") or {}
        rejected.append((rec, f"_bulk item {st}: {err.get('type', '')} {err.get('reason', '')}".strip()))
    return rejected


def _read_secret(o: Options) -> str | None:
    env, path = o.get("auth_env"), o.get("auth_file")
    if env and path:
        raise o.error("auth_env", "give auth_env or auth_file, not both")
    if env:
        val = os.environ.get(env)
        if not val:
            raise o.error("auth_env", f"environment variable {env} is not set or empty")
        return val.strip()
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                val = f.readline().strip()
        except OSError as e:
            raise o.error("auth_file", f"cannot read {path}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise o.error("auth_file", f"{path} is not UTF-8 text") from None
        if not val:
            raise o.error("auth_file", f"{path} is empty")
        return val
    return None


def open_http(uri: str, opts: dict[str, Any]) -> ReliableSink:
    name = _display(uri)
    try:
        parts = urlsplit(uri.split("?", 1)[0])
        parts.port  # raises ValueError on a bad port
    except ValueError as e:
        raise ConfigError(f"sink {name!r}: bad URL: {e}") from None
    if not parts.hostname:
        raise ConfigError(f"sink {name!r}: bad URL: no host")
    if parts.username or parts.password:
        raise ConfigError(f"sink {name!r}: credentials in the URL are refused (they would show in "
                          "process lists and logs); use auth_env=VAR or auth_file=PATH")
    o = Options(name, opts)
    for k in SECRET_KEYS:
        if k in opts:
            raise ConfigError(f"sink {name!r}: key {k!r}: secrets are not accepted in the URI or on the "
                              "command line; use auth_env=VAR or auth_file=PATH")
    preset = o.choice("preset", PRESETS, "none")
    if preset == "opensearch":
        preset = "elasticsearch"
    fmt = get_format(o.get("format", "ecs" if preset == "elasticsearch" else "json"))
    if preset == "elasticsearch" and fmt.name in ("cef", "leef"):
        raise o.error("format", "Elasticsearch indexes JSON documents: use json, ecs or ocsf")

    path = parts.path or ""
    if preset == "splunk" and path in ("", "/"):
        path = "/services/collector/event"
    elif preset == "elasticsearch" and path in ("", "/"):
        path = "/_bulk"
    elif path == "":
        path = "/"
    url = f"{parts.scheme}://{parts.netloc}{path}"

    headers = {"User-Agent": "bouncewatch", "Connection": "keep-alive"}
    secret = _read_secret(o)
    default_scheme = {"splunk": "Splunk", "elasticsearch": "ApiKey"}.get(preset, "Bearer")
    auth_scheme = o.get("auth_scheme", default_scheme) or default_scheme
    auth_header = o.get("auth_header", "Authorization") or "Authorization"
    if secret is not None:
        if auth_scheme.lower() == "basic":
            secret = base64.b64encode(secret.encode()).decode()
        headers[auth_header] = secret if auth_scheme.lower() == "none" else f"{auth_scheme} {secret}"
    elif o.get("auth_scheme") is not None:
        raise o.error("auth_scheme", "set, but no secret: add auth_env=VAR or auth_file=PATH")

    gz = o.boolean("gzip", False)
    timeout = o.number("timeout", 10.0, minimum=0.01)
    body_mode = o.choice("body", ("ndjson", "array"), "ndjson")
    render, body, check, ctype = _shape(o, preset, fmt, body_mode)
    headers["Content-Type"] = ctype

    if parts.scheme == "https":
        pool = pool_manager(ssl_context=client_context(o))
    else:
        for k in ("ca", "cert", "key"):
            if o.get(k) is not None:
                raise o.error(k, "TLS options on a plain http:// URL (use https://)")
        pool = pool_manager()
    transport = HttpTransport(name, url, pool, headers, body, 6 if gz else None, check, timeout)
    policy = Policy(o, opts.get("state_dir"), spool_ident(uri))
    o.done()
    sink = ReliableSink(name, transport, render, policy, check=o.checking)
    sink.leaves_host = parts.hostname not in LOOPBACK
    return sink


def _shape(o: Options, preset: str, fmt: Format, body_mode: str) -> tuple[
        Callable[[Event], bytes], Callable[[list[bytes]], bytes], Callable[..., Any], str]:
    """Per preset: how one event becomes one spooled record, how records
    become a request body, how the answer is checked, and the content type."""

    def payload(e: Event) -> Any:
        s = fmt.structured(e)
        return s if s is not None else fmt.render(e)

    def ndjson(records: list[bytes]) -> bytes:
        return b"\n".join(records) + b"\n"

    if preset == "splunk":
        sourcetype = o.get("sourcetype", "bouncewatch:event")
        source = o.get("source", "bouncewatch")
        index = o.get("splunk_index")

        def render(e: Event) -> bytes:
            env: dict[str, Any] = {"time": _epoch(e.get("timestamp")), "host": e.get("host"),
                                   "source": source, "sourcetype": sourcetype, "event": payload(e)}
            if index:
                env["index"] = index
            if env["time"] is None:
                del env["time"]
            if env["host"] is None:
                del env["host"]
            return dumpb(env)
        return render, ndjson, _check_plain, "application/json"

    if preset == "elasticsearch":
        index = o.get("index", "bouncewatch")

        def render(e: Event) -> bytes:
            action = {"create": {"_index": index, "_id": e.get("event_id")}}
            return dumpb(action) + b"\n" + dumpb(payload(e))
        return render, ndjson, _check_bulk, "application/x-ndjson"

    def render(e: Event) -> bytes:
        return dumpb(payload(e))
    if body_mode == "array":
        return render, lambda rs: b"[" + b",".join(rs) + b"]", _check_plain, "application/json"
    return render, ndjson, _check_plain, "application/x-ndjson"


def _epoch(ts: str | None) -> float | None:
    if not ts:
        return None
    try:
        return datetime.fromisoformat(ts).timestamp()
    except ValueError:
        return None
