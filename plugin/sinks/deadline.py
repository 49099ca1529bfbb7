"""A deadline for a whole HTTP request, for urllib3.

urllib3's timeouts bound each connect, send and read: a receiver that
trickles its answer a byte at a time, each byte in time, holds a request as
long as it likes (``Timeout(total=)`` too: past the connect it becomes one
per-read timeout). :class:`Deadline` ends such a request from outside, by
shutting its socket down, and :func:`pool_manager` makes a PoolManager whose
connections hand their sockets to the deadline of the request in progress.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

import urllib3


class Deadline:
    """A deadline for one request at a time, kept by one watchdog thread per
    transport: when it passes, the socket of the connection carrying the
    request is shut down (shutdown(2), not close(2), which would race with
    the request thread's use of the descriptor): its recv or send in progress
    returns at once with EOF or EPIPE, and so does every later one.

    Why a thread and a shutdown: the trickle happens inside a blocking read
    deep in http.client, which only a socket-level event can end; one
    long-lived thread instead of a timer per request keeps the normal case
    to a lock, and one notify when the watchdog was idle."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fired = False                     # the request in progress overran its deadline
        self._cond = threading.Condition()
        self._when: float | None = None        # monotonic deadline of the request in progress
        self._sock: socket.socket | None = None  # what to shut down when it passes
        self._idle = True                      # the watchdog waits without a timeout: notify it
        self._thread: threading.Thread | None = None

    @contextmanager
    def bound(self, seconds: float) -> Iterator[None]:
        """Run the request of the ``with`` body under a deadline ``seconds``
        from now; its connection registers its socket with ``watch``."""
        with self._cond:
            self._when, self._sock, self.fired = time.monotonic() + seconds, None, False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"deadline-{self.name}", daemon=True)
                self._thread.start()
            elif self._idle:
                self._cond.notify()
        token = _current_deadline.set(self)
        try:
            yield
        finally:
            _current_deadline.reset(token)
            with self._cond:  # from here on the watchdog holds no socket: a close is safe
                self._when = self._sock = None

    def watch(self, sock: socket.socket) -> None:
        with self._cond:
            self._sock = sock
            if self.fired:  # connected only after the deadline passed
                _shutdown(sock)

    def forget(self, sock: socket.socket) -> None:
        """``sock`` is about to be closed: never shut down a reused descriptor."""
        with self._cond:
            if self._sock is sock:
                self._sock = None

    def close(self) -> None:
        with self._cond:
            self._thread = None
            self._cond.notify()

    def _run(self) -> None:
        me = threading.current_thread()
        with self._cond:
            while self._thread is me:
                if self._when is None or self.fired:
                    self._idle = True
                    self._cond.wait()
                    self._idle = False
                elif (left := self._when - time.monotonic()) > 0:
                    self._cond.wait(left)   # a new request's later deadline is seen on waking
                else:
                    self.fired = True
                    if self._sock is not None:
                        _shutdown(self._sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # the peer closed it already
        pass


_current_deadline: ContextVar[Deadline | None] = ContextVar("bouncewatch_http_deadline", default=None)


class _Watched:
    """Mixin for urllib3's connection classes: hands the connection's socket
    to the deadline of the request in progress (the ``Deadline.bound`` of
    this thread), for a new connection and for a kept-alive one alike.

    The deadline gets a dup of the socket (same socket, own descriptor):
    it stays valid while TLS wraps and detaches the original, so the deadline
    covers the handshake as well (CPython bounds a handshake by the socket
    timeout alone, which would allow connect plus one timeout); shutting it
    down touches no SSLSocket state; and it is closed only here, after
    ``forget``, so the watchdog never shuts down a descriptor number that was
    closed and handed to another socket meanwhile."""

    _dup: socket.socket | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        self._release()
        self._dup = sock.dup()
        self._register()
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._register()
        super().request(*args, **kwargs)  # type: ignore[misc]

    def close(self) -> None:
        try:
            super().close()  # type: ignore[misc]
        finally:
            self._release()

    def _register(self) -> None:
        d = _current_deadline.get()
        if d is not None and self._dup is not None:
            d.watch(self._dup)

    def _release(self) -> None:
        dup, self._dup = self._dup, None
        if dup is not None:
            d = _current_deadline.get()
            if d is not None:
                d.forget(dup)
            dup.close()


class _HTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def pool_manager(**kw: Any) -> urllib3.PoolManager:
    pool = urllib3.PoolManager(num_pools=2, maxsize=1, block=False, **kw)
    pool.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return pool
