"""Syslog sinks: RFC 5424 with structured data (RFC 3164 on request) over
UDP (RFC 5426), TCP with octet-counting framing (RFC 6587), TLS (RFC 5425)
or a unix socket (``syslog:/dev/log``, datagram or stream).

    syslog+udp://HOST:PORT      default port 514
    syslog+tcp://HOST:PORT      default port 514
    syslog+tls://HOST:PORT      default port 6514; certificate and host name verified
    syslog:/dev/log             any unix socket path

Keys: ``format`` (what MSG holds: json by default, or ecs/ocsf/cef/leef),
``rfc`` (5424 | 3164), ``facility`` (mail, local0..local7, or a number;
default mail), ``app_name`` (bouncewatch), ``sd_id`` (the structured-data
id, default ``bouncewatch@32473``: 32473 is the enterprise number RFC 5612
reserves for documentation; put your own PEN here if you have one),
``timeout`` (connect/send, 5 s), ``replay`` (seconds, 5; see below),
TLS: ``ca`` (PEM bundle to trust instead of the system store), ``cert`` and
``key`` (client certificate), ``server_name`` (name to verify, default the
host). Plus the delivery keys of reliable.Policy (spool, back-off).

Each record carries ``[bouncewatch@32473 event_id=".." status=".."
category=".." type=".." ...]`` so a receiver can filter without parsing
MSG; parameter values escape ``"``, ``\\`` and ``]`` (RFC 5424 6.3.3), and
CR/LF as ``\\r``/``\\n`` so no value can start a second record under any
framing. Severity follows the outcome: sent info, deferred notice,
bounced/expired warning.

Syslog has no acknowledgement. A TCP peer that dies takes with it whatever
it had read but not written, and the first write into a dead connection
still "succeeds". So the stream sink keeps what it wrote in the last
``replay`` seconds; when it finds the connection broken (the peer closed
it, a write failed) those records are sent again ahead of the rest, or
spooled if the receiver is still away. Duplicates are possible and carry
the same event_id; losses within the window are not. UDP learns of a closed
port one datagram late (ICMP), so a UDP sink keeps the same window and
sends it again after such a failure.
"""

from __future__ import annotations

import collections
import errno
import logging
import os
import select
import socket
import ssl
import time
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlsplit

from ..formats import Format, get_format
from . import LOOPBACK, ConfigError, Event, Options, _display
from .reliable import DeliveryError, Policy, ReliableSink, spool_ident
from .tls import client_context, describe

log = logging.getLogger("bouncewatch.sinks")

FACILITIES = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
    "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
    **{f"local{i}": 16 + i for i in range(8)},
}
DEFAULT_SD_ID = "bouncewatch@32473"
_SEVERITY = {"sent": 6, "deferred": 5}
_PIECE = 16384  # bytes per write on a TLS stream: at most one record
_SD_FIELDS = (
    ("event_id", ("event_id",)), ("status", ("status",)), ("category", ("classification", "category")),
    ("type", ("classification", "type")), ("code", ("classification", "code")),
    ("action", ("classification", "action")), ("rule", ("classification", "rule")),
    ("provider", ("classification", "provider")), ("blocklist", ("classification", "blocklist")),
    ("dsn", ("dsn",)), ("smtp_code", ("smtp_code",)), ("mta", ("mta",)), ("queue_id", ("queue_id",)),
    ("recipient", ("recipient",)), ("recipient_domain", ("recipient_domain",)),
)


# -- rendering ---------------------------------------------------------------------
def _header_token(v: Any, limit: int) -> str:
    """HOSTNAME, APP-NAME, MSGID: printable US-ASCII without spaces, or '-'."""
    s = "".join(c if 33 <= ord(c) <= 126 else "_" for c in str(v or ""))[:limit]
    return s or "-"


def _sd_value(v: Any) -> str:
    s = str(v)
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")
            .replace("\r", "\\r").replace("\n", "\\n"))


def _get(event: Event, path: tuple[str, ...]) -> Any:
    v: Any = event
    for p in path:
        v = v.get(p) if isinstance(v, dict) else None
    return v


class Renderer:
    def __init__(self, fmt: Format, rfc: str, facility: int, app_name: str, sd_id: str,
                 hostname: str) -> None:
        self.fmt, self.rfc, self.facility = fmt, rfc, facility
        self.app_name, self.sd_id, self.hostname = app_name, sd_id, hostname
        self.procid = str(os.getpid())

    def __call__(self, event: Event) -> bytes:
        pri = self.facility * 8 + _SEVERITY.get(event.get("status") or "", 4)
        msg = self.fmt.render(event)
        host = _header_token(event.get("host") or self.hostname, 255)
        ts = event.get("timestamp")
        if self.rfc == "3164":
            stamp = _rfc3164_time(ts)
            return f"<{pri}>{stamp} {host} {self.app_name}[{self.procid}]: {msg}".encode("utf-8", "replace")
        params = " ".join(f'{k}="{_sd_value(v)}"' for k, path in _SD_FIELDS
                          if (v := _get(event, path)) is not None and v != "")
        sd = f"[{self.sd_id} {params}]" if params else "-"
        msgid = _header_token(event.get("status"), 32)
        line = f"<{pri}>1 {ts or '-'} {host} {self.app_name} {self.procid} {msgid} {sd} {msg}"
        return line.encode("utf-8", "replace")


def _rfc3164_time(ts: str | None) -> str:
    try:
        d = datetime.fromisoformat(ts) if ts else datetime.now().astimezone()
    except ValueError:
        d = datetime.now().astimezone()
    return f"{d:%b} {d.day:2d} {d:%H:%M:%S}"


# -- transports --------------------------------------------------------------------
class ReplayWindow:
    """The records written in the last ``seconds``: syslog has no
    acknowledgement, so when the transport learns that the receiver is gone
    these are the ones it may not have kept, to be sent again.

    ``max_bytes`` only guards memory: a receiver that hangs (stops reading)
    leaves in the kernel buffers between us up to our tcp_wmem plus its
    tcp_rmem (tens of MiB), all written within a second or two, all lost if
    it is then restarted. A small cap would silently shrink the window below
    what README promises; hitting this one is logged.

    The window's clock stops while the receiver does not read (``pause``
    to ``resume``): what it had not read when it stalled it still has not,
    however long the stall."""

    def __init__(self, seconds: float, label: str, max_bytes: int = 32 << 20) -> None:
        self.seconds, self.label, self.max_bytes = seconds, label, max_bytes
        self._recent: collections.deque[tuple[float, bytes]] = collections.deque()
        self._bytes = 0
        self.evicted = 0  # records dropped from the window by the memory guard
        self._paused_at: float | None = None

    def pause(self) -> None:
        if self._paused_at is None:
            self._prune(time.monotonic())
            self._paused_at = time.monotonic()

    def resume(self) -> None:
        if self._paused_at is not None:
            stalled = time.monotonic() - self._paused_at
            self._paused_at = None
            self._recent = collections.deque((t + stalled, r) for t, r in self._recent)

    def add(self, records: list[bytes]) -> None:
        if self.seconds <= 0:
            return
        now = time.monotonic()
        for r in records:
            self._recent.append((now, r))
            self._bytes += len(r)
        self._prune(now)

    def records(self) -> list[bytes]:
        self._prune(time.monotonic())
        return [r for _, r in self._recent]

    def take(self) -> list[bytes]:
        """Hand the records over (to the spool, which now owns them)."""
        out = self.records()
        self._recent.clear()
        self._bytes = 0
        self._paused_at = None
        return out

    def _prune(self, now: float) -> None:
        if self._paused_at is not None:
            now = self._paused_at
        while self._recent and self._recent[0][0] < now - self.seconds:
            self._bytes -= len(self._recent.popleft()[1])
        evicted = 0
        while self._recent and self._bytes > self.max_bytes:
            self._bytes -= len(self._recent.popleft()[1])
            evicted += 1
        if evicted:
            first = self.evicted == 0
            self.evicted += evicted
            if first or self.evicted // 10000 != (self.evicted - evicted) // 10000:
                log.warning("sink %r: more than %d bytes written within replay=%gs: %d records (%d so far) "
                            "will not be sent again if the receiver turns out gone now", self.label,
                            self.max_bytes, self.seconds, evicted, self.evicted)


class DatagramTransport:
    """UDP or a unix datagram socket: one record per datagram.

    UDP reports a closed port late: the ICMP port unreachable caused by one
    datagram fails the *next* send with ECONNREFUSED, and the send after
    that succeeds into nothing again. So a UDP transport keeps what it sent
    in the last ``replay`` seconds and, on such a failure, hands it back as
    unconfirmed; the sink spools it ahead of the rest. (A unix datagram
    socket refuses at once: replay 0.)"""

    def __init__(self, family: int, address: Any, max_size: int, label: str, replay: float = 0.0) -> None:
        self.family, self.address, self.max_size, self.label = family, address, max_size, label
        self.sock: socket.socket | None = None
        self.truncated = 0
        self.window = ReplayWindow(replay, label)

    def _connect(self) -> socket.socket:
        if self.sock is None:
            s = socket.socket(self.family, socket.SOCK_DGRAM)
            try:
                s.connect(self.address)  # connected: ICMP unreachable surfaces as ECONNREFUSED
            except OSError:
                s.close()
                raise
            self.sock = s
        return self.sock

    def deliver(self, records: list[bytes]) -> list[tuple[bytes, str]]:
        try:
            s = self._connect()
            for r in records:
                if len(r) > self.max_size:
                    self.truncated += 1
                    if self.truncated == 1 or self.truncated % 1000 == 0:
                        log.warning("sink %r: %d records longer than max_size=%d truncated "
                                    "(use syslog+tcp for long reply texts)", self.label, self.truncated,
                                    self.max_size)
                s.send(r[: self.max_size])
        except OSError as e:
            raise DeliveryError(f"send failed: {e.strerror or e}", unconfirmed=self.window.take()) from None
        self.window.add(records)
        return []

    def reset(self) -> None:
        self.close()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class StreamTransport:
    """TCP, TLS or a unix stream socket, RFC 6587 octet counting.

    A write that times out (the receiver stopped reading: its queue is
    full) keeps the connection and the unwritten rest of the payload, which
    the next delivery writes first. A slow receiver is not gone: on a new
    connection it could read, once it caught up, later records before the
    ones still buffered in the old one, and the old one's last frame would
    be cut in two."""

    def __init__(self, connect: Callable[[], socket.socket], label: str, replay: float) -> None:
        self.connect, self.label = connect, label
        self.sock: socket.socket | None = None
        self.window = ReplayWindow(replay, label)
        self._broken = False  # the last connection died under us: replay on the next one
        self._tail = b""      # the unwritten end of a write that timed out, owed to this connection
        self._budget: float | None = None  # the connection's timeout: for the whole of one delivery

    def _alive(self, s: socket.socket) -> bool:
        """A syslog receiver never talks back, so readable means closed or
        reset, with one exception: a TLS 1.3 server's session tickets arrive
        after the handshake and make the socket readable without any data.
        So read: end of stream or an error is a dead connection; no
        application data (the tickets consumed) or stray bytes are not."""
        try:
            r, _, _ = select.select([s], [], [], 0)
        except (OSError, ValueError):
            return False
        if not r:
            return True
        timeout = s.gettimeout()
        try:
            s.setblocking(False)
            return bool(s.recv(4096))
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return True
        except (OSError, ssl.SSLError, ValueError):
            return False
        finally:
            try:
                s.settimeout(timeout)
            except OSError:
                pass

    def deliver(self, records: list[bytes]) -> list[tuple[bytes, str]]:
        if self.sock is not None and not self._alive(self.sock):
            self._drop_connection(broken=True)
        if self.sock is None:
            try:
                self.sock = self.connect()
            except (OSError, ssl.SSLError) as e:
                raise DeliveryError(f"cannot connect: {describe(e)}",
                                    unconfirmed=self._take_unconfirmed()) from None
            self._budget = self.sock.gettimeout()
        payload = b"".join(b"%d %s" % (len(r), r) for r in records)
        if self._broken:
            replay = b"".join(b"%d %s" % (len(r), r) for r in self.window.records())
            payload = replay + payload
            self._broken = False  # the replay is on its way, or in the tail if this write times out
        deadline = None if self._budget is None else time.monotonic() + self._budget
        try:
            if self._tail:
                self._write(self._tail, deadline)
            self._write(payload, deadline)
        except TimeoutError:
            self.window.pause()
            raise DeliveryError(f"send timed out: the receiver is not reading; {len(self._tail)} bytes "
                                "wait to be written on the same connection", keep_connection=True) from None
        except (OSError, ssl.SSLError) as e:
            self._drop_connection(broken=True)
            raise DeliveryError(f"send failed: {describe(e)}",
                                unconfirmed=self._take_unconfirmed()) from None
        self.window.resume()
        self.window.add(records)
        return []

    def _write(self, data: bytes, deadline: float | None) -> None:
        """Write ``data`` by ``deadline``; on a timeout keep the unwritten
        rest in ``_tail``. Over TLS in pieces of at most 16 KiB (one
        record): a TLS write that timed out must be repeated with the same
        bytes (OpenSSL's rule), and the tail starts with exactly that piece.
        (A plain socket's send says how much it took.)"""
        assert self.sock is not None
        view = memoryview(data)
        piece = _PIECE if isinstance(self.sock, ssl.SSLSocket) else len(view)
        pos = 0
        try:
            while pos < len(view):
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError
                    self.sock.settimeout(left)
                pos += self.sock.send(view[pos:pos + piece])
        except TimeoutError:
            self._tail = bytes(view[pos:])
            raise
        finally:
            if deadline is not None:
                try:
                    self.sock.settimeout(self._budget)
                except OSError:
                    pass
        self._tail = b""

    def _take_unconfirmed(self) -> list[bytes]:
        """After a failure: hand the recent records to the spool, which now owns them."""
        if not self._broken:
            return []
        self._broken = False
        return self.window.take()

    def _drop_connection(self, broken: bool) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
        if broken or self._tail:  # a connection left with a frame cut in two broke under it
            self._broken = True
        self._tail = b""

    def reset(self) -> None:
        self._drop_connection(broken=self._broken)

    def close(self) -> None:
        if self.sock is not None:
            try:
                if isinstance(self.sock, ssl.SSLSocket):
                    self.sock.unwrap()
            except (OSError, ssl.SSLError, ValueError):
                pass
        self._drop_connection(broken=False)


# -- factory -----------------------------------------------------------------------
def open_syslog(uri: str, opts: dict[str, Any]) -> ReliableSink:
    name = _display(uri)
    o = Options(name, opts)
    scheme = uri.split(":", 1)[0].lower()
    fmt = get_format(o.get("format"))
    rfc = o.choice("rfc", ("5424", "3164"), "5424")
    fac_s = o.get("facility", "mail") or "mail"
    if fac_s.isdigit() and 0 <= int(fac_s) <= 23:
        facility = int(fac_s)
    elif fac_s.lower() in FACILITIES:
        facility = FACILITIES[fac_s.lower()]
    else:
        raise o.error("facility", f"unknown facility {fac_s!r} (mail, local0..local7, daemon, or 0-23)")
    app_name = _header_token(o.get("app_name", "bouncewatch"), 48)
    sd_id = o.get("sd_id", DEFAULT_SD_ID) or DEFAULT_SD_ID
    if any(c in sd_id for c in ' ="]') or not all(33 <= ord(c) <= 126 for c in sd_id) or len(sd_id) > 32:
        raise o.error("sd_id", f"{sd_id!r} is not a valid SD-ID (printable ASCII, no space = \" ], at most 32)")
    timeout = o.number("timeout", 5.0, minimum=0.01)
    replay = o.number("replay", 5.0)
    render = Renderer(fmt, rfc, facility, app_name, sd_id, socket.gethostname())

    if scheme == "syslog":
        path = uri[len("syslog:"):].split("?", 1)[0]
        if path.startswith("//"):
            path = path[2:]
        if not path.startswith("/"):
            raise ConfigError(f"sink {name!r}: syslog: needs an absolute unix socket path, "
                              "e.g. syslog:/dev/log (for the network: syslog+udp://, +tcp://, +tls://)")
        transport: Any = _unix_transport(path, timeout, replay, name)
        leaves = False
    else:
        parts = urlsplit(uri)
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"sink {name!r}: bad port in {uri.split('?', 1)[0]!r}") from None
        host = parts.hostname
        if not host:
            raise ConfigError(f"sink {name!r}: no host (expected {scheme}://HOST:PORT)")
        if parts.username or parts.password:
            raise ConfigError(f"sink {name!r}: credentials in the URI are not accepted")
        if parts.path not in ("", "/"):
            raise ConfigError(f"sink {name!r}: unexpected path {parts.path!r} (expected {scheme}://HOST:PORT)")
        if scheme == "syslog+udp":
            max_size = int(o.number("max_size", 65000, minimum=480))
            transport = DatagramTransport(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                          (host, port or 514), max_size, name, replay)
        elif scheme == "syslog+tcp":
            transport = StreamTransport(lambda: _tcp(host, port or 514, timeout), name, replay)
        else:
            ctx = client_context(o)
            server_name = o.get("server_name", host)
            transport = StreamTransport(
                lambda: ctx.wrap_socket(_tcp(host, port or 6514, timeout), server_hostname=server_name),
                name, replay)
        leaves = host not in LOOPBACK
    policy = Policy(o, opts.get("state_dir"), spool_ident(uri))
    o.done()
    sink = ReliableSink(name, transport, render, policy, check=o.checking)
    sink.leaves_host = leaves
    return sink


def _tcp(host: str, port: int, timeout: float) -> socket.socket:
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    return s


def _unix_transport(path: str, timeout: float, replay: float, name: str) -> Any:
    """A datagram socket (rsyslog, journald's /dev/log) or, if the path is a
    stream socket, octet-counted frames over it."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(path)
        kind = "dgram"
    except OSError as e:
        kind = "stream" if e.errno == errno.EPROTOTYPE else "dgram"  # absent now: assume /dev/log's kind
    finally:
        probe.close()
    if kind == "dgram":
        return DatagramTransport(socket.AF_UNIX, path, 65000, name)

    def connect() -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
        except OSError:
            s.close()
            raise
        return s
    return StreamTransport(connect, name, replay)
