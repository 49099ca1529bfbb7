"""A private Sendmail 8.17 from Debian's unpacked sendmail-bin, inside a namespace.

Why this shape: as for Postfix and Exim, nothing is simulated and nothing
on the host is touched. Everything lives under one temporary directory:

    base/sendmail.mc, base/sendmail.cf   our configuration, built with m4 from
                     sendmail-cf's tree (Debian's /etc/mail is not used)
    base/mqueue/     QueueDirectory
    base/dev/        the namespace's /dev: null, zero, random, urandom bound
                     from the host's, and ``log``, our syslog listener's socket
    base/maillog     what the listener heard (see syslog.py)
    base/access      the access map (TLS required for one domain)
    base/hosts, base/resolv.conf, base/service.switch, base/aliases

Sendmail logs only through syslog(3), hence the private /dev/log. The
daemon (``sm-mta``, the name Debian gives it with ``-L``) listens on
127.0.0.1:25 and mail is submitted to it over SMTP, as a local client
would: the ``sendmail`` submission program would resolve recipient
domains itself and keep a SERVFAIL domain in its own client queue, so that
mail would never reach the MTA under test (REAL-MTA-NOTES.md).

Routing is by DNS: Sendmail asks the test's DNS stub for MX and A records
itself, so NXDOMAIN, SERVFAIL and null MX reach its own resolver code.
Messages with ``Precedence: bulk`` are given up after ``bulk_lifetime``
(``Timeout.queuereturn.non-urgent``), the others never within a run.
The daemon runs the queue every few seconds, so deferrals are retried
quickly. /etc/hosts names our host, or Sendmail would wait a minute at
start for its own name to resolve.
"""

from __future__ import annotations

import os
import re
import shutil
import smtplib
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterable

from . import debs
from .instance import MtaError, MtaInstance
from .netns import Namespace
from .syslog import SyslogListener

PACKAGE = "sendmail-bin"
CF_PACKAGE = "sendmail-cf"
M4_PACKAGE = "m4"
LIBRARIES = ("libwrap0",)  # needed by the binary, missing from a host without Sendmail
PROGRAM = "sm-mta"         # syslog ident, as Debian's init script sets it
HOSTNAME = "mta.bouncewatch.test"
QUEUE_INTERVAL = "3s"
DEVICES = ("null", "zero", "random", "urandom")
CONNECT_PATIENCE = 15.0   # seconds a refused first connection is retried (see _NamespaceSMTP)

_MC = """\
divert(-1)
# bouncewatch real-MTA test instance (generated; see tests/realmta/sendmail.py)
divert(0)dnl
include(`{cf}/m4/cf.m4')dnl
VERSIONID(`bouncewatch real-MTA test')dnl
OSTYPE(`linux')dnl
define(`confDOMAIN_NAME', `{hostname}')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confLOG_LEVEL', `9')dnl
dnl the instance lives under /tmp: sticky, world-writable
define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl
define(`QUEUE_DIR', `{base}/mqueue')dnl
define(`confPID_FILE', `{base}/sendmail.pid')dnl
define(`STATUS_FILE', `{base}/statistics')dnl
define(`ALIAS_FILE', `{base}/aliases')dnl
define(`HELP_FILE', `{base}/helpfile')dnl
define(`confSERVICE_SWITCH_FILE', `{base}/service.switch')dnl
define(`confCW_FILE', `{base}/local-host-names')dnl
dnl a busy CI machine must not make it refuse connections or only queue (defaults: 12 and 8 per CPU)
define(`confREFUSE_LA', `1000')dnl
define(`confQUEUE_LA', `1000')dnl
define(`confTO_CONNECT', `5s')dnl
define(`confTO_ICONNECT', `5s')dnl
define(`confTO_QUEUERETURN_NONURGENT', `{bulk_lifetime}')dnl
define(`confTO_QUEUEWARN', `1d')dnl
define(`confTO_QUEUEWARN_NONURGENT', `1d')dnl
define(`confTO_HOSTSTATUS', `0s')dnl
define(`confMIN_QUEUE_AGE', `0s')dnl
define(`confDELIVERY_MODE', `background')dnl
define(`confDEF_USER_ID', `{default_user}')dnl
define(`PROCMAIL_MAILER_PATH', `/bin/false')dnl
define(`LOCAL_MAILER_PATH', `/bin/false')dnl
FEATURE(`access_db', `hash -o -T<TMPF> {base}/access')dnl
{extra_mc}DAEMON_OPTIONS(`Family=inet, Name=MTA, Addr=127.0.0.1, Port=25')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


# The submission program's configuration (Debian's submit.mc without its
# /etc paths): FEATURE(`msp') relays everything to sm-mta on 127.0.0.1:25
# and queues what it cannot hand over in its own client queue.
_SUBMIT_MC = """\
divert(-1)
# bouncewatch real-MTA test MSP (generated; see tests/realmta/sendmail.py)
divert(0)dnl
include(`{cf}/m4/cf.m4')dnl
VERSIONID(`bouncewatch real-MTA test submit')dnl
define(`confCF_VERSION', `Submit')dnl
define(`__OSTYPE__',`')dnl
define(`confTIME_ZONE', `USE_TZ')dnl
define(`confDONT_INIT_GROUPS', `True')dnl
define(`confDOMAIN_NAME', `{hostname}')dnl
define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl
define(`confSERVICE_SWITCH_FILE', `{base}/service.switch')dnl
define(`confCW_FILE', `{base}/local-host-names')dnl
define(`HELP_FILE', `{base}/helpfile')dnl
define(`confRUN_AS_USER', `{default_user}')dnl
define(`MSP_QUEUE_DIR', `{base}/clientmqueue')dnl
define(`confREFUSE_LA', `1000')dnl
define(`confQUEUE_LA', `1000')dnl
FEATURE(`msp', `[127.0.0.1]', `25')dnl
"""

# The syslog ident of the submission program (sendmail's default, as on Debian).
SUBMIT_PROGRAM = "sendmail"


class SendmailError(MtaError):
    pass


class _NamespaceSMTP(smtplib.SMTP):
    """smtplib over a socket made inside the test's network namespace."""

    def __init__(self, ns: Namespace, host: str, port: int) -> None:
        self._ns = ns
        super().__init__(host, port, local_hostname="client.bouncewatch.test", timeout=30)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # sm-mta logs "starting daemon" before it binds its socket: on a busy
        # machine the first connection can come first and be refused
        deadline = time.monotonic() + CONNECT_PATIENCE
        while True:
            s = self._ns.socket()
            s.settimeout(timeout)
            try:
                s.connect((host, port))
                return s
            except ConnectionRefusedError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


class SendmailInstance(MtaInstance):
    """``with SendmailInstance(ns, tree, cf_tree, m4) as sm: sm.start(); sm.submit(...)``."""

    error = SendmailError

    def __init__(self, ns: Namespace, tree: Path, cf_tree: Path, m4: Path, *,
                 nameserver: str = "127.0.0.1", bulk_lifetime: str = "20s", require_tls: str = "",
                 library_path: str = "", workdir: Path | None = None, extra_mc: str = "",
                 aliases: str = "", mailertable: str = "", access: str = "", msp: bool = False) -> None:
        super().__init__(ns, prefix="bw-sendmail-", nameserver=nameserver, workdir=workdir)
        self.tree = tree
        self.cf_tree = cf_tree
        self.m4 = m4
        self.bulk_lifetime = bulk_lifetime
        self.require_tls = require_tls
        self.library_path = library_path
        # Additive knobs (tests/test_realmta_sendmail_more.py): m4 lines put
        # after ours (a later define() wins), alias lines after the standard
        # two, a mailertable (FEATURE(mailertable)), access map lines after
        # the TLS one, and the submission program's own submit.cf
        # (submit_command).
        self.extra_mc = extra_mc
        self.aliases = aliases
        self.mailertable = mailertable
        self.access = access
        self.msp = msp
        self.submit_cf = self.base / "submit.cf"
        self.sendmail = tree / "usr/libexec/sendmail/sendmail"
        self.cf = self.base / "sendmail.cf"
        self.queue_dir = self.base / "mqueue"
        self.dev = self.base / "dev"
        self.syslog: SyslogListener | None = None
        self.started = False

    @property
    def env(self) -> dict[str, str]:
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C",
                "LD_LIBRARY_PATH": self.library_path}

    def sendmail_command(self, *args: str, check: bool = True, timeout: float = 60.0) -> str:
        r = self.ns.run([str(self.sendmail), "-C", str(self.cf), "-L", PROGRAM, *args], env=self.env,
                        check=False, timeout=timeout)
        if check and r.returncode != 0:
            raise SendmailError(f"sendmail {' '.join(args)} exited {r.returncode}: "
                                f"{(r.stderr or r.stdout).strip()}\n" + "\n".join(self.log_lines()[-20:]))
        return r.stdout

    # -- layout ----------------------------------------------------------------
    def _build_cf(self, template: str = _MC, cf: Path | None = None) -> None:
        """sendmail.mc -> sendmail.cf with m4, as sendmail-cf's Makefile would
        (``template``, ``cf``: the submission program's submit.mc -> submit.cf)."""
        cf = cf or self.cf
        cf_dir = self.cf_tree / "usr/share/sendmail/cf"
        extra = self.extra_mc
        if self.mailertable:
            extra = f"FEATURE(`mailertable', `hash -o {self.base}/mailertable')dnl\n" + extra
        mc = cf.with_suffix(".mc")
        mc.write_text(template.format(cf=cf_dir, hostname=HOSTNAME, base=self.base,
                                      bulk_lifetime=self.bulk_lifetime, default_user="1:1", extra_mc=extra))
        r = subprocess.run([str(self.m4), f"-D_CF_DIR_={cf_dir}/", str(mc)], capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0 or "\nO QueueDirectory=" not in r.stdout:
            raise SendmailError(f"m4 failed to build {cf.name}: {r.stderr.strip()[-1000:]}")
        cf.write_text(r.stdout)

    def _access_db(self) -> None:
        """The access map: ``TLS_Srv:<domain> ENCR:112`` makes Sendmail
        require an encrypted session with that domain's servers."""
        text = f"TLS_Srv:{self.require_tls}\tENCR:112\n" if self.require_tls else ""
        self._makemap("access", text + self.access)
        if self.mailertable:
            self._makemap("mailertable", self.mailertable)

    def _makemap(self, name: str, text: str) -> None:
        (self.base / name).write_text(text)
        r = self.ns.run([str(self.tree / "usr/libexec/sendmail/makemap"), "-C", str(self.cf), "hash",
                         str(self.base / name)],
                        env=self.env, input=text, check=False)
        if r.returncode != 0:
            raise SendmailError(f"makemap failed: {(r.stderr or r.stdout).strip()}")

    def _devices(self) -> None:
        """A /dev for the namespace with our syslog socket as /dev/log."""
        self.dev.mkdir()
        for name in DEVICES:
            (self.dev / name).touch()
            self.ns.run(["mount", "--bind", f"/dev/{name}", str(self.dev / name)])
        self.log_path.touch()
        self.syslog = SyslogListener(self.dev / "log", self.log_path, HOSTNAME.split(".")[0]).start()
        self.ns.run(["mount", "--rbind", str(self.dev), "/dev"])

    def _layout(self) -> None:
        self.queue_dir.mkdir(mode=0o700)
        (self.base / "statistics").touch()
        (self.base / "helpfile").write_text("")
        (self.base / "local-host-names").write_text(f"{HOSTNAME}\nlocalhost\n")
        (self.base / "service.switch").write_text("hosts files dns\naliases files\n")
        (self.base / "aliases").write_text("postmaster: root\nMAILER-DAEMON: postmaster\n" + self.aliases)
        hostname = socket.gethostname()
        (self.base / "hosts").write_text(f"127.0.0.1 localhost {HOSTNAME} {hostname}\n")
        self._build_cf()
        if self.msp:
            client_queue = self.base / "clientmqueue"
            client_queue.mkdir(mode=0o770)
            os.chown(client_queue, 1, 1)  # confRUN_AS_USER of submit.mc
            self._build_cf(_SUBMIT_MC, self.submit_cf)
        self._access_db()
        self.bind_etc("hosts")
        self._devices()

    # -- life cycle ------------------------------------------------------------
    def start(self) -> None:
        self._layout()
        self.sendmail_command("-bi")  # aliases.db, or every start complains
        self.sendmail_command("-bd", "-q" + QUEUE_INTERVAL)
        self.started = True
        self.wait_for(lambda lines: any("starting daemon" in x for x in lines), 30, "sm-mta to start")

    def stop(self) -> None:
        if self.started:
            self.started = False
            pid_file = self.base / "sendmail.pid"
            if pid_file.is_file():
                pid = pid_file.read_text().split()[0]
                if pid.isdigit():
                    self.ns.run(["kill", "-TERM", pid], check=False)
        if self.syslog is not None:
            self.syslog.stop()
            self.syslog = None

    def stop_daemon(self) -> None:
        """Stops sm-mta alone (syslog goes on) and waits until 127.0.0.1:25
        refuses connections: what the submission program meets when the
        local MTA is down."""
        pid = (self.base / "sendmail.pid").read_text().split()[0]
        self.ns.run(["kill", "-TERM", pid], check=False)
        deadline = time.monotonic() + CONNECT_PATIENCE
        while time.monotonic() < deadline:
            s = self.ns.socket()
            try:
                s.connect(("127.0.0.1", 25))
            except ConnectionRefusedError:
                return
            finally:
                s.close()
            time.sleep(0.1)
        raise SendmailError("sm-mta still accepts connections after SIGTERM")

    # -- mail ------------------------------------------------------------------
    def submit(self, sender: str, recipients: Iterable[str], message: str) -> None:
        """Hands the message to sm-mta over SMTP on 127.0.0.1:25."""
        with _NamespaceSMTP(self.ns, "127.0.0.1", 25) as smtp:
            smtp.sendmail(sender, list(recipients), message)  # str: smtplib sends CRLF line ends

    def submit_command(self, sender: str, recipients: Iterable[str], message: str,
                       *options: str, check: bool = True) -> int:
        """Hands the message to the submission program (``msp=True``), as
        cron or a script would: ``sendmail -f sender rcpt ... < message``,
        logged as ``sendmail[pid]``, relayed to sm-mta on 127.0.0.1:25.
        Returns its exit status (a recipient sm-mta refused makes it
        non-zero: ``check=False`` for those)."""
        r = self.ns.run([str(self.sendmail), "-C", str(self.submit_cf), "-f", sender, *options, "--",
                         *recipients], env=self.env, input=message, check=False, timeout=60)
        if check and r.returncode != 0:
            raise SendmailError(f"submission exited {r.returncode}: {(r.stderr or r.stdout).strip()}")
        return r.returncode

    def queue_id_of(self, message_id: str) -> str | None:
        pat = re.compile(rf"{PROGRAM}\[\d+\]: ([0-9A-Za-z]+): .*msgid=<" + re.escape(message_id) + ">")
        for line in self.log_lines():
            m = pat.search(line)
            if m:
                return m[1]
        return None


def available(tree: Path, library_path: str) -> str | None:
    """None when the unpacked Sendmail can run here, else why not."""
    binary = tree / "usr/libexec/sendmail/sendmail"
    if not os.access(binary, os.X_OK):
        return "sendmail binary missing from the unpacked package"
    missing = debs.missing_libraries(binary, library_path)
    if missing:
        return "libraries Sendmail needs are not installed: " + ", ".join(missing)
    if shutil.which("mount") is None:
        return "mount(8) not found"
    return None
