"""A cache of validated rule sets, so a short-lived process skips parsing.

``ingest-mail`` is forked once per returned message; parsing every rule's
``when`` with pyparsing (and importing it) cost more than the rest of its
work. Classifier.load() stores what a rule set that loaded without error
turned into: every rule's name, origin, category and expression tree
(expr_parse.Tree), with the taxonomy. The next process with the same rule
files builds its closures from that (expr.build) and never imports
pyparsing or tomllib.

The key is a hash of everything the stored data is derived from: every rule
file's name and text, the taxonomy, the bouncewatch version and the source of
the modules that parse and validate rules (an edited grammar in a
development checkout must not meet old trees). Only a rule set that
validated is ever written, so a hit cannot hide a rule error: an edited
file changes the key, and the next load parses and validates it again.

Where: the state directory when the command has one (``ingest-mail``),
else ``$XDG_CACHE_HOME/bouncewatch``, else ``/var/cache/bouncewatch`` for
root and ``~/.cache/bouncewatch`` for others. A cache that cannot be read,
does not parse, or belongs to other rules is ignored; one that cannot be
written is skipped silently: the cache may only ever save time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Sequence

from bouncewatch import __version__

FORMAT = 1
# the modules whose code decides what is stored and what validates (see the
# module docstring): the grammar, the builder's checks, the rule loader
_SOURCES = ("expr_parse.py", "expr.py", "engine.py", "rulecache.py")


def default_dir() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "bouncewatch"
    if os.geteuid() == 0:
        return Path("/var/cache/bouncewatch")
    return Path.home() / ".cache" / "bouncewatch"


def cache_key(files: Sequence[tuple[str, str]], taxonomy_text: str) -> str | None:
    """-> the hex key, or None when the code's own source cannot be read
    (then nothing is cached: a stale hit would be worse than a slow start)."""
    h = hashlib.sha256(f"bouncewatch {__version__} rule cache {FORMAT}\0".encode())
    here = Path(__file__).parent
    try:
        for name in _SOURCES:
            h.update((here / name).read_bytes())
    except OSError:
        return None
    h.update(b"\0taxonomy\0" + taxonomy_text.encode("utf-8", "surrogatepass"))
    for origin, text in files:
        for part in (origin, text):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
    return h.hexdigest()


def cache_path(cache_dir: Path, files: Sequence[tuple[str, str]]) -> Path:
    """One file per list of rule files (not per content): editing a rule
    file replaces its cache instead of adding one."""
    names = "\0".join(origin for origin, _ in files)
    return cache_dir / f"rules-{hashlib.sha256(names.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}.json"


def load(path: Path, key: str) -> dict[str, Any] | None:
    """The stored data for ``key``, or None (missing, unreadable, corrupt,
    or another key's)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("data"), dict):
        return None
    return data["data"]


def store(path: Path, key: str, data: dict[str, Any]) -> None:
    """Write atomically (a temporary file renamed over the old one), or not at all."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "x", encoding="utf-8") as fp:
            json.dump({"key": key, "data": data}, fp, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except (OSError, ValueError, TypeError):
        try:
            tmp.unlink()
        except OSError:
            pass
