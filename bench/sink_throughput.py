"""Events per second per sink: file, HTTP to a loopback collector, syslog
over TCP to a loopback receiver (and UDP), in each format that matters.

    .venv/bin/python bench/sink_throughput.py [--events 50000] [--batch 500]

The receivers run in this process's threads and count what they get; the
figure is events handed to ``send()`` and acknowledged (HTTP 200 / bytes
written), divided by wall time. Numbers depend on the machine; the point
is the relative cost of sinks and formats, and that no sink is the
bottleneck of a mail server's log rate (a busy ESP logs a few thousand
deliveries per second at peak).
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import shutil
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from sink_helpers import event  # noqa: E402

from bouncewatch.plugin.sinks import open_sink  # noqa: E402


def http_server() -> tuple[ThreadingHTTPServer, list[int]]:
    got = [0]

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got[0] += body.count(b"\n")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, got


def tcp_server() -> tuple[socket.socket, list[int]]:
    got = [0]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def run():
        while True:
            c, _ = srv.accept()
            threading.Thread(target=drain, args=(c,), daemon=True).start()

    def drain(c):
        while True:
            d = c.recv(1 << 20)
            if not d:
                return
            got[0] += len(d)

    threading.Thread(target=run, daemon=True).start()
    return srv, got


def udp_server() -> tuple[socket.socket, list[int]]:
    got = [0]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("127.0.0.1", 0))

    def run():
        while True:
            s.recv(65536)
            got[0] += 1
    threading.Thread(target=run, daemon=True).start()
    return s, got


def measure(uri: str, events: list, batch: int, state: str) -> float:
    sink = open_sink(uri, state_dir=state)
    t0 = time.perf_counter()
    for i in range(0, len(events), batch):
        sink.send(events[i:i + batch])
    elapsed = time.perf_counter() - t0
    stats = getattr(sink, "stats", None)
    sink.close()
    if stats and stats["spooled"]:
        print(f"  note: {stats['spooled']} events went through the spool", file=sys.stderr)
    return len(events) / elapsed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=50000)
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    events = [event(i, status="bounced" if i % 3 else "deferred") for i in range(args.events)]
    tmp = tempfile.mkdtemp(prefix="bw-bench-")
    atexit.register(shutil.rmtree, tmp, True)  # the sinks' files: up to a few hundred MB
    state = os.path.join(tmp, "state")
    hsrv, _ = http_server()
    tsrv, _ = tcp_server()
    usrv, _ = udp_server()
    http = f"http://127.0.0.1:{hsrv.server_address[1]}/ingest"
    tcp = f"syslog+tcp://127.0.0.1:{tsrv.getsockname()[1]}"
    udp = f"syslog+udp://127.0.0.1:{usrv.getsockname()[1]}"
    cases = [
        ("file json", f"file:{tmp}/a.jsonl"),
        ("file json fsync=batch", f"file:{tmp}/b.jsonl?fsync=batch"),
        ("file ecs", f"file:{tmp}/c.jsonl?format=ecs"),
        ("file ocsf", f"file:{tmp}/d.jsonl?format=ocsf"),
        ("file cef", f"file:{tmp}/e.cef?format=cef"),
        ("file leef", f"file:{tmp}/f.leef?format=leef"),
        ("http ndjson", http),
        ("http ndjson gzip", http + "?gzip=true"),
        ("http ecs", http + "?format=ecs"),
        ("http splunk preset", http + "?preset=splunk"),
        ("syslog tcp json", tcp),
        ("syslog tcp cef", tcp + "?format=cef"),
        ("syslog udp json", udp),
    ]
    print(f"# {args.events} events, batches of {args.batch}; Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{'sink':<26} {'events/s':>10}")
    for label, uri in cases:
        rate = measure(uri, events, args.batch, state)
        print(f"{label:<26} {rate:>10,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
