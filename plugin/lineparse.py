"""One log line -> (Envelope, record): the stateless front of the pipeline.

Split from :mod:`.pipeline` so that it can run where correlation and
classification do not: ``parse`` of a big file runs it in a second process
(:mod:`.parse_worker`) while the first correlates, classifies and writes.
It imports only the parsers, so that process starts light.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, tzinfo
from functools import partial
from types import ModuleType
from typing import Any

from bouncewatch.parsers import exim, postfix, sendmail
from bouncewatch.parsers.envelope import EXIM_PLAIN, EXIM_REST, EXIM_SECOND, MILLIS, MONTHS, PROG_HEAD, EnvelopeParser
from bouncewatch.parsers.records import Envelope, Record

# One module per MTA, each with ``claims(program) -> bool`` and
# ``parse(Envelope) -> Record | tuple[Record, ...] | None``. A new MTA is one
# new module here. ``--mta auto`` asks them in turn for each program name, so
# one file may mix them (Postfix with Sendmail's submission program, an Exim
# mainlog beside a syslog file).
PARSERS: dict[str, ModuleType] = {"postfix": postfix, "exim": exim, "sendmail": sendmail}

Parsed = tuple[Envelope, "Record | tuple[Record, ...]"]

_GENERIC = object()   # see LineParser._fast_entry
_UNRECOGNIZED = "skipped:unrecognized"

# A line of Exim's own main log in one match: its head where the message
# needs no more work (EnvelopeParser.match_exim's) and the message's id and
# flag (exim.HEAD), groups (milliseconds, zone, pid, id, flag). The id is
# optional: a line without one (a queue run, an SMTP connection) has no
# record, and the head alone decides that. Everything the envelope parser
# and exim.parse_at would match separately, one after the other, so the same
# lines match and split at the same places. _EXIM_LINE_REST is the same from
# the 20th character on, for a line that starts with the date and time of
# the last Exim stamp read (EnvelopeParser.last_exim_second: a text that
# matched EXIM_SECOND): a busy log has many lines per second.
_EXIM_LINE = re.compile(r"(?>" + EXIM_SECOND + EXIM_REST + r")" + EXIM_PLAIN + r"(?:" + exim.HEAD + r"|)")
_EXIM_LINE_REST = re.compile(r"(?>" + EXIM_REST + r")" + EXIM_PLAIN + r"(?:" + exim.HEAD + r"|)")


def _stamp_at(text: str, i: int) -> bool:
    """Whether a stamp starts at ``text[i]``, as the envelope parser's
    forms start theirs ("2026-", "Nov "): a line inside another's message
    (see LineParser._wrapped). Cheap: other programs' messages come by."""
    return (text[i + 4:i + 5] == "-" and text[i:i + 4].isdigit()) or \
        (text[i + 3:i + 4] == " " and text[i:i + 3] in MONTHS)


def _no_record(line: str, start: int) -> None:
    return None


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
        # a line stamped as Exim stamps its main log may be a syslog line: one an MTA claims
        self.envelopes = EnvelopeParser(ref=ref, tz=tz,
                                        syslog_claims=lambda program: self._claimant(program) is not None)
        self._claims: dict[str, ModuleType | None] = {}
        self._fast: dict[str, tuple[Any, Any, str]] = {}   # parse_block's, see _fast_entry
        self._hosts: dict[str, str] = {}   # parse_block(split=True)'s, one str per host name
        # Exim's main log lines are split by _EXIM_LINE when Exim claims them
        self._exim_main = self._claimant("exim") is exim
        # parse(): the syslog line before was Sendmail's, see _sendmail_line
        self._sendmail_run = False

    def set_reference_time(self, ref: datetime | None) -> None:
        """Year inference for the next file (its mtime), see envelope.infer_year."""
        self.envelopes.ref = ref
        self.envelopes.clear_cache()

    def parse(self, line: str, counts: Counter[str]) -> Parsed | None:
        """The envelope and what the claiming MTA's parser made of the line;
        None (and one count saying why) when there is nothing to correlate.
        ``counts`` is passed in, not held: the daemon swaps its pipeline's."""
        counts["lines"] += 1
        if line[10:11] != " ":  # no "2026-11-22 13:31:27": no line of Exim's main log
            if self._sendmail_run:
                parsed = self._sendmail_line(line, counts)
                if parsed is not _GENERIC:
                    return parsed
            env = self.envelopes.parse_syslog(line)
        elif not self._exim_main:
            env = self.envelopes.parse(line)
        else:
            envelopes = self.envelopes
            known = line.startswith(envelopes.last_exim_second)
            m = _EXIM_LINE_REST.match(line, 19) if known else _EXIM_LINE.match(line)
            if m is not None:  # else a piece mark, a second stamp, no Exim head: the whole envelope parser
                ms, zone, pid, qid, flag = m.groups()
                if known and zone == envelopes.last_exim_zone:  # the second of the line before
                    ts = envelopes.last_exim_ts
                    if ms:
                        ts += MILLIS.get(ms) or timedelta(milliseconds=int(ms))
                else:
                    ts = envelopes.exim_stamp(line, m)
                    if ts is None:
                        counts["skipped:unrecognized"] += 1
                        return None
                if qid is None and not envelopes.syslog_after_stamp(line[m.end():]):
                    counts["mta_other"] += 1
                    return None
            if m is not None and qid is not None:
                try:
                    rec = exim.AFTER_ID[flag](qid, line, m.end())
                except Exception as e:  # a parser bug must never stop a run
                    counts[f"skipped:parser_error:{type(e).__name__}"] += 1
                    return None
                if rec is None:
                    counts["mta_other"] += 1
                    return None
                return Envelope(ts, None, "exim", int(pid) if pid else None, line[m.start(4):]), rec
            env = envelopes.parse(line)
        if env is None:
            counts[self._why_unrecognized(line)] += 1
            return None
        mod = self._claimant(env.program)
        if mod is None:
            wrapped = self._wrapped(env)
            if wrapped is None:
                counts["other_program"] += 1
                return None
            env, mod = wrapped
        if mod is sendmail:
            self._sendmail_run = True
        try:
            rec = mod.parse(env)
        except Exception as e:  # a parser bug must never stop a run
            counts[f"skipped:parser_error:{type(e).__name__}"] += 1
            return None
        if rec is None:
            counts["mta_other"] += 1
            return None
        return env, rec

    def parse_block(self, texts: list[str], counts: Counter[str], *, split: bool = False) -> list[tuple]:
        """:meth:`parse` of each line, for a whole file read a block at a
        time: ``(index in texts, envelope, record(s))`` of the lines that
        yield a record, the same counts. Faster per line: a line in the
        common RFC 3164 form is split without an Envelope (its stamp looked
        up in :attr:`.EnvelopeParser.heads`, the rest by ``match_tail``;
        :attr:`.EnvelopeParser.match_head` for a stamp not seen before),
        and a module with ``parser_for(program)`` or ``parse_at(program,
        line, start)`` (Postfix) turns down the lines it has no record for
        before one is built. About half the lines of a Postfix log (smtpd
        sessions, TLS, postscreen) cost only that.

        ``split=True`` (the parse worker, which sends fields, not objects):
        no Envelope at all, ``(index, timestamp, host, program, pid, at,
        record(s))`` instead, where ``at`` is where the message starts in
        the line (an int) or, when the message is no tail of the line, the
        message itself. Building an Envelope and its message's copy only to
        take them apart again cost the worker a tenth of its time."""
        out: list[tuple[int, Envelope, Any]] = []
        envelopes = self.envelopes
        match_head, match_tail, generic = envelopes.match_head, envelopes.match_tail, envelopes.parse
        heads, next_second, stamp_of = envelopes.heads, envelopes.next_second, envelopes.stamp
        fast, claimant = self._fast, self._claimant
        hosts = self._hosts
        # Exim's own main log ("2026-11-20 06:00:01 1rABCD-... => ..."), split
        # as parse() splits it: its head, id and flag by _EXIM_LINE, its stamp,
        # exim.AFTER_ID
        exim_main, exim_line, exim_rest = self._exim_main, _EXIM_LINE.match, _EXIM_LINE_REST.match
        exim_stamp, after_id, millis = envelopes.exim_stamp, exim.AFTER_ID, MILLIS
        unrecognized = other = none = 0
        exim_run = False  # the line before was in Exim's main log's form
        for i, line in enumerate(texts):
            if not exim_run:
                # nearly every line's stamp was seen before: only the rest of its head is matched
                ts = heads.get(line[:16])
            elif line[10:11] == " ":
                # in a run of Exim's lines that lookup is skipped: it finds
                # nothing there (a key of heads, an RFC 3164 stamp, has a digit
                # at [10]); a syslog log pays one test for it
                ts = None
            else:
                exim_run = False
                ts = heads.get(line[:16])
            if ts is None and (exim_run or line[10:11] == " " and exim_main):  # "2026-11-22 13:31:27": Exim's
                exim_run = True
                known = line.startswith(envelopes.last_exim_second)
                m = exim_rest(line, 19) if known else exim_line(line)
                if m is not None:  # else a piece mark, a second stamp, no Exim head: the whole envelope parser
                    ms, zone, pid, qid, flag = m.groups()
                    if known and zone == envelopes.last_exim_zone:  # the second of the line before
                        ts = envelopes.last_exim_ts
                        if ms:
                            ts += millis.get(ms) or timedelta(milliseconds=int(ms))
                    else:
                        ts = exim_stamp(line, m)
                        if ts is None:
                            unrecognized += 1
                            continue
                    if qid is None:
                        if not envelopes.syslog_after_stamp(line[m.end():]):
                            none += 1
                            continue
                        # "2026-11-22 13:31:27 host prog[pid]:": a syslog line, the whole envelope parser
                        m = ts = None
                if m is not None:
                    try:
                        rec = after_id[flag](qid, line, m.end())
                    except Exception as e:  # a parser bug must never stop a run
                        counts[f"skipped:parser_error:{type(e).__name__}"] += 1
                        continue
                    if rec is None:
                        none += 1
                        continue
                    start = m.start(4)
                    if split:
                        out.append((i, ts, None, "exim", int(pid) if pid else None, start, rec))
                    else:
                        out.append((i, Envelope(ts, None, "exim", int(pid) if pid else None, line[start:]), rec))
                    continue
            if ts is None and line[12:13] == ":":  # "Nov 20 06:00:": perhaps a new second of a known minute
                ts = next_second(line)
            if ts is not None:
                m = match_tail(line, 16)
            else:
                m = match_head(line)
                if m is not None:
                    ts = stamp_of(m[1])
                    m = match_tail(line, m.end(1) + 1)  # the same head, groups (host, program, pid)
            if m is not None:
                program = m[2]  # host and pid only for a line that yields a record
                try:  # one str per program name, shared by its envelopes (pickled once per batch)
                    mod, parse_at, program = fast[program]
                except KeyError:
                    mod, parse_at, program = fast[program] = self._fast_entry(program)
                if mod is _GENERIC or (mod is None and m[1][-1] == ":"):  # a "host" that ends with ":": no host name
                    m = None
            if m is None:  # another form, or Exim's program: the whole envelope parser
                env = generic(line)
                if env is None:
                    why = self._why_unrecognized(line)
                    if why is _UNRECOGNIZED:
                        unrecognized += 1
                    else:
                        counts[why] += 1
                    continue
                mod = claimant(env.program)
                if mod is None:
                    wrapped = self._wrapped(env)
                    if wrapped is None:
                        other += 1
                        continue
                    env, mod = wrapped
            else:
                if ts is None:
                    unrecognized += 1
                    continue
                if mod is None:
                    start = m.end()
                    if not _stamp_at(line, start):  # no line inside: nearly every other program's
                        other += 1
                        continue
                    host, pid = m.group(1, 3)
                    wrapped = self._wrapped(Envelope(ts, host, program, int(pid) if pid else None, line[start:]))
                    if wrapped is None:
                        other += 1
                        continue
                    env, mod = wrapped
                    m = None  # the message's envelope, as the whole parser's path has it
                elif parse_at is _no_record:  # smtpd, postscreen ...: not even a call
                    none += 1
                    continue
                else:
                    start = m.end()
                    # with parse_at the envelope is built only for a line that yields a record
                    if parse_at is None:
                        host, pid = m.group(1, 3)
                        env = Envelope(ts, host, program, int(pid) if pid else None, line[start:])
                    else:
                        env = None
            try:
                rec = mod.parse(env) if env is not None else parse_at(line, start)
            except Exception as e:  # a parser bug must never stop a run
                counts[f"skipped:parser_error:{type(e).__name__}"] += 1
                continue
            if rec is None:
                none += 1
                continue
            if split:
                if m is None:  # the message is nearly always the line's tail: where it starts
                    msg = env.message
                    out.append((i, env.timestamp, env.host, env.program, env.pid,
                                len(line) - len(msg) if line.endswith(msg) else msg, rec))
                else:
                    host, pid = m.group(1, 3)
                    try:  # one str per host name, as per program: pickled once per batch, unpickled once
                        host = hosts[host]
                    except KeyError:
                        if len(hosts) > 10_000:
                            hosts.clear()
                        hosts[host] = host
                    out.append((i, ts, host, program, int(pid) if pid else None, start, rec))
                continue
            if env is None:
                host, pid = m.group(1, 3)
                env = Envelope(ts, host, program, int(pid) if pid else None, line[start:])
            out.append((i, env, rec))
        counts["lines"] += len(texts)
        for key, n in (("skipped:unrecognized", unrecognized), ("other_program", other), ("mta_other", none)):
            if n:
                counts[key] += n
        return out

    def _why_unrecognized(self, line: str) -> str:
        """The count of a line no envelope form reads: ``skipped:no_timestamp``
        for an MTA's line with no stamp at all (``postfix/smtp[137]: ...``,
        what ``docker logs`` without ``--timestamps`` shows of some mail
        images: it has no time to give an event, and the summary says how
        to get one), else ``skipped:unrecognized``."""
        m = PROG_HEAD.match(line)
        if m is not None and self._claimant(m[1]) is not None:
            return "skipped:no_timestamp"
        return _UNRECOGNIZED

    def _wrapped(self, env: Envelope) -> tuple[Envelope, ModuleType] | None:
        """An MTA's whole log line inside the message of a program no MTA
        claims, with the MTA's module: what docker's syslog and journald
        logging drivers make of a mail container's output ("host
        smtp-out[904]: 2023-04-23T06:02:11.241165+00:00 INFO
        postfix/smtp[1909]: ..."). The outer host stands for an inner line
        that names none. None when the message holds no line of ours, or
        when an MTA that ``--mta`` leaves out wrote the outer line."""
        msg = env.message
        if not _stamp_at(msg, 0):
            return None
        if self.mta != "auto" and _claimant(env.program, "auto") is not None:
            return None  # another MTA's own line (--mta leaves it out), not a wrapper
        inner = self.envelopes.parse(msg)
        if inner is None:
            return None
        mod = self._claimant(inner.program)
        if mod is None:
            return None
        if inner.host is None and env.host is not None:
            inner = Envelope(inner.timestamp, env.host, inner.program, inner.pid, inner.message)
        return inner, mod

    def _sendmail_line(self, line: str, counts: Counter[str]) -> Parsed | None | object:
        """:meth:`parse` of a syslog line split as :meth:`parse_block` splits
        it (a remembered stamp, match_tail, sendmail.parse_at on the line in
        place: no Envelope for the third of a Sendmail log that yields no
        record), when Sendmail claims it; _GENERIC otherwise, for the whole
        envelope parser. Tried only while Sendmail's lines come one after
        another (``_sendmail_run``, set by the whole parser's path when
        Sendmail claims a line, cleared here when it does not): a log's lines
        come in runs of one MTA, and the other lines are not looked at twice."""
        envelopes = self.envelopes
        ts = envelopes.heads.get(line[:16])
        if ts is None and line[12:13] == ":":  # perhaps a new second of a known minute
            ts = envelopes.next_second(line)
        if ts is not None:
            m = envelopes.match_tail(line, 16)
        else:
            m = envelopes.match_head(line)
            if m is not None:
                ts = envelopes.stamp(m[1])
                m = envelopes.match_tail(line, m.end(1) + 1)  # the same head, groups (host, program, pid)
        if m is None:
            return _GENERIC
        try:
            mod, parse_at, program = self._fast[m[2]]
        except KeyError:
            mod, parse_at, program = self._fast[m[2]] = self._fast_entry(m[2])
        if mod is not sendmail:
            self._sendmail_run = False
            return _GENERIC
        if ts is None:
            counts["skipped:unrecognized"] += 1
            return None
        start = m.end()
        try:
            rec = parse_at(line, start)
        except Exception as e:  # a parser bug must never stop a run
            counts[f"skipped:parser_error:{type(e).__name__}"] += 1
            return None
        if rec is None:
            counts["mta_other"] += 1
            return None
        host, pid = m.group(1, 3)
        return Envelope(ts, host, program, int(pid) if pid else None, line[start:]), rec

    def _fast_entry(self, program: str) -> tuple[Any, Any, str]:
        """parse_block's per-program decision: (claiming module or None, its
        ``parse_at`` for this program as ``f(line, start)`` if it has one,
        the name), or _GENERIC for a program whose envelope needs more than
        the head (Exim's strips its own stamp). A module's
        ``parser_for(program)`` gives that function (it looks at the name
        once, not per line); None from it means no line of the program
        yields a record."""
        if len(self._fast) > 10_000:
            self._fast.clear()
        if program[:4] == "exim":
            return _GENERIC, None, program
        mod = self._claimant(program)
        parser_for = getattr(mod, "parser_for", None)
        if parser_for is not None:
            return mod, parser_for(program) or _no_record, program
        parse_at = getattr(mod, "parse_at", None)
        return mod, partial(parse_at, program) if parse_at is not None else None, program

    def _claimant(self, program: str) -> ModuleType | None:
        try:
            return self._claims[program]
        except KeyError:
            mod = self._claims[program] = _claimant(program, self.mta)
            if len(self._claims) > 10_000:
                self._claims.clear()
            return mod
