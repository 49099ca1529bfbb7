"""The follower's side of the recipient history: every classified event of
a chunk (``sent`` included) goes to :mod:`.state` before the chunk's
events reach the sinks and before its position is checkpointed.

Why this order: the store is idempotent by ``event_id``, so recording a
chunk that is read again after a crash changes nothing; recording *after*
the checkpoint could lose a chunk's history for good. The alerts the store
raises travel with the chunk's events through the same sinks.
"""

from __future__ import annotations

from typing import Any, Mapping

from .event import where_context
from .statedb import StateError

Event = dict[str, Any]

__all__ = ["Recorder", "StateError", "open_recorder"]


class Recorder:
    """Collects what the pipeline's ``tap`` sees; :meth:`record` applies it."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.pending: list[Event] = []
        self.recorded = 0
        self.alerts = 0

    def attach(self, pipeline: Any) -> None:
        """Make ``pipeline`` hand us every classified event (a reloaded
        config builds a new pipeline: attach that one too)."""
        pipeline.tap = self.pending.append

    def record(self) -> list[Event]:
        """Apply the pending events; returns the alerts they raised. On
        StateError the events stay pending, for the caller to retry."""
        if not self.pending:
            return []
        alerts = self.store.record(self.pending)
        self.recorded += len(self.pending)
        self.pending.clear()   # the same list the tap appends to
        self.alerts += len(alerts)
        return alerts

    def suppressed(self) -> int:
        return self.store.suppressed_count()

    def close(self) -> None:
        self.store.close()

    def summary(self) -> str:
        old = getattr(self.store, "too_old", 0)
        return (f"state: {self.recorded} events recorded, {self.alerts} alerts"
                + (f", {old} older than the history's retention window (not recorded)" if old else ""))


def keep_alert(where: Any, alert: Mapping[str, Any]) -> bool:
    """The global ``where`` applies to alerts as to events (as ``parse`` does)."""
    return where is None or where.matches(where_context(dict(alert)))


# A follower runs for months: its memory must not grow with the number of
# recipients it has seen. ``parse --state-dir`` (a batch job) keeps the
# store's larger defaults.
FOLLOW_CACHE_ROWS = 200          # rows the store keeps between batches (then starts afresh)
FOLLOW_SQLITE_CACHE_KIB = 512    # SQLite's page cache


def open_recorder(target: str, policy: Any = None, alerts: Any = None,
                  wal_interval: float = 1.0, retention_days: float | None = None) -> Recorder:
    """``target``: a state directory (SQLite ``state.db``) or a PostgreSQL URL."""
    from .state import open_store
    from .statedb import SQLiteBackend
    store = open_store(target, policy, alerts, retention_days)
    store.cache_rows = FOLLOW_CACHE_ROWS
    if isinstance(store.db, SQLiteBackend):
        store.db.execute(f"PRAGMA cache_size=-{FOLLOW_SQLITE_CACHE_KIB}")
        store.db.checkpoint_in_background(wal_interval)   # no fsync on the way from a log line to the sinks
    return Recorder(store)
