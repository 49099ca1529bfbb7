"""The shortcuts of parse's main process (correlate, build_event) give what
the plain code gave: a remembered TTL horizon forgets the same messages, a
remembered ISO timestamp is the timestamp's own."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.parsers.records import Delivery, Envelope, MessageInfo
from bouncewatch.plugin.classify.engine import Classification
from bouncewatch.plugin.correlate import Correlated, Correlator, _before
from bouncewatch.plugin.event import build_event

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


class PlainCorrelator(Correlator):
    """The horizon worked out anew at every eviction, as before."""

    def _evict(self) -> None:
        while len(self._msgs) > self.max_messages:
            self._msgs.popitem(last=False)
            self.evicted += 1
        if self._newest is None:
            return
        horizon = self._newest - self.ttl
        while self._msgs:
            oldest = next(iter(self._msgs.values()))
            if oldest.last_seen is None or _before(oldest.last_seen, horizon) is not True:
                break
            self._msgs.popitem(last=False)
            self.evicted += 1


steps = st.lists(st.tuples(st.integers(0, 30), st.integers(-2, 40), st.booleans()), max_size=80)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_remembered_horizon_forgets_what_the_plain_one_forgets(seq):
    fast, plain = Correlator(ttl=timedelta(minutes=10), max_messages=20), \
        PlainCorrelator(ttl=timedelta(minutes=10), max_messages=20)
    stamps: dict[int, datetime] = {}
    for qid, minute, delivery in seq:
        # one datetime per minute, as the envelope parser shares one per stamp; log time may step back
        when = stamps.setdefault(minute, T0 + timedelta(minutes=minute))
        for c in (fast, plain):
            rec = Delivery("postfix", f"Q{qid}", "a@b.example", "sent") if delivery else \
                MessageInfo("postfix", f"Q{qid}", sender="s@x.example")
            c.feed(rec, when)
        assert list(fast._msgs) == list(plain._msgs) and fast.evicted == plain.evicted


def test_a_naive_and_an_aware_time_neither_raise_nor_forget():
    """A record timed without a zone beside zoned ones (a caller's parser,
    not ours: every envelope we parse is zoned) is kept, not evicted, and
    does not stop the run."""
    c = Correlator(ttl=timedelta(minutes=10))
    c.feed(MessageInfo("postfix", "NAIVE", sender="s@x.example"), datetime(2026, 11, 20, 6, 0))
    c.feed(MessageInfo("postfix", "AWARE", sender="s@x.example"), T0 + timedelta(hours=2))
    out = c.feed(Delivery("postfix", "NAIVE", "a@b.example", "sent"), T0 + timedelta(hours=3))
    assert out[0].delivery.sender == "s@x.example"
    assert ("postfix", "NAIVE") in c._msgs and c.evicted == 0


def _event(ts):
    d = Delivery("postfix", "Q1", "a@b.example", "sent")
    cls = Classification("none", "delivered", 0, "none", "delivered")
    return build_event("line", Envelope(ts, "mx", "postfix/smtp", 1, "m"), Correlated(d, None, None, None), cls,
                       None, None)


def test_event_timestamp_is_each_datetimes_own():
    utc = T0
    same_instant = T0.astimezone(timezone(timedelta(hours=1)))  # equal to utc, printed otherwise
    for ts in (utc, utc, same_instant, same_instant, utc, None, utc, T0 + timedelta(seconds=1)):
        assert _event(ts)["timestamp"] == (ts.isoformat() if ts else None)
