"""Where the history lives: one schema, two backends.

* SQLite (default): ``DIR/state.db`` in the state directory, WAL journal,
  ``synchronous=NORMAL``: a transaction is either in the file or not,
  whatever kills the process; a power loss may take back the last
  transactions but never corrupts the file (WAL checksums every frame).
  Re-reading the log restores them, since events are idempotent. Writers
  serialize on ``BEGIN IMMEDIATE``.
* PostgreSQL (``postgresql://...``, psycopg 3): several MTA hosts share one
  history and one suppression list. Writers serialize their batches on one
  transaction-level advisory lock, so a batch reads and writes a consistent
  picture whichever host wrote last.

Both speak the same SQL (``?`` placeholders are rewritten for psycopg);
only claiming new event ids and locking differ.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable, Sequence

SCHEMA_VERSION = "1"
ADVISORY_LOCK = 0x626F756E6365  # "bounce"

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY, ts DOUBLE PRECISION, host TEXT, recipient TEXT, domain TEXT,
  sender_domain TEXT, queue_id TEXT, status TEXT, type TEXT, category TEXT, cause TEXT,
  provider TEXT, blocklist TEXT, smtp_code BIGINT, dsn TEXT, reason TEXT);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE TABLE IF NOT EXISTS recipients (
  recipient TEXT PRIMARY KEY, domain TEXT, first_seen DOUBLE PRECISION, last_seen DOUBLE PRECISION,
  sent BIGINT, deferred BIGINT, bounced BIGINT, expired BIGINT, other_status BIGINT,
  last_status TEXT, last_category TEXT, last_delivered DOUBLE PRECISION, reset_at DOUBLE PRECISION,
  streaks TEXT);
CREATE TABLE IF NOT EXISTS domains (
  domain TEXT PRIMARY KEY, first_seen DOUBLE PRECISION, last_seen DOUBLE PRECISION,
  sent BIGINT, deferred BIGINT, bounced BIGINT, expired BIGINT, other_status BIGINT,
  hard BIGINT, soft BIGINT, other BIGINT,
  last_delivered DOUBLE PRECISION, fail_since DOUBLE PRECISION, fail_count BIGINT, fail_alerted BIGINT,
  fail_kinds TEXT);
CREATE TABLE IF NOT EXISTS suppressions (
  recipient TEXT PRIMARY KEY, domain TEXT, category TEXT, since DOUBLE PRECISION, rule TEXT,
  detail TEXT, events TEXT, source TEXT);
CREATE TABLE IF NOT EXISTS suppression_log (
  recipient TEXT, action TEXT, at DOUBLE PRECISION, rule TEXT, detail TEXT, events TEXT);
CREATE TABLE IF NOT EXISTS episodes (
  key TEXT PRIMARY KEY, opened DOUBLE PRECISION, last DOUBLE PRECISION, alerted BIGINT, data TEXT);
CREATE TABLE IF NOT EXISTS alerts (event_id TEXT PRIMARY KEY, ts DOUBLE PRECISION, alert TEXT, body TEXT);
CREATE TABLE IF NOT EXISTS sender_hours (
  sender_domain TEXT, hour BIGINT, total BIGINT, hard BIGINT, PRIMARY KEY (sender_domain, hour));
"""

EVENT_COLUMNS = ("event_id", "ts", "host", "recipient", "domain", "sender_domain", "queue_id", "status",
                 "type", "category", "cause", "provider", "blocklist", "smtp_code", "dsn", "reason")
RECIPIENT_COLUMNS = ("recipient", "domain", "first_seen", "last_seen", "sent", "deferred", "bounced",
                     "expired", "other_status", "last_status", "last_category", "last_delivered", "reset_at", "streaks")
DOMAIN_COLUMNS = ("domain", "first_seen", "last_seen", "sent", "deferred", "bounced", "expired", "other_status",
                  "hard", "soft", "other", "last_delivered", "fail_since", "fail_count", "fail_alerted", "fail_kinds")
SUPPRESSION_COLUMNS = ("recipient", "domain", "category", "since", "rule", "detail", "events", "source")
EPISODE_COLUMNS = ("key", "opened", "last", "alerted", "data")
CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit

# Python's sqlite3 (3.11) binds int, float and str directly but sends every
# other parameter, None included, through its adapter protocol: a failed
# __adapt__ and __conform__ lookup, two AttributeErrors formatted and dropped,
# per NULL. A store row holds several NULLs (a delivery has no cause, code or
# reason), so that was about a tenth of the writer's CPU. A registered
# adapter is found first; None adapts to itself (bound as NULL, as before).
sqlite3.register_adapter(type(None), {}.get)


class StateError(Exception):
    """The store cannot be opened or written; the message names it."""


def upsert_sql(table: str, cols: Sequence[str], keys: Sequence[str], replace: bool = False) -> str:
    """Write whole rows. ``replace``: SQLite's INSERT OR REPLACE, cheaper than
    ON CONFLICT DO UPDATE when every column is written anyway."""
    if replace:
        return f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    rest = [c for c in cols if c not in keys]
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in rest))


class Backend:
    """A DB-API connection plus the few things the dialects disagree on."""

    url: str
    conn: Any

    def q(self, sql: str) -> str:
        return sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cur = self.conn.cursor()
        cur.execute(self.q(sql), params)
        return cur

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            self.conn.cursor().executemany(self.q(sql), rows)

    def select_in(self, sql: str, values: Sequence[Any], extra: Sequence[Any] = ()) -> list[tuple]:
        """``sql`` holds one ``{in}`` for a list of values, run in chunks."""
        out: list[tuple] = []
        for i in range(0, len(values), CHUNK):
            part = values[i:i + CHUNK]
            cur = self.execute(sql.format(**{"in": ", ".join("?" * len(part))}), [*part, *extra])
            out.extend(cur.fetchall())
        return out

    replace = False  # may rows be written with INSERT OR REPLACE

    def upsert(self, table: str, cols: Sequence[str], keys: Sequence[str]) -> str:
        return upsert_sql(table, cols, keys, self.replace)

    def begin(self) -> None: ...
    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        try:
            self.conn.rollback()
        except Exception:
            pass

    def claim(self, rows: list[tuple]) -> set[str]:
        """Insert event rows not seen before; return the ids that were new."""
        raise NotImplementedError

    def close(self) -> None:
        self.conn.close()

    def init_schema(self) -> None:
        self.begin()
        self._create()

    def _create(self) -> None:
        for stmt in TABLES.split(";"):
            if stmt.strip():
                self.execute(stmt)
        cur = self.execute("SELECT value FROM meta WHERE key = 'schema'")
        row = cur.fetchone()
        if row is None:
            self.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            self.rollback()
            raise StateError(f"{self.url}: state schema {row[0]}, this bouncewatch reads {SCHEMA_VERSION}")
        self.commit()


class SQLiteBackend(Backend):
    replace = True

    def __init__(self, directory: str | os.PathLike) -> None:
        d = Path(directory)
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StateError(f"state dir {d}: {e.strerror or e}") from None
        self.path = d / "state.db"
        self.url = str(self.path)
        self._wal_thread: threading.Thread | None = None
        self.wal_checkpoints = 0   # done in the background (see checkpoint_in_background)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0,
                                        check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=OFF")
            self.conn.execute("PRAGMA cache_size=-65536")
        except sqlite3.Error as e:
            raise StateError(f"{self.path}: {e}") from None
        self.init_schema()

    def checkpoint_in_background(self, interval: float = 1.0) -> None:
        """Move WAL checkpoints off this connection's thread.

        Why: SQLite checkpoints the WAL inside the commit that crosses 1000
        pages, and a checkpoint fsyncs the WAL and the database; on a disk
        busy with writeback that is hundreds of milliseconds in which the
        follower delivers no event. A second connection checkpoints
        (PASSIVE: never waits for, nor blocks, our writes) at most every
        ``interval`` seconds in a thread of its own, and only after a
        commit: an idle follower's thread sleeps (no wake-up a second on a
        quiet server). sqlite releases the GIL while it works."""
        if self._wal_thread is not None:
            return
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self._wal_stop = threading.Event()
        self._wal_dirty = threading.Event()   # set by commit(): the WAL has grown
        self._wal_thread = threading.Thread(target=self._checkpointer, args=(interval,),
                                            name="state-wal", daemon=True)
        self._wal_thread.start()

    def _checkpointer(self, interval: float) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=0.0, check_same_thread=False)
        try:
            while True:
                self._wal_dirty.wait()
                if self._wal_stop.is_set():
                    break
                self._wal_dirty.clear()   # before: a commit during the checkpoint asks for the next one
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.wal_checkpoints += 1
                except sqlite3.Error:
                    self._wal_dirty.set()   # busy or failing now: the WAL waits for the next round
                if self._wal_stop.wait(interval):
                    break
        finally:
            conn.close()

    def close(self) -> None:
        if self._wal_thread is not None:
            self._wal_stop.set()
            self._wal_dirty.set()
            self._wal_thread.join()
            self._wal_thread = None
        self.conn.close()   # the last connection checkpoints what is left

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        if self._wal_thread is not None:
            self._wal_dirty.set()

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def data_version(self) -> int:
        """Changes when another connection commits: our cache is then stale."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def claim(self, rows: list[tuple]) -> set[str]:
        insert = (f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
                  f"({', '.join('?' * len(EVENT_COLUMNS))})")
        # Optimistic: in a backfill every id is new, and one executemany is
        # all it takes. A duplicate rolls back to the savepoint and we sort.
        self.conn.execute("SAVEPOINT claim")
        try:
            self.executemany(insert, rows)
            self.conn.execute("RELEASE claim")
            return {r[0] for r in rows}
        except sqlite3.IntegrityError:
            self.conn.execute("ROLLBACK TO claim")
            self.conn.execute("RELEASE claim")
        ids = [r[0] for r in rows]
        seen = {r[0] for r in self.select_in("SELECT event_id FROM events WHERE event_id IN ({in})", ids)}
        new = [r for r in rows if r[0] not in seen]
        self.executemany(insert, new)
        return {r[0] for r in new}


class PostgresBackend(Backend):
    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StateError("a postgresql:// state needs psycopg: pip install 'bouncewatch[postgres]'") from None
        self.url = _redact(url)
        try:
            self.conn = psycopg.connect(url, autocommit=False)
        except psycopg.Error as e:
            raise StateError(f"{self.url}: {str(e).strip()}") from None
        self.init_schema()

    def q(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def begin(self) -> None:
        # psycopg opens the transaction on the first statement; the lock makes
        # this batch the only writer until commit (several MTA hosts, one store).
        self.execute("SELECT pg_advisory_xact_lock(?)", (ADVISORY_LOCK,))

    def claim(self, rows: list[tuple]) -> set[str]:
        if not rows:
            return set()
        cols = ", ".join(EVENT_COLUMNS)
        new: set[str] = set()
        cur = self.conn.cursor()
        for i in range(0, len(rows), CHUNK):
            part = rows[i:i + CHUNK]
            values = ", ".join(["(" + ", ".join(["%s"] * len(EVENT_COLUMNS)) + ")"] * len(part))
            cur.execute(f"INSERT INTO events ({cols}) VALUES {values} ON CONFLICT (event_id) DO NOTHING "
                        f"RETURNING event_id", [v for r in part for v in r])
            new.update(r[0] for r in cur.fetchall())
        return new


def _redact(url: str) -> str:
    """A URL for messages: never print a password."""
    from urllib.parse import urlsplit, urlunsplit
    try:
        u = urlsplit(url)
    except ValueError:
        return "postgresql://..."
    if u.password:
        netloc = f"{u.username}:***@{u.hostname}" + (f":{u.port}" if u.port else "")
        return urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment))
    return url


def connect(url_or_dir: str | os.PathLike) -> Backend:
    s = str(url_or_dir)
    if s.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(s)
    if s.startswith("sqlite:"):
        s = s[len("sqlite:"):].removeprefix("//")
    return SQLiteBackend(s)
