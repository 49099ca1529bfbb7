"""At-least-once delivery for network sinks: a transport, a disk spool and
one background thread.

``send(events)`` renders the batch and, when nothing is spooled and the
endpoint is not in back-off, delivers it at once (bounded by the
transport's timeout). If that fails, or earlier batches are still spooled
(order matters: a SIEM shows a deferral before the bounce that followed
it), the batch is appended to the disk spool and ``send`` returns: the
caller may checkpoint. The delivery thread replays the spool oldest first,
with exponential back-off and full jitter between attempts (a fleet of
agents must not hammer a recovering SIEM in lockstep), or exactly the
``Retry-After`` a 429/503 asked for (capped by ``retry_after_max``).

So a slow or dead endpoint costs the follower at most one timeout, then a
local fsync per batch, until the spool bound; memory holds one batch at a
time, never the backlog.

Transports implement ``deliver(records) -> rejected`` (raise DeliveryError
to retry the whole batch; return the records refused for good, with the
reason, to keep them in the spool's ``rejected`` file), ``reset()`` (drop
the connection after a failure, unless the error says ``keep_connection``)
and ``close()``.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from typing import Callable, Protocol

from . import ConfigError, Event, Options, SinkError, writable_path
from .spool import OVERFLOW_POLICIES, DiskSpool, SpoolError, SpoolFull, _Dropped

log = logging.getLogger("bouncewatch.sinks")


class DeliveryError(Exception):
    """Nothing of the batch may count as delivered; retry later."""

    def __init__(self, message: str, retry_after: float | None = None,
                 unconfirmed: list[bytes] | None = None, keep_connection: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        # The connection is sound, the receiver only slow to read: no reset
        # (a syslog stream owes it the rest of a frame, and on a new
        # connection it could read later records before the ones still
        # buffered in this one).
        self.keep_connection = keep_connection
        # Records of earlier, already acknowledged batches that the receiver
        # may not have kept (a syslog stream broke under them): the sink
        # spools them ahead of everything else.
        self.unconfirmed = unconfirmed or []


class Transport(Protocol):
    def deliver(self, records: list[bytes]) -> list[tuple[bytes, str]]: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...


class Policy:
    """Timing and bounds common to every network sink, read from its options:
    ``batch_max`` (records per request, 500), ``backoff`` (first delay, 0.5 s),
    ``backoff_max`` (60 s), ``retry_after_max`` (300 s), ``spool_max``
    (256M), ``overflow`` (block | drop-oldest | drop-newest), ``spool`` (the
    directory; default STATE_DIR/spool/NAME)."""

    def __init__(self, o: Options, state_dir: str | None, ident: str) -> None:
        self.batch_max = int(o.number("batch_max", 500, minimum=1))
        self.backoff = o.number("backoff", 0.5, minimum=0.01)
        self.backoff_max = o.number("backoff_max", 60.0, minimum=0.01)
        self.retry_after_max = o.number("retry_after_max", 300.0, minimum=0.0)
        self.spool_max = o.size("spool_max", 256 << 20)
        self.overflow = o.choice("overflow", OVERFLOW_POLICIES, "block")
        base = state_dir or os.environ.get("STATE_DIRECTORY", "").split(":")[0] or "/var/lib/bouncewatch"
        self.spool_dir = o.get("spool") or os.path.join(base, "spool", ident)


def spool_ident(uri: str) -> str:
    """A directory name for a sink: readable, and unique per URI."""
    import hashlib
    bare = uri.split("?", 1)[0]
    readable = re.sub(r"[^A-Za-z0-9.-]+", "_", bare)[:60].strip("_")
    return f"{readable}-{hashlib.sha256(uri.encode()).hexdigest()[:10]}"


class ReliableSink:
    leaves_host = True

    def __init__(self, name: str, transport: Transport, render: Callable[[Event], bytes],
                 policy: Policy, check: bool = False) -> None:
        self.name, self.transport, self.render, self.policy = name, transport, render, policy
        self._thread = None
        if check:  # validate only: the spool must be creatable; nothing is started
            why = writable_path(policy.spool_dir)
            if why:
                raise ConfigError(f"sink {name!r}: key 'spool': cannot use {policy.spool_dir}: {why}")
            return
        try:
            self.spool = DiskSpool(policy.spool_dir, policy.spool_max, policy.overflow, name)
        except (OSError, SpoolError) as e:
            raise ConfigError(f"sink {name!r}: key 'spool': cannot use {policy.spool_dir}: "
                              f"{getattr(e, 'strerror', None) or e}") from None
        self.stats = {"delivered": 0, "spooled": 0, "rejected": 0, "failures": 0, "dropped": 0}
        self._failures = 0
        self._next_try = 0.0
        self._tlock = threading.Lock()        # one delivery on the wire at a time
        self._send_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._drain, name=f"sink-{name}", daemon=True)
        self._thread.start()
        if not self.spool.empty():
            self._wake.set()

    # -- the caller's side ---------------------------------------------------------
    def send(self, events: list[Event]) -> None:
        if not events:
            return
        records = [self.render(e) for e in events]
        with self._send_lock:
            pending = records
            while pending and self.spool.empty() and time.monotonic() >= self._next_try:
                if not self._tlock.acquire(blocking=False):
                    break
                chunk = pending[: self.policy.batch_max]
                try:
                    rejected = self.transport.deliver(chunk)
                except DeliveryError as e:
                    self._failed(e)
                    if e.unconfirmed:
                        # Accepted by earlier sends, so nobody would retry them:
                        # past the bound like the delivery thread's, never refused
                        # with the caller's batch. (The spool is empty: front is
                        # also the end, ahead of ``pending``.)
                        self._spool_front(e.unconfirmed)
                    break
                except Exception as e:  # a transport bug: spool, log, never lose the batch
                    log.exception("sink %r: unexpected error while delivering", self.name)
                    self._failed(DeliveryError(f"{type(e).__name__}: {e}"))
                    break
                finally:
                    self._tlock.release()
                self._succeeded(len(chunk), rejected)
                pending = pending[len(chunk):]
            if pending:
                self._to_spool(pending)

    def _to_spool(self, records: list[bytes]) -> None:
        for i in range(0, len(records), self.policy.batch_max):
            chunk = records[i:i + self.policy.batch_max]
            try:
                self.spool.append(chunk)
            except _Dropped:
                self.stats["dropped"] = self.spool.dropped
                continue
            except SpoolFull as e:
                raise SinkError(f"sink {self.name!r}: {e}") from None
            except OSError as e:
                raise SinkError(f"sink {self.name!r}: cannot spool to {self.spool.dir}: {e}") from e
            self.stats["spooled"] += len(chunk)
            self.stats["dropped"] = self.spool.dropped
        self._idle.clear()
        self._wake.set()

    def _spool_front(self, records: list[bytes]) -> None:
        try:
            self.spool.append(records, front=True)
            self.stats["spooled"] += len(records)
        except OSError as e:
            log.error("sink %r: cannot spool %d unconfirmed events: %s", self.name, len(records), e)

    def reopen(self) -> None:
        """SIGHUP: reconnect (the receiver's certificate or address may have changed)."""
        with self._tlock:
            self.transport.reset()

    def close(self, drain_timeout: float = 0.0) -> None:
        """Stop; what is still spooled is replayed by the next start."""
        if self._thread is None:  # opened by check_sink
            self.transport.close()
            return
        if drain_timeout > 0:
            self.wait_idle(drain_timeout)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        with self._tlock:
            self.transport.close()
        if not self.spool.empty():
            log.warning("sink %r: %d events stay spooled in %s for the next start",
                        self.name, self.spool.records, self.spool.dir)
        self.spool.close()

    def wait_idle(self, timeout: float) -> bool:
        """True once the spool is empty (tests, and a graceful shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.spool.empty():
                return True
            self._idle.wait(min(0.05, max(0.0, deadline - time.monotonic())))
        return self.spool.empty()

    # -- the delivery thread ---------------------------------------------------------
    def _drain(self) -> None:
        while not self._stop.is_set():
            if self.spool.empty():
                self._idle.set()
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            delay = self._next_try - time.monotonic()
            if delay > 0:
                self._stop.wait(min(delay, 1.0))
                continue
            seqs, records = self.spool.peek(self.policy.batch_max)
            if not seqs:
                continue
            with self._tlock:
                if self._stop.is_set():
                    return
                try:
                    rejected = self.transport.deliver(records)
                except DeliveryError as e:
                    self._failed(e)
                    if e.unconfirmed:
                        self._spool_front(e.unconfirmed)
                    continue
                except Exception as e:  # a bug in a transport must not kill the thread silently
                    log.exception("sink %r: unexpected error while delivering", self.name)
                    self._failed(DeliveryError(str(e)))
                    continue
            self.spool.commit(seqs)
            self._succeeded(len(records), rejected)

    def _succeeded(self, n: int, rejected: list[tuple[bytes, str]]) -> None:
        if self._failures:
            log.warning("sink %r: delivering again after %d failed attempts; %d events still spooled",
                        self.name, self._failures, self.spool.records)
        self._failures = 0
        self._next_try = 0.0
        self.stats["delivered"] += n - len(rejected)
        if rejected:
            self.stats["rejected"] += len(rejected)
            self.spool.reject(rejected)

    def _failed(self, e: DeliveryError) -> None:
        self._failures += 1
        self.stats["failures"] += 1
        if not e.keep_connection:
            try:
                self.transport.reset()
            except Exception:  # resetting a broken connection may fail too; the next try reconnects
                pass
        p = self.policy
        # Retry-After 0 (or a date already past), answered again and again,
        # would make "exactly as asked" a busy loop hammering a collector that
        # is shedding load: "now" gets the back-off like no Retry-After.
        if e.retry_after is not None and e.retry_after > 0:
            delay = min(max(e.retry_after, 0.0), p.retry_after_max)
            how = f"as the receiver asked (Retry-After {e.retry_after:g}s)"
        else:
            ceiling = min(p.backoff_max, p.backoff * (2 ** min(self._failures - 1, 30)))
            delay = random.uniform(ceiling / 2, ceiling)
            how = "(exponential back-off with jitter)"
        self._next_try = time.monotonic() + delay
        level = logging.WARNING if self._failures == 1 or self._failures % 20 == 0 else logging.INFO
        log.log(level, "sink %r: delivery failed: %s; retrying in %.1fs %s; %d events spooled",
                self.name, e, delay, how, self.spool.records)
