"""Correlating in parse's worker (plugin/parse_worker.py) gives the events
correlating in the classifying process gives: the causes kept by key on the
main side are the ones the recipients' states would hold, through evictions,
``removed`` lines, queue ids used again, a Sendmail line naming a recipient
twice, batch boundaries anywhere, and when the worker's tables come back for
the next file."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.parsers.records import Delivery, Envelope, MessageInfo, MessageOutcome, Reply
from bouncewatch.plugin.correlate import Correlator
from bouncewatch.plugin.parse_worker import _Causes, _dumps, _rows
from bouncewatch.plugin.pipeline import QUIET_STATUSES, Pipeline

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)

# (status, reason, reply): each failure classifies to a category of its own
# (greylisted, user unknown, ...), so an expiry's inherited cause says whose it is
OUTCOMES = [
    ("deferred", "host mx said: 450 4.2.0 Greylisted, try again later", Reply(450, "4.2.0", "RCPT TO", "Greylisted")),
    ("deferred", "connect to mx.example[192.0.2.1]:25: Connection timed out", None),
    ("bounced", "host mx said: 550 5.1.1 user unknown", Reply(550, "5.1.1", "RCPT TO", "user unknown")),
    ("sent", "250 2.0.0 Ok", Reply(250, "2.0.0", None, "Ok")),
]

_delivery = st.tuples(st.just("d"), st.integers(0, 3), st.integers(0, 2), st.integers(0, len(OUTCOMES) - 1))
_step = st.one_of(
    _delivery,
    st.tuples(st.just("pair"), st.integers(0, 3), st.integers(0, 2), st.integers(0, len(OUTCOMES) - 1),
              st.integers(0, 2), st.integers(0, len(OUTCOMES) - 1)),   # a Sendmail line, maybe one recipient twice
    st.tuples(st.just("info"), st.integers(0, 3)),
    st.tuples(st.just("out"), st.integers(0, 3), st.sampled_from(["expired", "removed", None])),
    st.tuples(st.just("later"), st.integers(1, 30)),       # log time moves on (minutes): the TTL forgets
    st.tuples(st.just("batch")),                          # the worker sends what it has
)


def _record(step: tuple) -> object:
    kind, qid = step[0], f"Q{step[1]}"
    if kind == "d":
        status, reason, reply = OUTCOMES[step[3]]
        return Delivery("postfix", qid, f"r{step[2]}@example.org", status, reason, reply=reply)
    if kind == "pair":
        return tuple(Delivery("sendmail", qid, f"r{r}@example.org", OUTCOMES[o][0], OUTCOMES[o][1],
                              reply=OUTCOMES[o][2]) for r, o in ((step[2], step[3]), (step[4], step[5])))
    if kind == "info":
        return MessageInfo("postfix", qid, sender="s@example.net", size=100)
    return MessageOutcome("postfix", qid, step[2], "gone" if step[2] else "")


def _copy(rec: object) -> object:
    return pickle.loads(pickle.dumps(rec))


def _events(evs: list[dict]) -> list[tuple]:
    return [(e["event_id"], e["recipient"], e["status"], e["attempt"], e["classification"]["category"],
             e["classification"]["cause"], e["sender"]) for e in evs]


def _run(classifier, files: list[list[tuple]], include_sent: bool) -> tuple[list, list]:
    """The events of ``files`` correlated here, and correlated by a worker
    (a Correlator of its own, rows pickled across, causes by key), each
    file's worker starting from the tables the previous one brought back."""
    ttl, cap = timedelta(minutes=20), 3
    here = Pipeline(classifier, include_sent=include_sent, correlator=Correlator(ttl=ttl, max_messages=cap))
    main = Pipeline(classifier, include_sent=include_sent, correlator=Correlator(ttl=ttl, max_messages=cap))
    one: list[dict] = []
    two: list[dict] = []
    when = T0
    for n, steps in enumerate(files):
        worker = pickle.loads(pickle.dumps(main.correlator))   # what fork gives the worker
        worker.dropped = dropped = []
        causes = _Causes(main.correlator)
        texts: list[str] = []
        offsets: list[int] = []
        parsed: list[tuple] = []

        def send() -> None:
            rows = pickle.loads(_dumps(_rows(texts, offsets, parsed, worker.feed,
                                             main.passed_over)))
            for text, env, cs, offset in map(causes.unrow, rows):
                two.extend(main.emit(text, env, cs, None, offset))
            causes.forget(list(dropped))
            dropped.clear()
            texts.clear()
            offsets.clear()
            parsed.clear()

        for i, step in enumerate(steps):
            if step[0] == "later":
                when = when + timedelta(minutes=step[1])
                continue
            if step[0] == "batch":
                send()
                continue
            rec = _record(step)
            line = f"file {n} line {i}"
            env = Envelope(when, "mx", "postfix/smtp", 1, line)
            one.extend(here.feed_parsed(line, env, _copy(rec), None, i))
            texts.append(line)
            offsets.append(i)
            parsed.append((len(texts) - 1, when, "mx", "postfix/smtp", 1, line, _copy(rec)))
        send()
        worker.dropped = None
        main.correlator.take(pickle.loads(pickle.dumps(worker.tables())), causes.states)
        # the tables that came back are the ones correlating here built, causes included
        assert main.correlator.snapshot() == here.correlator.snapshot()
        assert main.correlator.evicted == here.correlator.evicted
    return one, two


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_step, max_size=40), min_size=1, max_size=3), st.booleans())
def test_worker_correlation_gives_the_same_events(classifier, files, include_sent):
    one, two = _run(classifier, files, include_sent)
    assert _events(two) == _events(one)
    assert two == one


def test_a_cause_is_inherited_across_batches_and_files(classifier):
    """The case the keys are for: a recipient deferred (greylisted) in one
    batch and file, expired in a later one, inherits the cause; one whose
    message was removed and whose queue id came back does not."""
    files = [[("info", 0), ("d", 0, 0, 0), ("batch",), ("d", 1, 0, 2), ("out", 1, None), ("d", 1, 0, 3)],
             [("batch",), ("out", 0, "expired"), ("out", 1, "expired")]]
    one, two = _run(classifier, files, True)
    assert _events(two) == _events(one)
    expired = [(e["queue_id"], e["classification"]["cause"]) for e in two if e["status"] == "expired"]
    assert expired == [("Q0", "greylisted"), ("Q1", None)]
    assert "sent" in QUIET_STATUSES
