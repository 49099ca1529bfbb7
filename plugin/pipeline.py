"""One line in, zero or more events out: envelope -> MTA parser ->
correlate -> classify. Used the same way by ``parse``, ``follow`` and ``run``;
state and sinks come after it and never reach back in."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from types import ModuleType
from typing import Any, Callable

from bouncewatch.parsers import exim, postfix, sendmail
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Envelope

from .classify.engine import FAILURE_STATUSES, Classifier
from .classify.expr import Predicate
from .correlate import Correlator
from .event import build_event, rule_context, where_context

# One module per MTA, each with ``claims(program) -> bool`` and
# ``parse(Envelope) -> Record | tuple[Record, ...] | None``. A new MTA is one
# new module here. ``--mta auto`` asks them in turn for each program name, so
# one file may mix them (Postfix with Sendmail's submission program, an Exim
# mainlog beside a syslog file).
PARSERS: dict[str, ModuleType] = {"postfix": postfix, "exim": exim, "sendmail": sendmail}

# Outcomes that are not failures and are emitted only with --all: deliveries,
# Exim's -N suppressed deliveries, Sendmail's hand-overs from the submission
# program to the local MTA and its queue-only acceptances.
QUIET_STATUSES = frozenset({"sent", "deliverable", "suppressed", "handed_over", "queued"})


def _claimant(program: str, mta: str) -> ModuleType | None:
    if mta != "auto":
        mod = PARSERS[mta]
        return mod if mod.claims(program) else None
    for mod in PARSERS.values():
        if mod.claims(program):
            return mod
    return None


class Pipeline:
    def __init__(self, classifier: Classifier, *, mta: str = "auto", include_sent: bool = False,
                 where: Predicate | None = None, ref: datetime | None = None, tz: tzinfo | None = None,
                 correlator: Correlator | None = None,
                 tap: Callable[[dict[str, Any]], None] | None = None) -> None:
        """``tap`` sees every classified event, ``sent`` included and before
        ``--where``: the history needs deliveries even when they are not
        emitted (a delivery resets a recipient's failure count)."""
        if mta != "auto" and mta not in PARSERS:
            raise ValueError(f"unknown MTA {mta!r} (known: auto, {', '.join(PARSERS)})")
        self.classifier = classifier
        self.mta = mta
        self.include_sent = include_sent
        self.where = where
        self.tap = tap
        self.envelopes = EnvelopeParser(ref=ref, tz=tz)
        self.correlator = correlator if correlator is not None else Correlator()
        self.counts: Counter[str] = Counter()
        self._claims: dict[str, ModuleType | None] = {}

    def set_reference_time(self, ref: datetime | None) -> None:
        """Year inference for the next file (its mtime), see envelope.infer_year."""
        self.envelopes.ref = ref
        self.envelopes._stamps.clear()

    def feed(self, line: str, path: str | None = None, offset: int | None = None) -> list[dict[str, Any]]:
        counts = self.counts
        counts["lines"] += 1
        env = self.envelopes.parse(line)
        if env is None:
            counts["skipped:unrecognized"] += 1
            return []
        program = env.program
        try:
            mod = self._claims[program]
        except KeyError:
            mod = self._claims[program] = _claimant(program, self.mta)
            if len(self._claims) > 10_000:
                self._claims.clear()
        if mod is None:
            counts["other_program"] += 1
            return []
        try:
            rec = mod.parse(env)
        except Exception as e:  # a parser bug must never stop a run
            counts[f"skipped:parser_error:{type(e).__name__}"] += 1
            return []
        if rec is None:
            counts["mta_other"] += 1
            return []
        if isinstance(rec, tuple):  # a Sendmail line naming several recipients
            out = []
            for r in rec:
                out.extend(self._emit(line, env, r, path, offset))
            return out
        return self._emit(line, env, rec, path, offset)

    def _emit(self, line: str, env: Envelope, rec: Any, path: str | None, offset: int | None
              ) -> list[dict[str, Any]]:
        out = []
        for c in self.correlator.feed(rec, env.timestamp):
            d = c.delivery
            if d.status in QUIET_STATUSES and not self.include_sent and self.tap is None:
                continue  # not emitted, no history to feed, and only failures leave a cause
            ctx = rule_context(env, d)
            cls, inherits = self.classifier.classify(ctx, c.prior_cause)
            if c.state is not None and not inherits and d.status in FAILURE_STATUSES:
                c.state.cause = cls.category
            ev = None
            if self.tap is not None:
                ev = build_event(line, env, c, cls, path, offset)
                self.tap(ev)
            if d.status in QUIET_STATUSES and not self.include_sent:
                continue
            if ev is None:
                ev = build_event(line, env, c, cls, path, offset)
            if self.where is not None and not self.where.matches(where_context(ev)):
                continue
            self.counts["events"] += 1
            out.append(ev)
        return out

    def summary(self) -> str:
        c = self.counts
        skipped = {k.split(":", 1)[1]: v for k, v in c.items() if k.startswith("skipped:")}
        for k in ("too_long",):
            if c.get(k):
                skipped[k] = c[k]
        notes = [f"{k}={c[k]}" for k in ("invalid_utf8", "nul_bytes", "unterminated_last_line") if c.get(k)]
        parts = [f"{c['lines']} lines read", f"{c['events']} events",
                 f"{c['other_program']} lines of other programs",
                 f"{sum(skipped.values())} skipped" + (
                     " (" + ", ".join(f"{k}={v}" for k, v in sorted(skipped.items())) + ")" if skipped else "")]
        if notes:
            parts.append("repaired: " + ", ".join(notes))
        return "bouncewatch: " + "; ".join(parts)


Sink = Callable[[dict[str, Any]], None]
