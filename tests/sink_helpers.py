"""Shared pieces of the sink tests: sample events, a throw-away CA, rsyslog
from Debian's package, and reference parsers for CEF, LEEF and RFC 5424
written from the specs (not from our renderers)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

CACHE = Path("/var/cache/bouncewatch/rsyslog")
PREFETCH = Path("/var/cache/bouncewatch-debs-prefetch")
RSYSLOG_PACKAGES = ("rsyslog", "rsyslog-gnutls", "libestr0", "libfastjson4", "liblognorm5")


def event(i: int = 0, status: str = "bounced", recipient: str | None = None, **over: Any) -> dict[str, Any]:
    rcpt = recipient if recipient is not None else f"user{i}@example.com"
    at = rcpt.rfind("@")
    ev = {
        "schema": "bouncewatch/1", "event_id": f"{i:032x}",
        "timestamp": (dt.datetime(2026, 11, 22, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
                      + dt.timedelta(seconds=i)).isoformat(),
        "host": "mx1", "mta": "postfix", "program": "postfix/smtp", "pid": 4242,
        "queue_id": f"Q{i:06X}", "message_id": f"<m{i}@example.org>", "sender": "news@example.org",
        "size": 1234, "recipient": rcpt, "orig_recipient": None,
        "recipient_domain": rcpt[at + 1:] if at >= 0 else "", "status": status,
        "relay": {"host": "mx.example.com", "ip": "192.0.2.7", "port": 25}, "delay": 1.5,
        "attempt": None, "smtp_code": 550 if status == "bounced" else 451,
        "dsn": "5.1.1" if status == "bounced" else "4.7.1", "reply_dsn": None, "smtp_command": "RCPT TO",
        "reason": f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown",
        "classification": {"type": "hard" if status == "bounced" else "soft",
                           "category": "bad_mailbox" if status == "bounced" else "greylisted",
                           "code": 10 if status == "bounced" else 20,
                           "action": "suppress" if status == "bounced" else "retry",
                           "rule": "bad-mailbox", "provider": None, "blocklist": None, "cause": None},
        "source": {"path": "/var/log/mail.log", "offset": i * 100},
    }
    ev.update(over)
    return ev


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


# -- certificates --------------------------------------------------------------------
def make_pki(d: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1/localhost, a client certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    import ipaddress

    now = dt.datetime.now(dt.timezone.utc)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write(key, cert, stem: str) -> None:
        (d / f"{stem}.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption()))
        (d / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("bouncewatch test CA")).issuer_name(name("bouncewatch test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    write(ca_key, ca, "ca")

    def leaf(cn: str, usage, sans) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        b = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca.subject)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                            critical=False))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        write(key, b.sign(ca_key, hashes.SHA256()), cn)

    leaf("server", ExtendedKeyUsageOID.SERVER_AUTH,
         [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    leaf("client", ExtendedKeyUsageOID.CLIENT_AUTH, [x509.DNSName("client.test")])
    return {k: d / f"{k}.pem" for k in ("ca", "server", "client")} | {
        "server_key": d / "server.key", "client_key": d / "client.key"}


# -- rsyslog from Debian -----------------------------------------------------------
def rsyslog_root() -> Path:
    """rsyslogd and the libraries it needs, unpacked (dpkg -x) under
    /var/cache/bouncewatch/rsyslog; fetched with apt-get download if needed."""
    root = CACHE / "root"
    if (root / "usr/sbin/rsyslogd").exists() and (root / ".complete").exists():
        return root
    if shutil.which("dpkg") is None:
        pytest.skip("dpkg not available: cannot unpack Debian's rsyslog")
    debs = CACHE / "debs"
    try:
        debs.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        pytest.skip(f"cannot create {debs}: {e.strerror}")
    for pkg in RSYSLOG_PACKAGES:
        if list(debs.glob(f"{pkg}_*.deb")):
            continue
        hint = sorted(PREFETCH.glob(f"{pkg}_*.deb"))
        if hint:
            shutil.copy(hint[-1], debs)
            continue
        r = subprocess.run(["apt-get", "download", pkg], cwd=debs, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            pytest.skip(f"cannot fetch Debian package {pkg}: {r.stderr.strip()[-200:]}")
    root.mkdir(parents=True, exist_ok=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, timeout=120)
    (root / ".complete").touch()
    return root


class Rsyslog:
    """rsyslogd -n on loopback with the given config body, writing RFC 5424
    lines (RSYSLOG_SyslogProtocol23Format) to ``out``."""

    def __init__(self, workdir: Path, config: str) -> None:
        self.root = rsyslog_root()
        self.dir = workdir
        self.out = workdir / "out.log"
        lib = self.root / "usr/lib/x86_64-linux-gnu"
        conf = workdir / "rsyslog.conf"
        conf.write_text(
            f'global(workDirectory="{workdir}" maxMessageSize="64k")\n' + config +
            f'\naction(type="omfile" file="{self.out}" template="RSYSLOG_SyslogProtocol23Format")\n')
        env = dict(os.environ, LD_LIBRARY_PATH=str(lib))
        self.cmd = [str(self.root / "usr/sbin/rsyslogd"), "-n", "-f", str(conf), "-i", str(workdir / "pid"),
                    "-M", str(lib / "rsyslog")]
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self, ports: list[tuple[str, int]]) -> None:
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for kind, port in ports:
            ok = wait_for(lambda: _listening(kind, port), 10)
            if not ok:
                self.stop()
                out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
                raise RuntimeError(f"rsyslogd did not listen on {kind} {port}: {out[-2000:]}")

    def lines(self) -> list[str]:
        """The complete lines rsyslog has written so far: the last one may be
        half-written while we read (seen on a busy CI run), and is left for
        the next read."""
        try:
            text = self.out.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return text[: text.rfind("\n") + 1].splitlines()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _listening(kind: str, port: int) -> bool:
    if kind == "udp":
        return f":{port:04X} " in Path("/proc/net/udp").read_text()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


# -- reference parsers ---------------------------------------------------------------
def split_unescaped(s: str, sep: str, maxsplit: int) -> list[str]:
    """Split on ``sep`` not preceded by a backslash escape (escapes kept)."""
    out, cur, i = [], [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if c == sep and len(out) < maxsplit:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def unescape(s: str, table: dict[str, str]) -> str:
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in table:
            out.append(table[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def parse_cef(line: str) -> tuple[list[str], dict[str, str]]:
    """ArcSight CEF: 7 header fields split on unescaped |, then key=value
    pairs where a key starts after the last space before an unescaped =."""
    assert "\n" not in line and "\r" not in line
    parts = split_unescaped(line, "|", 7)
    assert len(parts) == 8, parts
    header = [unescape(p, {"|": "|", "\\": "\\"}) for p in parts[:7]]
    ext = parts[7]
    eqs = []
    i = 0
    while i < len(ext):
        if ext[i] == "\\":
            i += 2
            continue
        if ext[i] == "=":
            eqs.append(i)
        i += 1
    pairs: dict[str, str] = {}
    starts = []
    for pos in eqs:
        ks = ext.rfind(" ", 0, pos) + 1
        starts.append((ks, pos))
    for n, (ks, pos) in enumerate(starts):
        end = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(ext)
        key = ext[ks:pos]
        assert key not in pairs, f"duplicate key {key}"
        pairs[key] = unescape(ext[pos + 1:end], {"\\": "\\", "=": "=", "n": "\n", "r": "\r"})
    return header, pairs


def parse_leef(line: str) -> tuple[list[str], dict[str, str]]:
    """LEEF 2.0: 6 header fields, the 6th names the delimiter; attributes
    split on it, key up to the first =."""
    assert "\n" not in line and "\r" not in line
    parts = split_unescaped(line, "|", 6)
    assert len(parts) == 7, parts
    header = parts[:6]
    delim = header[5]
    delim = chr(int(delim[1:], 16)) if delim.startswith("x") and len(delim) > 1 else delim
    pairs: dict[str, str] = {}
    for attr in parts[6].split(delim):
        k, _, v = attr.partition("=")
        assert k not in pairs, f"duplicate key {k}"
        pairs[k] = unescape(v, {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"})
    return header, pairs


def parse_rfc5424(line: str) -> dict[str, Any]:
    """One RFC 5424 message -> header fields, structured data, msg."""
    assert line.startswith("<")
    pri_end = line.index(">")
    pri = int(line[1:pri_end])
    rest = line[pri_end + 1:]
    version, ts, host, app, procid, msgid, rest = rest.split(" ", 6)
    assert version == "1"
    sd: dict[str, dict[str, str]] = {}
    if rest.startswith("-"):
        rest = rest[2:]
    else:
        while rest.startswith("["):
            i = 1
            sd_id_end = rest.index(" ", 1) if " " in rest else rest.index("]")
            sd_id = rest[1:sd_id_end]
            i = sd_id_end
            params: dict[str, str] = {}
            while rest[i] == " ":
                eq = rest.index("=", i)
                name = rest[i + 1:eq]
                assert rest[eq + 1] == '"'
                j = eq + 2
                val = []
                while rest[j] != '"':
                    if rest[j] == "\\" and rest[j + 1] in '"\\]':
                        val.append(rest[j + 1])
                        j += 2
                    else:
                        val.append(rest[j])
                        j += 1
                params[name] = "".join(val)
                i = j + 1
            assert rest[i] == "]", rest[i:]
            sd[sd_id] = params
            rest = rest[i + 1:]
        rest = rest[1:] if rest.startswith(" ") else rest
    return {"pri": pri, "timestamp": ts, "host": host, "app": app, "procid": procid, "msgid": msgid,
            "sd": sd, "msg": rest}
