"""Recipient and domain history, the suppression list, and alerts.

    store = open_store("/var/lib/bouncewatch")          # or "postgresql://..."
    alerts = store.record(events)    # a batch of events; returns alert events
    store.close()

``record`` takes every classified event (``sent`` too: a delivery resets a
recipient's failure count), in log order, and applies the batch in one
transaction. Events are idempotent by ``event_id``: the ids are stored with
the batch, so re-reading a log (a restart, a rotated copy, a backfill)
changes nothing, and a crash loses a whole batch or nothing; reading the
log again then yields exactly the history of a clean replay.

Per recipient the store keeps counts by status, the last outcome and, per
policy counter (:mod:`.policy`), the *streak*: the failed messages since the
last delivery, one entry per queue id (first and last failure, evidence
ids). The streak is independent of the order in which logs are read: a
delivery removes only failures older than itself and failures older than
the newest delivery are not counted, so a backfill of rotated logs newest
first ends where reading them oldest first ends.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, Iterable, Mapping

from bouncewatch.parsers.address import normalize_address  # noqa: F401  (re-exported: suppressions, cli)

from .alerts import AlertPolicy, Detector, iso, known_episode_keys, outbound_relevant, sender_domain
from .policy import DELIVERED, FAILURES, Policy
from .statedb import (DOMAIN_COLUMNS, EPISODE_COLUMNS, EVENT_COLUMNS, RECIPIENT_COLUMNS, SUPPRESSION_COLUMNS,
                      Backend, StateError, connect)

__all__ = ["Store", "open_store", "StateError", "Suppression"]

STATUS_COUNTERS = ("sent", "deferred", "bounced", "expired")
# How long the store keeps events (and alerts, idle episodes, hourly counts),
# in days of log time before the newest event recorded; 0 keeps them for ever.
# Longer than the mail logs a Debian system keeps (four weekly rotations), so
# a rotated log read again is still known. The recipient and domain counts,
# streaks and suppressions are kept whatever their age: they are the history.
DEFAULT_RETENTION_DAYS = 90.0
PRUNE_EVERY = 3600.0   # seconds of log time between two prunes of one store
# Events deleted by one batch at most: the first prune of a store kept for
# ever (an upgrade) must not hold the write lock, nor grow SQLite's WAL, for
# the whole backlog at once. The next batches go on until it is done.
PRUNE_ROWS = 50_000
FUTURE_SLACK = 86400.0  # an event stamped later than now plus this does not move the window
# The event fields the store and the alert detector read.
STORE_FIELDS = ("kind", "event_id", "timestamp", "host", "mta", "queue_id", "sender", "recipient",
                "recipient_domain", "status", "relay", "smtp_code", "dsn", "smtp_command", "reason", "classification")
assert RECIPIENT_COLUMNS[-1] == "streaks"
_RECIPIENT_ROW = itemgetter(*RECIPIENT_COLUMNS[:-1])  # streaks are JSON-encoded apart


@dataclass(slots=True)
class Suppression:
    recipient: str
    domain: str
    category: str | None
    since: float | None
    rule: str
    detail: str
    events: list[str]
    source: str = "policy"   # policy | import | manual

    def to_dict(self) -> dict[str, Any]:
        return {"recipient": self.recipient, "domain": self.domain, "category": self.category,
                "since": iso(self.since), "rule": self.rule, "detail": self.detail,
                "events": self.events, "source": self.source}

    def row(self) -> tuple:
        return (self.recipient, self.domain, self.category, self.since, self.rule, self.detail,
                json.dumps(self.events), self.source)

    @classmethod
    def from_row(cls, r: tuple) -> "Suppression":
        return cls(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "[]"), r[7])


def event_time(ev: Mapping[str, Any]) -> float:
    ts = ev.get("timestamp")
    if ts:
        try:
            return _epoch(ts)
        except (TypeError, ValueError):
            pass
    return time.time()


@lru_cache(maxsize=1024)
def _epoch(iso: str) -> float:
    """An event's ISO time as seconds: a busy log has many events a second
    (the same string), and parsing it again cost more than the lookup."""
    return datetime.fromisoformat(iso).timestamp()


def _new_recipient(rcpt: str, domain: str) -> dict[str, Any]:
    return {"recipient": rcpt, "domain": domain, "first_seen": None, "last_seen": None, "sent": 0,
            "deferred": 0, "bounced": 0, "expired": 0, "other_status": 0, "last_status": None,
            "last_category": None, "last_delivered": None, "reset_at": None, "streaks": {}}


def _new_domain(name: str) -> dict[str, Any]:
    return {"domain": name, "first_seen": None, "last_seen": None, "sent": 0, "deferred": 0, "bounced": 0,
            "expired": 0, "other_status": 0, "hard": 0, "soft": 0, "other": 0, "last_delivered": None,
            "fail_since": None,
            "fail_count": 0, "fail_alerted": 0, "fail_kinds": {}}


@dataclass
class Batch:
    """The rows one ``record`` call reads and writes (also the detector's
    :class:`alerts.Tables`)."""

    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    suppressed: dict[str, Suppression] = field(default_factory=dict)
    episodes: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    hours: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    loaded_hours: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    known_recipients: set[str] = field(default_factory=set)   # looked up: in the rows above, or absent
    known_domains: set[str] = field(default_factory=set)
    known_episodes: set[str] = field(default_factory=set)
    hour_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    dirty_recipients: set[str] = field(default_factory=set)
    dirty_domains: set[str] = field(default_factory=set)
    dirty_episodes: set[str] = field(default_factory=set)
    new_suppressions: list[Suppression] = field(default_factory=list)
    added: list[Suppression] = field(default_factory=list)       # for the log, lifted or not
    lifted: list[tuple[Suppression, float, str]] = field(default_factory=list)

    def size(self) -> int:
        return len(self.known_recipients) + len(self.known_domains) + len(self.hours)

    def saved(self) -> None:
        """After commit: what is in memory is what is in the database."""
        for k, v in self.hours.items():
            self.loaded_hours[k] = (v[0], v[1])
        self.dirty_recipients.clear()
        self.dirty_domains.clear()
        self.dirty_episodes.clear()
        self.new_suppressions.clear()
        self.added.clear()
        self.lifted.clear()

    def domain(self, name: str) -> dict[str, Any]:
        row = self.domains.get(name)
        if row is None:
            row = self.domains[name] = _new_domain(name)
        self.dirty_domains.add(name)
        return row

    def episode(self, key: str) -> dict[str, Any] | None:
        return self.episodes.get(key)

    def put_episode(self, key: str, row: dict[str, Any]) -> None:
        self.episodes[key] = row
        self.dirty_episodes.add(key)

    def hour(self, sender_domain: str, hour: int) -> list[int]:
        k = (sender_domain, hour)
        v = self.hours.get(k)
        if v is None:
            v = self.hours[k] = [0, 0]
        return v


class Store:
    """History over a :class:`statedb.Backend`.

    With SQLite the rows a batch touched stay in memory for the next batch
    (most recipients and every domain recur), as long as no other
    connection has committed since (``PRAGMA data_version``) and the cache
    holds fewer than ``cache_rows`` keys. PostgreSQL is shared by several
    writers, so every batch reads its rows afresh under the lock."""

    def __init__(self, db: Backend, policy: Policy | None = None, alerts: AlertPolicy | None = None,
                 batch_size: int = 20_000, cache_rows: int = 500_000,
                 retention_days: float | None = None) -> None:
        self.db = db
        self.policy = policy or Policy()
        self.detector = Detector(alerts)
        self.batch_size = batch_size
        self.cache_rows = cache_rows
        self._cache: Batch | None = None
        self._version: int | None = None
        self.applied = 0   # events new to the store since open (the rest were seen before)
        self.too_old = 0   # events older than the retention window, not recorded
        self.retention_days = self._retention(retention_days)
        self._pruned_at: float | None = None  # the window's start at this store's last prune
        self.prune_rows = PRUNE_ROWS
        self.clock = time.time   # what "now" is for a stamp from the future

    # -- retention ----------------------------------------------------------------
    def _retention(self, days: float | None) -> float:
        """The configured window (``[state] retention_days``) is kept in the
        store itself, so ``parse --state-dir`` and ``ingest-mail``, which
        read no configuration, keep the follower's window."""
        db = self.db
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'retention_days'").fetchone()
            stored = float(row[0]) if row else None
            if days is not None and days != stored:
                db.begin()
                db.execute(db.upsert("meta", ("key", "value"), ("key",)), ("retention_days", repr(float(days))))
                db.commit()
                return float(days)
        except BaseException:
            db.rollback()
            raise
        return stored if stored is not None else DEFAULT_RETENTION_DAYS

    def _newest(self) -> float | None:
        """Inside the write transaction: the newest event's time any writer recorded."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'newest'").fetchone()
        return float(row[0]) if row else None

    def _within_window(self, rows: list[tuple]) -> tuple[list[tuple], int]:
        """Inside the write transaction: the rows (_event_row: id, time, ...)
        not older than the window, which moves on to the newest of them, and
        how many were older. The window as it stood before this batch
        decides, so a backfill read oldest first counts all it reads and the
        window follows behind it."""
        window = self.retention_days * 86400.0
        newest = self._newest()
        old = 0
        if newest is not None:
            start = newest - window
            kept = [r for r in rows if r[1] >= start]
            old = len(rows) - len(kept)
            rows = kept
        latest = self.clock() + FUTURE_SLACK  # a stamp from the future does not move it
        top = max((r[1] for r in rows if r[1] <= latest), default=None)
        if top is not None and (newest is None or top > newest):
            self.db.execute(self.db.upsert("meta", ("key", "value"), ("key",)), ("newest", repr(top)))
            newest = top
        if newest is not None and (self._pruned_at is None or newest - window >= self._pruned_at + PRUNE_EVERY):
            self._prune(newest - window)
        return rows, old

    def _prune(self, start: float) -> None:
        """Inside the write transaction: forget what is older than ``start``.
        At most ``prune_rows`` events a call (see PRUNE_ROWS).
        Events only serve to recognise a line read again and to show recent
        history (report --state-dir); a log older than the window read again
        is not recorded at all (see _record), so nothing is counted twice."""
        db = self.db
        cur = db.execute("DELETE FROM events WHERE event_id IN "
                         "(SELECT event_id FROM events WHERE ts < ? ORDER BY ts LIMIT ?)", (start, self.prune_rows))
        db.execute("DELETE FROM alerts WHERE ts < ?", (start,))
        db.execute("DELETE FROM episodes WHERE last < ?", (start,))
        db.execute("DELETE FROM sender_hours WHERE hour < ?", (int(start // 3600),))
        if cur.rowcount < self.prune_rows:  # else more are left: the next batch goes on
            self._pruned_at = start
        self._cache = None  # it may hold rows just deleted

    # -- writing ----------------------------------------------------------------
    def record(self, events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Apply delivery events (any status; alerts and events without a
        recipient are ignored) and return the alert events they raised."""
        evs = [e for e in events if e.get("recipient") and e.get("event_id") and e.get("kind") != "alert"]
        alerts: list[dict[str, Any]] = []
        for i in range(0, len(evs), self.batch_size):
            alerts.extend(self._record(evs[i:i + self.batch_size]))
        return alerts

    def _record(self, evs: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        rows, fresh = [], []
        # What every step reads of an event, worked out once per event id:
        # (time, classification, sender domain, outbound_relevant).
        facts: dict[str, tuple[float, Mapping[str, Any], str | None, bool]] = {}
        for e in evs:
            eid = e["event_id"]
            if eid in facts:
                continue
            ts = event_time(e)
            cls = e.get("classification") or {}
            sd = sender_domain(e)
            facts[eid] = (ts, cls, sd, outbound_relevant(e, cls))
            rows.append(_event_row(e, ts, cls, sd))
        db = self.db
        try:
            db.begin()
            old = 0
            if self.retention_days:
                rows, old = self._within_window(rows)
            new = db.claim(rows) if rows else set()
            if not new:
                db.commit()
                self.too_old += old  # once committed: a batch retried after an error counts once
                return []
            for e in evs:
                eid = e["event_id"]
                if eid in new:
                    fresh.append(e)
                    new.discard(eid)  # a duplicate within the batch counts once
            b = self._batch()
            self._load(fresh, facts, b)
            alerts: list[dict[str, Any]] = []
            apply, feed = self._apply, self.detector.feed_known
            for e in fresh:
                ts, cls, sd, outbound = facts[e["event_id"]]
                apply(e, ts, cls, b)
                raised = feed(e, cls, sd, outbound, ts, b)
                if raised:
                    alerts.extend(raised)
            self._save(b, alerts)
            db.commit()
            self.applied += len(fresh)
            self.too_old += old
            b.saved()
            if b.size() > self.cache_rows:
                self._cache = None
            return alerts
        except BaseException:
            self._cache = None  # rows were changed in place: the database is the truth
            db.rollback()
            raise

    def _batch(self) -> Batch:
        """Inside the write transaction: the cached rows if still valid."""
        version = getattr(self.db, "data_version", None)
        if version is None:
            return Batch()
        v = version()
        if self._cache is None or v != self._version:
            self._cache = Batch()
            self._version = v
        return self._cache

    def _load(self, evs: list[Mapping[str, Any]], facts: dict[str, tuple[float, Mapping[str, Any], str | None, bool]],
              b: Batch) -> None:
        """Read the rows these events touch that ``b`` does not hold yet."""
        db = self.db
        rcpts = sorted({e["recipient"] for e in evs} - b.known_recipients)
        for r in db.select_in(f"SELECT {', '.join(RECIPIENT_COLUMNS)} FROM recipients "
                              "WHERE recipient IN ({in})", rcpts):
            row = dict(zip(RECIPIENT_COLUMNS, r))
            row["streaks"] = json.loads(row["streaks"] or "{}")
            b.recipients[row["recipient"]] = row
        for r in db.select_in(f"SELECT {', '.join(SUPPRESSION_COLUMNS)} FROM suppressions "
                              "WHERE recipient IN ({in})", rcpts):
            b.suppressed[r[0]] = Suppression.from_row(r)
        b.known_recipients.update(rcpts)
        doms = sorted({e.get("recipient_domain") or "" for e in evs} - b.known_domains)
        for r in db.select_in(f"SELECT {', '.join(DOMAIN_COLUMNS)} FROM domains WHERE domain IN ({{in}})", doms):
            row = dict(zip(DOMAIN_COLUMNS, r))
            row["fail_kinds"] = json.loads(row["fail_kinds"] or "{}")
            b.domains[row["domain"]] = row
        b.known_domains.update(doms)
        keys = sorted({k for e in evs for k in known_episode_keys(e, *facts[e["event_id"]][1:])}
                      - b.known_episodes)
        for r in db.select_in(f"SELECT {', '.join(EPISODE_COLUMNS)} FROM episodes WHERE key IN ({{in}})", keys):
            b.episodes[r[0]] = {"opened": r[1], "last": r[2], "alerted": r[3], "data": json.loads(r[4] or "{}")}
        b.known_episodes.update(keys)
        need: dict[str, list[int]] = {}
        for e in evs:
            ts, _, sd, _ = facts[e["event_id"]]
            if sd:
                h = int(ts // 3600)
                lo_hi = need.setdefault(sd, [h - 24, h])
                lo_hi[0], lo_hi[1] = min(lo_hi[0], h - 24), max(lo_hi[1], h)
        for sd, (lo, hi) in sorted(need.items()):
            have = b.hour_ranges.get(sd)
            if have is not None and have[0] <= lo and hi <= have[1]:
                continue
            if have is not None:
                lo, hi = min(lo, have[0]), max(hi, have[1])
            for h, total, hard in db.execute(
                    "SELECT hour, total, hard FROM sender_hours WHERE sender_domain = ? AND hour >= ? "
                    "AND hour <= ?", (sd, lo, hi)).fetchall():
                b.hours[(sd, h)] = [total, hard]
                b.loaded_hours[(sd, h)] = (total, hard)
            b.hour_ranges[sd] = (lo, hi)

    def _apply(self, e: Mapping[str, Any], ts: float, cls: Mapping[str, Any], b: Batch) -> None:
        rcpt = e["recipient"]
        status = e.get("status") or ""
        dom = e.get("recipient_domain") or ""
        r = b.recipients.get(rcpt)
        if r is None:
            r = b.recipients[rcpt] = _new_recipient(rcpt, dom)
        b.dirty_recipients.add(rcpt)
        d = b.domain(dom)
        column = status if status in STATUS_COUNTERS else "other_status"  # removed, ...
        seen = r["first_seen"]
        if seen is None or ts < seen:
            r["first_seen"] = ts
        seen = r["last_seen"]
        if seen is None or ts >= seen:
            r["last_seen"] = ts
            r["last_status"], r["last_category"] = status, cls.get("category")
        r[column] += 1
        seen = d["first_seen"]
        if seen is None or ts < seen:
            d["first_seen"] = ts
        seen = d["last_seen"]
        if seen is None or ts >= seen:
            d["last_seen"] = ts
        d[column] += 1
        if status in DELIVERED:  # most events: a delivery is no failure and feeds no counter
            self._delivered(r, d, ts, b)
            return
        if status in FAILURES:
            failure_type = cls.get("type")
            if failure_type in ("hard", "soft", "other"):
                d[failure_type] += 1
        counter = self.policy.counter(status, cls)
        if counter is None:
            return
        if (r["last_delivered"] is not None and ts < r["last_delivered"]) or (
                r["reset_at"] is not None and ts <= r["reset_at"]):
            return  # older than the newest delivery (or a manual removal): not part of the streak
        # One entry per message: [queue id, first failure, its event id, last
        # failure, its event id, category of the last failure], sorted by first
        # failure, so that the order in which logs are read never shows.
        streak: list[list[Any]] = r["streaks"].setdefault(counter, [])
        qid = e.get("queue_id") or e["event_id"]
        eid = e["event_id"]
        category = cls.get("cause") or cls.get("category")
        for m in streak:
            if m[0] == qid:
                if (ts, eid) < (m[1], m[2]):
                    m[1], m[2] = ts, eid
                if (ts, eid) > (m[3], m[4]):
                    m[3], m[4], m[5] = ts, eid, category
                break
        else:
            streak.append([qid, ts, eid, ts, eid, category])
        streak.sort(key=lambda m: (m[1], m[0]))
        keep = self.policy.keep(counter)
        if len(streak) > keep:  # bounded: keep the oldest (it sets the span) and the newest
            del streak[1:len(streak) - keep + 1]
        cur = b.suppressed.get(rcpt)
        if cur is not None and cur.source != "policy":
            return
        self._decide(r, cur, b)

    def _decide(self, r: dict[str, Any], cur: Suppression | None, b: Batch) -> None:
        """A policy suppression is a function of the streaks: the earliest
        moment any counter met its threshold. Recomputed whenever a streak
        changes, so a late-read older failure moves it earlier and a late-read
        delivery takes it back."""
        new = self._earliest(r)
        rcpt = r["recipient"]
        if new is None:
            if cur is not None:
                del b.suppressed[rcpt]
                b.lifted.append((cur, r["last_delivered"], "delivered"))
                b.new_suppressions = [x for x in b.new_suppressions if x.recipient != rcpt]
            return
        if cur is not None and (cur.since, cur.rule, cur.events) == (new.since, new.rule, new.events):
            return
        b.suppressed[rcpt] = new
        b.new_suppressions.append(new)
        if cur is None:
            b.added.append(new)

    def _earliest(self, r: dict[str, Any]) -> Suppression | None:
        best: Suppression | None = None
        for counter, streak in sorted(r["streaks"].items()):
            th = self.policy.threshold(counter)
            first = streak[0][1]
            moments = sorted({m[1] for m in streak} | {m[3] for m in streak})
            for t in moments:
                if best is not None and t >= best.since:  # type: ignore[operator]
                    break
                upto = [m for m in streak if m[1] <= t]
                if not th.met(len(upto), t - first):
                    continue
                trigger = max(upto, key=lambda m: (min(m[3], t), m[0]))
                evidence = []
                for m in upto:
                    evidence.append(m[2])
                    if m[4] != m[2] and m[3] <= t:
                        evidence.append(m[4])
                days = (t - first) / 86400
                detail = (f"{len(upto)} failed message{'s' if len(upto) != 1 else ''}"
                          + (f" over {days:.1f} days" if len(upto) > 1 else "")
                          + f" (rule: {th.describe()})")
                best = Suppression(r["recipient"], r["domain"], trigger[5], t, counter, detail, evidence, "policy")
                break
        return best

    def _delivered(self, r: dict[str, Any], d: dict[str, Any], ts: float, b: Batch) -> None:
        for row in (r, d):
            if row["last_delivered"] is None or ts > row["last_delivered"]:
                row["last_delivered"] = ts
        streaks = r["streaks"]
        for counter in list(streaks) if streaks else ():
            kept = [m for m in streaks[counter] if m[3] >= ts]
            if kept:
                streaks[counter] = kept
            else:
                del streaks[counter]
        cur = b.suppressed.get(r["recipient"])
        if cur is not None and cur.source == "policy" and self.policy.delivery_lifts:
            self._decide(r, cur, b)

    def _save(self, b: Batch, alerts: list[dict[str, Any]]) -> None:
        db = self.db
        rrows = []
        recipients = b.recipients
        for k in sorted(b.dirty_recipients):
            r = recipients[k]
            streaks = r["streaks"]
            rrows.append(_RECIPIENT_ROW(r) + (json.dumps(streaks, separators=(",", ":")) if streaks else None,))
        db.executemany(db.upsert("recipients", RECIPIENT_COLUMNS, ("recipient",)), rrows)
        drows = []
        for k in sorted(b.dirty_domains):
            d = dict(b.domains[k])
            d["fail_kinds"] = json.dumps(d["fail_kinds"], sort_keys=True) if d["fail_kinds"] else None
            drows.append(tuple(d[c] for c in DOMAIN_COLUMNS))
        db.executemany(db.upsert("domains", DOMAIN_COLUMNS, ("domain",)), drows)
        db.executemany(db.upsert("episodes", EPISODE_COLUMNS, ("key",)), [
            (k, e["opened"], e["last"], e["alerted"], json.dumps(e["data"], sort_keys=True))
            for k in sorted(b.dirty_episodes) if (e := b.episodes[k]) is not None])
        db.executemany(db.upsert("sender_hours", ("sender_domain", "hour", "total", "hard"),
                                 ("sender_domain", "hour")),
                       [(sd, h, v[0], v[1]) for (sd, h), v in sorted(b.hours.items())
                        if v[0] and b.loaded_hours.get((sd, h)) != tuple(v)])
        for s, at, why in b.lifted:
            db.execute("DELETE FROM suppressions WHERE recipient = ?", (s.recipient,))
            db.execute("INSERT INTO suppression_log (recipient, action, at, rule, detail, events) "
                       "VALUES (?, 'lifted', ?, ?, ?, ?)", (s.recipient, at, s.rule, why, json.dumps(s.events)))
        db.executemany(db.upsert("suppressions", SUPPRESSION_COLUMNS, ("recipient",)),
                       [s.row() for s in b.new_suppressions])
        db.executemany("INSERT INTO suppression_log (recipient, action, at, rule, detail, events) "
                       "VALUES (?, 'added', ?, ?, ?, ?)",
                       [(s.recipient, s.since, s.rule, s.detail, json.dumps(s.events)) for s in b.added])
        db.executemany("INSERT INTO alerts (event_id, ts, alert, body) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (event_id) DO NOTHING",
                       [(a["event_id"], event_time(a), a["alert"], json.dumps(a, sort_keys=True)) for a in alerts])

    # -- the suppression list ----------------------------------------------------
    def suppressions(self) -> list[Suppression]:
        cur = self.db.execute(f"SELECT {', '.join(SUPPRESSION_COLUMNS)} FROM suppressions ORDER BY recipient")
        return [Suppression.from_row(r) for r in cur.fetchall()]

    def suppressed_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM suppressions").fetchone()[0])

    def remove(self, recipients: Iterable[str]) -> list[str]:
        """Take addresses off the list and restart their counts; returns those
        that were on it. Failures logged before now no longer count."""
        gone = []
        db = self.db
        self._cache = None
        try:
            db.begin()
            for rcpt in recipients:
                rcpt = normalize_address(rcpt)
                cur = db.execute("SELECT rule, events FROM suppressions WHERE recipient = ?", (rcpt,))
                row = cur.fetchone()
                if row is None:
                    continue
                db.execute("DELETE FROM suppressions WHERE recipient = ?", (rcpt,))
                last = db.execute("SELECT last_seen FROM recipients WHERE recipient = ?", (rcpt,)).fetchone()
                db.execute("UPDATE recipients SET streaks = NULL, reset_at = ? WHERE recipient = ?",
                           (last[0] if last else None, rcpt))
                db.execute("INSERT INTO suppression_log (recipient, action, at, rule, detail, events) "
                           "VALUES (?, 'removed', ?, ?, 'removed by operator', ?)",
                           (rcpt, time.time(), row[0], row[1]))
                gone.append(rcpt)
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return gone

    def add(self, items: Iterable[Suppression]) -> int:
        """Import suppressions (another system's list); existing entries stay."""
        n = 0
        db = self.db
        self._cache = None
        try:
            db.begin()
            for s in items:
                s.recipient = normalize_address(s.recipient)
                cur = db.execute("SELECT 1 FROM suppressions WHERE recipient = ?", (s.recipient,))
                if cur.fetchone() is not None:
                    continue
                db.execute(f"INSERT INTO suppressions ({', '.join(SUPPRESSION_COLUMNS)}) VALUES "
                           f"({', '.join('?' * len(SUPPRESSION_COLUMNS))})", s.row())
                db.execute("INSERT INTO suppression_log (recipient, action, at, rule, detail, events) "
                           "VALUES (?, 'imported', ?, ?, ?, ?)",
                           (s.recipient, time.time(), s.rule, s.detail, json.dumps(s.events)))
                n += 1
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return n

    # -- reading -------------------------------------------------------------------
    def recipient(self, rcpt: str) -> dict[str, Any] | None:
        cur = self.db.execute(f"SELECT {', '.join(RECIPIENT_COLUMNS)} FROM recipients WHERE recipient = ?",
                              (normalize_address(rcpt),))
        r = cur.fetchone()
        if r is None:
            return None
        row = dict(zip(RECIPIENT_COLUMNS, r))
        row["streaks"] = json.loads(row["streaks"] or "{}")
        return row

    def alerts(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT body FROM alerts ORDER BY ts, event_id")
        return [json.loads(r[0]) for r in cur.fetchall()]

    def domain(self, name: str) -> dict[str, Any] | None:
        """A receiving domain's counts and its current failure episode."""
        cur = self.db.execute(f"SELECT {', '.join(DOMAIN_COLUMNS)} FROM domains WHERE domain = ?",
                              (name.lower(),))
        r = cur.fetchone()
        if r is None:
            return None
        row = dict(zip(DOMAIN_COLUMNS, r))
        row["fail_kinds"] = json.loads(row["fail_kinds"] or "{}")
        return row

    def events(self) -> Iterable[dict[str, Any]]:
        """The stored events, oldest first, in the shape :mod:`.report` reads."""
        cur = self.db.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY ts, event_id")
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                return
            for r in rows:
                yield dict(zip(EVENT_COLUMNS, r))

    def close(self) -> None:
        self.db.close()



def _event_row(e: Mapping[str, Any], ts: float, cls: Mapping[str, Any], sd: str | None) -> tuple:
    kind = cls.get("type")
    return (e["event_id"], ts, e.get("host"), e["recipient"], e.get("recipient_domain"), sd,
            e.get("queue_id"), e.get("status"), kind, cls.get("category"), cls.get("cause"),
            cls.get("provider"), cls.get("blocklist"), e.get("smtp_code"), e.get("dsn"),
            None if kind == "none" else e.get("reason"))  # a 250 says nothing worth keeping


def open_store(url_or_dir: str | os.PathLike, policy: Policy | None = None,
               alerts: AlertPolicy | None = None, retention_days: float | None = None) -> Store:
    """A state directory (SQLite ``state.db`` inside) or a ``postgresql://`` URL.
    ``retention_days``: None keeps the window the store has (state.DEFAULT_RETENTION_DAYS
    for a new one); a number sets it, for every later user of the store too."""
    return Store(connect(url_or_dir), policy, alerts, retention_days=retention_days)
