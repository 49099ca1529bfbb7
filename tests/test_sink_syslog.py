"""Syslog sinks against real receivers: Debian's rsyslogd (UDP, TCP, TLS
with a CA made here) writing RFC 5424 to a file we parse back; a TCP
receiver SIGKILLed and restarted mid-stream; rsyslog over TLS restarted;
a unix datagram socket."""

from __future__ import annotations

import json
import ssl
import threading
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bouncewatch.plugin.sinks import ConfigError, SinkError, open_sink
from sink_helpers import Rsyslog, event, free_port, make_pki, parse_rfc5424, wait_for

HERE = Path(__file__).resolve().parent
FAST = {"backoff": "0.05", "backoff_max": "0.3"}


@pytest.fixture(scope="module")
def rsyslog(tmp_path_factory):
    if os.uname().machine != "x86_64":
        pytest.skip("the test unpacks Debian's amd64 rsyslog")
    d = tmp_path_factory.mktemp("rsyslog")
    pki = make_pki(d)
    ports = {"udp": free_port(socket.SOCK_DGRAM), "tcp": free_port(), "tls": free_port()}
    cfg = f'''
global(DefaultNetstreamDriverCAFile="{pki['ca']}" DefaultNetstreamDriverCertFile="{pki['server']}"
       DefaultNetstreamDriverKeyFile="{pki['server_key']}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{ports['udp']}")
module(load="imtcp" maxSessions="50")
input(type="imtcp" address="127.0.0.1" port="{ports['tcp']}")
input(type="imtcp" address="127.0.0.1" port="{ports['tls']}" streamDriver.name="gtls"
      streamDriver.mode="1" streamDriver.authMode="anon")
'''
    r = Rsyslog(d, cfg)
    r.start([("udp", ports["udp"]), ("tcp", ports["tcp"]), ("tcp", ports["tls"])])
    r.ports, r.pki = ports, pki
    yield r
    r.stop()


def _received(r: Rsyslog, ids: set[str]) -> list[dict]:
    out = []
    for line in r.lines():
        m = parse_rfc5424(line)
        sd = m["sd"].get("bouncewatch@32473")
        if sd and sd["event_id"] in ids:
            out.append(m)
    return out


@pytest.mark.parametrize("kind", ["udp", "tcp", "tls"])
def test_rsyslog_receives_rfc5424(rsyslog, kind, tmp_path):
    base = 1000 * (1 + ["udp", "tcp", "tls"].index(kind))
    evs = [event(base + i, recipient=f'"odd|local]{i}\\"x"@example.com') for i in range(20)]
    evs[3]["status"] = "deferred"
    q = f"?ca={rsyslog.pki['ca']}" if kind == "tls" else ""
    sink = open_sink(f"syslog+{kind}://127.0.0.1:{rsyslog.ports[kind]}{q}", state_dir=str(tmp_path), **FAST)
    sink.send(evs[:10])
    sink.send(evs[10:])
    ids = {e["event_id"] for e in evs}
    assert wait_for(lambda: len(_received(rsyslog, ids)) >= 20, 10)
    got = _received(rsyslog, ids)
    assert [m["sd"]["bouncewatch@32473"]["event_id"] for m in got] == [e["event_id"] for e in evs]
    m = got[0]
    assert m["app"] == "bouncewatch" and m["msgid"] == "bounced" and m["host"] == "mx1"
    assert m["pri"] == 2 * 8 + 4                        # mail.warning
    assert got[3]["pri"] == 2 * 8 + 5                   # deferred: mail.notice
    assert m["sd"]["bouncewatch@32473"]["recipient"] == evs[0]["recipient"]
    assert m["sd"]["bouncewatch@32473"]["category"] == "bad_mailbox"
    assert json.loads(m["msg"])["event_id"] == evs[0]["event_id"]
    assert m["timestamp"].startswith("2026-11-22T13:")
    sink.close()


def test_rsyslog_rfc3164_and_cef(rsyslog, tmp_path):
    evs = [event(5000 + i) for i in range(3)]
    sink = open_sink(f"syslog+udp://127.0.0.1:{rsyslog.ports['udp']}?rfc=3164&format=cef&facility=local3",
                     state_dir=str(tmp_path))
    sink.send(evs)
    want = {f"externalId={e['event_id']}" for e in evs}
    def got():
        return [ln for ln in rsyslog.lines() if any(w in ln for w in want)]
    assert wait_for(lambda: len(got()) == 3, 10)
    m = parse_rfc5424(got()[0])                          # rsyslog re-emits what it parsed as 3164
    assert m["app"] == "bouncewatch" and m["pri"] == 19 * 8 + 4 and m["procid"] == str(os.getpid())
    assert m["msg"].lstrip().startswith("CEF:0|bouncewatch|")  # rsyslog keeps the space after "tag:"
    sink.close()


def test_rsyslog_tls_restart_loses_nothing(rsyslog, tmp_path):
    r, port = rsyslog, rsyslog.ports["tls"]
    sink = open_sink(f"syslog+tls://127.0.0.1:{port}?ca={r.pki['ca']}", state_dir=str(tmp_path), **FAST)
    sent = []
    n = 7000
    def batch():
        nonlocal n
        b = [event(n + i) for i in range(5)]
        n += 5
        sink.send(b)
        sent.extend(b)
    for _ in range(10):
        batch()
        time.sleep(0.02)
    r.stop()                                  # the receiver restarts (package upgrade, config reload)
    for _ in range(10):
        batch()
        time.sleep(0.05)
    r.start([("udp", r.ports["udp"]), ("tcp", r.ports["tcp"]), ("tcp", port)])
    for _ in range(10):
        batch()
        time.sleep(0.02)
    assert sink.wait_idle(20)
    ids = {e["event_id"] for e in sent}
    assert wait_for(lambda: {m["sd"]["bouncewatch@32473"]["event_id"] for m in _received(r, ids)} == ids, 15)
    got = [m["sd"]["bouncewatch@32473"]["event_id"] for m in _received(r, ids)]
    assert list(dict.fromkeys(got)) == [e["event_id"] for e in sent]   # all, in order; repeats are copies
    sink.close()


def _start_receiver(port: int, out: Path, *tls: Path) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, str(HERE / "syslog_receiver.py"), str(port), str(out), *map(str, tls)],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    return p


def test_tcp_receiver_killed_and_restarted_mid_stream(tmp_path):
    port, out = free_port(), tmp_path / "received.log"
    recv = _start_receiver(port, out)
    sink = open_sink(f"syslog+tcp://127.0.0.1:{port}", state_dir=str(tmp_path / "state"), **FAST)
    sent = []
    try:
        for b in range(60):
            evs = [event(b * 5 + i) for i in range(5)]
            sink.send(evs)
            sent += evs
            if b == 20:
                recv.send_signal(signal.SIGKILL)   # dies with whatever it had not written yet
                recv.wait()
            if b == 40:
                recv = _start_receiver(port, out)
            time.sleep(0.02)
        assert sink.wait_idle(20)
        want = [e["event_id"] for e in sent]

        def ids():
            return [parse_rfc5424(ln)["sd"]["bouncewatch@32473"]["event_id"]
                    for ln in out.read_text().splitlines()]
        assert wait_for(lambda: set(ids()) == set(want), 10), f"missing {len(set(want) - set(ids()))}"
        assert list(dict.fromkeys(ids())) == want                # in order, nothing lost
        assert sink.stats["spooled"] > 0                         # the outage went through the spool
    finally:
        sink.close()
        recv.kill()
        recv.wait()


def test_unix_datagram_socket(tmp_path):
    path = str(tmp_path / "log.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(5)
    try:
        sink = open_sink(f"syslog:{path}?rfc=3164", state_dir=str(tmp_path))
        assert sink.leaves_host is False
        sink.send([event(1)])
        msg = s.recv(65536).decode()
        assert msg.startswith("<20>Nov 22 13:00:01 mx1 bouncewatch[")
        assert json.loads(msg.split(": ", 1)[1])["event_id"] == event(1)["event_id"]
        sink.close()
    finally:
        s.close()


@pytest.mark.parametrize("uri, key", [
    ("syslog+tcp://", "no host"),
    ("syslog+tcp://127.0.0.1:notaport", "bad port"),
    ("syslog+tls://127.0.0.1:6514?ca=/nonexistent/ca.pem", "key 'ca'"),
    ("syslog+udp://127.0.0.1:514?facility=mailx", "key 'facility'"),
    ("syslog+udp://127.0.0.1:514?rfc=5425", "key 'rfc'"),
    ("syslog:dev/log", "absolute unix socket path"),
    ("syslog+tcp://127.0.0.1:514?framing=lf", "unknown key 'framing'"),
    ("syslog+tcp://127.0.0.1:514?format=xml", "key 'format'"),
    ("syslog+tcp://127.0.0.1:514?where=status%20~%20(", "key 'where'"),
    ("syslogx://127.0.0.1", "unknown scheme"),
])
def test_bad_syslog_configuration_refused(uri, key, tmp_path):
    with pytest.raises(ConfigError) as ei:
        open_sink(uri, state_dir=str(tmp_path))
    assert key in str(ei.value) and "sink '" in str(ei.value)


def test_unix_stream_socket_octet_counting(tmp_path):
    path = str(tmp_path / "stream.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(5)
    try:
        sink = open_sink(f"syslog:{path}", state_dir=str(tmp_path))
        sink.send([event(1), event(2)])
        conn, _ = srv.accept()
        conn.settimeout(5)
        data = b""
        while data.count(b"bouncewatch@32473") < 2:
            data += conn.recv(65536)
        frames = []
        while data:
            n, _, rest = data.partition(b" ")
            frames.append(rest[:int(n)])
            data = rest[int(n):]
        ids = [parse_rfc5424(f.decode())["sd"]["bouncewatch@32473"]["event_id"] for f in frames]
        assert ids == [event(1)["event_id"], event(2)["event_id"]]
        sink.close()
        conn.close()
    finally:
        srv.close()


def _hung_receiver(port: int) -> socket.socket:
    """Accepts a connection, never reads: the kernel buffers fill."""
    hung = socket.socket()
    hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hung.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)  # inherited by the accepted socket
    hung.bind(("127.0.0.1", port))
    hung.listen(1)
    return hung


def _kill_hung(hung: socket.socket) -> None:
    """Killed: the connection reset, the buffered frames gone, nobody listening."""
    conn, _ = hung.accept()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    hung.close()


def _ids(out: Path) -> list[str]:
    """event_ids of the complete lines the receiver wrote so far."""
    text = out.read_text() if out.exists() else ""
    return [parse_rfc5424(ln)["sd"]["bouncewatch@32473"]["event_id"]
            for ln in text[:text.rfind("\n") + 1].splitlines()]


def test_hung_receiver_killed_loses_nothing_written_within_replay(tmp_path):
    """A receiver that stops reading (hung on a full queue) and is then
    restarted takes with it everything the kernel buffered between us: on a
    fast link megabytes, written well within ``replay`` seconds. All of it
    must be sent again, not only the last MiB of it."""
    port, out = free_port(), tmp_path / "received.log"
    hung = _hung_receiver(port)
    sink = open_sink(f"syslog+tcp://127.0.0.1:{port}", state_dir=str(tmp_path / "state"), replay="60", **FAST)
    sent = [event(i) for i in range(2000)]          # about 2.4 MB of frames
    try:
        for b in range(0, len(sent), 100):
            sink.send(sent[b:b + 100])
        assert sink.stats["delivered"] == len(sent)     # all written into the buffers, none read
        _kill_hung(hung)
        recv = _start_receiver(port, out)
        sink.send([event(len(sent))])
        sent.append(event(len(sent)))
        assert sink.wait_idle(10)
        want = [e["event_id"] for e in sent]
        assert wait_for(lambda: set(_ids(out)) >= set(want), 5), f"missing {len(set(want) - set(_ids(out)))}"
        assert list(dict.fromkeys(_ids(out))) == want
    finally:
        sink.close()
        hung.close()
        if "recv" in locals():
            recv.kill()
            recv.wait()


def test_tls13_session_tickets_are_not_a_broken_connection(tmp_path):
    """A TLS 1.3 server sends session tickets after the handshake, so the
    socket turns readable although the receiver never says a word: that is
    no reason to reconnect and replay the last ``replay`` seconds with every
    batch (each record arrived again and again, a handshake per batch)."""
    pki = make_pki(tmp_path)
    port, out = free_port(), tmp_path / "received.log"
    recv = _start_receiver(port, out, pki["server"], pki["server_key"])
    sink = open_sink(f"syslog+tls://127.0.0.1:{port}", state_dir=str(tmp_path / "state"),
                     ca=str(pki["ca"]), **FAST)
    sent = [event(i) for i in range(50)]
    try:
        for b in range(0, len(sent), 10):
            sink.send(sent[b:b + 10])
            time.sleep(0.05)
        assert sink.wait_idle(5)

        def ids():
            return [parse_rfc5424(ln)["sd"]["bouncewatch@32473"]["event_id"]
                    for ln in out.read_text().splitlines()]
        want = [e["event_id"] for e in sent]
        assert wait_for(lambda: set(ids()) >= set(want), 5)
        time.sleep(0.1)
        assert ids() == want                    # each once, in order: one connection, no replays
        assert sink.stats == {"delivered": 50, "spooled": 0, "rejected": 0, "failures": 0, "dropped": 0}
    finally:
        sink.close()
        recv.kill()
        recv.wait()


def test_unconfirmed_records_survive_a_full_spool(tmp_path):
    """The records a broken connection leaves unconfirmed were accepted long
    ago (the follower checkpointed past them): a full spool with overflow
    block may refuse the caller's new batch, which the caller retries, but
    must not refuse those, which nobody would retry."""
    port, out = free_port(), tmp_path / "received.log"
    hung = _hung_receiver(port)
    sink = open_sink(f"syslog+tcp://127.0.0.1:{port}", state_dir=str(tmp_path / "state"), replay="60",
                     spool_max="64k", **FAST)
    sent = [event(i) for i in range(200)]           # about 240 kB: more than the spool holds
    recv = None
    try:
        sink.send(sent)
        _kill_hung(hung)
        late = event(len(sent))
        with pytest.raises(SinkError):
            sink.send([late])                       # the spool is full: refused, the caller keeps it
        recv = _start_receiver(port, out)
        assert wait_for(lambda: _accepted(sink, [late]), 5)   # as the follower does: again until taken
        sent.append(late)
        assert sink.wait_idle(5)
        want = [e["event_id"] for e in sent]
        assert wait_for(lambda: set(_ids(out)) >= set(want), 5), f"missing {len(set(want) - set(_ids(out)))}"
        assert list(dict.fromkeys(_ids(out))) == want
    finally:
        sink.close()
        hung.close()
        if recv is not None:
            recv.kill()
            recv.wait()


def _accepted(sink, events) -> bool:
    try:
        sink.send(events)
    except SinkError:
        return False
    return True


def test_udp_receiver_down_loses_nothing(tmp_path):
    """UDP learns of a closed port one datagram late (ICMP), and the send
    after the failing one succeeds into nothing again: while the receiver
    is down every other batch was counted delivered and lost."""
    port = free_port(socket.SOCK_DGRAM)

    def receiver() -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", port))
        s.settimeout(0.3)
        return s

    def drain(s: socket.socket) -> None:
        try:
            while True:
                got.append(parse_rfc5424(s.recv(70000).decode())["sd"]["bouncewatch@32473"]["event_id"])
        except socket.timeout:
            pass

    got: list[str] = []
    r = receiver()
    sink = open_sink(f"syslog+udp://127.0.0.1:{port}", state_dir=str(tmp_path / "state"), **FAST)
    sent = [event(i) for i in range(10)]
    try:
        sink.send(sent[:2])
        drain(r)
        r.close()                                  # down
        for e in sent[2:8]:
            sink.send([e])
            time.sleep(0.03)
        time.sleep(0.3)                            # the delivery thread retries into the void meanwhile
        r = receiver()                             # up again
        sink.send(sent[8:])
        assert sink.wait_idle(5)
        drain(r)
        want = [e["event_id"] for e in sent]
        assert set(got) >= set(want), f"missing {sorted(int(x, 16) for x in set(want) - set(got))}"
        assert list(dict.fromkeys(got)) == want
    finally:
        sink.close()
        r.close()


def _pop_frames(buf: bytearray) -> list[str]:
    """The event_ids of the complete octet-counted frames at the head of
    ``buf``, taken off it (a frame cut by a closed connection stays)."""
    ids = []
    while (sp := buf.find(b" ")) > 0 and len(buf) >= sp + 1 + int(buf[:sp]):
        n = int(buf[:sp])
        frame = bytes(buf[sp + 1:sp + 1 + n]).decode()
        del buf[:sp + 1 + n]
        ids.append(parse_rfc5424(frame)["sd"]["bouncewatch@32473"]["event_id"])
    return ids


@pytest.mark.parametrize("kind", ["tcp", "tls"])
def test_stalled_receiver_gets_everything_in_order(kind, tmp_path):
    """A receiver that stops reading for longer than ``timeout`` (its queue
    full) is slow, not gone. Leaving its connection for a new one let it
    read, once it caught up, the new connection's records before the ones
    still buffered in the old (chaos tls/49: a record written before the
    replay window arrived after later ones). The connection is kept, and
    the frame a timed-out write cut in two is finished on it first."""
    pki = make_pki(tmp_path) if kind == "tls" else None
    port = free_port()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)  # inherited: buffers fill soon
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    srv.settimeout(0.1)
    conns: list[socket.socket] = []
    stop = False

    def acceptor() -> None:   # accepts (and shakes hands) at once, reads nothing until told
        ctx = None
        if pki:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(pki["server"], pki["server_key"])
        while not stop:
            try:
                c, _ = srv.accept()
            except OSError:
                continue
            c.settimeout(5)
            conns.append(ctx.wrap_socket(c, server_side=True) if ctx else c)

    t = threading.Thread(target=acceptor, daemon=True)
    t.start()
    opts = {"ca": str(pki["ca"])} if pki else {}
    sink = open_sink(f"syslog+{kind}://127.0.0.1:{port}", state_dir=str(tmp_path / "state"),
                     timeout="0.3", replay="0.2", **opts, **FAST)
    sent = [event(0)]
    got: list[str] = []
    try:
        sink.send(sent)
        time.sleep(0.4)                             # event 0 is older than the replay window now
        while sink.stats["failures"] == 0 and len(sent) < 30000:   # until a write times out
            batch = [event(len(sent) + k) for k in range(100)]
            sink.send(batch)
            sent += batch
        assert sink.stats["failures"] >= 1
        time.sleep(0.5)                             # the delivery thread tries again meanwhile
        bufs: dict[int, bytearray] = {}
        open_ = set()
        want = [e["event_id"] for e in sent]
        wanted = set(want)
        deadline = time.monotonic() + 20
        while not set(got) >= wanted and time.monotonic() < deadline:
            for k in range(len(conns) - 1, -1, -1):  # catching up, the newest connection first
                c = conns[k]
                if k not in bufs:
                    bufs[k], _ = bytearray(), open_.add(k)
                    c.setblocking(False)
                while k in open_:
                    try:
                        data = c.recv(1 << 16)
                    except (BlockingIOError, ssl.SSLWantReadError):
                        break
                    except OSError:
                        data = b""
                    if not data:
                        open_.discard(k)
                        break
                    bufs[k] += data
                    got += _pop_frames(bufs[k])
            time.sleep(0.01)
        assert set(got) >= wanted, f"missing {len(wanted - set(got))}"
        assert list(dict.fromkeys(x for x in got if x in wanted)) == want
    finally:
        stop = True
        sink.close()
        t.join(2)
        for c in conns:
            c.close()
        srv.close()


def test_stall_longer_than_replay_then_killed_loses_nothing(tmp_path):
    """The replay window's clock stops while a receiver does not read: the
    records written within ``replay`` before it stalled are still the ones
    it may not have kept. Kept on its connection through a long stall, they
    must not age out of the window, or its restart would lose them."""
    port, out = free_port(), tmp_path / "received.log"
    hung = socket.socket()
    hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hung.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    hung.bind(("127.0.0.1", port))
    hung.listen(1)
    sink = open_sink(f"syslog+tcp://127.0.0.1:{port}", state_dir=str(tmp_path / "state"),
                     timeout="0.3", replay="3", **FAST)
    sent: list = []
    recv = None
    try:
        while sink.stats["failures"] == 0 and len(sent) < 30000:   # until a write times out
            batch = [event(len(sent) + k) for k in range(100)]
            sink.send(batch)
            sent += batch
        assert sink.stats["failures"] >= 1
        time.sleep(3.5)                             # stalled for longer than replay, tried again meanwhile
        _kill_hung(hung)
        recv = _start_receiver(port, out)
        assert sink.wait_idle(10)
        want = [e["event_id"] for e in sent]
        assert wait_for(lambda: set(_ids(out)) >= set(want), 5), f"missing {len(set(want) - set(_ids(out)))}"
        assert list(dict.fromkeys(_ids(out))) == want
    finally:
        sink.close()
        hung.close()
        if recv is not None:
            recv.kill()
            recv.wait()
