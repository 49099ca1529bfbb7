"""A loopback HTTP collector for the sink tests: records every request,
answers from a script (status, headers, delay, and optionally a trickle),
can be stopped and started again on the same port to simulate an outage.

A trickle ``(part, gap)`` writes the answer's ``"head"`` (status line and
headers) or ``"body"`` one byte at a time, ``gap`` seconds apart: a receiver
that is never silent for long, so no per-read timeout notices it."""

from __future__ import annotations

import gzip
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


class Receiver:
    def __init__(self, port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[tuple[Any, ...]] = []   # consumed one per request; as ``default``
        # (status, headers, delay) or (status, headers, delay, (part, gap)): see the module docstring
        self.default: tuple[Any, ...] = (200, {}, 0.0)
        self.respond: Callable[[dict[str, Any]], tuple[int, bytes]] | None = None
        self.tls = tls
        self.port = port
        self.httpd: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()
        self.conns: set[Any] = set()
        self.start()

    def start(self) -> None:
        rec = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

            def log_message(self, *a: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with rec.lock:
                    rec.conns.add(self.connection)

            def finish(self) -> None:
                with rec.lock:
                    rec.conns.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(n)
                body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
                req = {"path": self.path, "headers": dict(self.headers), "body": body, "t": time.monotonic(),
                       "client": self.client_address}
                with rec.lock:
                    rec.requests.append(req)
                    status, headers, delay, *trickle = rec.script.pop(0) if rec.script else rec.default
                if delay:
                    time.sleep(delay)
                data = b'{"ok":true}'
                if status == 200 and rec.respond is not None:
                    status, data = rec.respond(req)
                req["status"] = status
                head = "".join([f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n",
                                *(f"{k}: {v}\r\n" for k, v in headers.items()),
                                "Content-Type: application/json\r\n",
                                f"Content-Length: {len(data)}\r\n\r\n"]).encode()
                out = head + data
                part, gap = trickle[0] if trickle else ("", 0.0)
                lo, hi = {"head": (0, len(head)), "body": (len(head), len(out))}.get(part, (0, 0))
                try:
                    self.wfile.write(out[:lo])
                    for i in range(lo, hi):
                        self.wfile.write(out[i:i + 1])
                        time.sleep(gap)
                    self.wfile.write(out[hi:])
                except OSError:  # the client gave up (a timeout test): it will retry
                    req["status"] = 0
                    self.close_connection = True
                req["done"] = time.monotonic()   # answered in full, or given up on (status 0)

        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), H)
        httpd.daemon_threads = True
        if self.tls is not None:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        self.port = httpd.server_address[1]
        self.httpd = httpd
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
        with self.lock:  # an outage also ends the keep-alive connections
            conns, self.conns = list(self.conns), set()
        for c in conns:
            try:
                c.shutdown(2)
                c.close()
            except OSError:
                pass

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def accepted_ids(self) -> list[str]:
        """event_ids of NDJSON bodies answered 2xx, in arrival order."""
        out = []
        with self.lock:
            reqs = [r for r in self.requests if 200 <= r.get("status", 0) < 300]
        for r in reqs:
            for line in r["body"].splitlines():
                if line.strip():
                    out.append(json.loads(line)["event_id"])
        return out
