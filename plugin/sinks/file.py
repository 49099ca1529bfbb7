"""Records to stdout or a file, one per line (JSON Lines for the JSON
formats; CEF/LEEF lines otherwise). The file is opened for append, reopened
on SIGHUP (logrotate of our own output), and flushed per batch.

Keys: ``format`` (json, ecs, ocsf, cef, leef; default json), ``fsync``
(``none``: the page cache holds it, fine for a file a shipper tails;
``batch``: forced to disk before the batch counts as delivered, so the
follower's checkpoint never runs ahead of the file after a power cut).
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from ..formats import Format, dumps, get_format  # noqa: F401  (dumps: the one JSON encoding)
from . import ConfigError, Event, Options, SinkError, writable_path

__all__ = ["StreamSink", "dumps", "open_file", "open_stdout"]


class StreamSink:
    leaves_host = False

    def __init__(self, name: str, path: str | None, fsync: str = "none",
                 fmt: Format | None = None, check: bool = False) -> None:
        if fsync not in ("none", "batch"):
            raise ConfigError(f"sink {name!r}: key 'fsync' must be none or batch, not {fsync!r}")
        self.name, self.path, self.fsync = name, path, fsync
        self.format = fmt or get_format("json")
        self._fp: TextIO | None = None
        if check:
            why = writable_path(path) if path is not None else None
            if why:
                raise ConfigError(f"sink {name!r}: cannot open {path}: {why}")
            return
        self.reopen()

    def reopen(self) -> None:
        if self.path is None:
            self._fp = sys.stdout
            return
        if self._fp is not None:
            self._fp.close()
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._fp = open(self.path, "a", encoding="utf-8", errors="surrogateescape")
        except OSError as e:
            raise ConfigError(f"sink {self.name!r}: cannot open {self.path}: {e.strerror}") from None

    def send(self, events: list[Event]) -> None:
        if not events:
            return
        fp = self._fp
        assert fp is not None
        render = self.format.render
        try:
            fp.write("".join(render(e) + "\n" for e in events))
            fp.flush()
            if self.fsync == "batch" and self.path is not None:
                os.fsync(fp.fileno())
        except BrokenPipeError:
            raise
        except OSError as e:
            raise SinkError(f"sink {self.name!r}: {e}") from e

    def close(self) -> None:
        if self._fp is not None and self.path is not None:
            self._fp.close()
        self._fp = None


def open_stdout(uri: str, opts: dict[str, Any]) -> StreamSink:
    o = Options("-", opts)
    fmt = get_format(o.get("format"))
    o.done()
    return StreamSink("-", None, fmt=fmt, check=o.checking)


def open_file(uri: str, opts: dict[str, Any]) -> StreamSink:
    path = uri[len("file:"):].split("?", 1)[0]
    if path.startswith("//"):
        path = path[2:]
    if not path:
        raise ConfigError(f"sink {uri!r}: file: needs a path")
    o = Options(uri, opts)
    fsync = o.choice("fsync", ("none", "batch"), "none")
    fmt = get_format(o.get("format"))
    o.done()
    return StreamSink(uri, path, fsync, fmt, check=o.checking)
