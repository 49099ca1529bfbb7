"""The shortcuts of parse's main process (correlate, build_event) give what
the plain code gave: a remembered TTL horizon forgets the same messages, a
remembered ISO timestamp is the timestamp's own."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.parsers.records import Delivery, Envelope, MessageInfo, Relay, Reply
from bouncewatch.plugin.classify.engine import Classification
from bouncewatch.plugin.correlate import Correlated, Correlator, _before
from bouncewatch.plugin.event import build_event, rule_context

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
    return build_event("line", Envelope(ts, "mx", "postfix/smtp", 1, "m"), Correlated(d, None, None), cls,
                       None, None)


def test_event_timestamp_is_each_datetimes_own():
    utc = T0
    same_instant = T0.astimezone(timezone(timedelta(hours=1)))  # equal to utc, printed otherwise
    for ts in (utc, utc, same_instant, same_instant, utc, None, utc, T0 + timedelta(seconds=1)):
        assert _event(ts)["timestamp"] == (ts.isoformat() if ts else None)


def _old_event_id(raw_line: str, recipient: str) -> str:
    """event_id as first written (three updates): ids are what SIEMs dedupe on."""
    import hashlib
    h = hashlib.blake2b(raw_line.encode("utf-8", "surrogatepass"), digest_size=16)
    h.update(b"\x1f")
    h.update(recipient.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_event_id_is_the_id_it_always_was(line, rcpt):
    from bouncewatch.plugin.event import event_id
    assert event_id(line, rcpt) == _old_event_id(line, rcpt)
    assert event_id("x \udc80 y", "a@b") == _old_event_id("x \udc80 y", "a@b")


_relays = st.none() | st.builds(Relay, st.none() | st.text(max_size=5), st.none() | st.text(max_size=5),
                                st.none() | st.integers(0, 65535))
_replies = st.none() | st.builds(Reply, st.none() | st.sampled_from([250, 421, 450, 550]),
                                 st.none() | st.sampled_from(["5.1.1", "4.7.0"]),
                                 st.none() | st.sampled_from(["RCPT TO", "DATA"]), st.text(max_size=20))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["a@b.example", "nobody", "x@", "@y", ""]), _relays, _replies,
       st.none() | st.sampled_from(["5.0.0", "4.4.1"]), st.sampled_from(["sent", "deferred", "bounced"]))
def test_event_from_the_rule_context_is_the_event_without_it(rcpt, relay, reply, dsn, status):
    """The pipeline hands build_event the rule context it classified with;
    the event must be the one build_event works out on its own."""
    d = Delivery("postfix", "Q1", rcpt, status, reason="r", relay=relay, dsn=dsn, reply=reply)
    env = Envelope(T0, "mx", "postfix/smtp", 1, "m")
    cls = Classification("soft", "other", 0, "retry", "x")
    ctx = rule_context(env, d)
    ctx["provider"] = ctx["blocklist"] = None  # what classify adds
    c = Correlated(d, 2, None)
    with_ctx = build_event("line", env, c, cls, "/p", 5, ctx)
    alone = build_event("line", env, c, cls, "/p", 5)
    assert with_ctx == alone and list(with_ctx) == list(alone)
    assert orjson.dumps(with_ctx) == orjson.dumps(alone)


def _stream() -> tuple[io.TextIOWrapper, io.BytesIO]:
    raw = io.BytesIO()
    return io.TextIOWrapper(io.BufferedWriter(_Keep(raw)), encoding="utf-8"), raw


class _Keep(io.RawIOBase):
    """A raw file whose bytes stay readable after close."""

    def __init__(self, into: io.BytesIO) -> None:
        self.into = into

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        return self.into.write(bytes(b))


@pytest.mark.parametrize("n", [0, 1, 63, 64, 65, 200])
def test_event_lines_in_batches_keep_every_event_in_order(n):
    from bouncewatch.plugin.cli import _EventLines
    from bouncewatch.plugin.formats import get_format
    stream, raw = _stream()
    stream.write("first\n")  # what the text layer held goes first
    out = _EventLines(get_format("json"), stream)
    evs = [{"n": i, "reason": "é"} for i in range(n)]
    for ev in evs:
        out.event(ev)
    out.flush()
    assert raw.getvalue() == b"first\n" + b"".join(orjson.dumps(ev) + b"\n" for ev in evs)


def test_event_lines_drained_on_a_stop_are_not_lost():
    """A run stopped mid-batch (Ctrl-C, a reading error) hands the events
    it made to the stream's buffer, which the interpreter flushes at exit."""
    from bouncewatch.plugin.cli import _EventLines
    from bouncewatch.plugin.formats import get_format
    stream, raw = _stream()
    out = _EventLines(get_format("json"), stream)
    for i in range(3):
        out.event({"n": i})
    assert raw.getvalue() == b""
    out.drain()
    stream.buffer.flush()
    assert raw.getvalue() == b'{"n":0}\n{"n":1}\n{"n":2}\n'
