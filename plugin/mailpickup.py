"""The agent's side of the returned-mail spool (Postfix's pickup to
``ingest-mail``'s postdrop).

While ``follow``/``run`` holds the spool's consumer lock, ``ingest-mail``
only stores each message (plugin/mailspool.py) and exits; the agent
classifies what is in ``<state>/spool/new`` with the rules it has loaded
anyway, through the same code as an in-process run (ingest.process_leftovers
-> process_spooled: events to ``<state>/mail-events.jsonl`` and the history).
Per-file locks keep it apart from an ``ingest-mail`` that processes its own
message (no agent when it looked) and from other runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, TextIO

from .mailspool import take_consumer_lock


class MailPickup:
    """Holds the consumer lock (or keeps trying to take it: the spool may
    appear later, another agent may stop) and processes a bounded number of
    spooled messages per :meth:`poll`."""

    def __init__(self, state_dir: Path, log: Callable[[str], None], *, interval: float = 1.0,
                 batch: int = 50, err: TextIO | None = None) -> None:
        self.state_dir, self.log, self.interval, self.batch = state_dir, log, interval, batch
        self.err = err or sys.stderr
        self.fd: int | None = None
        self.processed = 0

    def poll(self, classifier: Any) -> bool:
        """One pass; True if it stopped at ``batch`` (more may be waiting).
        Never raises: returned mail must not stop the log follower."""
        try:
            if self.fd is None:
                self.fd = take_consumer_lock(self.state_dir)
                if self.fd is None:
                    return False
                spool = self.state_dir / "spool" / "new"
                self.log(f"returned mail that ingest-mail spools in {spool} is classified here")
            from .ingest import process_leftovers
            done = process_leftovers(self.state_dir, classifier, self.err, min_age=0, limit=self.batch)
            self.processed += done
            return done >= self.batch
        except Exception as e:
            self.log(f"returned-mail spool: {type(e).__name__}: {e}")
            return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock: ingest-mail processes in-process again
            self.fd = None
