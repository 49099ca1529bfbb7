"""Log transport prefixes -> Envelope(timestamp, host, program, pid, message).

Recognized, in the order tried (cheapest discriminating byte first):

* RFC 3164 syslog, as rsyslog/syslog-ng write by default
  (``Nov  2 13:31:27[.123456] host prog[pid]: msg``; Solaris' and illumos'
  syslogd add ``[ID 801593 mail.info]`` before msg), and as Postfix's
  postlogd writes ``maillog_file``: 3.7 formats ``%b %d %H:%M:%S``, so the
  day is zero-padded (``Nov 02``) and there is no fraction. The year is
  inferred (see :func:`infer_year`), the zone is the local one.
* rsyslog's high-precision RFC 3339 stamps (``2026-11-22T13:31:27.123456+01:00 host
  prog[pid]: msg``), also wrapped around a whole RFC 3164 line (docker/k8s);
  and the same with a space for the ``T`` (``2026-11-22 13:31:27 host
  prog[pid]: msg``: rsyslog's ``date-mysql``/``date-pgsql`` properties,
  syslog-ng and metalog templates), without a zone in the local one; and
  with a severity for the host (``... INFO    postfix/smtp[990]: msg``, the
  boky/postfix docker image).
* RFC 5424 (``<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG``).
* ``journalctl``'s ``-o short-unix`` (``1700000000.123456 host prog[pid]:``)
  and ``-o short-full`` (``Sun 2026-11-22 13:31:27 CET host prog[pid]:``).
* ``journalctl -o json`` records (one JSON object per line).
* Any of these behind ``docker compose logs``'s ``SERVICE-1  | `` column, in
  Kubernetes' CRI log files (``2026-11-22T13:31:27.123456789Z stdout F
  <line>``) and in Docker's json-file logs (``{"log": "<line>\\n", ...}``).
* Exim's own main log (``2026-11-22 13:31:27[.345] [+0100] [[pid]] msg``), and
  the same stamp inside a syslog message of ``exim``/``exim4``, which is stripped.

Everything here is a pure function of the line and the reference time; no
I/O. Every pattern is anchored and free of nested or overlapping quantifiers,
so matching stays linear however hostile the line.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Callable

from .records import Envelope, number

MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}

# Solaris and illumos syslogd put a message id and the facility.level
# before the message ("sendmail[7]: [ID 801593 mail.info] ..."): it is part
# of the head, not of what the MTA wrote.
_SUN_ID = r"(?:\[ID \d{1,10} [\w.]{1,32}\] |)"
_RFC3164 = re.compile(
    r"(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? "
    r"(\S+) ([^\s\[:]+)(?:\[(\d{1,10})\])?: ?" + _SUN_ID)
# The same head without a <PRI>, the stamp as one group: the stamp's datetime
# is cached by its text, so its parts are split out (_STAMP3164) only on a miss.
_HEAD3164 = re.compile(
    r"([A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d{1,6})?) (\S+) ([^\s\[:]+)(?:\[(\d{1,10})\])?: ?" + _SUN_ID)
_STAMP3164 = re.compile(r"([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?")
_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)? ")
# What `docker compose logs` puts before a line: the service's name padded
# to the widest, then "| " (a --timestamps stamp after it is _iso's wrap).
_COMPOSE = re.compile(r"[A-Za-z0-9][\w.-]{0,127} *\| ")
_HOST_PROG = re.compile(r"(\S+) ([^\s\[:]+)(?:\[(\d{1,10})\])?: ?" + _SUN_ID)
# A head with no host name ("Dec  4 14:44:07 postfix/smtp[2097]: ..."): what
# a container's syslog writes to its stdout (busybox syslogd, docker-postfix
# and Mailu images). _HOST_PROG takes "postfix/smtp[2097]:" for the host and
# the queue id for the program; so a host that ends with ":" (no host name
# does), or no match, is looked at again as a program, groups (program, pid),
# taken only when an MTA claims it (see EnvelopeParser._no_host).
PROG_HEAD = re.compile(r"([^\s\[:]+)(?:\[(\d{1,10})\])?: ?" + _SUN_ID)
_STAMP_PRI3164 = re.compile(r"(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? ")
# journalctl -o short-unix and -o short-full
_UNIX = re.compile(r"(\d{9,11})\.(\d{1,9}) ")
_WEEKDAYS = frozenset({"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"})
_SHORT_FULL = re.compile(r"[A-Z][a-z]{2} (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? ([A-Za-z+0-9-]{1,6}) ")
# Kubernetes' CRI log files (containerd, CRI-O: /var/log/containers/*.log): "<RFC 3339>
# stdout F <the container's line>", F a full line, P part of a longer one (taken as it is).
_CRI_STREAMS = frozenset({"stdout ", "stderr "})
MAX_NESTING = 3   # wrappers around a line (a runtime's around a collector's ...)
# The docker image boky/postfix (bokysan/docker-postfix) has its syslog write "<RFC 3339
# stamp> INFO    postfix/smtp[990]: ...": the severity, padded, where the host would be.
_LEVELS = frozenset({"DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERR", "ERROR", "CRIT", "CRITICAL",
                     "ALERT", "EMERG", "FATAL"})
_LEVEL_PROG = re.compile(r"([A-Z]{3,8}) {2,8}([^\s\[:]+)(?:\[(\d{1,10})\])?: ?")
# What starts a line of Exim's main log after its head when it is about a
# message: the message's id (old and 4.97+ forms).
_EXIM_ID = re.compile(r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} ")
# A syslog line's "host prog[pid]: " after a stamp in Exim's form, stricter
# than _HOST_PROG: a host name or address, a program name that starts with
# a letter, ": " after it. Exim's own lines without an id ("rcpt_acl: macro:
# ...", "event auth:fail", "pid 27421: SIGHUP received") fit _HOST_PROG, and
# some fit this too ("tls session: yes"): see EnvelopeParser.syslog_after_stamp.
_SYSLOG_HEAD = re.compile(r"[A-Za-z0-9](?:[\w.:-]{0,253}\w|) ([A-Za-z][\w./-]{0,63})(?:\[\d{1,10}\]|): ")
_RFC5424 = re.compile(r"<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) \S+ ")
# Only what varies within a second is captured (milliseconds, zone, pid):
# the date and time sit at fixed offsets and are read from the line only when
# a second is new (see EnvelopeParser._exim). "(?:x|)" is "(?:x)?" at a third of
# the cost in CPython's re (a branch, not a repeat).
# The parts are public for callers that read a main log line's head and
# what follows it in one match (LineParser): EXIM_SECOND, the date and time
# (fixed width: a line that starts with a text it matched before needs it
# matched no more, see EnvelopeParser.last_exim_second); EXIM_REST, the rest of
# the head; EXIM_PLAIN, where the message after it needs nothing more (no
# "[1\\3]" piece mark, no second stamp: see EnvelopeParser.parse).
EXIM_SECOND = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
EXIM_REST = r"(?:\.(\d{3})|)(?: ([+-]\d{4})|)(?: \[(\d{1,10})\]|) "
EXIM_PLAIN = r"(?!\[|[\s\S]{4}-)"
_EXIM = re.compile(EXIM_SECOND + EXIM_REST)
# The same head when the message after it needs nothing more, for callers that
# split lines themselves (EnvelopeParser.match_exim).
# Atomic: where the message does need more, the head must not match a
# shorter way instead (no zone, the zone read as the message).
_EXIM_PLAIN = re.compile(r"(?>" + _EXIM.pattern + r")" + EXIM_PLAIN)
# Exim's milliseconds as timedeltas: adding one to the cached second is
# cheaper than building a datetime (and gives the same value).
MILLIS = {f"{i:03d}": timedelta(milliseconds=i) for i in range(1000)}
_SECONDS = {f"{i:02d}": timedelta(seconds=i) for i in range(60)}  # a second of a minute, "00"-"59"

# The first piece of an Exim entry that syslog got in several pieces; later
# pieces ("[2\3] ...") stay as they are and are no delivery line.
_EXIM_PIECE = re.compile(r"\[1[\\/]\d{1,4}\] ")

# How far into the future a year-less stamp may lie before we decide it is
# from last year: clocks of log hosts drift, logs get copied between hosts.
FUTURE_SLACK = timedelta(days=7)


def infer_year(month: int, day: int, ref: datetime) -> int:
    """The year of an RFC 3164 stamp: the latest year that does not put the
    stamp more than FUTURE_SLACK after ``ref`` (the file's mtime, or now).
    Correct across New Year, and for backfills of last year's rotated logs."""
    year = ref.year
    try:
        if datetime(year, month, day, tzinfo=ref.tzinfo) > ref + FUTURE_SLACK:
            year -= 1
    except ValueError:  # Feb 29 of a non-leap ref year
        year -= 1
    return year


_ZONES: dict[str, tzinfo] = {}


def _zone(text: str | None) -> tzinfo | None:
    if not text:
        return None
    z = _ZONES.get(text)
    if z is not None:
        return z
    if len(_ZONES) > 256:
        _ZONES.clear()
    z = _ZONES[text] = _make_zone(text)
    return z


def _make_zone(text: str) -> tzinfo:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _local(naive: datetime, tz: tzinfo | None) -> datetime | None:
    """A stamp without a zone, in ``tz`` or else this machine's zone; None
    when that zone's conversion leaves datetime's range (``0001-01-01
    00:00:00`` east of UTC): astimezone() raised out of the parser, which
    stopped the whole run."""
    if tz is not None:
        return naive.replace(tzinfo=tz)
    try:
        return naive.astimezone()
    except (ValueError, OverflowError, OSError):
        return None


def _encodable(text: str) -> str:
    """A string of a JSON log record as text that encodes to UTF-8: a lone
    surrogate (``"\\udcff"``, valid JSON, no character) as its escape, as
    the reader writes an invalid byte (``\\xff``). Left in, it raised in
    the classifier's RE2 and the JSON encoder, which stopped the run."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _frac(text: str | None) -> int:
    """Fractional seconds (any precision) -> microseconds."""
    return int((text + "000000")[:6]) if text else 0


class EnvelopeParser:
    """Parses prefixes; holds only caches and the reference clock.

    ``ref`` is the reference time for year inference (a file's mtime when
    backfilling; ``None`` means "now", right for live logs). ``tz`` is the
    zone of year-less stamps (``None``: the machine's local zone)."""

    def __init__(self, ref: datetime | None = None, tz: tzinfo | None = None,
                 syslog_claims: Callable[[str], bool] | None = None) -> None:
        """``syslog_claims(program)``: whether a line stamped as Exim stamps
        its main log but going on like a syslog line (``host prog[pid]: ``)
        is that syslog line; by default every such line is. See
        :meth:`syslog_after_stamp`."""
        self.ref = ref
        self.tz = tz
        self.syslog_claims = syslog_claims
        self._nesting = 0   # see _inner
        self._stamps: dict[str, datetime] = {}
        # For callers that split many lines themselves (LineParser.parse_block):
        # a match of the common RFC 3164 head, no <PRI>, groups (stamp, host,
        # program, pid), the message from its end. Where it matches and the
        # program is not Exim's, parse() returns Envelope(self.stamp(stamp),
        # host, program, pid, message), or None when the stamp is no date.
        self.match_head = _HEAD3164.match
        # What follows the stamp and its space, groups (host, program, pid):
        # where match_head matches, ``match_tail(line, m.end(1) + 1)`` matches
        # with the same groups and end. With ``heads``, a line whose first 16
        # characters are a key there ("Nov 20 06:00:01 ", a stamp of 15
        # characters and its space, as match_head matched it before) has that
        # stamp: 15 characters hold no fraction, and no other split of them
        # is a stamp. Its head is then ``match_tail(line, 16)``, the stamp a
        # slice and a look-up instead of regex steps (nearly every line of a
        # busy log shares its second with the lines before it).
        self.match_tail = _HOST_PROG.match
        self.heads: dict[str, datetime] = {}
        self._head_minutes: dict[str, datetime] = {}   # see next_second
        self._minutes: dict[tuple[int, int, int, int], datetime] = {}
        self._exim_stamps: dict[str, datetime] = {}
        self._exim_minutes: dict[str, datetime] = {}   # see _exim_second
        # The last Exim stamp exim_stamp read: the text of its second (a line
        # that starts with it starts with a valid stamp's date and time; 19
        # NULs at first, which no line whose head looks like Exim's starts
        # with), its zone and its datetime without the milliseconds.
        self.last_exim_second, self.last_exim_zone, self.last_exim_ts = "\0" * 19, None, datetime.min
        # The same for Exim's own main log: a match of its head, groups
        # (milliseconds, zone, pid), the message from its end, when that
        # message needs no more work. There parse() returns
        # Envelope(self.exim_stamp(line, m), None, "exim", pid, message), or
        # None when exim_stamp() is None (no date).
        self.match_exim = _EXIM_PLAIN.match

    def parse(self, line: str) -> Envelope | None:
        if line[10:11] == " ":  # "2026-11-22 13:31:27": Exim's main log (or a syslog template's stamp)
            m = _EXIM.match(line)
            if m is not None:
                ms, zone, pid = m.groups()
                if line.startswith(self.last_exim_second) and zone == self.last_exim_zone:  # exim_stamp's usual case
                    ts = self.last_exim_ts
                    if ms:
                        ts = ts + (MILLIS.get(ms) or timedelta(milliseconds=int(ms)))
                else:
                    ts = self.exim_stamp(line, m)
                msg = line[m.end():]
                if ts is not None and not self.syslog_after_stamp(msg):  # else "... 13:31:27 host prog[pid]:"
                    env = Envelope(ts, None, "exim", int(pid) if pid else None, msg)
                    if msg[:1] == "[" or msg[4:5] == "-":
                        return self._exim_message(env)
                    return env
        env = self._parse(line) or self._compose(line)
        if env is not None and env.program[:4] == "exim":
            return self._exim_message(env)
        return env

    def syslog_after_stamp(self, msg: str) -> bool:
        """Whether ``msg``, what follows a date and time in Exim's form
        (``2026-11-22 13:31:27``), is the rest of a syslog line written with
        such a stamp (rsyslog's date-mysql, syslog-ng and metalog
        templates): ``host prog[pid]: ``, a program ``syslog_claims``. Not
        a line of Exim's main log: one about a message starts with its id,
        and the others with words, a few of which fit the form ("tls
        session: yes", from ACLs): their "program" is no MTA's."""
        m = _SYSLOG_HEAD.match(msg)
        if m is None or _EXIM_ID.match(msg) is not None:
            return False
        return self.syslog_claims is None or self.syslog_claims(m[1])

    def parse_syslog(self, line: str) -> Envelope | None:
        """:meth:`parse` of a line with no space at index 10, which is no line
        of Exim's main log: for a caller that looked there already
        (LineParser.parse), so that the look costs the other lines nothing."""
        env = self._parse(line) or self._compose(line)
        if env is not None and env.program[:4] == "exim":
            return self._exim_message(env)
        return env

    def _exim_message(self, env: Envelope) -> Envelope:
        msg = env.message
        if msg[:1] == "[":  # Exim splits long or multi-line entries for syslog: "[1\3] ...", "[2\3] ..."
            m = _EXIM_PIECE.match(msg)
            if m is not None:
                env = Envelope(env.timestamp, env.host, env.program, env.pid, msg[m.end():])
                msg = env.message
        if msg[4:5] == "-" and msg[:1].isdigit():
            return self._exim_inner(env)
        return env

    def _compose(self, line: str) -> Envelope | None:
        """A line no head matched, behind `docker compose logs`'s column
        (mailcow, Mailu, docker-mailserver run the MTA in a container):
        "SERVICE-1  | " before each line. Only one column is taken off."""
        m = _COMPOSE.match(line)
        return self._parse(line[m.end():]) if m is not None else None

    def _parse(self, line: str) -> Envelope | None:
        if not line:
            return None
        c = line[0]
        if c == "{":
            return self._journal(line)
        if c == "<":
            if line.startswith("1 ", line.find(">") + 1):
                return self._rfc5424(line)
            return self._rfc3164(line)
        if c.isdigit():
            if len(line) > 10 and line[10] == "T":
                return self._iso(line)
            if line[10:11] == ".":  # journalctl -o short-unix
                return self._unix(line)
            env = self._exim(line)
            if env is None or self.syslog_after_stamp(env.message):  # "2026-11-22 13:31:27 host prog[pid]:"
                return self._iso(line) or env
            return env
        if line[:3] in _WEEKDAYS:  # journalctl -o short-full
            return self._short_full(line)
        return self._rfc3164(line)

    # -- journalctl's other text formats -------------------------------------
    def _unix(self, line: str) -> Envelope | None:
        """``1700000000.123456 host prog[pid]: msg`` (``-o short-unix``)."""
        m = _UNIX.match(line)
        if m is None:
            return None
        try:
            ts = datetime.fromtimestamp(int(m[1]), timezone.utc).replace(microsecond=_frac(m[2]))
        except (ValueError, OverflowError, OSError):
            return None
        return self._after_stamp(ts, line[m.end():])

    def _short_full(self, line: str) -> Envelope | None:
        """``Sun 2026-11-22 13:31:27 CET host prog[pid]: msg`` (``-o
        short-full``): a zone's abbreviation is no offset (CST is three
        zones), so the stamp is read in the local zone, UTC when it says so."""
        m = _SHORT_FULL.match(line)
        if m is None:
            return None
        try:
            naive = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), _frac(m[7]))
        except ValueError:
            return None
        if m[8] in ("UTC", "GMT", "Z"):
            ts = naive.replace(tzinfo=timezone.utc)
        else:
            ts = _local(naive, self.tz)
            if ts is None:
                return None
        return self._after_stamp(ts, line[m.end():])

    def _after_stamp(self, ts: datetime, rest: str) -> Envelope | None:
        """The envelope of ``rest``, what follows a stamp and its space:
        ``host prog[pid]: msg``, or a severity for the host (boky/postfix's
        ``INFO    postfix/smtp[990]: msg``)."""
        h = _HOST_PROG.match(rest)
        if h is None or h[1][-1] == ":":
            n = self._no_host(rest)
            if n is not None:
                return Envelope(ts, None, n[1], int(n[2]) if n[2] else None, rest[n.end():])
        if h is None:
            h = _LEVEL_PROG.match(rest)
            if h is None or h[1] not in _LEVELS:
                return None
        pid = h[3]
        return Envelope(ts, None if h[1] in _LEVELS else h[1], h[2], int(pid) if pid else None, rest[h.end():])

    # -- RFC 3164 / postlogd ---------------------------------------------
    def _no_host(self, rest: str) -> re.Match[str] | None:
        """``rest`` (what follows a stamp) as a head with no host name
        (PROG_HEAD), when an MTA claims its program; None otherwise, and
        always without ``syslog_claims`` (then nothing tells a program
        from a host)."""
        if self.syslog_claims is None:
            return None
        n = PROG_HEAD.match(rest)
        return n if n is not None and self.syslog_claims(n[1]) else None

    def _rfc3164(self, line: str) -> Envelope | None:
        m: re.Match[str] | None = _RFC3164.match(line)
        if m is None or m[7][-1] == ":":  # perhaps no host name (see PROG_HEAD)
            s = _STAMP_PRI3164.match(line)
            n = self._no_host(line[s.end():]) if s is not None else None
            if n is not None:
                return self._head3164(line, s, None, n[1], n[2], s.end() + n.end())  # type: ignore[arg-type]
            if m is None:
                return None
        return self._head3164(line, m, m[7], m[8], m[9], m.end())

    def _head3164(self, line: str, m: re.Match[str], host: str | None, program: str, pid: str | None,
                  end: int) -> Envelope | None:
        """The Envelope of an RFC 3164 line whose stamp ``m`` matched (groups
        month to fraction, as _RFC3164's), its message from ``end``."""
        mon, day, hh, mm, ss, frac = m.group(1, 2, 3, 4, 5, 6)
        month = MONTHS.get(mon)
        if month is None:
            return None
        stamp = line[: m.end(6) if frac else m.end(5)]
        ts = self._stamps.get(stamp)
        if ts is None:
            ts = self._stamp3164(month, int(day), int(hh), int(mm), int(ss), _frac(frac))
            if ts is None:
                return None
            if len(self._stamps) > 4096:
                self._stamps.clear()
            self._stamps[stamp] = ts
        return Envelope(ts, host, program, int(pid) if pid else None, line[end:])

    def stamp(self, stamp: str) -> datetime | None:
        """The datetime of an RFC 3164 stamp as :attr:`match_head` captures it
        (``Nov  2 13:31:27[.123456]``), cached; None for no valid date. One of
        15 characters is also remembered in :attr:`heads`."""
        ts = self._stamps.get(stamp)
        if ts is not None:
            if len(stamp) == 15:
                self._keep_head(stamp, ts)
            return ts
        mon, day, hh, mm, ss, frac = _STAMP3164.fullmatch(stamp).groups()  # type: ignore[union-attr]
        month = MONTHS.get(mon)
        if month is None:
            return None
        ts = self._stamp3164(month, int(day), int(hh), int(mm), int(ss), _frac(frac))
        if ts is not None:
            if len(self._stamps) > 4096:
                self._stamps.clear()
            self._stamps[stamp] = ts
            if len(stamp) == 15:
                self._keep_head(stamp, ts)
        return ts

    def _keep_head(self, stamp: str, ts: datetime) -> None:
        if len(self.heads) > 4096:
            self.heads.clear()
            self._head_minutes.clear()
        self.heads[stamp + " "] = ts
        self._head_minutes[stamp[:12]] = ts.replace(second=0)

    def next_second(self, line: str) -> datetime | None:
        """For a line whose first 16 characters are no key of :attr:`heads`
        (a new second: one line in tens of a busy log): the datetime of its
        stamp when the line starts with a minute a key of :attr:`heads` has
        ("Nov 20 06:00" of "Nov 20 06:00:01 "), then ":", two decimal digits
        and a space, which is a stamp of 15 characters again; remembered in
        :attr:`heads`. None otherwise (another minute, another form, no such
        second), when :meth:`stamp` of match_head's stamp decides."""
        minute = self._head_minutes.get(line[:12])
        if minute is None or line[12:13] != ":" or line[15:16] != " " or not line[13:15].isdecimal():
            return None
        try:
            ts = minute.replace(second=int(line[13:15]))
        except ValueError:
            return None
        if len(self.heads) > 4096:
            self.heads.clear()
        self.heads[line[:16]] = ts
        return ts

    def _stamp3164(self, month: int, day: int, hh: int, mm: int, ss: int, us: int) -> datetime | None:
        # A busy log has a new second every few lines: the year, the zone and
        # the datetime are worked out once per minute (cached; zone offsets
        # change on whole minutes), the second put in by replace().
        key = (month, day, hh, mm)
        base = self._minutes.get(key)
        if base is None:
            ref = self.ref or datetime.now(self.tz or timezone.utc).astimezone(self.tz)
            year = infer_year(month, day, ref)
            try:
                naive = datetime(year, month, day, hh, mm)
            except ValueError:
                return None
            base = naive.replace(tzinfo=self.tz) if self.tz else naive.astimezone()
            if len(self._minutes) > 4096:
                self._minutes.clear()
            self._minutes[key] = base
        try:
            return base.replace(second=ss, microsecond=us)
        except ValueError:
            return None

    def clear_cache(self) -> None:
        """Forget cached stamps (the reference time changed)."""
        self._stamps.clear()
        self.heads.clear()
        self._head_minutes.clear()
        self._minutes.clear()

    # -- RFC 3339 high precision -------------------------------------------
    def _iso(self, line: str) -> Envelope | None:
        m = _ISO.match(line)
        if m is None:
            return None
        try:
            ts = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), _frac(m[7]))
            tz = _zone(m[8])
        except ValueError:
            return None
        if tz is not None or line[10] == "T":  # RFC 3339 without a zone: UTC, as before
            ts = ts.replace(tzinfo=tz or timezone.utc)
        else:  # a template's local time, as an RFC 3164 stamp's
            ts = _local(ts, self.tz)
            if ts is None:
                return None
        rest = line[m.end():]
        if rest[:7] in _CRI_STREAMS and rest[8:9] == " " and rest[7:8] in "FP":  # a Kubernetes node's log
            inner = self._inner(rest[9:])
            return None if inner is None else Envelope(ts, inner.host, inner.program, inner.pid, inner.message)
        if rest[:3] in MONTHS:  # a whole syslog line behind a collector's stamp
            inner = self._rfc3164(rest)
            if inner is not None:
                return Envelope(ts, inner.host, inner.program, inner.pid, inner.message)
        return self._after_stamp(ts, rest)

    # -- RFC 5424 ------------------------------------------------------------
    def _rfc5424(self, line: str) -> Envelope | None:
        m = _RFC5424.match(line)
        if m is None:
            return None
        ts = _parse_iso(m[1])
        rest = line[m.end():]
        if rest.startswith("- "):
            msg = rest[2:]
        elif rest == "-":
            msg = ""
        elif rest.startswith("["):
            msg = _skip_structured_data(rest)
        else:
            msg = rest
        if msg.startswith("\ufeff"):
            msg = msg[1:]
        host = None if m[2] == "-" else m[2]
        return Envelope(ts, host, m[3], number(m[4]), msg)

    # -- journald JSON -------------------------------------------------------
    def _journal(self, line: str) -> Envelope | None:
        try:
            rec = json.loads(line)
        except ValueError:
            return None
        if not isinstance(rec, dict):
            return None
        if "\\u" in line:  # an escape: perhaps a lone surrogate, which no encoder downstream takes
            rec = {k: _encodable(v) if isinstance(v, str) else v for k, v in rec.items()}
        msg = rec.get("MESSAGE")
        if msg is None:
            if isinstance(rec.get("log"), str):  # Docker's json-file log of a container
                return self._container(rec.get("time"), rec["log"].rstrip("\n"))
            if isinstance(rec.get("message"), str):  # a log shipper's document
                return self._shipped(rec)
        if isinstance(msg, list):  # journald exports non-UTF-8 messages as byte arrays
            try:
                msg = bytes(msg).decode("utf-8", "backslashreplace")
            except (TypeError, ValueError):
                return None
        if not isinstance(msg, str):
            return None
        program = rec.get("SYSLOG_IDENTIFIER") or rec.get("_COMM")
        if not isinstance(program, str):
            return None
        pid = rec.get("SYSLOG_PID") or rec.get("_PID")
        ts = None
        usec = rec.get("__REALTIME_TIMESTAMP") or rec.get("_SOURCE_REALTIME_TIMESTAMP")
        usec = number(usec) if isinstance(usec, str) else None
        if usec is not None:
            try:
                ts = datetime.fromtimestamp(usec / 1e6, timezone.utc)
            except (ValueError, OverflowError, OSError):  # past year 9999: no stamp
                pass
        host = rec.get("_HOSTNAME")
        return Envelope(ts, host if isinstance(host, str) else None, program,
                        number(pid) if isinstance(pid, str) else None, msg)

    def _inner(self, line: str) -> Envelope | None:
        """:meth:`parse` of a line a container runtime wrapped, at most
        MAX_NESTING wrappers deep: a hostile line of wrappers in wrappers
        must not recurse as deep as it is long."""
        if self._nesting >= MAX_NESTING:
            return None
        self._nesting += 1
        try:
            return self.parse(line)
        finally:
            self._nesting -= 1

    def _shipped(self, rec: dict[str, Any]) -> Envelope | None:
        """A line as a log shipper forwards it (Filebeat, Logstash, Vector,
        Fluent Bit: ``{"message": "<line>", "@timestamp": ...}``), read
        from a file, Kafka or an archive: the line's own head, the
        shipper's stamp. When the shipper parsed the head off, ECS's
        ``process.name``/``process.pid``/``host.hostname`` name the program."""
        when = rec.get("@timestamp") or rec.get("timestamp")
        inner = self._container(when, rec["message"].rstrip("\n"))
        if inner is not None:
            return inner
        process, host = rec.get("process"), rec.get("host")
        program = process.get("name") if isinstance(process, dict) else None
        if not isinstance(program, str) or not program:
            return None
        pid = process.get("pid")
        name = (host.get("hostname") or host.get("name")) if isinstance(host, dict) else None
        return Envelope(_parse_iso(when) if isinstance(when, str) else None,
                        _encodable(name) if isinstance(name, str) else None, _encodable(program),
                        pid if type(pid) is int and 0 <= pid < 1 << 31 else None, rec["message"].rstrip("\n"))

    def _container(self, time: object, line: str) -> Envelope | None:
        """A container's log line as Docker's json-file driver stores it
        (``{"log": "<line>\\n", "stream": "stdout", "time": "<RFC 3339>"}``):
        the line's own head, the runtime's stamp (it has the year and the
        zone, as a collector's stamp before a syslog line does)."""
        inner = self._inner(line)
        if inner is None:
            return None
        ts = _parse_iso(time) if isinstance(time, str) else None
        return Envelope(ts or inner.timestamp, inner.host, inner.program, inner.pid, inner.message)

    # -- Exim main log -------------------------------------------------------
    def _exim(self, line: str) -> Envelope | None:
        m = _EXIM.match(line)
        if m is None:
            return None
        ts = self.exim_stamp(line, m)
        if ts is None:
            return None
        pid = m[3]
        return Envelope(ts, None, "exim", int(pid) if pid else None, line[m.end():])

    def exim_stamp(self, line: str, m: re.Match[str]) -> datetime | None:
        """The datetime of the Exim stamp :attr:`match_exim` (or _EXIM) found
        at the start of ``line``; None for no valid date. Many lines share a
        second: the last one's datetime is kept, and others' cached per
        second and zone, the milliseconds added afterwards (a zone offset
        cannot change within a second)."""
        ms, zone = m.group(1, 2)
        if line.startswith(self.last_exim_second) and zone == self.last_exim_zone:  # no slice, no hash
            ts = self.last_exim_ts
        else:
            ts = self._exim_stamps.get(line[:19] if zone is None else line[:19] + zone)
            if ts is None:
                ts = self._exim_second(line, zone)
                if ts is None:
                    return None
            self.last_exim_second, self.last_exim_zone, self.last_exim_ts = line[:19], zone, ts
        return ts + (MILLIS.get(ms) or timedelta(milliseconds=int(ms))) if ms else ts

    def _exim_second(self, line: str, zone: str | None) -> datetime | None:
        """The datetime of the second an _EXIM match starts ``line`` with, in
        ``zone``, cached: many lines share a second, and its milliseconds are
        added afterwards (a zone offset cannot change within a second). With
        a zone (``log_timezone``) a new second of a minute seen before is
        that minute's datetime plus the seconds: exact for a fixed offset,
        and a tenth of the cost of building it (a busy log has a new second
        every few lines)."""
        ss = _SECONDS.get(line[17:19]) if zone is not None else None
        base = self._exim_minutes.get(line[:16] + zone) if ss is not None else None
        if base is not None:
            ts = base + ss
        else:
            try:
                naive = datetime(int(line[:4]), int(line[5:7]), int(line[8:10]),
                                 int(line[11:13]), int(line[14:16]), int(line[17:19]))
                tz = _zone(zone) if zone else self.tz  # "+9999" is no zone: no stamp
            except ValueError:
                return None
            ts = _local(naive, tz)
            if ts is None:
                return None
            if ss is not None:
                if len(self._exim_minutes) > 4096:
                    self._exim_minutes.clear()
                self._exim_minutes[line[:16] + zone] = ts - ss
        if len(self._exim_stamps) > 4096:
            self._exim_stamps.clear()
        self._exim_stamps[line[:19] if zone is None else line[:19] + zone] = ts
        return ts

    def _exim_inner(self, env: Envelope) -> Envelope:
        """Exim through syslog (``exim[pid]: 2026-11-22 13:31:27 1rA...``) keeps
        its own stamp inside unless ``syslog_timestamp = false``: strip it, and
        prefer it (it has the year, and the zone with ``log_timezone``)."""
        inner = self._exim(env.message)
        if inner is None:
            return env
        return Envelope(inner.timestamp, env.host, env.program, inner.pid or env.pid, inner.message)


def _parse_iso(text: str) -> datetime | None:
    m = _ISO.match(text + " ")
    if m is None:
        return None
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]),
                        _frac(m[7]), _zone(m[8]) or timezone.utc)
    except ValueError:
        return None


def _skip_structured_data(rest: str) -> str:
    """Skips RFC 5424 SD-ELEMENTs (``[id k="v\\]"]...``) in one linear scan."""
    i, n, in_quote = 0, len(rest), False
    while i < n:
        ch = rest[i]
        if in_quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_quote = False
        elif ch == '"':
            in_quote = True
        elif ch == "]" and (i + 1 == n or rest[i + 1] != "["):
            return rest[i + 2:] if i + 1 < n else ""
        i += 1
    return ""
