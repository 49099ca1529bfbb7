"""Sinks: where events go. One module per sink behind one small interface.

A sink takes a batch and returns only when the batch is delivered or durably
spooled; the follower checkpoints a read offset only after every sink has
returned for the events before it (at-least-once). A sink that can do
neither raises SinkError; the caller keeps the batch and retries.

    sink = open_sink("file:/var/log/bouncewatch/events.jsonl")
    sink.send([event, ...])
    sink.reopen()   # SIGHUP: logrotate moved our output
    sink.close()

URIs (``?key=value`` options after the URI; each module's docstring lists its keys):

    -                                   stdout (file.py)
    file:PATH                           JSON Lines / one record per line (file.py)
    syslog+udp://HOST:PORT              RFC 5424 (or 3164) datagrams (syslog.py)
    syslog+tcp://HOST:PORT              RFC 6587 octet counting (syslog.py)
    syslog+tls://HOST:PORT              RFC 5425, certificate verified (syslog.py)
    syslog:/dev/log, syslog:/PATH       any unix socket, datagram or stream (syslog.py)
    http://... https://...              batched NDJSON, Splunk HEC, Elasticsearch _bulk (http.py)
    SCHEME:...                          a factory registered under the entry-point
                                        group ``bouncewatch.sinks`` with name SCHEME

Options every sink understands: ``format=json|ecs|ocsf|cef|leef`` (formats.py),
``where=EXPR`` (the ``--where`` language, evaluated on
``event.where_context(event)``), ``statuses=bounced,deferred`` and
``pseudonymize_key=PATH`` (privacy.py: keyed HMAC of recipient local parts;
applied to that sink whatever it is; a loader with one global key passes it
to the sinks for which ``leaves_host(uri)`` is true).

``check_sink(uri, **same)`` validates like ``open_sink`` without opening
files, connecting or touching the spool (for ``check-config`` while the
service runs).

API for the config loader, which keeps several sinks, each with its own
format and filter:

    spec = SinkSpec(uri="https://siem.example.net/ingest", format="ecs",
                    where="type = 'hard'", statuses=["bounced", "expired"],
                    state_dir="/var/lib/bouncewatch",
                    options={"auth_env": "SIEM_TOKEN", "ca": "/etc/ssl/siem-ca.pem"})
    sink = spec.open()          # same as open_sink(spec.uri, format=..., where=..., ...)

Keyword arguments win over the URI's ``?key=`` options. Every problem that
can be found before the first event (unknown scheme or key, bad URL,
unreadable CA or key file, missing secret, bad ``where``) raises
ConfigError naming the sink and the key, so ``run``/``check-config`` refuse
to start. Secrets never appear in a URI (a password in the URL is refused:
it would show in ``ps`` and logs) nor in any message.

Third-party factories (entry-point group ``bouncewatch.sinks``, name = URI
scheme) are called as ``factory(uri, opts)`` with ``opts`` a ``dict[str, str]``
of the URI's query merged with the keyword options (including ``format`` and
``state_dir``); filtering and pseudonymization are done here, before
``send``, so a plugin only delivers. See contrib/kafka-sink/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol
from urllib.parse import parse_qsl, urlsplit

Event = dict[str, Any]

# Keys handled here, around any sink; factories never see where/statuses/pseudonymize_key.
WRAPPER_KEYS = ("where", "statuses", "pseudonymize_key")
# Keys bouncewatch passes to every factory; ``_check`` = "1": validate only (check_sink).
RESERVED_KEYS = ("state_dir", "name", "_check")
# Keys that would carry a secret in a URI: refused (http), and their values
# never shown in a message (the sink's name is in every error and log line).
SECRET_KEYS = ("token", "password", "secret", "auth", "api_key", "apikey")
_SECRET_VALUE = re.compile(r"([?&](?:%s)=)[^&#]*" % "|".join(SECRET_KEYS), re.IGNORECASE)


class SinkError(Exception):
    """The batch was neither delivered nor spooled; retry it later."""


class ConfigError(ValueError):
    """A sink URI or option that cannot work; names the sink and the key."""


class Sink(Protocol):
    name: str

    def send(self, events: list[Event]) -> None: ...
    def reopen(self) -> None: ...
    def close(self) -> None: ...


Factory = Callable[[str, dict[str, str]], Sink]


class Options:
    """A sink's options: take what you know, then ``done()`` refuses the rest,
    so a typo (``fsnyc=batch``) is an error at start, not a silent default."""

    def __init__(self, sink: str, values: dict[str, str]) -> None:
        self.sink, self._v, self._used = sink, dict(values), set()

    def get(self, key: str, default: str | None = None) -> str | None:
        self._used.add(key)
        v = self._v.get(key)
        return default if v is None or v == "" else str(v)

    def choice(self, key: str, choices: Iterable[str], default: str) -> str:
        v = (self.get(key, default) or default).lower()
        allowed = list(choices)
        if v not in allowed:
            raise self.error(key, f"must be one of {', '.join(allowed)}, not {v!r}")
        return v

    def boolean(self, key: str, default: bool) -> bool:
        v = self.get(key)
        if v is None:
            return default
        low = v.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise self.error(key, f"must be true or false, not {v!r}")

    def number(self, key: str, default: float, minimum: float = 0.0) -> float:
        v = self.get(key)
        if v is None:
            return default
        try:
            n = float(v)
        except ValueError:
            raise self.error(key, f"must be a number, not {v!r}") from None
        if n < minimum:
            raise self.error(key, f"must be at least {minimum:g}, not {v!r}")
        return n

    def size(self, key: str, default: int) -> int:
        """``64M``, ``1G``, ``500k`` or bytes."""
        v = self.get(key)
        if v is None:
            return default
        mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(v[-1:].lower(), 1)
        num = v[:-1] if mult != 1 else v
        try:
            n = int(float(num) * mult)
        except ValueError:
            raise self.error(key, f"must be a size like 64M, not {v!r}") from None
        if n <= 0:
            raise self.error(key, f"must be positive, not {v!r}")
        return n

    def readable_file(self, key: str) -> str | None:
        path = self.get(key)
        if path is None:
            return None
        try:
            with open(path, "rb"):
                pass
        except OSError as e:
            raise self.error(key, f"cannot read {path}: {e.strerror}") from None
        return path

    @property
    def checking(self) -> bool:
        """Validate only: no file opened, no connection, no spool, no thread."""
        return self._v.get("_check") == "1"

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"sink {self.sink!r}: key {key!r}: {message}")

    def done(self) -> None:
        unknown = sorted(k for k in self._v if k not in self._used and k not in RESERVED_KEYS)
        if unknown:
            raise ConfigError(f"sink {self.sink!r}: unknown key {unknown[0]!r}"
                              + (f" (and {', '.join(unknown[1:])})" if len(unknown) > 1 else ""))


@dataclass
class SinkSpec:
    """One configured sink: where, in which format, which events."""

    uri: str
    format: str | None = None
    where: str | None = None
    statuses: list[str] | None = None
    pseudonymize_key: str | None = None
    state_dir: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    def open(self) -> Sink:
        return open_sink(self.uri, format=self.format, where=self.where, statuses=self.statuses,
                         pseudonymize_key=self.pseudonymize_key, state_dir=self.state_dir,
                         **self.options)


def _builtin_factories() -> dict[str, Callable[[], Factory]]:
    def file_() -> Factory:
        from .file import open_file
        return open_file

    def stdout_() -> Factory:
        from .file import open_stdout
        return open_stdout

    def syslog_() -> Factory:
        from .syslog import open_syslog
        return open_syslog

    def http_() -> Factory:
        from .http import open_http
        return open_http

    return {"-": stdout_, "file": file_, "syslog": syslog_, "syslog+udp": syslog_,
            "syslog+tcp": syslog_, "syslog+tls": syslog_, "http": http_, "https": http_}


def scheme_of(uri: str) -> str:
    if uri == "-" or uri.startswith("-?"):
        return "-"
    return uri.split(":", 1)[0].lower() if ":" in uri else ""


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def leaves_host(uri: str) -> bool:
    """Whether events sent to ``uri`` leave this machine: the config loader
    applies a global pseudonymization key to exactly these sinks. Files,
    stdout, unix sockets and loopback addresses stay; third-party sinks are
    assumed to leave."""
    scheme = scheme_of(uri)
    if scheme in ("-", "file", "syslog"):
        return False
    try:
        host = urlsplit(strip_query(uri)).hostname
    except ValueError:
        return True
    return host not in LOOPBACK


def open_sink(uri: str, *, format: str | None = None, where: str | None = None,
              statuses: Iterable[str] | str | None = None, pseudonymize_key: str | None = None,
              state_dir: str | None = None, **options: Any) -> Sink:
    """Open the sink for ``uri`` with its filters; see the module docstring."""
    if not isinstance(uri, str) or not uri:
        raise ConfigError(f"sink {uri!r}: empty URI")
    opts = _query(uri)
    for k, v in options.items():
        if v is not None:
            opts[k] = ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    if format is not None:
        opts["format"] = format
    if state_dir is not None:
        opts["state_dir"] = str(state_dir)
    where = where if where is not None else opts.pop("where", None)
    statuses = statuses if statuses is not None else opts.pop("statuses", None)
    pseudonymize_key = pseudonymize_key if pseudonymize_key is not None else opts.pop("pseudonymize_key", None)
    for k in WRAPPER_KEYS:
        opts.pop(k, None)

    name = _display(uri)
    from ..formats import FormatError, get_format
    try:
        get_format(opts.get("format"))
    except FormatError as e:
        raise ConfigError(f"sink {name!r}: key 'format': {e}") from None
    flt = _filter(name, where, statuses, pseudonymize_key)

    scheme = scheme_of(uri)
    builtins = _builtin_factories()
    if scheme in builtins:
        sink = builtins[scheme]()(uri, opts)
    else:
        sink = _entry_point(name, scheme)(uri, opts)
    return FilteredSink(sink, *flt) if any(x is not None for x in flt) else sink


def check_sink(uri: str, **kw: Any) -> None:
    """Everything ``open_sink`` would refuse, without its side effects: for
    ``check-config``, which runs while the service holds the spools and must
    neither connect nor create files. Raises ConfigError."""
    open_sink(uri, _check="1", **kw).close()


def writable_path(path: str) -> str | None:
    """None when ``path`` (a file or directory to be created) could be
    written by us; else why not. Walks up to the nearest existing directory."""
    import os
    p = os.path.abspath(path)
    if os.path.exists(p):
        return None if os.access(p, os.W_OK) else f"{p} is not writable"
    parent = os.path.dirname(p)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        return f"{parent} is not a directory"
    return None if os.access(parent, os.W_OK | os.X_OK) else f"{parent} is not writable"


def _entry_point(name: str, scheme: str) -> Factory:
    from importlib.metadata import entry_points
    if scheme:
        for ep in entry_points(group="bouncewatch.sinks"):
            if ep.name.lower() == scheme:
                try:
                    return ep.load()
                except Exception as e:  # a broken plugin must not look like an unknown scheme
                    raise ConfigError(f"sink {name!r}: the plugin for scheme {scheme!r} "
                                      f"({ep.value}) failed to load: {e}") from None
    known = ", ".join(sorted(set(_builtin_factories()) | {ep.name for ep in entry_points(group="bouncewatch.sinks")}))
    raise ConfigError(f"sink {name!r}: unknown scheme {scheme or name!r} (known: {known}; "
                      "third parties register in entry-point group bouncewatch.sinks)")


def _filter(name: str, where: str | None, statuses: Iterable[str] | str | None,
            key_path: str | None) -> tuple[Any, frozenset[str] | None, Any]:
    pred = None
    if where:
        from ..classify.expr import ExprError, compile_expr
        try:
            pred = compile_expr(where)
        except ExprError as e:
            raise ConfigError(f"sink {name!r}: key 'where': {e}") from None
    sts = None
    if statuses is not None:
        items = statuses.split(",") if isinstance(statuses, str) else list(statuses)
        sts = frozenset(str(s).strip().lower() for s in items if str(s).strip())
        if not sts:
            raise ConfigError(f"sink {name!r}: key 'statuses': empty list (omit it to send every status)")
    pseudo = None
    if key_path:
        from ..privacy import Pseudonymizer, PrivacyError
        try:
            pseudo = Pseudonymizer.from_file(key_path)
        except PrivacyError as e:
            raise ConfigError(f"sink {name!r}: key 'pseudonymize_key': {e}") from None
    return pred, sts, pseudo


class FilteredSink:
    """A sink behind its own ``where``/``statuses`` filter and, if asked,
    pseudonymization. An empty batch after filtering still counts as sent."""

    def __init__(self, inner: Sink, where: Any, statuses: frozenset[str] | None, pseudo: Any) -> None:
        self.inner, self.where, self.statuses, self.pseudo = inner, where, statuses, pseudo
        self.name = inner.name

    def _keep(self, ev: Event) -> bool:
        if self.statuses is not None and ev.get("status") not in self.statuses:
            return False
        if self.where is not None:
            from ..event import where_context
            return self.where.matches(where_context(ev))
        return True

    def send(self, events: list[Event]) -> None:
        batch = [e for e in events if self._keep(e)]
        if self.pseudo is not None:
            batch = [self.pseudo.apply(e) for e in batch]
        if batch:
            self.inner.send(batch)

    def reopen(self) -> None:
        self.inner.reopen()

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, attr: str) -> Any:  # stats, spool, ... of the inner sink
        return getattr(self.inner, attr)


def _display(uri: str) -> str:
    """The URI as messages show it: never any userinfo (passwords) nor the
    value of a secret-bearing key such as ``token=``."""
    uri = _SECRET_VALUE.sub(r"\1***", uri)
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    if parts.password or parts.username:
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if _safe_port(parts) else "")
        return parts._replace(netloc="***@" + netloc).geturl()
    return uri


def _safe_port(parts: Any) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


def _query(uri: str) -> dict[str, str]:
    if "?" not in uri:
        return {}
    q = uri.split("?", 1)[1].split("#", 1)[0]
    return {k: v for k, v in parse_qsl(q, keep_blank_values=True)}


def strip_query(uri: str) -> str:
    return uri.split("?", 1)[0]
