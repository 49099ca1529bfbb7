"""A private Postfix instance from Debian's unpacked package, inside a namespace.

Why this shape: the point is the log Postfix *really* writes, so nothing is
simulated; but the package is never installed and nothing on the host is
touched. Everything lives under one temporary directory:

    base/etc/     config_directory (main.cf, master.cf, tls_policy) and meta_directory
    base/spool/   queue_directory
    base/lib/     data_directory
    base/maillog  maillog_file, written by postlogd (the ``postlog`` service)
    base/passwd, base/group, base/resolv.conf
                  bind-mounted over /etc/... inside the namespace only: the
                  ``postfix``/``postdrop`` accounts exist for Postfix alone,
                  and its resolver asks the test's DNS stub.

Debian's preseeded main.cf is not used (its ``default_transport = error``
would bounce every remote recipient); ours starts from Postfix's built-in
defaults and sets what a test needs: SMTP delivery by DNS lookup, IPv4 on
loopback, short retry times, and a lifetime that can be cut for one message.

The binaries find their private libraries through LD_LIBRARY_PATH (passed
to daemons with ``import_environment``); debs.unpacked() has cleared the
set-gid bits that would make the loader ignore it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from . import debs
from .netns import Namespace

PACKAGE = "postfix"

# Short enough that a greylisted recipient is retried within seconds;
# Postfix wants queue_run_delay <= minimal_backoff_time <= maximal_backoff_time.
RETRY_SETTINGS = {
    "queue_run_delay": "1s",
    "minimal_backoff_time": "2s",
    "maximal_backoff_time": "4s",
}

_MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command + args
pickup    unix  n       -       n       1       1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class PostfixError(RuntimeError):
    pass


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


def _free_ids(used: set[int], count: int, start: int = 200) -> list[int]:
    out, n = [], start
    while len(out) < count:
        if n not in used:
            out.append(n)
        n += 1
    return out


def _ids(path: Path) -> tuple[set[str], set[int]]:
    names, ids = set(), set()
    for line in path.read_text().splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            names.add(parts[0])
            ids.add(int(parts[2]))
    return names, ids


class PostfixInstance:
    """``with PostfixInstance(ns, tree) as pf: pf.start(); pf.sendmail(...)``."""

    def __init__(self, ns: Namespace, tree: Path, *, nameserver: str = "127.0.0.1",
                 settings: Mapping[str, str] | None = None,
                 tls_policy: Mapping[str, str] | None = None,
                 workdir: Path | None = None) -> None:
        self.ns = ns
        self.tree = tree
        self.nameserver = nameserver
        self.settings = dict(settings or {})
        self.tls_policy = dict(tls_policy or {})
        self.base = Path(tempfile.mkdtemp(prefix="bw-postfix-", dir=workdir))
        self.base.chmod(0o755)  # the postfix account must reach its queue below
        self.config_dir = self.base / "etc"
        self.queue_dir = self.base / "spool"
        self.data_dir = self.base / "lib"
        self.maillog = self.base / "maillog"
        self.libdir = tree / "usr/lib/postfix"
        self.sbin = tree / "usr/sbin"
        self.started = False

    # -- environment ---------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C",
                "MAIL_CONFIG": str(self.config_dir), "LD_LIBRARY_PATH": str(self.libdir)}

    def command(self, name: str, *args: str, input: str | None = None, check: bool = True,
                timeout: float = 60.0) -> str:
        """Runs one of the package's commands (postconf, postsuper ...) inside
        the namespace against this instance; returns its stdout."""
        r = self.ns.run([str(self.sbin / name), *args], env=self.env, input=input, check=False,
                        timeout=timeout)
        if check and r.returncode != 0:
            raise PostfixError(f"{name} {' '.join(args)} exited {r.returncode}: "
                               f"{(r.stderr or r.stdout).strip()}")
        return r.stdout

    # -- layout --------------------------------------------------------------
    def _accounts(self) -> tuple[Account, Account, str]:
        """Private passwd/group files: the host's plus postfix, postdrop and
        (when missing) nobody, with ids the host does not use."""
        users, uids = _ids(Path("/etc/passwd"))
        groups, gids = _ids(Path("/etc/group"))
        uid_pf, uid_nobody = _free_ids(uids, 2)
        gid_pf, gid_drop = _free_ids(gids, 2)
        passwd = Path("/etc/passwd").read_text().rstrip("\n").split("\n")
        group = Path("/etc/group").read_text().rstrip("\n").split("\n")
        passwd.append(f"bwpostfix:x:{uid_pf}:{gid_pf}:bouncewatch test Postfix:{self.queue_dir}:/usr/sbin/nologin")
        group += [f"bwpostfix:x:{gid_pf}:", f"bwpostdrop:x:{gid_drop}:"]
        nobody = "nobody"
        if "nobody" not in users:
            passwd.append(f"nobody:x:{uid_nobody}:{gid_pf}:nobody:/nonexistent:/usr/sbin/nologin")
        (self.base / "passwd").write_text("\n".join(passwd) + "\n")
        (self.base / "group").write_text("\n".join(group) + "\n")
        return Account("bwpostfix", uid_pf, gid_pf), Account("bwpostdrop", 0, gid_drop), nobody

    def _main_cf(self, owner: Account, drop: Account, nobody: str) -> dict[str, str]:
        etc = self.config_dir
        cf = {
            "compatibility_level": "3.6",
            "config_directory": str(etc),
            "meta_directory": str(etc),
            "queue_directory": str(self.queue_dir),
            "data_directory": str(self.data_dir),
            "daemon_directory": str(self.libdir / "sbin"),
            "shlib_directory": str(self.libdir),
            "command_directory": str(self.sbin),
            "sendmail_path": str(self.sbin / "sendmail"),
            "newaliases_path": str(self.sbin / "sendmail"),
            "mailq_path": str(self.sbin / "sendmail"),
            "manpage_directory": str(self.tree / "usr/share/man"), "sample_directory": "no",
            "readme_directory": "no",
            "html_directory": "no",
            "mail_owner": owner.name,
            "setgid_group": drop.name,
            "default_privs": nobody,
            "import_environment": ("MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE "
                                   f"POSTLOG_HOSTNAME LD_LIBRARY_PATH={self.libdir}"),
            # sendmail hands over to postdrop with only these variables
            "export_environment": "TZ MAIL_CONFIG LANG LD_LIBRARY_PATH",
            "maillog_file": str(self.maillog),
            "maillog_file_prefixes": str(self.base),
            "myhostname": "mta.bouncewatch.test",
            "mydomain": "bouncewatch.test",
            "myorigin": "$myhostname",
            "mydestination": "$myhostname, localhost",
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "default_transport": "smtp",
            "relay_transport": "smtp",
            "relayhost": "",
            "smtp_host_lookup": "dns",
            "alias_maps": "", "alias_database": "",
            "biff": "no",
            "delay_warning_time": "0",
            "smtp_tls_security_level": "may",
            "smtp_tls_policy_maps": f"texthash:{etc / 'tls_policy'}",
            "smtp_connection_cache_on_demand": "no",
            "smtp_connect_timeout": "5s",
            **RETRY_SETTINGS,
        }
        cf.update(self.settings)
        return cf

    def _layout(self) -> None:
        etc = self.config_dir
        etc.mkdir()
        for d in (self.queue_dir, self.data_dir):
            d.mkdir()
        shutil.copy2(self.tree / "etc/postfix/postfix-files", etc / "postfix-files")
        if (self.tree / "etc/postfix/postfix-files.d").is_dir():
            shutil.copytree(self.tree / "etc/postfix/postfix-files.d", etc / "postfix-files.d")
        owner, drop, nobody = self._accounts()
        os.chown(self.data_dir, owner.uid, owner.gid)  # master.lock, caches: the mail owner's
        cf = self._main_cf(owner, drop, nobody)
        (etc / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in cf.items()))
        (etc / "master.cf").write_text(_MASTER_CF)
        (etc / "tls_policy").write_text("".join(f"{d} {p}\n" for d, p in self.tls_policy.items()))
        (etc / "dynamicmaps.cf").write_text("")
        self.maillog.touch()
        (self.base / "resolv.conf").write_text(
            f"nameserver {self.nameserver}\noptions attempts:1 timeout:2\n")
        for name in ("passwd", "group", "resolv.conf"):
            self.ns.bind_file(self.base / name, f"/etc/{name}")

    # -- life cycle ----------------------------------------------------------
    def __enter__(self) -> "PostfixInstance":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self._layout()
        r = self.ns.run([str(self.sbin / "postfix"), "-c", str(self.config_dir), "start"],
                        env=self.env, check=False, timeout=120)
        if r.returncode != 0:
            raise PostfixError(f"postfix start failed ({r.returncode}): {r.stderr.strip()}\n"
                               + self.log_text()[-2000:])
        self.started = True

    def reload(self) -> None:
        self.command("postfix", "-c", str(self.config_dir), "reload")

    def postconf(self, **settings: str) -> None:
        self.command("postconf", "-c", str(self.config_dir), "-e",
                     *(f"{k}={v}" for k, v in settings.items()))

    def stop(self) -> None:
        if self.started:
            self.started = False
            self.ns.run([str(self.sbin / "postfix"), "-c", str(self.config_dir), "stop"],
                        env=self.env, check=False, timeout=60)

    def close(self) -> None:
        """Stops Postfix and removes the instance's files. The namespace
        (and with it any straggler process and the bind mounts) is the
        caller's to close."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    # -- mail ----------------------------------------------------------------
    def sendmail(self, sender: str, recipients: Iterable[str], message: str) -> None:
        """Submits with the package's ``sendmail`` (postdrop -> pickup), as
        a local program would."""
        self.command("sendmail", "-i", "-f", sender, "--", *recipients, input=message)

    def queue(self) -> list[dict]:
        """``postqueue -j``: one JSON object per queued message."""
        out = self.command("postqueue", "-j")
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def postsuper(self, *args: str) -> str:
        return self.command("postsuper", *args)

    def flush(self, queue_id: str | None = None) -> None:
        if queue_id:
            self.command("postqueue", "-i", queue_id)
        else:
            self.command("postqueue", "-f")

    # -- the log -------------------------------------------------------------
    def log_text(self) -> str:
        try:
            return self.maillog.read_text(errors="backslashreplace")
        except FileNotFoundError:
            return ""

    def log_lines(self) -> list[str]:
        return self.log_text().splitlines()

    def wait_for(self, done: Callable[[list[str]], bool], timeout: float, what: str,
                 poll: float = 0.25, missing: Callable[[list[str]], str] | None = None) -> list[str]:
        """Polls the log until ``done(lines)``; raises with what is still
        ``missing`` and the log's tail (the first things anyone debugging a
        timeout needs) otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.log_lines()
            if done(lines):
                return lines
            if time.monotonic() > deadline:
                tail = "\n".join(lines[-40:])
                still = f" (still missing: {missing(lines)})" if missing else ""
                raise PostfixError(f"timed out after {timeout:.0f}s waiting for {what}{still}; "
                                   f"log tail:\n{tail}")
            time.sleep(poll)

    def queue_id_of(self, message_id: str) -> str | None:
        """The queue id cleanup logged for a Message-ID."""
        pat = re.compile(r"postfix/cleanup\[\d+\]: ([0-9A-Za-z]+): message-id=<" + re.escape(message_id) + ">")
        for line in self.log_lines():
            m = pat.search(line)
            if m:
                return m[1]
        return None


def available(tree: Path) -> str | None:
    """None when the unpacked Postfix can run here, else why not."""
    missing = debs.missing_libraries(tree / "usr/lib/postfix/sbin/smtp", tree / "usr/lib/postfix")
    if missing:
        return "libraries Postfix needs are not installed: " + ", ".join(missing)
    if not os.access(tree / "usr/sbin/postfix", os.X_OK):
        return "postfix binary missing from the unpacked package"
    return None
