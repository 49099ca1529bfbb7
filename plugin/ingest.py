"""``bouncewatch ingest-mail``: one returned message from an MTA pipe -> events.

The MTA hands us a message and waits for our exit status. Two promises:

* **Nothing is lost.** The message is first streamed into
  ``<state>/spool/tmp/``, fsynced, renamed into ``spool/new/`` and the
  directory fsynced; only then do we exit 0. If that cannot be done we exit
  75 (EX_TEMPFAIL) and the MTA keeps the message and retries. Processing
  comes after: events go to ``<state>/mail-events.jsonl`` (fsynced) and to
  the recipient history; then the spool file is removed. A crash in between
  leaves the file in ``spool/new/``, and the next run picks it up (a lock
  per file keeps concurrent runs apart). A message that cannot be processed
  or is not recognized is kept in ``spool/failed/`` or
  ``spool/unrecognized/`` for a human (replay: ``bouncewatch ingest-mail FILE``).
* **Never bounce a bounce.** Once spooled, every outcome exits 0: a
  non-zero status would make the MTA return the report to its (null)
  sender, or retry it forever.

Spooling itself (and the options that travel with a message) is
plugin/mailspool.py, which imports nothing heavy: while ``bouncewatch
follow``/``run`` holds the spool's consumer lock, ``ingest-mail`` only spools
and the agent processes the message here (:func:`process_leftovers`).

Memory is bounded: the message is copied in 64 KiB chunks and only its head
(:data:`bouncewatch.parsers.mailmsg.HEAD_LIMIT`) is parsed.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from bouncewatch import SCHEMA
from bouncewatch.parsers.mailmsg import HEAD_LIMIT
from bouncewatch.parsers.records import Delivery, Envelope, Relay
from bouncewatch.parsers.returned import ReturnedMail, analyze

from .classify.engine import Classifier
from .event import event_id, rule_context
from .mailspool import (CHUNK, EX_TEMPFAIL, Options, SpoolError, drop_options, load_options, lock_file, spool,
                        spool_dirs, sweep_options)

EVENTS_FILE = "mail-events.jsonl"
LEFTOVER_AGE = 60.0      # seconds before another run's spool file counts as abandoned
LEFTOVERS_PER_RUN = 20   # bounded work per delivery


def read_head(fp: BinaryIO) -> tuple[bytes, str, int, bool]:
    """Stream ``fp``: -> (head, sha256, size, truncated). Only the first
    HEAD_LIMIT bytes stay in memory."""
    h = hashlib.sha256()
    head = bytearray()
    size = 0
    while chunk := fp.read(CHUNK):
        h.update(chunk)
        size += len(chunk)
        if len(head) < HEAD_LIMIT:
            head += chunk[: HEAD_LIMIT - len(head)]
    return bytes(head), h.hexdigest(), size, size > HEAD_LIMIT


# -- events ---------------------------------------------------------------------------
def build_events(rm: ReturnedMail, classifier: Classifier, *, digest: str, received: datetime
                 ) -> list[dict[str, Any]]:
    """One event per finding, in DESIGN.md's schema, classified by the same
    rules as a log line (:func:`rule_context`)."""
    host = rm.reporting_mta or ((rm.bounce_from or "").rpartition("@")[2] or None)
    stamp = rm.date or received
    events = []
    for i, f in enumerate(rm.findings):
        d = Delivery(mta=rm.family or "unknown", queue_id=rm.queue_id or "", recipient=f.recipient,
                     status=f.status, reason=f.reason, orig_recipient=f.orig_recipient,
                     relay=Relay(f.remote_mta) if f.remote_mta else None, dsn=f.dsn, reply=f.reply,
                     sender=rm.sender, message_id=rm.message_id)
        env = Envelope(stamp, host, "ingest-mail", None, "")
        cls, _ = classifier.classify(rule_context(env, d))
        reply = f.reply
        rcpt = f.recipient
        source: dict[str, Any] = {
            "kind": "mail", "report": rm.kind, "family": rm.family, "sha256": digest,
            "bounce_message_id": rm.bounce_message_id, "bounce_from": rm.bounce_from,
            "envelope_to": rm.envelope_to, "verp_recipient": rm.verp_recipient,
        }
        if f.final_recipient and f.final_recipient.lower() != rcpt.lower():
            source["final_recipient"] = f.final_recipient
        if f.evidence:
            source["evidence"] = f.evidence
        if f.feedback_type:
            source["feedback_type"] = f.feedback_type
        if rm.tracking:
            source["tracking"] = dict(rm.tracking)
        if rm.defects:
            source["defects"] = list(dict.fromkeys(rm.defects))[:20]
        if rm.truncated:
            source["truncated"] = True
        events.append({
            "schema": SCHEMA,
            "event_id": event_id(f"mail:{digest}:{i}:{f.kind}", rcpt),
            "timestamp": stamp.isoformat(),
            "host": host,
            "mta": rm.family,
            "program": "ingest-mail",
            "pid": None,
            "queue_id": rm.queue_id,
            "message_id": rm.message_id,
            "sender": rm.sender,
            "size": None,
            "recipient": rcpt,
            "orig_recipient": f.orig_recipient,
            "recipient_domain": rcpt.rpartition("@")[2] if "@" in rcpt else "",
            "status": f.status,
            "relay": {"host": f.remote_mta, "ip": None, "port": None} if f.remote_mta else None,
            "delay": None,
            "attempt": None,
            "smtp_code": reply.code if reply else None,
            "dsn": f.dsn or (reply.dsn if reply else None),
            "reply_dsn": reply.dsn if reply else None,
            "smtp_command": reply.command if reply else None,
            "reason": f.reason,
            "classification": cls.to_dict(),
            "source": source,
        })
    return events


def analyze_bytes(head: bytes, truncated: bool, opts: Options) -> ReturnedMail:
    return analyze(head, envelope_to=opts.envelope_to, verp_delimiters=opts.verp_delimiters,
                   tracking_headers=opts.tracking_headers, truncated=truncated)


# -- the hand-off ---------------------------------------------------------------------
def record_state(state_dir: Path, events: list[dict[str, Any]]) -> None:
    """THE hand-off to the recipient history (plugin/state.py,
    ``open_store(dir).record(events)``): the one call to wire or change."""
    try:
        from .state import open_store  # type: ignore[attr-defined]
    except ImportError:  # the history is not part of this build
        return
    store = open_store(state_dir)
    try:
        store.record(events)
    finally:
        close = getattr(store, "close", None)
        if close:
            close()


def deliver(state_dir: Path, events: list[dict[str, Any]]) -> None:
    """Events to <state>/mail-events.jsonl (fsynced), then to the history."""
    if not events:
        return
    from .sinks import open_sink
    sink = open_sink(f"file:{state_dir / EVENTS_FILE}?fsync=batch")
    try:
        sink.send(events)
    finally:
        sink.close()
    record_state(state_dir, events)


# -- processing spooled files ---------------------------------------------------------
def process_spooled(path: Path, head: bytes | None, digest: str | None, truncated: bool,
                    state_dir: Path, classifier: Classifier, opts: Options | None = None, log=sys.stderr) -> str:
    """Parse, deliver, then remove (or park) one spooled file. ``opts`` None:
    the options stored with the message (mailspool.load_options). Never
    raises for a bad message; -> "done", "unrecognized" or "failed"."""
    dirs = spool_dirs(state_dir)
    try:
        if opts is None:
            opts = load_options(path)
        if head is None or digest is None:
            with open(path, "rb") as fp:
                head, digest, _, truncated = read_head(fp)
        rm = analyze_bytes(head, truncated, opts)
        events = build_events(rm, classifier, digest=digest,
                              received=datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))
        if not events:
            dest = dirs["unrecognized"] / path.name
            os.rename(path, dest)
            drop_options(path, dest)
            print(f"bouncewatch: ingest-mail: not a bounce, feedback report or auto-reply; kept as {dest}",
                  file=log)
            return "unrecognized"
        deliver(state_dir, events)
        os.unlink(path)
        drop_options(path)
        kinds = ", ".join(sorted({f"{e['status']}:{e['classification']['category']}" for e in events}))
        print(f"bouncewatch: ingest-mail: {rm.kind} ({rm.family}), {len(events)} event(s): {kinds}", file=log)
        return "done"
    except Exception as e:  # a bug or a full disk after spooling: keep the message, exit 0 anyway
        dest = dirs["failed"] / path.name
        try:
            os.rename(path, dest)
            drop_options(path, dest)
        except OSError:
            dest = path
        print(f"bouncewatch: ingest-mail: could not process the message ({type(e).__name__}: {e}); "
              f"kept as {dest}", file=log)
        return "failed"


def process_leftovers(state_dir: Path, classifier: Classifier, log=sys.stderr, *,
                      min_age: float = LEFTOVER_AGE, limit: int = LEFTOVERS_PER_RUN) -> int:
    """Files in spool/new that nobody is processing: an earlier run's after a
    crash or a kill (``min_age``: another run's fresh file is its own to do),
    or, for the agent (``min_age=0``), every message ``ingest-mail`` left to
    it. Each with the options stored beside it; at most ``limit`` per call."""
    new = spool_dirs(state_dir)["new"]
    try:
        entries = sorted(new.iterdir())
    except OSError:
        return 0
    done = 0
    now = time.time()
    for p in entries:
        if done >= limit:
            break
        try:
            if min_age > 0 and now - p.stat().st_mtime < min_age:
                continue
        except OSError:
            continue
        fd = lock_file(p)
        if fd is None:
            continue
        try:
            if p.exists():
                process_spooled(p, None, None, False, state_dir, classifier, None, log)
                done += 1
        finally:
            os.close(fd)
    sweep_options(state_dir)
    return done


def process_own(path: Path, state_dir: Path, classifier: Classifier, opts: Options, log=sys.stderr) -> int:
    """In-process, after :func:`mailspool.spool`: this run's message (unless
    an agent that started meanwhile has it already), then some leftovers."""
    fd = lock_file(path)
    if fd is not None:
        try:
            if path.exists():  # read back (from the page cache): spool() neither hashes nor keeps a head
                process_spooled(path, None, None, False, state_dir, classifier, opts, log)
        finally:
            os.close(fd)
    try:
        process_leftovers(state_dir, classifier, log)
    except Exception as e:  # never let housekeeping fail a delivery
        print(f"bouncewatch: ingest-mail: leftover spool files not processed: {e}", file=log)
    return 0


def ingest(fp: BinaryIO, state_dir: Path, classifier: Classifier | None, opts: Options, log=sys.stderr) -> int:
    """Spool, then process. -> exit status (0, or 75 when not stored).
    Without a classifier (the rules do not load) the message stays in
    spool/new for the next run."""
    try:
        path = spool(fp, state_dir, opts)
    except SpoolError as e:
        print(f"bouncewatch: ingest-mail: {e}; the MTA will retry (exit {EX_TEMPFAIL})", file=log)
        return EX_TEMPFAIL
    if classifier is None:
        print(f"bouncewatch: ingest-mail: spooled as {path}; processed once the rules load", file=log)
        return 0
    return process_own(path, state_dir, classifier, opts, log)


def dry_run(fp: BinaryIO, classifier: Classifier, opts: Options, out=sys.stdout, log=sys.stderr) -> list[dict]:
    """Parse and print events as JSON Lines; store nothing."""
    from .formats import dumps  # sinks.file's encoding, without the sink machinery
    head, digest, _, truncated = read_head(fp)
    rm = analyze_bytes(head, truncated, opts)
    events = build_events(rm, classifier, digest=digest, received=datetime.now(timezone.utc))
    for e in events:
        out.write(dumps(e) + "\n")
    out.flush()
    if not events:
        print("bouncewatch: ingest-mail: not a bounce, feedback report or auto-reply (nothing emitted)", file=log)
    for d in dict.fromkeys(rm.defects):
        print(f"bouncewatch: ingest-mail: note: {d}", file=log)
    return events
