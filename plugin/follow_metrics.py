"""What the follower reports to Prometheus (``follow --metrics``, ``[metrics]
listen``): the events of each chunk as they go to the sinks, and, once a
second, the gauges read off the running parts (line counts, how far behind
each source is, sink spools, the suppression list).

It only reads the agent's parts; :mod:`.metrics` owns the registry and the
HTTP endpoint.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

from .metrics import Metrics


def sink_label(uri: str) -> str:
    """A sink's URI without credentials or options (labels end up in dashboards)."""
    if "://" not in uri:   # -, file:PATH, syslog:/dev/log
        return uri.split("?", 1)[0] or "-"
    try:
        u = urlsplit(uri)
    except ValueError:
        return uri.split("?", 1)[0]
    host = u.hostname or ""
    if u.port:
        host = f"{host}:{u.port}"
    return urlunsplit((u.scheme, host, u.path, "", ""))


def _innermost(sink: Any) -> Any:
    while hasattr(sink, "inner"):
        sink = sink.inner
    return sink


class FollowMetrics:
    """Feeds a :class:`metrics.Metrics` from the follower."""

    def __init__(self, metrics: Metrics, interval: float = 1.0) -> None:
        self.m = metrics
        self.interval = interval
        self._behind_since: dict[str, float] = {}
        self._sink_failures: dict[str, int] = {}
        self._recorded_seen = -1

    def events(self, events: Iterable[Mapping[str, Any]]) -> None:
        """A chunk's events (and alerts) as handed to the sinks."""
        self.m.observe_events(events)

    def sink_error(self, label: str) -> None:
        """A sink refused a batch (the follower keeps it and retries)."""
        self.m.sink_errors.labels(sink_label(label)).inc()

    def tick(self, counts: Mapping[str, int], sources: Iterable[Any], sinks: Iterable[Any],
             recorder: Any = None) -> None:
        now = time.monotonic()
        self.m.observe_counts(counts)
        for s in sources:
            self._lag(s, now)
        for slot in sinks:
            self._sink(slot)
        if recorder is not None and recorder.recorded != self._recorded_seen:
            # Counted in the store (``suppressions remove`` may run beside
            # us), but only when we recorded something since the last count.
            self._recorded_seen = recorder.recorded
            try:
                self.m.suppressed.set(recorder.suppressed())
            except Exception:  # a gauge is not worth stopping for; the next tick tries again
                pass

    def _lag(self, source: Any, now: float) -> None:
        """Seconds since the source was last read to its end (0: caught up)."""
        label = getattr(source, "pattern", None) or "journal:"
        try:
            behind = source.lag_bytes() > 0
        except OSError:
            behind = False
        if not behind:
            self._behind_since.pop(label, None)
            self.m.lag.labels(label).set(0.0)
            return
        since = self._behind_since.setdefault(label, now)
        self.m.lag.labels(label).set(now - since)

    def _sink(self, slot: Any) -> None:
        label = sink_label(slot.label)
        inner = _innermost(slot.sink)
        spool = getattr(inner, "spool", None)
        self.m.queue.labels(label).set(getattr(spool, "records", 0) if spool is not None else 0)
        self.m.spool.labels(label).set(getattr(spool, "bytes", 0) if spool is not None else 0)
        stats = getattr(inner, "stats", None)
        if isinstance(stats, dict):   # failures of the sink's own delivery thread (ReliableSink)
            n = int(stats.get("failures", 0))
            delta = n - self._sink_failures.get(label, 0)
            self._sink_failures[label] = n
            if delta > 0:
                self.m.sink_errors.labels(label).inc(delta)
