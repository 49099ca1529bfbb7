"""Prometheus exposition (``--metrics 127.0.0.1:9469``).

The follower and the sinks call the functions below; they count into one
registry that :func:`serve` exposes on ``/metrics``. Counting is always on
(it is cheap), serving only when asked.

    from bouncewatch.plugin import metrics
    metrics.serve("127.0.0.1:9469")
    metrics.observe_events(events)            # per batch, alerts included
    metrics.observe_counts(pipeline.counts)   # lines read / skipped (deltas are taken here)
    metrics.set_queue_depth("http", 12); metrics.set_spool_bytes("http", 4096); metrics.sink_error("http")
    metrics.set_follow_lag("/var/log/mail.log", 0.4)
    metrics.set_suppressed(store.suppressed_count())

Label values are bounded: status, type, category, provider and mta come
from the taxonomy and the rule files, never from log text.
"""

from __future__ import annotations

import threading
from collections import Counter as _Counter
from typing import Any, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

PREFIX = "bouncewatch"


class ProcessCollector:
    """RSS, CPU seconds, open files and threads of this process (psutil)."""

    def __init__(self) -> None:
        import psutil
        self._proc = psutil.Process()

    def collect(self) -> Iterable[Any]:
        p = self._proc
        with p.oneshot():
            mem = p.memory_info()
            cpu = p.cpu_times()
            threads = p.num_threads()
            try:
                fds = p.num_fds()
            except (AttributeError, OSError):
                fds = None
        yield GaugeMetricFamily(f"{PREFIX}_process_resident_memory_bytes", "Resident set size.", value=mem.rss)
        yield CounterMetricFamily(f"{PREFIX}_process_cpu_seconds", "User and system CPU time.",
                                  value=cpu.user + cpu.system)
        yield GaugeMetricFamily(f"{PREFIX}_process_threads", "Threads of the process.", value=threads)
        if fds is not None:
            yield GaugeMetricFamily(f"{PREFIX}_process_open_fds", "Open file descriptors.", value=fds)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None, process: bool = True) -> None:
        r = self.registry = registry or CollectorRegistry()
        self.events = Counter(f"{PREFIX}_events", "Delivery events emitted, by outcome.",
                              ["mta", "status", "type", "category", "provider"], registry=r)
        self.alerts = Counter(f"{PREFIX}_alerts", "Alert events raised.", ["alert"], registry=r)
        self.lines = Counter(f"{PREFIX}_lines_read", "Log lines read.", registry=r)
        self.skipped = Counter(f"{PREFIX}_lines_skipped", "Log lines skipped, by reason.", ["reason"], registry=r)
        self.queue = Gauge(f"{PREFIX}_sink_queue_depth", "Events waiting for a sink.", ["sink"], registry=r)
        self.spool = Gauge(f"{PREFIX}_sink_spool_bytes", "Bytes spooled on disk for a sink.", ["sink"], registry=r)
        self.sink_errors = Counter(f"{PREFIX}_sink_errors", "Failed sends to a sink.", ["sink"], registry=r)
        self.lag = Gauge(f"{PREFIX}_follow_lag_seconds",
                         "Seconds between a followed file's last write and our last read of it.", ["path"],
                         registry=r)
        self.suppressed = Gauge(f"{PREFIX}_suppressed_addresses", "Addresses on the suppression list.",
                                registry=r)
        if process:
            r.register(ProcessCollector())
        self._seen: _Counter[str] = _Counter()
        self._lock = threading.Lock()

    def observe_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        for e in events:
            if e.get("kind") == "alert":
                self.alerts.labels(e.get("alert") or "").inc()
                continue
            c = e.get("classification") or {}
            self.events.labels(e.get("mta") or "", e.get("status") or "", c.get("type") or "",
                               c.get("category") or "", c.get("provider") or "").inc()

    def observe_counts(self, counts: Mapping[str, int]) -> None:
        """Take the pipeline's running counts; only the increase since the
        last call is added (the pipeline never resets them)."""
        with self._lock:
            for key, value in counts.items():
                delta = value - self._seen[key]
                if delta <= 0:
                    continue
                self._seen[key] = value
                if key == "lines":
                    self.lines.inc(delta)
                elif key.startswith("skipped:"):
                    self.skipped.labels(key.split(":", 1)[1]).inc(delta)
                elif key == "too_long":
                    self.skipped.labels("too_long").inc(delta)


_default: Metrics | None = None
_default_lock = threading.Lock()


def get() -> Metrics:
    global _default
    with _default_lock:
        if _default is None:
            _default = Metrics()
        return _default


def observe_events(events: Iterable[Mapping[str, Any]]) -> None:
    get().observe_events(events)


def observe_counts(counts: Mapping[str, int]) -> None:
    get().observe_counts(counts)


def set_queue_depth(sink: str, n: int) -> None:
    get().queue.labels(sink).set(n)


def set_spool_bytes(sink: str, n: int) -> None:
    get().spool.labels(sink).set(n)


def sink_error(sink: str, n: int = 1) -> None:
    get().sink_errors.labels(sink).inc(n)


def set_follow_lag(path: str, seconds: float) -> None:
    get().lag.labels(path).set(max(0.0, seconds))


def set_suppressed(n: int) -> None:
    get().suppressed.set(n)


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[v6]:PORT`` or ``PORT`` (loopback)."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    try:
        p = int(port)
    except ValueError:
        raise ValueError(f"--metrics {text!r}: want HOST:PORT, e.g. 127.0.0.1:9469") from None
    if not 0 <= p <= 65535:
        raise ValueError(f"--metrics {text!r}: port out of range")
    return host, p


def serve(listen: str, metrics: Metrics | None = None) -> tuple[Any, int]:
    """Start the HTTP endpoint in a daemon thread; returns (server, port)."""
    from prometheus_client import start_http_server
    host, port = parse_listen(listen)
    m = metrics or get()
    started = start_http_server(port, addr=host, registry=m.registry)
    server = started[0] if isinstance(started, tuple) else None  # older clients return None
    return server, server.server_address[1] if server is not None else port
