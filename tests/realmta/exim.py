"""A private Exim 4.96 from Debian's unpacked exim4-daemon-light, inside a namespace.

Why this shape: as for Postfix (postfix.py), nothing is simulated and
nothing on the host is touched. Everything lives under one temporary
directory:

    base/exim.conf   our own configuration, passed with -C (Debian's
                     split config under /etc/exim4 is neither used nor needed)
    base/spool/      spool_directory, owned by the private exim account
    base/log/        log_file_path: mainlog (what the tests read), paniclog
    base/passwd, base/group, base/resolv.conf   (see instance.MtaInstance)

The configuration routes every remote domain with ``dnslookup`` through the
test's DNS stub, as Postfix and Sendmail do in their tests: MX, NXDOMAIN,
SERVFAIL and null MX answers reach Exim's own resolver code, and the stub's
A records send each domain to its own peer address on port 25 (one
loopback address per domain, so no ``manualroute`` with ports is needed).
One domain can be made to require TLS (``require_tls``). Retry rules are
short (a deferred address is retried every few seconds); a chosen domain
gets a short retry lifetime so its message fails with ``retry timeout
exceeded`` within the run.

``log_selector`` switches on every field bouncewatch reads, so the parser
meets them in Exim's real order: the point of the test.

Exim re-executes itself for every delivery (``exim_path``) with a cleaned
environment: ``keep_environment`` passes LD_LIBRARY_PATH on, which is how
the unpacked binary finds libidn (not installed here, unpacked like Exim).
It daemonizes only when its parent is not PID 1; nsenter's parent lies
outside the namespace, and the namespace's PID 1 is a plain shell
(netns.py), so ``exim -q5s`` goes into the background as it should.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Mapping

from . import debs
from .instance import MtaError, MtaInstance
from .netns import Namespace

PACKAGE = "exim4-daemon-light"
LIBRARIES = ("libidn12",)   # needed by the binary, missing from a Debian host without Exim
EXIM_USER = "Debian-exim"   # compiled into Debian's binary (exim -bV: "Exim user")
QUEUE_INTERVAL = "3s"       # how often the daemon starts a queue run
# How soon a deferred address may be tried again: longer than the queue
# interval, so the queue run after every deferral comes too early and logs
# "retry time not reached" (a test reads those lines). With both at 3s it
# depended on how the runs fell, and a loaded host logged none.
RETRY_INTERVAL = "5s"

# Everything the main log can say about a delivery, so the parser sees each
# field where real Exim puts it.
LOG_SELECTOR = ("+smtp_confirmation +deliver_time +sender_on_delivery +return_path_on_delivery "
                "+delivery_size +outgoing_port +outgoing_interface +tls_cipher +tls_peerdn "
                "+received_recipients +queue_time +queue_time_overall +millisec +pid "
                "+address_rewrite +all_parents +retry_defer +subject +queue_run")

# What Debian's own configuration sets (exim4-config 4.96-15+deb12u10,
# main/01_exim4-config_listmacrosdefs: MAIN_LOG_SELECTOR unless the admin
# defines it): the main log most Debian Exim admins have. Over Exim's
# compiled-in default it adds nothing to delivery lines without TLS.
DEBIAN_LOG_SELECTOR = "+smtp_protocol_error +smtp_syntax_error +tls_certificate_verified +tls_peerdn"

_CONFIG = """\
# bouncewatch real-MTA test instance (generated; see tests/realmta/exim.py)
primary_hostname = mta.bouncewatch.test
qualify_domain = bouncewatch.test
exim_path = {exim}
exim_user = {user}
exim_group = {group}
never_users =
trusted_users = root
spool_directory = {spool}
log_file_path = {logdir}/%slog
{log_selector_line}keep_environment = LD_LIBRARY_PATH
disable_ipv6 = true
host_lookup =
rfc1413_hosts =
# not a server here (no -bd): no certificate, and no warning about it
tls_advertise_hosts =
domainlist local_domains = mta.bouncewatch.test{local_domains}
# a bounce that cannot be delivered is given up at once, not frozen
{ignore_bounce_errors}timeout_frozen_after = 1m
delay_warning = {delay_warning}
{main_options}
begin routers
{routers}remote:
  driver = dnslookup
  domains = ! +local_domains
  transport = ${{if eq{{$domain}}{{{require_tls}}}{{remote_smtp_tls}}{{remote_smtp}}}}
  no_more

begin transports
{transports}remote_smtp:
  driver = smtp
  connect_timeout = 5s
  hosts_try_chunking =
  hosts_try_prdr =

remote_smtp_tls:
  driver = smtp
  connect_timeout = 5s
  hosts_require_tls = *

begin retry
{retry_rules}
*  *  F,1h,{retry_interval}

begin rewrite
"""

class EximError(MtaError):
    pass


class EximInstance(MtaInstance):
    """``with EximInstance(ns, tree) as ex: ex.start(); ex.submit(...)``.

    ``lifetimes``: domain -> retry lifetime (``20s``): its deferred
    addresses fail with ``retry timeout exceeded`` after that.
    ``require_tls``: one domain whose delivery must use TLS.

    For tests beyond the shared table (all optional, the defaults give the
    configuration above): ``log_selector`` (``None``: none set, Exim's
    compiled-in default; :data:`DEBIAN_LOG_SELECTOR`: Debian's);
    ``local_domains``: more domains Exim delivers itself; ``routers`` and
    ``transports``: configuration text put before the ``remote`` router
    and transport (``@BASE@`` in it stands for :attr:`base`, e.g. for a
    local delivery's directory); ``freeze_failed_bounces``: keep Exim's
    default ``ignore_bounce_errors_after`` (a bounce that cannot be
    delivered is frozen, ``Frozen (delivery error message)``)."""

    error = EximError

    def __init__(self, ns: Namespace, tree: Path, *, nameserver: str = "127.0.0.1",
                 lifetimes: Mapping[str, str] | None = None,
                 require_tls: str = "", library_path: str = "",
                 workdir: Path | None = None, log_selector: str | None = LOG_SELECTOR,
                 local_domains: Iterable[str] = (), routers: str = "", transports: str = "",
                 freeze_failed_bounces: bool = False, delay_warning: str = "0s",
                 main_options: str = "") -> None:
        super().__init__(ns, prefix="bw-exim-", nameserver=nameserver, workdir=workdir)
        self.tree = tree
        self.log_selector = log_selector
        self.local_domains = tuple(local_domains)
        self.routers = routers
        self.transports = transports
        self.freeze_failed_bounces = freeze_failed_bounces
        self.delay_warning = delay_warning
        self.main_options = main_options
        self.lifetimes = dict(lifetimes or {})
        self.require_tls = require_tls
        self.library_path = library_path
        self.exim = tree / "usr/sbin/exim4"
        self.config = self.base / "exim.conf"
        self.spool = self.base / "spool"
        self.logdir = self.base / "log"
        self.log_path = self.logdir / "mainlog"
        self.daemon_pid: int | None = None

    # -- environment -----------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C",
                "LD_LIBRARY_PATH": self.library_path}

    def exim_command(self, *args: str, input: str | None = None, check: bool = True,
                     timeout: float = 60.0) -> str:
        """Runs ``exim4 -C our.conf ARGS`` inside the namespace; returns stdout."""
        r = self.ns.run([str(self.exim), "-C", str(self.config), *args], env=self.env, input=input,
                        check=False, timeout=timeout)
        if check and r.returncode != 0:
            raise EximError(f"exim {' '.join(args)} exited {r.returncode}: "
                            f"{(r.stderr or r.stdout).strip()}\n{self.panic_text()[-1000:]}")
        return r.stdout

    # -- layout ----------------------------------------------------------------
    def _config_text(self, user: str, group: str) -> str:
        retry = "".join(f"{d}  *  F,{life},{RETRY_INTERVAL}\n" for d, life in self.lifetimes.items())
        base = str(self.base)
        return _CONFIG.format(
            exim=self.exim, user=user, group=group, spool=self.spool, logdir=self.logdir,
            log_selector_line="" if self.log_selector is None else f"log_selector = {self.log_selector}\n",
            local_domains="".join(f" : {d}" for d in self.local_domains),
            ignore_bounce_errors="" if self.freeze_failed_bounces else "ignore_bounce_errors_after = 0s\n",
            routers=self.routers.replace("@BASE@", base),
            transports=self.transports.replace("@BASE@", base), delay_warning=self.delay_warning,
            main_options=self.main_options.replace("@BASE@", base),
            require_tls=self.require_tls or "-", retry_rules=retry, retry_interval=RETRY_INTERVAL)

    def _layout(self) -> None:
        # Debian's binary looks its compiled-in user up before reading any
        # configuration: the account must be called Debian-exim.
        accts = self.make_accounts([(EXIM_USER, EXIM_USER)], [EXIM_USER])
        owner = accts[EXIM_USER]
        for d in (self.spool, self.logdir):
            d.mkdir()
            os.chown(d, owner.uid, owner.gid)
        self.config.write_text(self._config_text(owner.name, owner.name))
        self.config.chmod(0o644)
        self.bind_etc()

    # -- life cycle ------------------------------------------------------------
    def start(self) -> None:
        """Checks the configuration, then starts the queue-running daemon
        (no SMTP listener: mail is submitted on the command line)."""
        self._layout()
        self.exim_command("-bV")
        pid_file = self.base / "exim.pid"
        self.exim_command("-q" + QUEUE_INTERVAL, "-oP", str(pid_file), timeout=30)
        for _ in range(100):
            if pid_file.is_file() and pid_file.read_text().strip():
                break
            self.ns.run(["sleep", "0.1"])
        else:
            raise EximError("exim daemon wrote no pid file\n" + self.panic_text()[-2000:])
        self.daemon_pid = int(pid_file.read_text().split()[0])

    def stop(self) -> None:
        """Ends the daemon (by its pid, inside the namespace); deliveries in
        progress die with the namespace."""
        pid, self.daemon_pid = self.daemon_pid, None
        if pid is not None:
            self.ns.run(["kill", "-TERM", str(pid)], check=False)

    # -- mail ------------------------------------------------------------------
    def submit(self, sender: str, recipients: Iterable[str], message: str) -> None:
        """Submits on the command line, queued only (``-odq``): the daemon's
        next queue run delivers it, as it would any queued mail, and the
        submitting command returns at once."""
        self.exim_command("-odq", "-i", "-f", sender, "--", *recipients, input=message)

    def message_id_of(self, message_id: str) -> str | None:
        """Exim's id of the message whose ``<=`` line carries this Message-ID."""
        pat = re.compile(r" ([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) <= .* id="
                         + re.escape(message_id) + r"(?: |$)")
        for line in self.log_lines():
            m = pat.search(line)
            if m:
                return m[1]
        return None

    def panic_text(self) -> str:
        try:
            return (self.logdir / "paniclog").read_text(errors="backslashreplace")
        except FileNotFoundError:
            return ""


def available(tree: Path, library_path: str) -> str | None:
    """None when the unpacked Exim can run here, else why not."""
    exim = tree / "usr/sbin/exim4"
    if not os.access(exim, os.X_OK):
        return "exim4 binary missing from the unpacked package"
    missing = debs.missing_libraries(exim, library_path)
    if missing:
        return "libraries Exim needs are not installed: " + ", ".join(missing)
    return None

