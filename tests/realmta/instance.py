"""What every private MTA instance of the harness shares: one temporary
directory, private accounts and resolver inside the namespace, and a log
file that tests poll.

Why a base class: Postfix, Exim and Sendmail differ in how they are
configured and started, not in how a test waits for their log or how the
namespace is given the ``postfix``/``Debian-exim``/``smmta`` accounts they
insist on. Those accounts exist only in a passwd/group copy that is
bind-mounted over /etc/passwd and /etc/group inside the namespace; the
host's files are never touched. resolv.conf is bind-mounted the same way so
the MTA's resolver asks the test's DNS stub.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .netns import Namespace


class MtaError(RuntimeError):
    """The MTA failed to start, or its log never said what a test waited for."""


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


class MtaInstance:
    """Base of PostfixInstance, EximInstance, SendmailInstance: ``base`` is
    the instance's directory, ``log_path`` the file its log ends up in."""

    error: type[MtaError] = MtaError

    def __init__(self, ns: Namespace, *, prefix: str, nameserver: str = "127.0.0.1",
                 workdir: Path | None = None) -> None:
        self.ns = ns
        self.nameserver = nameserver
        self.base = Path(tempfile.mkdtemp(prefix=prefix, dir=workdir))
        self.base.chmod(0o755)  # the MTA's own account must reach its queue below
        self.log_path = self.base / "maillog"

    # -- accounts and resolver -------------------------------------------------
    def make_accounts(self, users: list[tuple[str, str]], groups: list[str],
                      need_nobody: bool = False) -> dict[str, Account]:
        """Writes passwd/group copies: the host's plus ``users`` ((name, group
        name), home = base) and ``groups``, with ids the host does not use;
        plus ``nobody`` when asked and missing. Returns the new accounts
        (users by name; groups as Account(name, 0, gid))."""
        names, uids = _ids(Path("/etc/passwd"))
        _gnames, gids = _ids(Path("/etc/group"))
        new_uids = iter(_free_ids(uids, len(users) + 1))
        gid_of = dict(zip(groups, _free_ids(gids, len(groups))))
        passwd = Path("/etc/passwd").read_text().rstrip("\n").split("\n")
        group = Path("/etc/group").read_text().rstrip("\n").split("\n")
        out: dict[str, Account] = {g: Account(g, 0, gid) for g, gid in gid_of.items()}
        for name, gname in users:
            acct = Account(name, next(new_uids), gid_of[gname])
            out[name] = acct
            passwd.append(f"{name}:x:{acct.uid}:{acct.gid}:bouncewatch test MTA:{self.base}:/usr/sbin/nologin")
        group += [f"{g}:x:{gid}:" for g, gid in gid_of.items()]
        if need_nobody and "nobody" not in names:
            passwd.append(f"nobody:x:{next(new_uids)}:{next(iter(gid_of.values()))}:nobody:/nonexistent:"
                          "/usr/sbin/nologin")
        (self.base / "passwd").write_text("\n".join(passwd) + "\n")
        (self.base / "group").write_text("\n".join(group) + "\n")
        return out

    def bind_etc(self, *extra: str) -> None:
        """Shadows /etc/resolv.conf, /etc/passwd and /etc/group when
        :meth:`make_accounts` wrote them, and ``extra`` names (files of
        ``base``) inside the namespace."""
        (self.base / "resolv.conf").write_text(
            f"nameserver {self.nameserver}\noptions attempts:1 timeout:2\n")
        accounts = [n for n in ("passwd", "group") if (self.base / n).is_file()]
        for name in (*accounts, "resolv.conf", *extra):
            self.ns.bind_file(self.base / name, f"/etc/{name}")

    # -- life cycle ------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stop(self) -> None:
        """Stops the MTA's daemons (the namespace's end kills stragglers)."""

    def close(self) -> None:
        """Stops the MTA, ends whatever it left running in the namespace,
        and removes the instance's files. The namespace itself (and the bind
        mounts) is the caller's to close."""
        try:
            self.stop()
        finally:
            if self.ns.init_pid is not None:
                self.ns.kill_all()
            for _ in range(20):  # a killed process may still be on its way out
                shutil.rmtree(self.base, ignore_errors=True)
                if not self.base.exists():
                    break
                time.sleep(0.1)

    # -- the log ---------------------------------------------------------------
    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="backslashreplace")
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
                raise self.error(f"timed out after {timeout:.0f}s waiting for {what}{still}; "
                                 f"log tail:\n{tail}")
            time.sleep(poll)

