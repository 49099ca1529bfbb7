"""What "safely on disk" means, once: a rename is durable only after the
directory that holds it is fsynced (checkpoints, the sink spool, the
returned-mail spool all rely on it)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
