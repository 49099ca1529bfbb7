"""A throw-away network + mount + PID namespace for one real-MTA run.

Why namespaces: the MTA under test must never reach the real network, and
its resolver must ask our DNS stub, not the host's. A fresh network
namespace has only ``lo``; a private mount namespace lets us bind-mount a
resolv.conf (and passwd/group with the MTA's users) without touching the
host's files; a PID namespace guarantees that every daemon the MTA forks
dies with the namespace's init, whatever the test does or how it fails.

Why ``unshare`` rather than ``ip netns add``: a named namespace is a mount
under /run/netns that outlives a crashed test. Here the namespace lives
exactly as long as one holder process: ``unshare`` runs as our child with
a parent-death signal, its forked child is PID 1 of the namespace
(``--kill-child``), and when PID 1 dies the kernel kills everything else in
it and drops the mounts. Nothing is left behind to clean up by name.

Commands run inside with ``nsenter``; our own servers (SMTP peer, DNS stub)
run in the test process on sockets created inside the namespace
(:meth:`Namespace.socket`), so the test can read what they saw.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket as _socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Mapping, Sequence

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1

# PID 1 of the namespace: brings lo up, says so, then waits and reaps
# orphans (daemonized MTAs reparent to it) until it is killed.
_INIT = ("ip link set lo up || exit 1; echo ready; "
         "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done")


class NamespaceUnavailable(RuntimeError):
    """The kernel or the tools refused to create the namespace (not root,
    no CAP_SYS_ADMIN, a container without user/net namespaces, no util-linux)."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:
    """preexec_fn: the holder gets SIGKILL when the test process dies, so an
    interrupted run cannot leave the namespace (and the MTA) running."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Namespace:
    """``with Namespace() as ns: ns.run([...]); sock = ns.socket(...)``."""

    def __init__(self, start_timeout: float = 10.0) -> None:
        self.start_timeout = start_timeout
        self._holder: subprocess.Popen[str] | None = None
        self.init_pid: int | None = None   # PID 1 of the namespace, as the host sees it

    # -- life cycle ----------------------------------------------------------
    def __enter__(self) -> "Namespace":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        for tool in ("unshare", "nsenter", "ip"):
            if shutil.which(tool) is None:
                raise NamespaceUnavailable(f"{tool} not found (util-linux / iproute2)")
        self._holder = subprocess.Popen(
            ["unshare", "--net", "--mount", "--propagation", "private", "--pid", "--fork",
             "--kill-child", "--mount-proc", "sh", "-c", _INIT],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_die_with_parent)
        line = self._holder.stdout.readline() if self._holder.stdout else ""
        if line.strip() != "ready":
            err = self._holder.stderr.read() if self._holder.stderr else ""
            self.close()
            raise NamespaceUnavailable(f"unshare failed: {err.strip() or 'no output'}")
        self.init_pid = self._find_init(self._holder.pid)

    def _find_init(self, unshare_pid: int) -> int:
        children = Path(f"/proc/{unshare_pid}/task/{unshare_pid}/children")
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            pids = children.read_text().split()
            if pids:
                return int(pids[0])
            time.sleep(0.05)
        self.close()
        raise NamespaceUnavailable("namespace init did not appear")

    def close(self) -> None:
        """Kills the holder; its PID 1 dies with it (``--kill-child``) and
        takes every process of the namespace and its mounts along."""
        h, self._holder = self._holder, None
        if h is None:
            return
        if h.poll() is None:
            h.kill()
        try:
            h.wait(timeout=10)
        finally:
            for f in (h.stdout, h.stderr):
                if f:
                    f.close()
        pid, self.init_pid = self.init_pid, None
        if pid is not None:  # PID 1 gets SIGKILL from the kernel; wait until it is gone
            deadline = time.monotonic() + 10
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)

    # -- inside --------------------------------------------------------------
    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` wrapped to run inside the namespace (net, mount, PID)."""
        if self.init_pid is None:
            raise RuntimeError("namespace not started")
        return ["nsenter", "-t", str(self.init_pid), "--net", "--mount", "--pid", "--", *argv]

    def run(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None,
            input: str | None = None, check: bool = True, timeout: float = 30.0
            ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(self.command(argv), env=dict(env) if env is not None else None,
                              input=input, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, list(argv), proc.stdout, proc.stderr)
        return proc

    def kill_all(self) -> None:
        """SIGKILL to every process of the namespace but its init: what an
        MTA left running (queue runners, deliveries in progress) stops
        writing before the test removes its files. kill(2) with pid -1 from
        inside the PID namespace reaches exactly the namespace's processes."""
        self.run(["kill", "-KILL", "-1"], check=False)

    def bind_file(self, src: Path, dst: str) -> None:
        """Shadows ``dst`` with ``src`` for processes of this namespace only."""
        self.run(["mount", "--bind", str(src), dst])

    def reachable(self, target: Path, spare: Path) -> None:
        """Lets other users reach ``target`` inside the namespace only: an
        ancestor they cannot traverse (a 0700 /root holding pyenv's Python,
        which a pipe(8) user or ``runuser`` must run) is covered with a 0755
        tmpfs that holds just the child on the way, bound back from a mount
        under ``spare``. The host's modes are left as they are."""
        target = target.resolve()
        for n, anc in enumerate(reversed(target.parents)):
            if anc == Path("/") or anc.stat().st_mode & 0o001:
                continue
            child = anc / target.relative_to(anc).parts[0]
            keep = spare / f"keep{n}"
            keep.mkdir(parents=True)
            self.run(["mount", "--bind", str(child), str(keep)])
            self.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", str(anc)])
            self.run(["mkdir", str(child)])
            self.run(["mount", "--bind", str(keep), str(child)])

    def socket(self, family: int = _socket.AF_INET, type: int = _socket.SOCK_STREAM) -> _socket.socket:
        """A socket that lives in the namespace's network stack.

        setns(CLONE_NEWNET) moves only the calling thread, so a short-lived
        thread enters the namespace, creates the socket and ends; the socket
        keeps its namespace wherever it is used afterwards."""
        if self.init_pid is None:
            raise RuntimeError("namespace not started")
        result: list[_socket.socket | BaseException] = []

        def make() -> None:
            try:
                fd = os.open(f"/proc/{self.init_pid}/ns/net", os.O_RDONLY)
                try:
                    if _libc().setns(fd, CLONE_NEWNET) != 0:
                        err = ctypes.get_errno()
                        raise OSError(err, f"setns: {os.strerror(err)}")
                finally:
                    os.close(fd)
                result.append(_socket.socket(family, type))
            except BaseException as e:  # handed to the caller's thread
                result.append(e)

        t = threading.Thread(target=make, name="netns-socket")
        t.start()
        t.join()
        r = result[0]
        if isinstance(r, BaseException):
            raise r
        return r

    def listen(self, host: str, port: int, type: int = _socket.SOCK_STREAM) -> _socket.socket:
        """A bound (and for TCP, listening) socket inside the namespace."""
        s = self.socket(_socket.AF_INET, type)
        s.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        if type == _socket.SOCK_STREAM:
            s.listen(64)
        s.setblocking(False)
        return s


def loopback_address(n: int) -> str:
    """The n-th per-domain address, 127.0.1.n: all of 127/8 reaches ``lo``,
    and one address per test domain lets connect-, HELO- and MAIL-stage
    replies be chosen per domain before any recipient is known."""
    if not 1 <= n <= 254:
        raise ValueError(f"loopback address index out of range: {n}")
    return f"127.0.1.{n}"
