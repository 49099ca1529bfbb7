"""The returned-mail spool: store a message durably, with the options it came
with, and tell whether a running agent will process it.

Like Postfix's postdrop/pickup: ``ingest-mail`` only has to put the message
safely on disk; when ``bouncewatch follow``/``run`` holds the consumer lock
(:data:`CONSUMER_LOCK`, an flock held for the agent's lifetime), the agent
classifies it with the rules it already has loaded, and the process the MTA
forked per message exits without loading the classifier or the mail parser.
So this module imports nothing heavy (no ``email``, no rules, no RE2, not even
``dataclasses`` or ``hashlib``: the digest is taken by who parses): it is all
that process loads besides the command line.

Layout under ``<state>/spool/``: ``tmp/`` (being written), ``new/`` (stored,
not yet processed), ``opts/`` (the per-message :class:`Options` as JSON, one
file per message of ``new/``, same name plus ``.json``; only when they differ
from the defaults), ``failed/`` and ``unrecognized/`` (kept for a human).

The options reach ``opts/`` (fsynced, directory fsynced) before the message
reaches ``new/``: whoever sees a message in ``new/`` also sees its options,
after any crash. A message without options file is processed with the
defaults (as are files an older version left behind).
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Any, BinaryIO, Callable, NamedTuple

from .durable import fsync_dir

EX_TEMPFAIL = 75
CHUNK = 64 * 1024
CONSUMER_LOCK = "consumer.lock"


class SpoolError(OSError):
    """The message could not be stored; the MTA must keep it (exit 75)."""


class Options(NamedTuple):
    """How to read one message: they come from the MTA's pipe command line
    or environment and travel with the message through the spool.
    (A NamedTuple: ``dataclasses`` alone would cost the spool-only process
    a tenth of its CPU.)"""

    envelope_to: str | None = None
    verp_delimiters: str = "+="
    tracking_headers: tuple[str, ...] = ()

    def to_json(self) -> bytes:
        import json
        return json.dumps({"envelope_to": self.envelope_to, "verp_delimiters": self.verp_delimiters,
                           "tracking_headers": list(self.tracking_headers)}).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Options":
        import json
        d = json.loads(data)
        delims = d.get("verp_delimiters", "+=")
        if not isinstance(delims, str) or len(delims) != 2:
            raise ValueError(f"verp_delimiters: {delims!r}")
        env_to = d.get("envelope_to")
        return cls(envelope_to=env_to if isinstance(env_to, str) else None, verp_delimiters=delims,
                   tracking_headers=tuple(str(h) for h in d.get("tracking_headers") or ()))


def spool_dirs(state_dir: Path) -> dict[str, Path]:
    base = state_dir / "spool"
    return {name: base / name for name in ("tmp", "new", "opts", "failed", "unrecognized")}


def options_path(message: Path) -> Path:
    """Where the options of a message in ``new/`` are kept."""
    return message.parent.parent / "opts" / (message.name + ".json")


def load_options(message: Path) -> Options:
    """The options stored with a spooled message; the defaults when it has none.
    An unreadable or broken file raises (the message is then parked in
    ``failed/``, never processed with the wrong options)."""
    try:
        data = options_path(message).read_bytes()
    except FileNotFoundError:
        return Options()
    return Options.from_json(data)


def drop_options(message: Path, parked: Path | None = None) -> None:
    """After processing: remove the options, or keep them beside a parked
    message (``failed/NAME.opts.json``) for whoever replays it."""
    src = options_path(message)
    try:
        if parked is None:
            os.unlink(src)
        else:
            os.rename(src, parked.parent / (parked.name + ".opts.json"))
    except FileNotFoundError:
        pass


def sweep_options(state_dir: Path, max_age: float = 3600.0, limit: int = 100) -> int:
    """Remove options files whose message is gone: a crash between storing
    the options and the message (the MTA kept and resends it), or between
    removing a processed message and its options. Only old ones: a fresh
    file may belong to a message being stored right now. -> how many."""
    dirs = spool_dirs(state_dir)
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(dirs["opts"]))
    except OSError:
        return 0
    for e in entries[:limit]:
        try:
            if (now - e.stat().st_mtime > max_age and e.name.endswith(".json")
                    and not (dirs["new"] / e.name[:-5]).exists()):
                os.unlink(e.path)
                removed += 1
        except OSError:
            continue
    return removed


def _write_durably(path: Path, write: Callable[[BinaryIO], Any]) -> Any:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as out:
        result = write(out)
        out.flush()
        os.fsync(out.fileno())
    return result


def _copy(fp: BinaryIO, out: BinaryIO) -> int:
    size = 0
    while chunk := fp.read(CHUNK):  # bounded memory, whatever the message's size
        out.write(chunk)
        size += len(chunk)
    return size


def spool(fp: BinaryIO, state_dir: Path, opts: Options | None = None) -> Path:
    """Copy the message into spool/new atomically and durably (its options
    first, when not the defaults), or raise SpoolError. -> its path."""
    dirs = spool_dirs(state_dir)
    name = f"{time.time():.6f}.{os.getpid()}.{os.urandom(4).hex()}.eml"
    tmp, final = dirs["tmp"] / name, dirs["new"] / name
    tmp_opts = dirs["tmp"] / (name + ".json")
    written: list[Path] = []
    try:
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True, mode=0o750)
        if opts is not None and opts != Options():
            written.append(tmp_opts)
            _write_durably(tmp_opts, lambda out: out.write(opts.to_json()))
            os.rename(tmp_opts, options_path(final))
            written[-1] = options_path(final)
            fsync_dir(dirs["opts"])
        # 0640: returned mail holds other people's addresses and text
        written.append(tmp)
        _write_durably(tmp, lambda out: _copy(fp, out))
        os.rename(tmp, final)
        fsync_dir(dirs["new"])
    except OSError as e:
        for p in written:  # a half-stored copy: the MTA still has the message
            try:
                p.unlink()
            except OSError:
                pass
        raise SpoolError(f"cannot spool the message in {state_dir}: {e.strerror or e}") from e
    return final


def lock_file(path: Path, create: bool = False) -> int | None:
    """An exclusive non-blocking flock on a file (created if ``create``): its
    fd, or None if another process holds it (or the file is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644) if create else os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def consumer_running(state_dir: Path) -> bool:
    """Does a running agent hold the spool's consumer lock (and so will
    process what we spooled)?"""
    path = state_dir / "spool" / CONSUMER_LOCK
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases our probe's lock


def take_consumer_lock(state_dir: Path) -> int | None:
    """For the agent: the consumer lock's fd (hold it while running, close it
    to release), or None when another agent holds it or the spool does not
    exist yet. The spool directory is not created here: ``ingest-mail``
    creates it as the MTA's pipe user, who must be able to write it."""
    base = state_dir / "spool"
    if not base.is_dir():
        return None
    return lock_file(base / CONSUMER_LOCK, create=True)


def envelope_to_from_env(environ: dict[str, str] | None = None) -> str | None:
    """Exim's pipe transport exports LOCAL_PART, its affixes and DOMAIN;
    other MTAs pass the address with --envelope-to."""
    env = os.environ if environ is None else environ
    if env.get("ORIGINAL_RECIPIENT"):
        return env["ORIGINAL_RECIPIENT"]
    lp, dom = env.get("LOCAL_PART"), env.get("DOMAIN")
    if lp and dom:
        return f"{env.get('LOCAL_PART_PREFIX', '')}{lp}{env.get('LOCAL_PART_SUFFIX', '')}@{dom}"
    return env.get("RECIPIENT") or None
