"""Debian packages unpacked (never installed) into a cache, for real-MTA tests.

Why unpack instead of ``apt-get install``: the MTAs conflict with one
another as installed packages, installing runs maintainer scripts that
start daemons and edit /etc, and tests must leave the machine as they found
it. ``dpkg -x`` of the .deb into /var/cache/bouncewatch/debs/<pkg>/root
gives the binaries and nothing else; the harness points the MTA at that
tree and at a private config.

Where the .deb comes from, in order: our own cache; a prefetch folder that
may exist on CI machines (/var/cache/bouncewatch-debs-prefetch, only a
hint: its .deb is checked to be the package asked for); ``apt-get
download``, and once more after ``apt-get update`` if that fails.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

CACHE = Path(os.environ.get("BOUNCEWATCH_DEB_CACHE", "/var/cache/bouncewatch/debs"))
PREFETCH = Path("/var/cache/bouncewatch-debs-prefetch")


class PackageUnavailable(RuntimeError):
    """The package could not be fetched or unpacked (no network, no apt)."""


def _run(argv: list[str], cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as e:
        raise PackageUnavailable(f"{argv[0]} not found") from e
    except subprocess.TimeoutExpired as e:
        raise PackageUnavailable(f"{' '.join(argv)} timed out after {timeout:.0f}s") from e


def _field(deb: Path, name: str) -> str:
    r = _run(["dpkg-deb", "--field", str(deb), name])
    return r.stdout.strip() if r.returncode == 0 else ""


def _architecture() -> str:
    r = _run(["dpkg", "--print-architecture"])
    if r.returncode != 0:
        raise PackageUnavailable("dpkg --print-architecture failed: not a Debian system?")
    return r.stdout.strip()


def _matches(deb: Path, package: str, arch: str) -> bool:
    return _field(deb, "Package") == package and _field(deb, "Architecture") in (arch, "all")


def _from_prefetch(package: str, arch: str) -> Path | None:
    if not PREFETCH.is_dir():
        return None
    for deb in sorted(PREFETCH.glob(f"{package}_*.deb")):
        if _matches(deb, package, arch):
            return deb
    return None


def _download(package: str, arch: str, into: Path) -> Path:
    r = _run(["apt-get", "download", package], cwd=into)
    if r.returncode != 0:
        _run(["apt-get", "update"], timeout=600)
        r = _run(["apt-get", "download", package], cwd=into)
    debs = [d for d in into.glob(f"{package}_*.deb") if _matches(d, package, arch)]
    if r.returncode != 0 or not debs:
        raise PackageUnavailable(f"apt-get download {package} failed: {(r.stderr or r.stdout).strip()[-300:]}")
    return debs[0]


def _strip_privileges(root: Path) -> None:
    """Clears setuid/setgid bits: this tree is never installed, and a
    set-gid binary would run in secure mode and ignore LD_LIBRARY_PATH,
    which is how the harness finds the package's private libraries."""
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath, name)
            if p.is_symlink():
                continue
            mode = p.stat().st_mode
            if mode & (stat.S_ISUID | stat.S_ISGID):
                p.chmod(mode & ~(stat.S_ISUID | stat.S_ISGID))


def unpacked(package: str) -> Path:
    """The root of ``package``'s unpacked tree (``.../root/usr/sbin/...``),
    fetching and unpacking it on first use. Safe against concurrent callers
    (a lock file per package; the tree appears by an atomic rename)."""
    arch = _architecture()
    base = CACHE / package
    root = base / "root"
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / ".complete").is_file():
            return root
        work = Path(tempfile.mkdtemp(prefix="fetch-", dir=base))
        try:
            deb = _from_prefetch(package, arch) or _download(package, arch, work)
            if deb.parent != base:
                for old in base.glob(f"{package}_*.deb"):
                    old.unlink()
                shutil.copy2(deb, base / deb.name)
                deb = base / deb.name
            tree = work / "root"
            r = _run(["dpkg-deb", "-x", str(deb), str(tree)])
            if r.returncode != 0:
                raise PackageUnavailable(f"dpkg-deb -x {deb.name} failed: {r.stderr.strip()}")
            _strip_privileges(tree)
            (tree / ".complete").write_text(deb.name + "\n")
            if root.exists():
                shutil.rmtree(root)
            tree.rename(root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return root


def library_dirs(root: Path) -> list[Path]:
    """The folders of an unpacked tree that hold shared libraries
    (``usr/lib/x86_64-linux-gnu``, ...), for LD_LIBRARY_PATH."""
    return sorted({p.parent for pattern in ("usr/lib/**/lib*.so*", "lib/**/lib*.so*")
                   for p in root.glob(pattern)})


def library_path(*packages: str) -> str:
    """LD_LIBRARY_PATH for library packages the host lacks (``libidn12``
    for Exim, ``libwrap0`` for Sendmail): unpacked like the MTA itself,
    never installed."""
    return ":".join(str(d) for p in packages for d in library_dirs(unpacked(p)))


def missing_libraries(binary: Path, library_path: Path | str) -> list[str]:
    """Shared libraries ``binary`` needs that the host does not have (the
    package's dependencies are not installed by us, only checked)."""
    env = dict(os.environ, LD_LIBRARY_PATH=str(library_path))
    try:
        r = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, env=env, timeout=30)
    except FileNotFoundError:
        return []
    return [line.split()[0] for line in r.stdout.splitlines() if "not found" in line]
