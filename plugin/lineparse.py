"""One log line -> (Envelope, record): the stateless front of the pipeline.

Split from :mod:`.pipeline` so that it can run where correlation and
classification do not: ``parse`` of a big file runs it in a second process
(:mod:`.parse_worker`) while the first correlates, classifies and writes.
It imports only the parsers, so that process starts light.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from types import ModuleType

from bouncewatch.parsers import exim, postfix, sendmail
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Envelope, Record

# One module per MTA, each with ``claims(program) -> bool`` and
# ``parse(Envelope) -> Record | tuple[Record, ...] | None``. A new MTA is one
# new module here. ``--mta auto`` asks them in turn for each program name, so
# one file may mix them (Postfix with Sendmail's submission program, an Exim
# mainlog beside a syslog file).
PARSERS: dict[str, ModuleType] = {"postfix": postfix, "exim": exim, "sendmail": sendmail}

Parsed = tuple[Envelope, "Record | tuple[Record, ...]"]


def _claimant(program: str, mta: str) -> ModuleType | None:
    if mta != "auto":
        mod = PARSERS[mta]
        return mod if mod.claims(program) else None
    for mod in PARSERS.values():
        if mod.claims(program):
            return mod
    return None


class LineParser:
    """Holds only caches: the envelope parser's stamps and which MTA module
    claims which program name."""

    def __init__(self, mta: str = "auto", ref: datetime | None = None, tz: tzinfo | None = None) -> None:
        if mta != "auto" and mta not in PARSERS:
            raise ValueError(f"unknown MTA {mta!r} (known: auto, {', '.join(PARSERS)})")
        self.mta = mta
        self.envelopes = EnvelopeParser(ref=ref, tz=tz)
        self._claims: dict[str, ModuleType | None] = {}

    def set_reference_time(self, ref: datetime | None) -> None:
        """Year inference for the next file (its mtime), see envelope.infer_year."""
        self.envelopes.ref = ref
        self.envelopes._stamps.clear()

    def parse(self, line: str, counts: Counter[str]) -> Parsed | None:
        """The envelope and what the claiming MTA's parser made of the line;
        None (and one count saying why) when there is nothing to correlate.
        ``counts`` is passed in, not held: the daemon swaps its pipeline's."""
        counts["lines"] += 1
        env = self.envelopes.parse(line)
        if env is None:
            counts["skipped:unrecognized"] += 1
            return None
        program = env.program
        try:
            mod = self._claims[program]
        except KeyError:
            mod = self._claims[program] = _claimant(program, self.mta)
            if len(self._claims) > 10_000:
                self._claims.clear()
        if mod is None:
            counts["other_program"] += 1
            return None
        try:
            rec = mod.parse(env)
        except Exception as e:  # a parser bug must never stop a run
            counts[f"skipped:parser_error:{type(e).__name__}"] += 1
            return None
        if rec is None:
            counts["mta_other"] += 1
            return None
        return env, rec
