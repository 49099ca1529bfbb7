"""``bouncewatch report``: pflogsumm for bounces.

Totals by status, type and category; the receiving domains with the most
deferrals and bounces; the most frequent reasons (addresses, ids and IPs
masked, so one reply text of a thousand recipients is one line); blocklist
hits; a table per mailbox provider; an hourly or daily timeline. Printed as
aligned tables, or written as one self-contained HTML file
(:mod:`.report_html`).

The input is events: parsed from log files (``report FILE ...``) or read
back from a state directory (``report --state-dir DIR``), which adds the
alerts raised and the size of the suppression list.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

import re2

from bouncewatch.parsers.smtp import after_receiver, parse_reply

from .classify.engine import DELIVERED_STATUSES
from .policy import FAILURES

FAILED = ("deferred", "bounced", "expired")
STATUS_ORDER = ("sent", "deferred", "bounced", "expired", "removed")
TOP = 15

# Masks for reasons: RE2, so linear whatever the log holds.
_ADDR = re2.compile(r"[^\s<>@\[\]()\"',;:]{1,64}@[A-Za-z0-9.-]{1,255}")
_HOSTIP = re2.compile(r"[A-Za-z0-9.-]{1,255}\[[0-9A-Fa-f.:]{2,45}\](?::[0-9]{1,5})?")
_IPV6 = re2.compile(r"\b[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]{1,35}\b")
_IPV4 = re2.compile(r"\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b")
_ENHANCED = re2.compile(r"^[245]\.[0-9]{1,3}\.[0-9]{1,3}$")
_URL = re2.compile(r"(https?://[^/\s]{1,255})/[^\s()<>]{1,1000}")


def normalize_reason(reason: str | None) -> str:
    """``host mx.a[192.0.2.1] said: 550 5.1.1 <bob@a.example>: unknown (in
    reply to RCPT TO command)`` -> ``550 5.1.1 <addr>: unknown (in reply to
    RCPT TO command)``: the same reply from any host for any recipient, also
    when Postfix repeats it for a throttled site ("delivery temporarily
    suspended: host ... said: ..."), and whichever MTA logged it. A reply is
    keyed by its code, its folded text and the command it answered, not by
    the MTA's words around it: Exim's "SMTP error from remote mail server
    after RCPT TO:<bob@a.example>: " would fill most of the column and split
    one reply into two rows on a host that runs Exim and Postfix."""
    if not reason:
        return "(no reason)"
    text = reason[:2000]
    reply = parse_reply(text)
    if reply.code is not None and reply.text:
        dsn = reply.dsn if reply.dsn and reply.dsn not in reply.text[:64] else None
        text = " ".join(filter(None, (str(reply.code), dsn, reply.text)))
        if reply.command == "CONNECT":
            text += " (at the greeting)"
        elif reply.command:
            text += f" (in reply to {reply.command} command)"
    else:
        text = after_receiver(text)
    text = _URL.sub(r"\1/...", text)
    text = _ADDR.sub("addr", text)
    text = _HOSTIP.sub("<host>", text)
    text = _IPV6.sub("<ip>", text)
    text = _IPV4.sub("<ip>", text)
    out = []
    for tok in text.split():
        core = tok.strip("<>()[],;:.\"'")
        if core == "addr":
            out.append(tok if tok.startswith("<") else tok.replace("addr", "<addr>"))
        elif len(core) >= 6 and any(c.isdigit() for c in core) and not _ENHANCED.match(core) \
                and not core.startswith("http"):
            out.append(tok.replace(core, "<id>"))
        else:
            out.append(tok)
    text = " ".join(out)
    return text if len(text) <= 160 else text[:159] + "…"


@dataclass
class Provider:
    counts: Counter = field(default_factory=Counter)   # by status, plus hard/soft/other


@dataclass
class Report:
    """Aggregates events; :meth:`add` is all the input it needs."""

    status: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    domains: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    reasons: Counter = field(default_factory=Counter)
    reason_category: dict[str, str] = field(default_factory=dict)
    blocklists: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    hours: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    first: float | None = None
    last: float | None = None
    events: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)
    suppressed: int | None = None
    suggestions: Counter = field(default_factory=Counter)
    sources: list[str] = field(default_factory=list)

    def add(self, ev: Mapping[str, Any]) -> None:
        """One event (the JSON of ``parse``) or a stored row of the state
        (flat: ``type``, ``category``, ``domain``, ``ts`` ...)."""
        if ev.get("kind") == "alert":
            self.alerts.append(dict(ev))
            return
        cls = ev.get("classification")
        if cls is None:  # a row of the state's events table
            cls = ev
            ts = ev.get("ts")
            domain = ev.get("domain") or ""
        else:
            ts = _ts(ev.get("timestamp"))
            domain = ev.get("recipient_domain") or ""
        status = ev.get("status") or "unknown"
        typ = cls.get("type") or "none"
        category = cls.get("category") or "unknown"
        self.events += 1
        self.status[status] += 1
        if ts is not None:
            self.first = ts if self.first is None else min(self.first, ts)
            self.last = ts if self.last is None else max(self.last, ts)
            self.hours[int(ts // 3600)][status] += 1
        provider = cls.get("provider") or "other"
        self.providers[provider][status] += 1
        if status in DELIVERED_STATUSES:  # nothing refused (a hand-over, a queued copy too): no failure
            return
        self.types[typ] += 1
        self.categories[category] += 1
        if typ in ("hard", "soft", "other"):
            self.providers[provider][typ] += 1
        d = self.domains[domain]
        d[status] += 1
        d[typ] += 1
        if status in FAILURES:
            key = normalize_reason(ev.get("reason"))
            self.reasons[key] += 1
            self.reason_category.setdefault(key, category)
        bl = cls.get("blocklist")
        if bl:
            b = self.blocklists.setdefault(bl, {"hits": 0, "first": ts, "last": ts, "receivers": set()})
            b["hits"] += 1
            if ts is not None:
                b["first"] = ts if b["first"] is None else min(b["first"], ts)
                b["last"] = ts if b["last"] is None else max(b["last"], ts)
            b["receivers"].add(domain)
        if ev.get("suggested_domain"):
            self.suggestions[(domain, ev["suggested_domain"])] += 1

    # -- views ------------------------------------------------------------------------
    def source_line(self, most: int = 5) -> str:
        """What was read, for the head: every source when few, else the
        first few and how many more (a report over a rotated set or a
        test suite's logs names hundreds of files)."""
        if len(self.sources) <= most:
            return ", ".join(self.sources)
        return ", ".join(self.sources[:most - 1]) + f" and {len(self.sources) - most + 1} more"

    def failures(self) -> int:
        """Events of the failure tables (by type, by category): the share's whole."""
        return sum(self.types.values())

    def top_domains(self, status: str, n: int = TOP) -> list[tuple[str, Counter]]:
        rows = [(d, c) for d, c in self.domains.items() if c[status]]
        rows.sort(key=lambda x: (-x[1][status], x[0]))
        return rows[:n]

    def timeline(self) -> tuple[str, list[tuple[int, Counter]]]:
        """Hourly for up to three days of log, else daily; (unit, [(start ts, counts)])."""
        if not self.hours:
            return "hour", []
        lo, hi = min(self.hours), max(self.hours)
        if hi - lo <= 72:
            return "hour", [(h * 3600, self.hours.get(h, Counter())) for h in range(lo, hi + 1)]
        days: dict[int, Counter] = defaultdict(Counter)
        for h, c in self.hours.items():
            days[h // 24].update(c)
        return "day", [(d * 86400, days.get(d, Counter())) for d in range(lo // 24, hi // 24 + 1)]

    def provider_rows(self) -> list[tuple[str, Counter]]:
        """Providers with an event of a status the table shows (one seen
        only in hand-overs would be a row of zeros), the busiest first."""
        rows = [(p, c) for p, c in self.providers.items() if any(c[s] for s in STATUS_ORDER)]
        return sorted(rows, key=lambda x: (-sum(x[1][s] for s in STATUS_ORDER), x[0]))


def _ts(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def fmt_time(ts: float | None, unit: str = "second") -> str:
    if ts is None:
        return "-"
    dt = datetime.fromtimestamp(ts, timezone.utc)
    return {"day": dt.strftime("%Y-%m-%d"), "hour": dt.strftime("%Y-%m-%d %H:00")}.get(
        unit, dt.strftime("%Y-%m-%d %H:%M:%S UTC"))


def pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


# -- terminal ---------------------------------------------------------------------------
def table(headers: list[str], rows: Iterable[Iterable[Any]], numeric: Iterable[int] = ()) -> str:
    """Columns padded to their widest cell; numeric columns right-aligned."""
    rows = [[str(c) for c in r] for r in rows]
    num = set(numeric)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in num else c.ljust(widths[i])
                         for i, c in enumerate(cells)).rstrip()
    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def render_text(r: Report) -> str:
    parts: list[str] = []
    span = f"{fmt_time(r.first)} .. {fmt_time(r.last)}" if r.first is not None else "no timestamps"
    head = f"bouncewatch report: {r.events} delivery events, {span}"
    if r.sources:
        head += "\nsources: " + r.source_line()
    parts.append(head)
    if not r.events and not r.alerts:
        parts.append("No delivery lines in what was read: nothing to report.")
        if r.suppressed is not None:
            parts.append(f"Suppressed addresses: {r.suppressed}")
        return "\n\n".join(parts) + "\n"
    total = sum(r.status.values())
    parts.append(_section("Deliveries by status", table(
        ["status", "events", "share"],
        [(s, r.status[s], pct(r.status[s], total)) for s in sorted(r.status, key=_status_key)], (1, 2))))
    fails = r.failures()
    parts.append(_section("Failures by type", table(
        ["type", "events", "share"], [(t, n, pct(n, fails)) for t, n in r.types.most_common()], (1, 2))))
    parts.append(_section("Failures by category", table(
        ["category", "events", "share"], [(c, n, pct(n, fails)) for c, n in r.categories.most_common()], (1, 2))))
    for status, title in (("deferred", "deferrals"), ("bounced", "bounces")):
        parts.append(_section(f"Top receiving domains by {title}", table(
            ["domain", status, "hard", "soft", "other"],
            [(d or "(none)", c[status], c["hard"], c["soft"], c["other"]) for d, c in r.top_domains(status)],
            (1, 2, 3, 4))))
    parts.append(_section("Top reasons", table(
        ["events", "category", "reason"],
        [(n, r.reason_category.get(k, ""), k) for k, n in r.reasons.most_common(TOP)], (0,))))
    if r.blocklists:
        parts.append(_section("Blocklist hits", table(
            ["blocklist", "hits", "receivers", "first", "last"],
            [(b, v["hits"], len(v["receivers"]), fmt_time(v["first"]), fmt_time(v["last"]))
             for b, v in sorted(r.blocklists.items(), key=lambda x: -x[1]["hits"])], (1, 2))))
    parts.append(_section("By provider", table(
        ["provider", "sent", "deferred", "bounced", "expired", "hard", "soft", "other", "failed"],
        [(p, c["sent"], c["deferred"], c["bounced"], c["expired"], c["hard"], c["soft"], c["other"],
          pct(sum(c[s] for s in FAILED), sum(c[s] for s in STATUS_ORDER))) for p, c in r.provider_rows()],
        range(1, 9))))
    unit, buckets = r.timeline()
    parts.append(_section(f"Timeline ({'hourly' if unit == 'hour' else 'daily'})", table(
        [unit, "sent", "deferred", "bounced", "expired"],
        [(fmt_time(t, unit), c["sent"], c["deferred"], c["bounced"], c["expired"]) for t, c in buckets],
        (1, 2, 3, 4))))
    if r.suggestions:
        parts.append(_section("Likely typos in bad domains", table(
            ["domain", "meant", "bounces"], [(d, s, n) for (d, s), n in r.suggestions.most_common(TOP)], (2,))))
    if r.alerts:
        parts.append(_section("Alerts", table(
            ["time", "alert", "summary"], [(a.get("timestamp") or "-", a.get("alert"), a.get("summary", ""))
                                           for a in r.alerts])))
    if r.suppressed is not None:
        parts.append(f"Suppressed addresses: {r.suppressed}")
    return "\n\n".join(parts) + "\n"


def _section(title: str, body: str) -> str:
    return f"{title}\n{'=' * len(title)}\n{body}"


def _status_key(s: str) -> tuple[int, str]:
    return (STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER), s)


# -- input ------------------------------------------------------------------------------
def add_files(r: Report, paths: Iterable[str], pipeline: Any, errors: list[str]) -> None:
    """Parse log files (``-`` = stdin, .gz by magic) into ``r``; unreadable
    files are named in ``errors`` and skipped."""
    import os
    import sys
    from datetime import datetime as _dt

    from .reader import iter_lines, open_log
    for path in paths:
        try:
            fp = open_log(path)
            ref = None if path == "-" else _dt.fromtimestamp(os.stat(path).st_mtime, timezone.utc).astimezone()
        except OSError as e:
            errors.append(f"cannot read {path}: {e.strerror or e}")
            continue
        pipeline.set_reference_time(ref)
        name = None if path == "-" else os.path.abspath(path)
        try:
            for line in iter_lines(fp, pipeline.counts):
                for ev in pipeline.feed(line.text, name, line.offset):
                    r.add(ev)
        except (OSError, EOFError) as e:
            errors.append(f"error reading {path}: {e}")
        finally:
            if fp is not sys.stdin.buffer:
                fp.close()
        r.sources.append(path)


def add_state(r: Report, store: Any, events: bool) -> None:
    """The store's alerts and suppression count; its events too when no
    files were given (``report --state-dir DIR`` alone)."""
    if events:
        for row in store.events():
            r.add(row)
        r.sources.append(f"state {store.db.url}")
    r.alerts.extend(store.alerts())
    r.suppressed = store.suppressed_count()
