"""Debian's logrotate, unpacked (with libpopt0, which hosts without it lack)
like the MTAs: for the tests that rotate a real log the way Debian's
packaged configs do."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import debs
from .netns import Namespace


class Logrotate:
    def __init__(self, binary: Path, env: dict[str, str]) -> None:
        self.binary, self.env = binary, env

    @property
    def tree(self) -> Path:
        return self.binary.parents[2]

    def defaults(self) -> str:
        """The package's /etc/logrotate.conf without its include lines and
        per-file blocks: the global defaults (``create``, ``rotate 4`` ...)
        every stanza of /etc/logrotate.d gets on Debian."""
        keep = [x for x in (self.tree / "etc/logrotate.conf").read_text().splitlines(keepends=True)
                if not x.lstrip().startswith("include") and not x.startswith(("/", "{", "}", "\t", " "))]
        return "".join(keep)

    def force(self, conf: Path, ns: Namespace | None = None) -> None:
        """``logrotate -f`` of ``conf``, with a state file beside it; inside
        ``ns`` when given (where the MTA's account, named by a ``create``
        line, exists)."""
        argv = [str(self.binary), "-f", "-s", str(conf.parent / "logrotate.state"), str(conf)]
        if ns is not None:
            r = ns.run(argv, env=self.env, check=False, timeout=60)
        else:
            r = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=60)
        if r.returncode != 0:
            raise AssertionError(f"logrotate failed ({r.returncode}): {r.stderr.strip()}")


def logrotate_or_skip() -> Logrotate:
    import pytest

    try:
        tree = debs.unpacked("logrotate")
        env = dict(os.environ, LD_LIBRARY_PATH=debs.library_path("libpopt0"))
    except debs.PackageUnavailable as e:
        pytest.skip(f"cannot fetch Debian's logrotate or libpopt0 package: {e}")
    binary = tree / "usr/sbin/logrotate"
    missing = debs.missing_libraries(binary, env["LD_LIBRARY_PATH"])
    if missing:
        pytest.skip(f"logrotate needs libraries this host lacks: {', '.join(missing)}")
    return Logrotate(binary, env)
