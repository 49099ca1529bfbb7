"""The follower's main loop: sources -> pipeline -> sinks -> checkpoint.

One thread does the work, in this order, one chunk at a time:

1. read a chunk of whole lines from a source (at most ``max_batch``);
2. run them through the pipeline (parse, correlate, classify);
3. record every classified event in the recipient history (recorder.py;
   retried while the store fails) and add the alerts it raises;
4. hand each sink its events; a sink that raises SinkError gets the same
   events again after a back-off, and nothing more is read meanwhile (so
   memory holds one chunk however long a sink is down);
5. commit the chunk's end position; the checkpoint (written atomically, at
   most every ``checkpoint_interval``) holds only committed positions.

Between chunks it notices signals (SIGTERM/SIGINT: finish, checkpoint,
exit 0; SIGHUP: reload), talks to systemd, and prints a status line.
About once a second it also picks up returned mail that ``ingest-mail``
spooled for it (mailpickup.py). Waiting happens on one Event that the
watcher (inotify), the journal reader thread and the signal handlers set: idle costs no CPU.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Protocol, TextIO

from .checkpoint import CheckpointStore
from .event import where_context
from .follow import Chunk
from .recorder import StateError, keep_alert
from .sdnotify import Notifier
from .sinks import Sink, SinkError
from .watcher import Watcher

Event = dict[str, Any]


class Source(Protocol):
    def start(self, saved: dict[str, Any], from_start: bool) -> None: ...
    def poll(self) -> None: ...
    def next_chunk(self, max_lines: int) -> Chunk | None: ...
    def state(self) -> dict[str, Any]: ...
    def watch_targets(self) -> dict[str, set[str]]: ...
    def waiting(self) -> bool: ...
    def lag_bytes(self) -> int: ...
    def close(self) -> None: ...


@dataclass
class SinkSlot:
    """An open sink and the filter that picks its events (``where`` of the
    sink's config; ``None``: all the pipeline emits)."""

    sink: Sink
    where: Any = None
    label: str = ""

    def pick(self, events: list[Event]) -> list[Event]:
        if self.where is None:
            return events
        return [e for e in events if self.where.matches(where_context(e))]


@dataclass
class Settings:
    max_batch: int = 256             # lines per chunk: latency vs. per-batch cost of a sink
    checkpoint_interval: float = 0.25   # bounds what a kill -9 makes us read twice
    status_interval: float = 60.0
    poll_interval: float = 0.25      # without inotify, or while waiting for a file
    safety_poll: float = 1.0         # with inotify: catch what it cannot see (NFS, missed events)
    retry_min: float = 0.5
    retry_max: float = 30.0
    use_inotify: bool = True


class Agent:
    def __init__(self, sources: list[Source], pipeline: Any, sinks: list[SinkSlot],
                 store: CheckpointStore, settings: Settings | None = None, *,
                 log: Callable[[str], None] | None = None,
                 reload: Callable[["Agent"], None] | None = None,
                 err: TextIO | None = None, recorder: Any = None, metrics: Any = None,
                 pickup: Any = None) -> None:
        self.sources, self.pipeline, self.sinks, self.store = sources, pipeline, sinks, store
        self.settings = settings or Settings()
        self.err = err or sys.stderr
        self.log = log or self._log
        self.reload_fn = reload
        self.recorder = recorder      # recorder.Recorder, or None: no history
        self.metrics = metrics        # follow_metrics.FollowMetrics, or None: not served
        self.pickup = pickup          # mailpickup.MailPickup, or None: leave spooled mail alone
        if recorder is not None:
            recorder.attach(pipeline)
        self.wake = threading.Event()
        self.watcher = Watcher(self.wake, self.log, self.settings.use_inotify)
        self.notifier = Notifier()
        self.saved: dict[str, Any] = {}
        self._tables: list[Any] = []   # the correlator's tables as of the last checkpoint
        self.stop_requested = False
        self.reload_requested = False
        self.counts: Counter = pipeline.counts
        self._dirty = False
        self._last_checkpoint = 0.0
        self._checkpoint_cost = 0.0   # seconds the last snapshot of the tables took
        self._ref: Any = None
        self._started = time.monotonic()
        self._last_line_at: float | None = None
        self._undelivered = 0
        self._mid_chunk = False   # stopped inside a chunk: the correlator is ahead of the positions
        self._sink_trouble: str | None = None
        self._checkpoint_trouble: str | None = None   # what the log last said of checkpoint writes

    def _log(self, msg: str) -> None:
        print(f"bouncewatch: {msg}", file=self.err, flush=True)

    # -- signals -------------------------------------------------------------------
    def _on_signal(self, signum: int, _frame: Any) -> None:
        if signum == signal.SIGHUP:
            self.reload_requested = True
        else:
            self.stop_requested = True
        self.wake.set()

    def install_signals(self) -> None:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, self._on_signal)

    # -- main loop -------------------------------------------------------------------
    def start_sources(self, sources: list[Source], from_start: bool) -> None:
        for s in sources:
            s.start(self.saved, from_start)

    def run(self, from_start: bool = False) -> int:
        st = self.settings
        self.store.lock()
        self.saved = self.store.load()
        self._tables = self.store.tables
        if self._tables and len(self.pipeline.correlator) == 0:
            self.pipeline.correlator.restore(self._tables)
        self.start_sources(self.sources, from_start)
        watched = self.watcher.update(self._targets())
        self.notifier.ready(self._status_text())
        now = time.monotonic()
        next_poll = now
        next_status = now + st.status_interval
        wd = self.notifier.watchdog_interval
        next_wd = now + wd if wd else float("inf")
        next_metrics = now if self.metrics is not None else float("inf")
        next_pickup = now if self.pickup is not None else float("inf")
        self._checkpoint(force=True)
        try:
            while not self.stop_requested:
                if self.reload_requested:
                    self.reload_requested = False
                    self._reload()
                    watched = self.watcher.update(self._targets())
                now = time.monotonic()
                if self.wake.is_set() or now >= next_poll:
                    self.wake.clear()
                    for s in self.sources:
                        s.poll()
                    watched = self.watcher.update(self._targets())
                    slow = watched and not any(s.waiting() for s in self.sources)
                    next_poll = now + (st.safety_poll if slow else st.poll_interval)
                chunk = self._next_chunk()
                if chunk is not None:
                    if not self._process(chunk):
                        break  # asked to stop while a sink was failing
                now = time.monotonic()
                if now >= next_wd:
                    self.notifier.watchdog()
                    next_wd = now + wd  # type: ignore[operator]
                if now >= next_metrics:
                    self.metrics.tick(self.counts, self.sources, self.sinks, self.recorder)
                    next_metrics = now + self.metrics.interval
                if now >= next_pickup:  # returned mail that ingest-mail spooled for us
                    more = self.pickup.poll(self.pipeline.classifier)
                    next_pickup = time.monotonic() + (0.0 if more else self.pickup.interval)
                if now >= next_status:
                    self.log(self.status_line())
                    self.notifier.status(self._status_text())
                    next_status = now + st.status_interval
                if chunk is not None:
                    self._checkpoint()
                    continue
                # Caught up. Checkpoint now, or as soon as the interval allows
                # (a busy log wakes us a hundred times a second: not an fsync each).
                self._checkpoint()
                due = (self._last_checkpoint + max(st.checkpoint_interval, 20 * self._checkpoint_cost)
                       if self._dirty else float("inf"))
                timeout = max(0.0, min(next_poll, next_status, next_wd, next_metrics, next_pickup, due)
                              - time.monotonic())
                self.wake.wait(timeout)
        finally:
            self.notifier.stopping()
            self._checkpoint(force=True)
            self.watcher.stop()
            if self.pickup is not None:
                self.pickup.close()
            for s in self.sources:
                s.close()
            for slot in self.sinks:
                try:
                    slot.sink.close()
                except Exception as e:  # a sink that fails to close must not lose the checkpoint
                    self.log(f"sink {slot.label}: error on close: {e}")
            if self.recorder is not None:
                try:
                    self.recorder.close()
                except Exception as e:
                    self.log(f"state: error on close: {e}")
            self.store.unlock()
        if self._undelivered:
            self.log(f"stopped with {self._undelivered} events not accepted by every sink; "
                     "they will be read again on the next start")
        self.log(self.summary())
        return 0

    def _next_chunk(self) -> Chunk | None:
        for s in self.sources:
            c = s.next_chunk(self.settings.max_batch)
            if c is not None:
                return c
        return None

    def _process(self, chunk: Chunk) -> bool:
        p = self.pipeline
        if chunk.ref is not self._ref:
            p.set_reference_time(chunk.ref)
            self._ref = chunk.ref
        events: list[Event] = []
        for text, offset in chunk.lines:
            events.extend(p.feed(text, chunk.path, offset))
        if self.recorder is not None:
            alerts = self._record()
            if alerts is None:  # asked to stop while the store was failing
                self._undelivered = len(events)
                self._mid_chunk = True
                return False
            events.extend(a for a in alerts if keep_alert(p.where, a))
        if self.metrics is not None:
            self.metrics.events(events)
        if not self._deliver(events):
            self._undelivered = len(events)
            self._mid_chunk = True
            return False
        chunk.owner.commit(chunk)
        self._dirty = True
        self._last_line_at = time.monotonic()
        return True

    def _record(self) -> list[Event] | None:
        """The chunk's history, before its events go out and before its
        checkpoint (at-least-once; the store ignores event_ids it has).
        A failing store holds the follower like a failing sink."""
        delay = self.settings.retry_min
        while True:
            try:
                alerts = self.recorder.record()
            except (StateError, OSError) as e:
                self._trouble(f"state: {e}; keeping {len(self.recorder.pending)} events, "
                              f"retrying in {delay:.1f}s")
            else:
                if self._sink_trouble and self._sink_trouble.startswith("state:"):
                    self.log("state accepts events again")
                    self._sink_trouble = None
                return alerts
            if self.stop_requested:
                return None
            self._pause(delay)
            delay = min(delay * 2, self.settings.retry_max)

    def _pause(self, delay: float) -> bool:
        """Wait ``delay`` seconds between retries, serving signals and the
        watchdog; True if a SIGHUP reloaded the config meanwhile."""
        reloaded = False
        end = time.monotonic() + delay
        while not self.stop_requested and time.monotonic() < end:
            self.wake.wait(min(1.0, end - time.monotonic()))
            self.wake.clear()
            if self.notifier.watchdog_interval:
                self.notifier.watchdog()
            if self.reload_requested:  # reopen sinks even while one is failing
                self.reload_requested = False
                self._reload()
                reloaded = True
        return reloaded

    def _deliver(self, events: list[Event]) -> bool:
        """Every sink accepts its share, or we keep trying (with back-off)
        until it does or we are asked to stop."""
        if not events:
            return True
        pending = list(self.sinks)
        delay = self.settings.retry_min
        while True:
            for slot in list(pending):
                batch = slot.pick(events)
                try:
                    if batch:
                        slot.sink.send(batch)
                except SinkError as e:
                    self._trouble(f"sink {slot.label}: {e}; keeping {len(batch)} events, retrying in {delay:.1f}s")
                    self._sink_error(slot)
                    continue
                except BrokenPipeError:
                    raise
                except Exception as e:  # a sink's bug: same treatment as a refusal, never a lost batch
                    self._trouble(f"sink {slot.label}: {type(e).__name__}: {e}; retrying in {delay:.1f}s")
                    self._sink_error(slot)
                    continue
                pending.remove(slot)
                self.counts["delivered"] += len(batch)
            if not pending:
                if self._sink_trouble:
                    self.log("sinks accept events again")
                    self._sink_trouble = None
                return True
            if self.stop_requested:
                return False
            if self._pause(delay):
                pending = list(self.sinks)
            delay = min(delay * 2, self.settings.retry_max)

    def _sink_error(self, slot: SinkSlot) -> None:
        if self.metrics is not None:
            self.metrics.sink_error(slot.label)

    def _trouble(self, msg: str) -> None:
        self.counts["sink_errors"] += 1
        if msg != self._sink_trouble:
            self.log(msg)
        self._sink_trouble = msg

    def _checkpoint(self, force: bool = False) -> None:
        """Hand the committed positions (and the correlator's tables) to the
        store's writer thread; ``force`` (on the way out) writes them and
        waits. A failing background write is said once (and its end), and
        retried with the next state."""
        err = self.store.error
        trouble = f"cannot write checkpoint {self.store.path}: {err.strerror or err}" if err else None
        if trouble != self._checkpoint_trouble:
            self.log(trouble or f"checkpoints are written again ({self.store.path})")
            self._checkpoint_trouble = trouble
        if err is not None:
            self._dirty = True
        now = time.monotonic()
        # A checkpoint carries the correlator's tables: when they are large
        # (a deep queue of deferred mail), checkpoint less often, so that
        # taking them costs at most 1/20 of the time (a kill -9 then costs
        # a few more lines read again, never a lost one).
        interval = max(self.settings.checkpoint_interval, 20 * self._checkpoint_cost)
        if not force and (not self._dirty or now - self._last_checkpoint < interval):
            return
        state = dict(self.saved)  # sources no longer configured keep their positions
        for s in self.sources:
            state.update(s.state())
        # The tables must match the positions: after a chunk that was not
        # delivered (stopping while a sink fails) they are ahead of them.
        tables = self._tables if self._mid_chunk else self.pipeline.correlator.snapshot()
        data = self.store.encode(state, tables)
        if not self._mid_chunk:
            self._checkpoint_cost = time.monotonic() - now
        if force:
            try:
                self.store.write(data)
            except OSError as e:
                self.log(f"cannot write checkpoint {self.store.path}: {e.strerror or e}")
                return
        else:
            self.store.submit(data)
        self.saved = state
        self._tables = tables
        self._dirty = False
        self._last_checkpoint = now

    def _reload(self) -> None:
        self.notifier.reloading()
        if self.reload_fn is not None:
            self.reload_fn(self)
        else:
            for slot in self.sinks:
                try:
                    slot.sink.reopen()
                except Exception as e:
                    self.log(f"sink {slot.label}: cannot reopen: {e}")
            self.log("SIGHUP: output files reopened")
        self.notifier.ready(self._status_text())

    def _targets(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for s in self.sources:
            for d, names in s.watch_targets().items():
                out.setdefault(d, set()).update(names)
        return out

    # -- reporting -----------------------------------------------------------------
    def _status_text(self) -> str:
        c = self.counts
        return f"{c['lines'] + c.get('too_long', 0)} lines, {c['events']} events"  # as summary() counts

    def status_line(self) -> str:
        c = self.counts
        skipped = sum(v for k, v in c.items() if k.startswith("skipped:")) + c.get("too_long", 0)
        lag = sum(s.lag_bytes() for s in self.sources)
        idle = f"{time.monotonic() - self._last_line_at:.0f}s" if self._last_line_at else "-"
        rss, cpu = _process_usage()
        parts = [f"lines={c['lines'] + c.get('too_long', 0)}", f"events={c['events']}", f"skipped={skipped}",
                 f"lag={_bytes(lag)}", f"last_read={idle} ago", f"rss={rss}", f"cpu={cpu}"]
        if self._sink_trouble:
            parts.append("sinks=retrying")
        return "status " + " ".join(parts)

    def summary(self) -> str:
        s = self.pipeline.summary()
        s = s[len("bouncewatch: "):] if s.startswith("bouncewatch: ") else s
        return f"{s}; {self.recorder.summary()}" if self.recorder is not None else s


_proc = None


def _process_usage() -> tuple[str, str]:
    """RSS and CPU share since the previous call (psutil)."""
    global _proc
    try:
        import psutil
        if _proc is None:
            _proc = psutil.Process()
            _proc.cpu_percent(None)
        return _bytes(_proc.memory_info().rss), f"{_proc.cpu_percent(None):.1f}%"
    except Exception:
        return "?", "?"


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)
