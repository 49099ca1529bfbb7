"""``bouncewatch suppressions list|export|remove|import``: the suppression
list of a state directory (or a ``postgresql://`` store).

* ``list``: every entry with its rule and evidence; JSON Lines (default) or CSV.
* ``export``: for mailing-list software: CSV ``email,reason,since`` (the
  header Mailchimp, Listmonk, Sendy, Mautic accept for a suppression /
  blocklist import); ``--format json`` gives the ``list`` objects.
* ``remove ADDR ...`` (or ``-`` to read addresses from stdin): take
  addresses off the list; their failure counts start again from zero.
* ``import FILE``: add another system's list: CSV with an ``email`` (or
  ``recipient``) column and optional ``reason``/``since``, or JSON Lines with
  ``recipient``/``email``. Entries keep ``source = import`` and are never
  lifted by a later delivery.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, TextIO

from .state import Store, Suppression, normalize_address


class InputError(ValueError):
    """An import file that cannot be read; names the line."""


def write_list(store: Store, fmt: str, out: TextIO) -> int:
    items = store.suppressions()
    if fmt == "json":
        for s in items:
            out.write(json.dumps(s.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["recipient", "domain", "category", "since", "rule", "detail", "events", "source"])
        for s in items:
            d = s.to_dict()
            w.writerow([d["recipient"], d["domain"], d["category"] or "", d["since"] or "", d["rule"],
                        d["detail"], " ".join(d["events"]), d["source"]])
    return len(items)


def write_export(store: Store, fmt: str, out: TextIO) -> int:
    if fmt == "json":
        return write_list(store, fmt, out)
    items = store.suppressions()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["email", "reason", "since"])
    for s in items:
        w.writerow([s.recipient, _reason(s), s.to_dict()["since"] or ""])
    return len(items)


def _reason(s: Suppression) -> str:
    if s.source == "import":
        return s.detail or "imported"
    kind = {"hard": "hard bounce", "soft": "repeated soft bounces"}.get(s.rule, f"repeated {s.rule}")
    return f"{kind}: {s.category}" if s.category else kind


def read_import(fp: TextIO, name: str) -> Iterator[Suppression]:
    """CSV with a header (email/recipient, reason, since) or JSON Lines."""
    head = fp.read(1)
    rest = fp.read()
    text = head + rest
    if head == "{":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{name}:{n}: not JSON: {e.msg}") from None
            addr = obj.get("recipient") or obj.get("email") if isinstance(obj, dict) else None
            if not isinstance(addr, str) or "@" not in addr:
                raise InputError(f"{name}:{n}: no recipient/email address")
            yield _imported(addr, obj.get("reason") or obj.get("detail") or obj.get("category"),
                            obj.get("since"), obj.get("category"), f"{name}:{n}")
        return
    rows = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(rows)]
    except StopIteration:
        return
    col = next((header.index(k) for k in ("email", "recipient", "address", "email address")
                if k in header), None)
    if col is None:
        raise InputError(f"{name}:1: no email column in the header (want email, recipient or address)")
    reason = header.index("reason") if "reason" in header else None
    since = header.index("since") if "since" in header else None
    for n, row in enumerate(rows, 2):
        if not row or not any(c.strip() for c in row):
            continue
        addr = row[col].strip() if col < len(row) else ""
        if "@" not in addr:
            raise InputError(f"{name}:{n}: {addr!r} is not an address")
        yield _imported(addr, row[reason] if reason is not None and reason < len(row) else None,
                        row[since] if since is not None and since < len(row) else None, None, f"{name}:{n}")


def _imported(addr: str, reason: Any, since: Any, category: Any, where: str) -> Suppression:
    ts = None
    if since:
        try:
            dt = datetime.fromisoformat(str(since).strip().replace("Z", "+00:00"))
            ts = (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp()
        except ValueError:
            raise InputError(f"{where}: since {since!r} is not an ISO-8601 date") from None
    rcpt = normalize_address(addr)
    return Suppression(rcpt, rcpt.rsplit("@", 1)[-1], category if isinstance(category, str) else None, ts,
                       "import", str(reason) if reason else "imported", [], "import")


def addresses(args: Iterable[str], stdin: TextIO = sys.stdin) -> list[str]:
    out: list[str] = []
    for a in args:
        if a == "-":
            out.extend(line.strip() for line in stdin if line.strip())
        else:
            out.append(a)
    return out
