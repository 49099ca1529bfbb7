"""A scripted SMTP peer (aiosmtpd) that answers what each test scenario needs.

Why scripted: the point of a real-MTA test is the MTA's own log line for a
given remote reply, so the remote side must say exactly the reply a test
chose, at the stage it chose: the greeting (CONNECT), HELO/EHLO, MAIL FROM,
RCPT TO or end of DATA.

Replies are chosen per listening address (one per test domain, so CONNECT,
HELO and MAIL replies are known before any recipient is) and, for RCPT and
DATA, per recipient. A reply is a sequence by attempt: the n-th time a stage
is reached for the same key it answers ``replies[n]``, the last one
repeating, so "450 greylisted, then 250" is ``("450 4.2.0 ...", "250 OK")``.
An empty sequence means the normal positive answer. Multi-line replies are
one string with ``\\r\\n`` between the lines.

The reply :data:`DISCONNECT` closes the connection without a word, for
"lost connection while sending ..." lines.

Every exchange is recorded in :attr:`Peer.transcript` for assertions.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP

Replies = tuple[str, ...]
STAGES = ("CONNECT", "HELO", "MAIL", "RCPT", "DATA")
DISCONNECT = "<disconnect>"  # a "reply" that drops the connection instead


@dataclass(frozen=True)
class HostScript:
    """What one listening address answers before a recipient is known,
    and its default RCPT/DATA replies."""

    connect: Replies = ()
    helo: Replies = ()
    mail: Replies = ()
    rcpt: Replies = ()
    data: Replies = ()


@dataclass(frozen=True)
class RecipientScript:
    rcpt: Replies = ()
    data: Replies = ()


@dataclass(frozen=True)
class Exchange:
    address: str          # the peer address that answered
    stage: str            # CONNECT, HELO, MAIL, RCPT, DATA
    argument: str | None  # HELO name, sender, recipient, first recipient
    reply: str


@dataclass
class _Counters:
    seen: dict[tuple[str, str], int] = field(default_factory=dict)

    def next(self, stage: str, key: str) -> int:
        n = self.seen.get((stage, key), 0)
        self.seen[(stage, key)] = n + 1
        return n


def _pick(replies: Replies, attempt: int) -> str | None:
    if not replies:
        return None
    return replies[min(attempt, len(replies) - 1)]


def _closes(reply: str) -> bool:
    """421 means the server is closing the channel (RFC 5321 3.8)."""
    return reply.rsplit("\r\n", 1)[-1].startswith("421 ")


class _Session(SMTP):
    """aiosmtpd's SMTP with a scripted greeting and 421 that really closes."""

    def __init__(self, peer: "Peer", **kw: Any) -> None:
        self.peer = peer
        super().__init__(peer, **kw)

    def local_address(self) -> str:
        assert self.transport is not None
        return self.transport.get_extra_info("sockname")[0]

    async def push(self, status: str | bytes) -> None:
        if status == DISCONNECT:
            if self.transport is not None:
                self.transport.close()
            return
        # UTF-8 whatever aiosmtpd's SMTPUTF8 setting: servers send non-ASCII
        # reply text (in their own language) without being asked.
        await super().push(status.encode("utf-8") if isinstance(status, str) else status)
        if isinstance(status, str) and _closes(status) and self.transport is not None:
            self.transport.close()

    async def _handle_client(self) -> None:
        here = self.local_address()
        greeting = self.peer.reply("CONNECT", here, here, None)
        if greeting is None:
            await super()._handle_client()
            return
        await self.push(greeting)
        # A refusing server waits for QUIT and answers 503 to anything else
        # (RFC 5321 3.1); 421 has already closed the connection in push().
        while self.transport is not None:
            try:
                line = await self._reader.readuntil()
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                break
            if line.strip().upper() == b"QUIT":
                await self.push("221 2.0.0 Bye")
                break
            await self.push("503 5.5.1 Error: no valid greeting")
        if self.transport is not None:
            self.transport.close()


class Peer:
    """``peer.host("127.0.1.3", HostScript(mail=("550 ...",)))``, then
    ``peer.serve(sockets)``; ``peer.stop()`` at the end."""

    def __init__(self, hostname: str = "peer.test") -> None:
        self.hostname = hostname
        self.hosts: dict[str, HostScript] = {}
        self.recipients: dict[str, RecipientScript] = {}
        self.transcript: list[Exchange] = []
        self._counters = _Counters()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.base_events.Server] = []

    # -- the script ----------------------------------------------------------
    def host(self, address: str, script: HostScript = HostScript()) -> None:
        self.hosts[address] = script

    def recipient(self, address: str, script: RecipientScript) -> None:
        self.recipients[address.lower()] = script

    def reply(self, stage: str, address: str, key: str, argument: str | None) -> str | None:
        """The scripted reply for this stage (None: the normal answer), recorded."""
        host = self.hosts.get(address, HostScript())
        replies: Replies = getattr(host, stage.lower())
        if stage in ("RCPT", "DATA") and key.lower() in self.recipients:
            replies = getattr(self.recipients[key.lower()], stage.lower()) or replies
        with self._lock:
            chosen = _pick(replies, self._counters.next(stage, key.lower()))
            self.transcript.append(Exchange(address, stage, argument, chosen or "(default)"))
        return chosen

    def exchanges(self, stage: str | None = None, argument: str | None = None) -> list[Exchange]:
        with self._lock:
            return [e for e in self.transcript
                    if (stage is None or e.stage == stage)
                    and (argument is None or (e.argument or "").lower() == argument.lower())]

    # -- aiosmtpd handler hooks ------------------------------------------------
    async def handle_HELO(self, server: _Session, session: Any, envelope: Any, hostname: str) -> str:
        here = server.local_address()
        r = self.reply("HELO", here, here, hostname)
        if r is None:
            session.host_name = hostname
            return f"250 {self.hostname}"
        return r

    async def handle_EHLO(self, server: _Session, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        here = server.local_address()
        r = self.reply("HELO", here, here, hostname)
        if r is None:
            session.host_name = hostname
            # Like every mainstream server (and our own replies, which carry
            # them): without this, Sendmail ignores the enhanced codes in
            # replies and logs a dsn= of its own making.
            return responses[:-1] + ["250-ENHANCEDSTATUSCODES"] + responses[-1:]
        return [r] if r == DISCONNECT else r.split("\r\n")

    async def handle_MAIL(self, server: _Session, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        here = server.local_address()
        r = self.reply("MAIL", here, here, address)
        if r is None:
            envelope.mail_from = address
            envelope.mail_options.extend(options)
            return "250 2.1.0 Ok"
        return r

    async def handle_RCPT(self, server: _Session, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        here = server.local_address()
        r = self.reply("RCPT", here, address, address)
        if r is None:
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 Ok"
        if r.startswith("2"):
            envelope.rcpt_tos.append(address)
        return r

    async def handle_DATA(self, server: _Session, session: Any, envelope: Any) -> str:
        here = server.local_address()
        first = envelope.rcpt_tos[0] if envelope.rcpt_tos else here
        r = self.reply("DATA", here, first, first)
        return r if r is not None else "250 2.0.0 Ok: queued as PEER"

    # -- serving ---------------------------------------------------------------
    def serve(self, sockets: list[socket.socket]) -> "Peer":
        """Serves SMTP on already-listening sockets (made inside the test's
        namespace) from an event loop in a daemon thread."""
        loop = self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=loop.run_forever, name="smtp-peer", daemon=True)
        self._thread.start()

        async def start() -> None:
            for s in sockets:
                srv = await loop.create_server(
                    lambda: _Session(self, hostname=self.hostname, ident="bouncewatch test peer",
                                     timeout=60),
                    sock=s)
                self._servers.append(srv)

        asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        return self

    def stop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return

        async def shutdown() -> None:
            for srv in self._servers:
                srv.close()
                await srv.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            loop.close()
