"""A :class:`state.Store` fed from a second process, for backfills.

``parse --state-dir`` over weeks of logs is CPU-bound twice: parsing and
classifying in one, applying the history in the other. Running the store in
a child process lets the two use two cores; the parent hands over a batch
and goes on parsing while the child applies the previous one.

Exactly one batch is in flight: before handing over batch k the parent
takes the child's answer for batch k-1 (its alerts), so neither side can
block the other on a full pipe. The child commits each batch in one
transaction, ignores SIGINT (the parent decides when to stop), and finishes
its batch when the parent vanishes (EOF), so a kill -9 of either leaves the
store at a batch boundary; re-reading the log completes it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
from operator import itemgetter
from typing import Any, Mapping

from .state import STORE_FIELDS, StateError, open_store

_FIELDS = STORE_FIELDS[1:-1]  # "kind": alerts never go to the store; classification apart
_CLS = ("type", "category", "code", "action", "rule", "provider", "blocklist", "cause")
_pick = itemgetter(*_FIELDS)
_pick_cls = itemgetter(*_CLS)


def to_row(ev: Mapping[str, Any]) -> tuple:
    """Only what the store reads, as a flat tuple of strings and numbers:
    cheap to pickle, and the garbage collector stops tracking it, so a
    batch waiting in memory costs no GC passes (dicts would)."""
    try:
        return _pick(ev) + (_pick_cls(ev["classification"]),)
    except (KeyError, TypeError):  # an event from elsewhere, lacking a field
        cls = ev.get("classification") or {}
        return tuple(ev.get(k) for k in _FIELDS) + (tuple(cls.get(k) for k in _CLS),)


def from_row(row: tuple) -> dict[str, Any]:
    ev = dict(zip(_FIELDS, row))
    ev["classification"] = dict(zip(_CLS, row[-1]))
    return ev


def _serve(target: str, conn: Any, retention_days: float | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store = open_store(target, retention_days=retention_days)
    except Exception as e:  # noqa: BLE001  (reported to the parent, which exits)
        conn.send(("error", str(e)))
        return
    conn.send(("ready", None))
    try:
        while True:
            try:
                data = conn.recv_bytes()
            except EOFError:
                return
            if not data:
                conn.send(("done", (store.suppressed_count(), store.applied, store.too_old)))
                return
            try:
                alerts = store.record([from_row(r) for r in pickle.loads(data)])
            except Exception as e:  # noqa: BLE001
                conn.send(("error", f"{type(e).__name__}: {e}"))
                return
            conn.send(("alerts", alerts))
            # This process only holds the store's row cache: acyclic dicts
            # that reference counting frees. Keep them out of the cyclic
            # collector's scans (a fifth of the writer's time otherwise).
            gc.freeze()
    finally:
        store.close()


class BackgroundStore:
    """``add`` queues an event (use it as the pipeline's tap), ``flush``
    hands the queue over and returns the alerts of the *previous* batch,
    ``close`` returns the rest and (suppressed addresses, new events, events
    older than the store's retention window)."""

    def __init__(self, target: str | os.PathLike, retention_days: float | None = None) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(str(target), child, retention_days), daemon=True,
                                 name="bouncewatch-state")
        self._proc.start()
        child.close()
        self._inflight = False
        self.pending: list[tuple] = []
        self._expect("ready")

    def _expect(self, kind: str) -> Any:
        try:
            got, value = self._conn.recv()
        except EOFError:
            raise StateError("the state writer exited unexpectedly") from None
        if got == "error":
            raise StateError(value)
        if got != kind:
            raise StateError(f"state writer: expected {kind}, got {got}")
        return value

    def add(self, ev: Mapping[str, Any]) -> None:
        """Queue one event for the next :meth:`flush` (a pipeline tap)."""
        self.pending.append(to_row(ev))

    def flush(self) -> list[dict[str, Any]]:
        """Hand the queued events to the writer; returns the alerts of the
        batch before."""
        alerts = self._expect("alerts") if self._inflight else []
        self._send(pickle.dumps(self.pending, protocol=5))
        self.pending = []
        self._inflight = True
        return alerts

    def record(self, events: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        for ev in events:
            self.add(ev)
        return self.flush()

    def _send(self, data: bytes) -> None:
        try:
            self._conn.send_bytes(data)
        except OSError as e:  # BrokenPipeError here is the child's death, not stdout's
            raise StateError(f"the state writer exited unexpectedly ({e.strerror or e})") from None

    def close(self) -> tuple[list[dict[str, Any]], tuple[int, int, int]]:
        alerts = self.flush() if self.pending else []
        alerts += self._expect("alerts") if self._inflight else []
        self._inflight = False
        self._send(b"")
        counts = self._expect("done")
        self._conn.close()
        self._proc.join(timeout=60)
        return alerts, tuple(counts)


def use_background() -> bool:
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods() \
        and os.environ.get("BOUNCEWATCH_STATE_INPROCESS") != "1"
