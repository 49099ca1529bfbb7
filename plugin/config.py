"""The service's TOML config (``bouncewatch run -c``), validated before
anything starts.

```toml
state_dir = "/var/lib/bouncewatch"        # default: see checkpoint.default_state_dir
rules_dirs = ["/etc/bouncewatch/rules.d"]
include_sent = false                      # like --all
where = "status != 'deferred' or attempt >= 3"   # global filter (the --where language)
from_start = false                        # first run: read existing logs (and rotations)
status_interval = 60                      # seconds between status lines on stderr

[[source]]                                # none: find the MTA log (locate.py)
path = "/var/log/mail.log"                # a file or a glob
[[source]]
type = "journal"                          # journalctl -o json -f
matches = ["SYSLOG_FACILITY=2"]

[[sink]]
uri = "file:/var/log/bouncewatch/events.jsonl"
where = "type = 'hard'"                   # this sink only
format = "json"
# any other key is the sink's own option (see plugin/sinks)

[state]                                   # the recipient history (suppressions, alerts)
dir = "/var/lib/bouncewatch"              # SQLite state.db here; default: state_dir
# url = "postgresql://bw@db/bouncewatch"  # or one history shared by several MTA hosts
history = true                            # false: checkpoints only
retention_days = 90                       # events kept for matching re-read lines and report; 0: for ever

[suppression]                             # policy.Policy.from_dict
soft = { messages = 3, days = 15 }

[alerts]                                  # alerts.AlertPolicy.from_dict
domain_minutes = 30

[metrics]
listen = "127.0.0.1:9469"                 # Prometheus /metrics
```

Every error names the file, the line and the key (``FILE:LINE: key: why``).
tomllib gives no positions for values, so lines are found by scanning the
text for the key inside its table.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .alerts import AlertPolicy
from .checkpoint import default_state_dir
from .policy import Policy

MTAS = ("auto", "postfix", "exim", "sendmail")

DEFAULT_CONFIG = """\
# bouncewatch's embedded default (bouncewatch run without -c): the MTA log
# found on this machine, events on stdout and in a JSON Lines file in the
# state directory.
[[sink]]
uri = "-"

[[sink]]
uri = "file:{state_dir}/events.jsonl"
"""


class ConfigError(ValueError):
    """A config that cannot work; the message says where and why."""


@dataclass
class SourceConfig:
    type: str                       # "file" or "journal"
    path: str | None = None
    matches: list[str] = field(default_factory=list)

    @property
    def spec(self) -> str:
        return self.path if self.type == "file" else "journal:"


@dataclass
class SinkConfig:
    uri: str
    where: str | None = None
    format: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    def open_uri(self) -> str:
        """The URI with format and options as ``?key=value`` (every sink's
        ``open_sink`` reads them there); ``where`` is applied by the agent."""
        extra = dict(self.options)
        if self.format:
            extra["format"] = self.format
        if not extra:
            return self.uri
        return self.uri + ("&" if "?" in self.uri else "?") + urlencode(extra)


@dataclass
class Config:
    path: str
    sources: list[SourceConfig] = field(default_factory=list)
    sinks: list[SinkConfig] = field(default_factory=list)
    state_dir: str = ""
    rules_dirs: list[str] = field(default_factory=list)
    include_sent: bool = False
    where: str | None = None
    from_start: bool = False
    mta: str = "auto"
    status_interval: float = 60.0
    metrics_listen: str | None = None
    history: bool = True             # [state] history
    state_location: str | None = None   # [state] url or dir; None: state_dir
    retention_days: float | None = None  # [state] retention_days; None: what the store has (state.py)
    suppression: Policy = field(default_factory=Policy)
    alerts: AlertPolicy = field(default_factory=AlertPolicy)

    @property
    def history_target(self) -> str | None:
        """Where the follower records the history (None: it does not)."""
        if not self.history:
            return None
        return self.state_location or self.state_dir


class _Lines:
    """Line numbers of keys, by scanning the text (tomllib has none)."""

    _HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]")
    _KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, table: str | None, index: int | None, key: str | None) -> int | None:
        """The line of ``key`` in ``[table]`` (or the ``index``-th
        ``[[table]]``); the table's header line when the key is absent."""
        current: tuple[str | None, int | None] = (None, None)
        seen: dict[str, int] = {}
        header = None
        for n, line in enumerate(self.lines, 1):
            m = self._HEADER.match(line)
            if m:
                name = m[2]
                if m[1] == "[[":
                    seen[name] = seen.get(name, -1) + 1
                    current = (name, seen[name])
                else:
                    current = (name, None)
                if current == (table, index):
                    header = n
                continue
            km = self._KEY.match(line) if key else None
            if km and km[1] == key and current == (table, index):
                return n
        return header


class _Checker:
    def __init__(self, path: str, text: str) -> None:
        self.path, self.where = path, _Lines(text)

    def fail(self, why: str, key: str | None = None, table: str | None = None,
             index: int | None = None) -> ConfigError:
        line = self.where.find(table, index, key)
        name = ".".join(x for x in (table and (f"{table}[{index}]" if index is not None else table), key) if x)
        return ConfigError(f"{self.path}:{line or '?'}: {name or 'config'}: {why}")

    def typed(self, d: dict[str, Any], key: str, kind: type | tuple, what: str,
              table: str | None = None, index: int | None = None) -> Any:
        v = d.get(key)
        if v is None:
            return None
        if not isinstance(v, kind) or (kind is not bool and isinstance(v, bool) and bool not in
                                       (kind if isinstance(kind, tuple) else (kind,))):
            raise self.fail(f"must be {what}, not {type(v).__name__} {v!r}", key, table, index)
        return v

    def unknown(self, d: dict[str, Any], allowed: set[str], table: str | None = None,
                index: int | None = None) -> None:
        for k in d:
            if k not in allowed:
                raise self.fail(f"unknown key (known: {', '.join(sorted(allowed))})", k, table, index)


MAX_RETENTION_DAYS = 36_500   # [state] retention_days and parse --retention-days: a century at most
TOP_KEYS = {"state_dir", "rules_dirs", "include_sent", "where", "from_start", "mta",
            "status_interval", "source", "sink", "metrics", "state", "suppression", "alerts"}


def load_config(path: str | Path) -> Config:
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 ({e})") from None
    return parse_config(text, path)


def default_config(state_dir: str | None = None) -> Config:
    sd = state_dir or str(default_state_dir())
    cfg = parse_config(DEFAULT_CONFIG.replace("{state_dir}", sd), "<embedded default>")
    cfg.state_dir = sd
    return cfg


def parse_config(text: str, path: str) -> Config:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        where = m[1] if m else str(len(text.splitlines()) or 1) if "end of document" in msg else "?"
        raise ConfigError(f"{path}:{where}: invalid TOML: {re.sub(r' ?[(]at line.*[)]', '', msg)}") from None
    c = _Checker(path, text)
    c.unknown(doc, TOP_KEYS)
    cfg = Config(path=path)
    cfg.state_dir = c.typed(doc, "state_dir", str, "a directory path") or str(default_state_dir())
    rd = c.typed(doc, "rules_dirs", list, "a list of directory paths") or []
    for d in rd:
        if not isinstance(d, str):
            raise c.fail(f"must hold directory paths, not {d!r}", "rules_dirs")
        if not Path(d).is_dir():
            raise c.fail(f"{d}: no such directory", "rules_dirs")
    cfg.rules_dirs = rd
    cfg.include_sent = bool(c.typed(doc, "include_sent", bool, "true or false"))
    cfg.from_start = bool(c.typed(doc, "from_start", bool, "true or false"))
    cfg.mta = c.typed(doc, "mta", str, "a string") or "auto"
    if cfg.mta not in MTAS:
        raise c.fail(f"must be one of {', '.join(MTAS)}, not {cfg.mta!r}", "mta")
    si = c.typed(doc, "status_interval", (int, float), "a number of seconds")
    if si is not None:
        if si <= 0:
            raise c.fail("must be more than 0 seconds", "status_interval")
        cfg.status_interval = float(si)
    cfg.where = c.typed(doc, "where", str, "an expression (string)")
    if cfg.where:
        _check_expr(c, cfg.where, "where", None, None)

    sources = doc.get("source", [])
    if not isinstance(sources, list):
        raise c.fail("must be an array of tables ([[source]])", "source")
    for i, s in enumerate(sources):
        cfg.sources.append(_source(c, s, i))
    sinks = doc.get("sink", [])
    if not isinstance(sinks, list):
        raise c.fail("must be an array of tables ([[sink]])", "sink")
    if not sinks:
        raise ConfigError(f"{path}: no [[sink]]: events would go nowhere (add e.g. [[sink]] uri = \"-\")")
    for i, s in enumerate(sinks):
        cfg.sinks.append(_sink(c, s, i))
    metrics = doc.get("metrics")
    if metrics is not None:
        if not isinstance(metrics, dict):
            raise c.fail("must be a table ([metrics])", "metrics")
        c.unknown(metrics, {"listen"}, "metrics")
        listen = c.typed(metrics, "listen", str, "HOST:PORT", "metrics")
        if listen is not None:
            _check_listen(c, listen)
            cfg.metrics_listen = listen
    _state(c, doc, cfg)
    cfg.suppression = _policy(c, doc, "suppression", Policy) or cfg.suppression
    cfg.alerts = _policy(c, doc, "alerts", AlertPolicy) or cfg.alerts
    return cfg


def _state(c: _Checker, doc: dict[str, Any], cfg: Config) -> None:
    st = doc.get("state")
    if st is None:
        return
    if not isinstance(st, dict):
        raise c.fail("must be a table ([state])", "state")
    c.unknown(st, {"url", "dir", "history", "retention_days"}, "state")
    url = c.typed(st, "url", str, "a postgresql:// URL", "state")
    d = c.typed(st, "dir", str, "a directory path", "state")
    h = c.typed(st, "history", bool, "true or false", "state")
    days = c.typed(st, "retention_days", (int, float), "a number of days (0: keep every event)", "state")
    if days is not None and not 0 <= days <= MAX_RETENTION_DAYS:
        raise c.fail(f"must be a number of days from 0 (keep every event) to {MAX_RETENTION_DAYS}, not {days!r}",
                     "retention_days", "state")
    cfg.retention_days = None if days is None else float(days)
    if url is not None and d is not None:
        raise c.fail("give url (PostgreSQL) or dir (SQLite), not both", "url", "state")
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise c.fail(f"must be a postgresql:// URL (a directory goes in dir), not {url[:40]!r}", "url", "state")
    if d is not None and not d.startswith("/"):
        raise c.fail(f"must be an absolute path, not {d!r}", "dir", "state")
    cfg.state_location = url or d
    if h is not None:
        cfg.history = h


def _policy(c: _Checker, doc: dict[str, Any], table: str, kind: Any) -> Any:
    """``[suppression]`` / ``[alerts]`` through the policy's own reader; its
    message names the dotted key, which we turn into a line number."""
    data = doc.get(table)
    if data is None:
        return None
    if not isinstance(data, dict):
        raise c.fail(f"must be a table ([{table}])", table)
    try:
        return kind.from_dict(data, table)
    except ValueError as e:   # PolicyError is one
        msg = str(e)
        raise ConfigError(f"{c.path}:{_policy_line(c, msg, table) or '?'}: {msg}") from None


def _policy_line(c: _Checker, msg: str, table: str) -> int | None:
    """The line of the key a policy error names (``suppression.category.x: ...``
    or ``alerts: unknown key 'x'``)."""
    dotted = msg.split(":", 1)[0].strip().split(".")
    m = re.search(r"unknown (?:key|category) '([^']+)'", msg)
    if m and dotted[-1] != m[1]:
        dotted.append(m[1])
    # [suppression.category] x = ..., or [suppression] category = { x = ... }, or [suppression] x = ...
    for cut in range(len(dotted) - 1, 0, -1):
        line = c.where.find(".".join(dotted[:cut]), None, dotted[cut])
        if line is not None and c.where.lines[line - 1].lstrip().startswith(dotted[cut]):
            return line
    return c.where.find(table, None, None)


def _source(c: _Checker, s: Any, i: int) -> SourceConfig:
    if not isinstance(s, dict):
        raise c.fail("must be a table", None, "source", i)
    c.unknown(s, {"type", "path", "matches"}, "source", i)
    kind = c.typed(s, "type", str, "\"file\" or \"journal\"", "source", i) or "file"
    if kind not in ("file", "journal"):
        raise c.fail(f"must be \"file\" or \"journal\", not {kind!r}", "type", "source", i)
    if kind == "file":
        p = c.typed(s, "path", str, "a file path or glob", "source", i)
        if not p:
            raise c.fail("a file source needs path = \"/var/log/mail.log\" (or type = \"journal\")",
                         None, "source", i)
        if not p.startswith("/"):
            raise c.fail(f"must be an absolute path, not {p!r}", "path", "source", i)
        if "matches" in s:
            raise c.fail("only journal sources take matches", "matches", "source", i)
        return SourceConfig("file", p)
    if "path" in s:
        raise c.fail("a journal source has no path", "path", "source", i)
    matches = c.typed(s, "matches", list, "a list of FIELD=VALUE strings", "source", i)
    if matches is None:
        from .journal import DEFAULT_MATCHES
        matches = list(DEFAULT_MATCHES)
    for m in matches:
        if not isinstance(m, str) or not re.fullmatch(r"[A-Z0-9_]+=.*|\+", m):
            raise c.fail(f"{m!r} is not a journalctl match (FIELD=VALUE, or +)", "matches", "source", i)
    return SourceConfig("journal", None, matches)


def _sink(c: _Checker, s: Any, i: int) -> SinkConfig:
    if not isinstance(s, dict):
        raise c.fail("must be a table", None, "sink", i)
    uri = c.typed(s, "uri", str, "a sink URI", "sink", i)
    if not uri:
        raise c.fail("needs uri = \"-\", \"file:PATH\", \"syslog+udp://HOST:PORT\", \"https://...\"",
                     None, "sink", i)
    scheme = "-" if uri == "-" or uri.startswith("-?") else uri.split(":", 1)[0].lower() if ":" in uri else ""
    known = _known_schemes()
    if scheme not in known:
        raise c.fail(f"unknown scheme in {uri!r} (known: {', '.join(sorted(known))})", "uri", "sink", i)
    if scheme == "file" and not uri[5:].split("?", 1)[0].lstrip("/"):
        raise c.fail("file: needs a path", "uri", "sink", i)
    where = c.typed(s, "where", str, "an expression (string)", "sink", i)
    if where:
        _check_expr(c, where, "where", "sink", i)
    fmt = c.typed(s, "format", str, "a format name", "sink", i)
    if fmt is not None:
        _check_format(c, fmt, i)
    opts: dict[str, str] = {}
    for k, v in s.items():
        if k in ("uri", "where", "format"):
            continue
        if isinstance(v, bool):
            opts[k] = "true" if v else "false"
        elif isinstance(v, (str, int, float)):
            opts[k] = str(v)
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            opts[k] = ",".join(v)
        else:
            raise c.fail(f"sink options are strings, numbers, booleans or lists of strings, "
                         f"not {type(v).__name__}", k, "sink", i)
    return SinkConfig(uri, where, fmt, opts)


def _known_schemes() -> set[str]:
    from importlib.metadata import entry_points

    from .sinks import _builtin_factories
    return set(_builtin_factories()) | {ep.name.lower() for ep in entry_points(group="bouncewatch.sinks")}


def _check_format(c: _Checker, fmt: str, i: int) -> None:
    try:
        from .formats import FormatError, get_format  # type: ignore[attr-defined]
    except ImportError:
        if fmt != "json":
            raise c.fail(f"{fmt!r}: only json is available in this build", "format", "sink", i) from None
        return
    try:
        get_format(fmt)
    except FormatError as e:
        raise c.fail(str(e), "format", "sink", i) from None


def _check_expr(c: _Checker, text: str, key: str, table: str | None, index: int | None) -> None:
    from .classify.expr import ExprError, compile_expr
    try:
        compile_expr(text)
    except ExprError as e:
        raise c.fail(str(e), key, table, index) from None


def _check_listen(c: _Checker, listen: str) -> None:
    host, sep, port = listen.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    ok = bool(sep) and port.isdigit() and 0 < int(port) < 65536 and bool(host)
    if ok:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            ok = bool(re.fullmatch(r"[A-Za-z0-9.-]{1,253}", host))
    if not ok:
        raise c.fail(f"{listen!r} is not HOST:PORT (e.g. 127.0.0.1:9469)", "listen", "metrics")


def check_sinks(cfg: Config) -> None:
    """What opening each sink would refuse (an unknown option, an unreadable
    CA, a missing secret, a file or spool that cannot be written), found
    without opening any: check-config runs beside the service and must
    neither connect nor create files. Without it check-config passed a
    config that run then refused."""
    from .sinks import ConfigError as SinkConfigError, check_sink
    try:
        text = Path(cfg.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    c = _Checker(cfg.path, text)
    for i, sc in enumerate(cfg.sinks):
        try:
            check_sink(sc.open_uri(), state_dir=cfg.state_dir)
        except SinkConfigError as e:
            why = re.sub(r"^sink '[^']*': ", "", str(e))
            m = re.match(r"(?:unknown )?key '([^']+)'", why)
            key = m[1] if m and m[1] in sc.options else "uri"
            raise c.fail(why, key, "sink", i) from None


def check_rules(cfg: Config) -> None:
    """Load the rules the config names: a broken rule file is a config error."""
    from .classify.engine import Classifier, RuleError
    try:
        Classifier.load([Path(d) for d in cfg.rules_dirs])
    except RuleError as e:
        raise ConfigError(f"{cfg.path}: rules_dirs: {e}") from None
