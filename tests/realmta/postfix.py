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
from pathlib import Path
from typing import Iterable, Mapping

from . import debs
from .instance import Account, MtaError, MtaInstance
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


class PostfixError(MtaError):
    pass


class PostfixInstance(MtaInstance):
    """``with PostfixInstance(ns, tree) as pf: pf.start(); pf.sendmail(...)``."""

    error = PostfixError

    def __init__(self, ns: Namespace, tree: Path, *, nameserver: str = "127.0.0.1",
                 settings: Mapping[str, str] | None = None,
                 tls_policy: Mapping[str, str] | None = None,
                 master_cf: str = "",
                 workdir: Path | None = None) -> None:
        """``master_cf``: services to add to master.cf (a pipe transport ...)."""
        super().__init__(ns, prefix="bw-postfix-", nameserver=nameserver, workdir=workdir)
        self.tree = tree
        self.settings = dict(settings or {})
        self.master_cf = master_cf
        self.tls_policy = dict(tls_policy or {})
        self.config_dir = self.base / "etc"
        self.queue_dir = self.base / "spool"
        self.data_dir = self.base / "lib"
        self.maillog = self.log_path
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
        """postfix, postdrop and (when missing) nobody, private to the namespace."""
        accts = self.make_accounts([("bwpostfix", "bwpostfix")], ["bwpostfix", "bwpostdrop"],
                                   need_nobody=True)
        return accts["bwpostfix"], accts["bwpostdrop"], "nobody"

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
        (etc / "master.cf").write_text(_MASTER_CF + self.master_cf)
        (etc / "tls_policy").write_text("".join(f"{d} {p}\n" for d, p in self.tls_policy.items()))
        (etc / "dynamicmaps.cf").write_text("")
        self.maillog.touch()
        self.bind_etc()

    # -- life cycle ----------------------------------------------------------
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

    # -- the log ---------------------------------------------------------------
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
