"""Queue-id tables: what earlier lines said about a message, for later lines.

Postfix writes the sender and size on a qmgr line, the Message-ID on a
cleanup line, and each recipient's outcome on its own delivery line; an
expiry or an operator's removal is one line per message that names no
recipient. The correlator joins them and counts deferrals per recipient.

Memory is bounded twice: a message is forgotten when the MTA says it is done
(``removed``) or when no line has named it for ``ttl`` of log time, and an
LRU cap holds even when neither comes (a log that starts mid-queue, a
``removed`` lost to rotation).

The follower saves the tables with each checkpoint (:meth:`snapshot`,
:meth:`restore`): after a restart, a delivery whose qmgr ``from=`` line
came before the checkpoint still gets its sender, size and attempt.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from bouncewatch.parsers.address import normalize_address
from bouncewatch.parsers.records import Delivery, MessageInfo, MessageOutcome, Record

DEFAULT_MAX_MESSAGES = 50_000
DEFAULT_MAX_RECIPIENTS = 1_000   # per message; the rest are passed through uncounted
DEFAULT_TTL = timedelta(days=7)  # longer than Postfix's default 5-day queue lifetime
SNAPSHOT_MESSAGES = 10_000       # saved with a checkpoint: the most recently seen messages ...
SNAPSHOT_RECIPIENTS = 100        # ... and per message its recipients still without a final outcome


@dataclass(slots=True)
class RecipientState:
    deferrals: int = 0
    final: bool = False
    cause: str | None = None          # category of the last reasoned failure
    orig_recipient: str | None = None
    key: int = 0                      # unique per correlator (parse's worker names states by it)


@dataclass(slots=True)
class MessageState:
    sender: str | None = None
    size: int | None = None
    message_id: str | None = None
    bounce_of: str | None = None      # the MTA's own bounce of this queue id
    last_seen: datetime | None = None
    recipients: dict[str, RecipientState] = field(default_factory=dict)
    announced: tuple[str, ...] | None = None  # MessageInfo.recipients


@dataclass(slots=True)
class Correlated:
    """A delivery with what the tables knew; ``state`` lets the pipeline
    read the cause an earlier failure of the same recipient left (an
    expiry inherits it) and record the classified cause of this one. The
    cause is read when the delivery is classified, not when it is
    correlated: parse's worker correlates ahead of the classifying process
    (see parse_worker.py), and a line may name a recipient twice."""

    delivery: Delivery
    attempt: int | None
    state: RecipientState | None
    # The event's id, when it was worked out where the line was read (parse's
    # worker: the line itself then stays there); else build_event hashes the line.
    event_id: str | None = None


class Correlator:
    def __init__(self, max_messages: int = DEFAULT_MAX_MESSAGES, ttl: timedelta = DEFAULT_TTL,
                 max_recipients: int = DEFAULT_MAX_RECIPIENTS) -> None:
        self.max_messages, self.ttl, self.max_recipients = max_messages, ttl, max_recipients
        self._msgs: OrderedDict[tuple[str, str], MessageState] = OrderedDict()
        self._newest: datetime | None = None
        self._horizon: datetime | None = None      # _newest - ttl, worked out for _horizon_of
        self._horizon_of: datetime | None = None
        self.evicted = 0
        self._keys = 0                              # the last RecipientState.key given
        # When a list: the keys of the recipients of every message forgotten
        # (parse's worker tells the classifying process which causes to forget).
        self.dropped: list[int] | None = None

    def __len__(self) -> int:
        return len(self._msgs)

    def feed(self, rec: Record, when: datetime | None) -> list[Correlated]:
        newest = self._newest
        # `is`: the lines of one second share one datetime, and comparing aware ones is not free
        if when is not None and when is not newest and (newest is None or _before(newest, when)):
            self._newest = when
        if isinstance(rec, Delivery):
            return [self._delivery(rec, when)]
        if isinstance(rec, MessageInfo):
            msg = self._touch(rec.mta, rec.queue_id, when)
            if rec.sender is not None:
                msg.sender = rec.sender
            if rec.size is not None:
                msg.size = rec.size
            if rec.message_id is not None:
                msg.message_id = rec.message_id
            if rec.bounce_of is not None:
                msg.bounce_of = rec.bounce_of
            if rec.recipients is not None:  # a list of 5,000 is kept as the first max_recipients
                msg.announced = rec.recipients[:self.max_recipients]
            return []
        return self._outcome(rec, when)

    def _touch(self, mta: str, qid: str, when: datetime | None) -> MessageState:
        key = (mta, qid)
        msg = self._msgs.get(key)
        if msg is None:
            msg = self._msgs[key] = MessageState()
            self._evict()
        else:
            self._msgs.move_to_end(key)
        msg.last_seen = when
        return msg

    def _evict(self) -> None:
        while len(self._msgs) > self.max_messages:
            self._dropped(self._msgs.popitem(last=False)[1])
            self.evicted += 1
        newest = self._newest
        if newest is None:
            return
        if newest is not self._horizon_of:  # log time moves on once a second, messages come more often
            self._horizon, self._horizon_of = newest - self.ttl, newest
        horizon, msgs = self._horizon, self._msgs
        while msgs:
            seen = next(iter(msgs.values())).last_seen
            if seen is None:
                break
            try:  # _before(), inline: this runs for every new message
                if not seen < horizon:  # type: ignore[operator]
                    break  # within the TTL: kept
            except TypeError:
                break  # naive vs aware: cannot tell, kept
            self._dropped(msgs.popitem(last=False)[1])
            self.evicted += 1

    def _dropped(self, msg: MessageState | None) -> None:
        if self.dropped is not None and msg is not None:
            self.dropped.extend([rs.key for rs in msg.recipients.values()])

    def _delivery(self, d: Delivery, when: datetime | None) -> Correlated:
        msg = self._touch(d.mta, d.queue_id, when)
        if d.sender is None:
            d.sender = msg.sender
        elif msg.sender is None:
            msg.sender = d.sender
        if d.size is None:
            d.size = msg.size
        if d.message_id is None:
            d.message_id = msg.message_id
        if d.bounce_of is None:
            d.bounce_of = msg.bounce_of
        rs = msg.recipients.get(d.recipient)
        if rs is None:
            if len(msg.recipients) >= self.max_recipients:
                return Correlated(d, 1 if d.status == "deferred" else None, None)
            self._keys += 1
            rs = msg.recipients[d.recipient] = RecipientState(orig_recipient=d.orig_recipient, key=self._keys)
        if d.status == "deferred":
            rs.deferrals += 1
            attempt: int | None = rs.deferrals
        else:
            rs.final = d.status not in ("delayed",)
            attempt = rs.deferrals or None
        return Correlated(d, attempt, rs)

    def _outcome(self, o: MessageOutcome, when: datetime | None) -> list[Correlated]:
        key = (o.mta, o.queue_id)
        if o.status is None:  # the MTA is done with the message
            self._dropped(self._msgs.pop(key, None))
            return []
        msg = self._touch(o.mta, o.queue_id, when)
        sender = o.sender if o.sender is not None else msg.sender
        out = []
        pending: list[tuple[str, RecipientState | None]] = [
            (r, s) for r, s in msg.recipients.items() if not s.final]
        if not msg.recipients and msg.announced:
            # Given up before any delivery line named a recipient (Exim: frozen
            # by a filter, then removed): the arrival said whom it was for.
            # Only then: once deliveries are logged, their recipients are the
            # routed ones, and an alias the arrival named has no line of its own.
            pending = [(normalize_address(r), None) for r in msg.announced]
        for rcpt, rs in pending or [("", None)]:
            d = Delivery(mta=o.mta, queue_id=o.queue_id, recipient=rcpt, status=o.status,
                         reason=o.reason, sender=sender, size=msg.size, message_id=msg.message_id,
                         bounce_of=msg.bounce_of,
                         orig_recipient=rs.orig_recipient if rs else None)
            if rs is not None:
                rs.final = True
            out.append(Correlated(d, (rs.deferrals or None) if rs else None, rs))
        if o.status == "removed":
            self._dropped(self._msgs.pop(key, None))
        return out


    # -- parse's worker: the tables come back to the main process ------------
    def tables(self) -> tuple[Any, ...]:
        """Everything this correlator knows, to be pickled (see :meth:`take`)."""
        return self._msgs, self._newest, self._horizon, self._horizon_of, self.evicted, self._keys

    def take(self, tables: tuple[Any, ...], causes: Mapping[int, RecipientState]) -> None:
        """Become the correlator whose :meth:`tables` these are (parse's
        worker correlated a file with a copy of this one), with each
        recipient's cause from ``causes`` (by key): the worker's copy never
        learnt them, the process that classified did."""
        self._msgs, self._newest, self._horizon, self._horizon_of, self.evicted, self._keys = tables
        for msg in self._msgs.values():
            for rs in msg.recipients.values():
                known = causes.get(rs.key)
                if known is not None:
                    rs.cause = known.cause

    def causes(self) -> dict[int, RecipientState]:
        """The recipients with a cause, by key."""
        return {rs.key: rs for msg in self._msgs.values() for rs in msg.recipients.values()
                if rs.cause is not None}

    # -- persistence (the follower's checkpoint) ------------------------------
    def snapshot(self, max_messages: int = SNAPSHOT_MESSAGES,
                 max_recipients: int = SNAPSHOT_RECIPIENTS) -> list[list[Any]]:
        """The most recently seen messages as JSON-ready rows, newest first.
        Only recipients without a final outcome are kept: a later line can
        still concern them (a retry, an expiry); final ones are done."""
        rows: list[list[Any]] = []
        for (mta, qid), m in reversed(self._msgs.items()):
            if len(rows) >= max_messages:
                break
            rcpts = [[r, rs.deferrals, rs.cause, rs.orig_recipient]
                     for r, rs in m.recipients.items() if not rs.final][:max_recipients]
            row = [mta, qid, m.sender, m.size, m.message_id, m.bounce_of,
                   m.last_seen.isoformat() if m.last_seen is not None else None, rcpts]
            if m.announced and not m.recipients:  # what _outcome may still need of it
                row.append(list(m.announced[:max_recipients]))
            rows.append(row)
        return rows

    def restore(self, rows: list[list[Any]]) -> int:
        """Load a :meth:`snapshot` (newest first) into empty tables; rows that
        do not have the expected shape are skipped. Returns messages loaded."""
        n = 0
        for row in reversed(rows or []):
            try:
                mta, qid, sender, size, mid, bounce_of, seen, rcpts, *announced = row
                when = datetime.fromisoformat(seen) if seen else None
                msg = MessageState(sender, size, mid, bounce_of, when)
                if announced and announced[0]:  # a checkpoint before they were saved has none
                    msg.announced = tuple(str(r) for r in announced[0])
                for r, deferrals, cause, orig in rcpts:
                    self._keys += 1
                    msg.recipients[str(r)] = RecipientState(int(deferrals), False, cause, orig, self._keys)
            except (TypeError, ValueError):
                continue
            self._msgs[(str(mta), str(qid))] = msg
            self._msgs.move_to_end((str(mta), str(qid)))
            if when is not None and (self._newest is None or _before(self._newest, when)):
                self._newest = when
            n += 1
        self._evict()
        return n


def _before(a: datetime, b: datetime) -> bool | None:
    try:
        return a < b
    except TypeError:  # naive vs aware: cannot tell, keep it
        return None
