"""JSON Lines to stdout or a file. The file is opened for append, reopened on
SIGHUP (logrotate of our own output), and flushed per batch; ``fsync=batch``
also forces it to disk before the batch counts as delivered."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

import orjson

from . import ConfigError, Event, SinkError


def dumps(event: Event) -> str:
    """Compact JSON, UTF-8 as is. orjson writes the same text as
    ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` five to ten
    times faster; what it refuses (integers beyond 64 bits, lone surrogates)
    goes through the standard library instead."""
    try:
        return orjson.dumps(event).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


class StreamSink:
    def __init__(self, name: str, path: str | None, fsync: str = "none") -> None:
        if fsync not in ("none", "batch"):
            raise ConfigError(f"sink {name!r}: key 'fsync' must be none or batch, not {fsync!r}")
        self.name, self.path, self.fsync = name, path, fsync
        self._fp: TextIO | None = None
        self.reopen()

    def reopen(self) -> None:
        if self.path is None:
            self._fp = sys.stdout
            return
        if self._fp is not None:
            self._fp.close()
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._fp = open(self.path, "a", encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"sink {self.name!r}: cannot open {self.path}: {e.strerror}") from None

    def send(self, events: list[Event]) -> None:
        if not events:
            return
        fp = self._fp
        assert fp is not None
        try:
            fp.write("".join(dumps(e) + "\n" for e in events))
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
    return StreamSink("-", None)


def open_file(uri: str, opts: dict[str, Any]) -> StreamSink:
    path = uri[len("file:"):].split("?", 1)[0]
    if path.startswith("//"):
        path = path[2:]
    if not path:
        raise ConfigError(f"sink {uri!r}: file: needs a path")
    return StreamSink(uri, path, opts.get("fsync", "none"))
