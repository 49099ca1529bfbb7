"""Sinks: where events go. One module per sink behind one small interface.

A sink takes a batch and returns only when the batch is delivered or durably
spooled; the follower checkpoints a read offset only after every sink has
returned for the events before it (at-least-once). A sink that can do
neither raises SinkError; the caller keeps the batch and retries.

    sink = open_sink("file:/var/log/bouncewatch/events.jsonl")
    sink.send([event, ...])
    sink.reopen()   # SIGHUP: logrotate moved our output
    sink.close()

URIs: ``-`` (stdout), ``file:PATH``; third-party sinks register a factory
under the entry-point group ``bouncewatch.sinks`` keyed by URI scheme.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol
from urllib.parse import parse_qs, urlsplit

Event = dict[str, Any]


class SinkError(Exception):
    """The batch was neither delivered nor spooled; retry it later."""


class ConfigError(ValueError):
    """A sink URI or option that cannot work; names the sink and the key."""


class Sink(Protocol):
    name: str

    def send(self, events: list[Event]) -> None: ...
    def reopen(self) -> None: ...
    def close(self) -> None: ...


Factory = Callable[[str, dict[str, str]], Sink]


def _builtin_factories() -> dict[str, Factory]:
    from .file import open_file, open_stdout
    return {"-": open_stdout, "file": open_file}


def open_sink(uri: str) -> Sink:
    """``-``, ``file:PATH[?format=json]`` or a registered scheme."""
    factories = _builtin_factories()
    if uri == "-" or uri.startswith("-?"):
        return factories["-"](uri, _query(uri))
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    if scheme in factories:
        return factories[scheme](uri, _query(uri))
    from importlib.metadata import entry_points
    for ep in entry_points(group="bouncewatch.sinks"):
        if ep.name == scheme:
            return ep.load()(uri, _query(uri))
    raise ConfigError(f"sink {uri!r}: unknown scheme {scheme or uri!r} (known: -, file:, "
                      "and entry points in group bouncewatch.sinks)")


def _query(uri: str) -> dict[str, str]:
    q = urlsplit(uri).query if "?" in uri else ""
    return {k: v[-1] for k, v in parse_qs(q).items()}
