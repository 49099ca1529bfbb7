"""A tiny authoritative DNS stub over UDP (stdlib only) for real-MTA tests.

Why our own: the MTA's own resolver code must meet NXDOMAIN, SERVFAIL and
plain answers so it writes its real ``Host not found`` / ``try again``
lines; a stub answering exactly what a test declares is the simplest way.
It understands just enough of RFC 1035: one question per query, A and MX
answers, NOERROR/NODATA, NXDOMAIN and SERVFAIL. Names not declared are
NXDOMAIN, so nothing resolves by accident.

The stub serves on a socket the caller made (inside the test's network
namespace, see netns.Namespace.listen) from a daemon thread.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import struct
import threading
from dataclasses import dataclass, field

TYPE_A, TYPE_MX, TYPE_AAAA = 1, 15, 28
NOERROR, SERVFAIL, NXDOMAIN = 0, 2, 3
TTL = 5


@dataclass
class Name:
    """What the stub says about one name."""

    rcode: int = NOERROR
    a: list[str] = field(default_factory=list)
    mx: list[tuple[int, str]] = field(default_factory=list)


def _encode_name(name: str) -> bytes:
    if name in (".", ""):  # the root, as in a null MX (RFC 7505: "0 .")
        return b"\0"
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError(f"bad DNS label in {name!r}")
        out += bytes([len(raw)]) + raw
    return bytes(out + b"\0")


def _decode_question(packet: bytes) -> tuple[str, int, int, int] | None:
    """-> (name, qtype, qclass, end offset), or None when malformed.
    Queries carry no compression pointers; anything else is refused."""
    i, labels = 12, []
    while i < len(packet):
        n = packet[i]
        if n == 0:
            if i + 5 > len(packet):
                return None
            qtype, qclass = struct.unpack_from("!HH", packet, i + 1)
            return ".".join(labels).lower(), qtype, qclass, i + 5
        if n >= 64 or i + 1 + n > len(packet):
            return None
        labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    return None


class DnsStub:
    """``stub.a("mx.example.test", "127.0.1.2"); stub.mx("example.test", "mx.example.test")``."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.names: dict[str, Name] = {}
        self.queries: list[tuple[str, int]] = []  # what the MTA asked, for assertions
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the zone ------------------------------------------------------------
    def _name(self, name: str) -> Name:
        return self.names.setdefault(name.lower().rstrip("."), Name())

    def a(self, name: str, address: str) -> None:
        ipaddress.IPv4Address(address)  # refuse typos now, not as a silent NODATA later
        self._name(name).a.append(address)

    def mx(self, name: str, host: str, preference: int = 10) -> None:
        self._name(name).mx.append((preference, host.lower().rstrip(".") or "."))

    def null_mx(self, name: str) -> None:
        """RFC 7505: the domain accepts no mail."""
        self.mx(name, ".", 0)

    def nxdomain(self, name: str) -> None:
        self._name(name).rcode = NXDOMAIN

    def servfail(self, name: str) -> None:
        self._name(name).rcode = SERVFAIL

    # -- serving -------------------------------------------------------------
    def answer(self, query: bytes) -> bytes | None:
        """One response packet for one query packet (pure; also unit-testable)."""
        if len(query) < 12:
            return None
        qid, flags, qdcount = struct.unpack_from("!HHH", query)
        if flags & 0x8000 or qdcount != 1:  # a response, or not one question
            return None
        q = _decode_question(query)
        if q is None:
            return None
        qname, qtype, qclass, end = q
        with self._lock:
            self.queries.append((qname, qtype))
            entry = self.names.get(qname)
        rcode = NXDOMAIN if entry is None else entry.rcode
        answers = b""
        count = 0
        if entry is not None and rcode == NOERROR:
            if qtype == TYPE_A:
                for addr in entry.a:
                    answers += b"\xc0\x0c" + struct.pack("!HHIH", TYPE_A, 1, TTL, 4) + socket.inet_aton(addr)
                    count += 1
            elif qtype == TYPE_MX:
                for pref, host in entry.mx:
                    rdata = struct.pack("!H", pref) + _encode_name(host)
                    answers += b"\xc0\x0c" + struct.pack("!HHIH", TYPE_MX, 1, TTL, len(rdata)) + rdata
                    count += 1
        # QR, opcode copied, AA, RD copied, RA; the question echoed back.
        rflags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
        header = struct.pack("!HHHHHH", qid, rflags, 1, count, 0, 0)
        return header + query[12:end] + answers

    def start(self) -> "DnsStub":
        self._thread = threading.Thread(target=self._serve, name="dns-stub", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.sock], [], [], 0.2)
            if not ready:
                continue
            try:
                query, peer = self.sock.recvfrom(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            reply = self.answer(query)
            if reply is not None:
                try:
                    self.sock.sendto(reply, peer)
                except OSError:
                    pass

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sock.close()
