"""A minimal RFC 6587 octet-counting syslog receiver, run as its own
process so a test can SIGKILL it mid-stream: every complete frame is
appended to a file (one message per line) and flushed at once. With a
certificate and key (PEM) it speaks TLS (RFC 5425) with Python's defaults,
TLS 1.3 and its session tickets included, as a modern rsyslog does."""

import socket
import ssl
import sys


def main(port: int, out: str, cert: str | None = None, key: str | None = None) -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv = ctx.wrap_socket(srv, server_side=True)
    print("ready", flush=True)
    with open(out, "ab", buffering=0) as f:
        while True:
            conn, _ = srv.accept()
            buf = b""
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                buf += data
                while True:
                    sp = buf.find(b" ")
                    if sp < 0:
                        break
                    n = int(buf[:sp])
                    if len(buf) < sp + 1 + n:
                        break
                    f.write(buf[sp + 1:sp + 1 + n].replace(b"\n", b"\\n") + b"\n")
                    buf = buf[sp + 1 + n:]
            conn.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], *sys.argv[3:5])
