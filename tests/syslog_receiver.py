"""A minimal RFC 6587 octet-counting syslog receiver, run as its own
process so a test can SIGKILL it mid-stream: every complete frame is
appended to a file (one message per line) and flushed at once."""

import socket
import sys


def main(port: int, out: str) -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
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
    main(int(sys.argv[1]), sys.argv[2])
