"""One line in, zero or more events out: envelope -> MTA parser ->
correlate -> classify. Used the same way by ``parse``, ``follow`` and ``run``;
state and sinks come after it and never reach back in."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from typing import Any, Callable

from bouncewatch.parsers.records import Envelope

from .classify.engine import FAILURE_STATUSES, Classifier
from .classify.expr import Predicate
from .correlate import Correlated, Correlator
from .event import build_event, rule_context, where_context
from .lineparse import PARSERS, LineParser  # noqa: F401  (PARSERS: re-exported)

# Outcomes that are not failures and are emitted only with --all: deliveries,
# Exim's -N suppressed deliveries, Sendmail's hand-overs from the submission
# program to the local MTA and its queue-only acceptances.
QUIET_STATUSES = frozenset({"sent", "deliverable", "suppressed", "handed_over", "queued"})


class Pipeline:
    def __init__(self, classifier: Classifier, *, mta: str = "auto", include_sent: bool = False,
                 where: Predicate | None = None, ref: datetime | None = None, tz: tzinfo | None = None,
                 correlator: Correlator | None = None,
                 tap: Callable[[dict[str, Any]], None] | None = None) -> None:
        """``tap`` sees every classified event, ``sent`` included and before
        ``--where``: the history needs deliveries even when they are not
        emitted (a delivery resets a recipient's failure count)."""
        self.classifier = classifier
        self.mta = mta
        self.include_sent = include_sent
        self.where = where
        self.tap = tap
        self.lines = LineParser(mta, ref=ref, tz=tz)
        self.envelopes = self.lines.envelopes
        self.correlator = correlator if correlator is not None else Correlator()
        self.counts: Counter[str] = Counter()

    @property
    def passed_over(self) -> frozenset[str]:
        """The statuses :meth:`emit` passes over unclassified: nothing would
        read them (not emitted, no history to feed, and only failures leave
        a cause). Parse's worker does not send them."""
        return QUIET_STATUSES if not self.include_sent and self.tap is None else frozenset()

    def set_reference_time(self, ref: datetime | None) -> None:
        """Year inference for the next file (its mtime), see envelope.infer_year."""
        self.lines.set_reference_time(ref)

    def feed(self, line: str, path: str | None = None, offset: int | None = None) -> list[dict[str, Any]]:
        parsed = self.lines.parse(line, self.counts)
        if parsed is None:
            return []
        return self.feed_parsed(line, parsed[0], parsed[1], path, offset)

    def feed_parsed(self, line: str, env: Envelope, rec: Any, path: str | None = None,
                    offset: int | None = None) -> list[dict[str, Any]]:
        """The rest of :meth:`feed` for a line :class:`LineParser` has parsed."""
        correlate = self.correlator.feed
        if isinstance(rec, tuple):  # a Sendmail line naming several recipients
            correlated = [c for r in rec for c in correlate(r, env.timestamp)]
        else:
            correlated = correlate(rec, env.timestamp)
        if not correlated:  # most lines: what a message is (sender, size), or that it is done
            return []
        return self.emit(line, env, correlated, path, offset)

    def emit(self, line: str | None, env: Envelope, correlated: list[Correlated], path: str | None = None,
             offset: int | None = None) -> list[dict[str, Any]]:
        """The events of a line's correlated deliveries: classified (a
        failure's category is kept as its recipient's cause), built, passed
        to the tap and ``--where``. Correlated here (:meth:`feed_parsed`) or
        by parse's worker, in another process (see parse_worker.py), which
        sends each delivery's event id instead of the line (then None)."""
        out: list[dict[str, Any]] = []
        tap, where, include_sent, classify = self.tap, self.where, self.include_sent, self.classifier.classify
        for c in correlated:
            d = c.delivery
            status = d.status
            quiet = status in QUIET_STATUSES and not include_sent  # classified for the history only
            if quiet and tap is None:
                continue  # not emitted, no history to feed, and only failures leave a cause
            ctx = rule_context(env, d)
            state = c.state
            cls, inherits = classify(ctx, state.cause if state is not None else None)
            if state is not None and not inherits and status in FAILURE_STATUSES:
                state.cause = cls.category
            ev = build_event(line, env, c, cls, path, offset, ctx)
            if tap is not None:
                tap(ev)
            if quiet:
                continue
            if where is not None and not where.matches(where_context(ev)):
                continue
            out.append(ev)
        if out:
            self.counts["events"] += len(out)
        return out

    def summary(self) -> str:
        c = self.counts
        skipped = {k.split(":", 1)[1]: v for k, v in c.items() if k.startswith("skipped:")}
        for k in ("too_long",):
            if c.get(k):
                skipped[k] = c[k]
        notes = [f"{k}={c[k]}" for k in ("invalid_utf8", "nul_bytes", "unterminated_last_line") if c.get(k)]
        # a line too long to parse was read all the same: it never reached the parser's count
        parts = [f"{c['lines'] + c.get('too_long', 0)} lines read", f"{c['events']} events",
                 f"{c['other_program']} lines of other programs",
                 f"{sum(skipped.values())} skipped" + (
                     " (" + ", ".join(f"{k}={v}" for k, v in sorted(skipped.items())) + ")" if skipped else "")]
        if notes:
            parts.append("repaired: " + ", ".join(notes))
        if c.get("skipped:no_timestamp"):
            parts.append("an MTA's lines with no time stamp give no event (docker logs: add --timestamps)")
        return "bouncewatch: " + "; ".join(parts)


Sink = Callable[[dict[str, Any]], None]
