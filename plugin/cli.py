"""``bouncewatch`` command line (DESIGN.md, "Command line"; stable).

Exit codes: 0 ok, 1 unreadable input or failed run (the message names the
file), 2 usage or configuration error. Events go to stdout as JSON Lines;
everything for humans goes to stderr.

Start-up time matters: the MTA forks ``ingest-mail`` once per returned
message. So this module imports only what every command needs; each
``cmd_xxx`` imports its own modules.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from bouncewatch import __version__

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
# Commands whose process ends right after its start-up: they run without the
# cyclic garbage collector, which would only walk the objects every import
# makes and that live to the end anyway (~5% of an ingest-mail's CPU).
# (parse does the same until it reads its first line.)
ONE_SHOT = frozenset({"ingest-mail", "explain"})


class UsageError(Exception):
    """Bad arguments or configuration: exit 2 with the message."""


def _days(text: str) -> float:
    """``--retention-days``: as ``[state] retention_days`` (argparse type)."""
    from .config import MAX_RETENTION_DAYS
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise argparse.ArgumentTypeError(f"must be 0 (keep every event) to {MAX_RETENTION_DAYS} days, not {text}")
    return days


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command``, only that subcommand gets
    its arguments (see :class:`_OneSubcommand`)."""
    ap = _Parser(
        prog="bouncewatch",
        description="Classify deferred and bounced mail from Postfix, Exim and Sendmail logs.")
    ap.add_argument("--version", action="version", version=f"bouncewatch {__version__}")
    sub: Any = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    if command is not None:
        sub = _OneSubcommand(sub, command)

    p = sub.add_parser("parse", help="parse log files (plain, gzip, bzip2, xz or zstd; - or none = stdin) to JSON Lines")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--mta", default="auto", choices=["auto", "postfix", "exim", "sendmail"])
    p.add_argument("--format", default="json", help="json (default), ecs, ocsf, cef, leef")
    p.add_argument("--all", action="store_true", help="also emit successful deliveries (status=sent)")
    p.add_argument("--where", metavar="EXPR", help="emit only events matching EXPR")
    p.add_argument("--state-dir", metavar="DIR", help="also feed the recipient history in DIR")
    p.add_argument("--retention-days", metavar="DAYS", type=_days,
                   help="with --state-dir: days of events the history keeps, from now on (0: all; "
                        "default: what it keeps already, 90 for a new one)")
    p.add_argument("--rules-dir", metavar="DIR", action="append", default=[],
                   help="extra rule files (*.toml), evaluated before the built-in rules")
    p.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    p.set_defaults(func=cmd_parse)

    e = sub.add_parser("explain", help="classify a reply or reason text, or log lines, and show why")
    e.add_argument("text", metavar="TEXT", help="a reply or reason text, or whole lines of the MTA's log "
                   "(- reads them from standard input: grep QUEUEID /var/log/mail.log | bouncewatch explain -)")
    e.add_argument("--json", action="store_true")
    e.add_argument("--status", choices=["deferred", "bounced", "expired", "sent"],
                   help="the delivery status (default: from the reply code; 5xx bounced, 2xx sent, else deferred)")
    e.add_argument("--relay", metavar="HOST", help="the relay host that answered (for provider detection)")
    e.add_argument("--recipient", metavar="ADDR")
    e.add_argument("--rules-dir", metavar="DIR", action="append", default=[])
    e.set_defaults(func=cmd_explain)

    m = sub.add_parser("ingest-mail", help="one returned mail (DSN, ARF, auto-reply) from an MTA pipe")
    m.add_argument("file", nargs="?", metavar="FILE", help="the message (default: stdin)")
    m.add_argument("--dry-run", action="store_true", help="print the events as JSON Lines; store nothing")
    m.add_argument("--state-dir", metavar="DIR",
                   help="spool and events (default: $BOUNCEWATCH_STATE_DIR or /var/lib/bouncewatch)")
    m.add_argument("--envelope-to", metavar="ADDR",
                   help="the address the report came back to (Postfix: ${original_recipient}); "
                        "default: Exim's $LOCAL_PART@$DOMAIN (with its prefix and suffix), else the "
                        "X-Original-To, Envelope-To, Delivered-To or To header")
    m.add_argument("--verp-delimiters", metavar="XY", default="+=",
                   help="VERP delimiters of the bounce address (default: +=, as Postfix)")
    m.add_argument("--tracking-header", metavar="NAME", action="append", default=[],
                   help="a header of the returned message that ties it to your send (e.g. X-Campaign-ID)")
    m.add_argument("--rules-dir", metavar="DIR", action="append", default=[])
    m.set_defaults(func=cmd_ingest_mail)

    f = sub.add_parser("follow", help="follow MTA logs like tail -F and ship events to sinks")
    f.add_argument("paths", nargs="*", metavar="PATH",
                   help="log files or globs, or journal: (none: find this machine's MTA log)")
    f.add_argument("--sink", metavar="URI", action="append", default=[],
                   help="- (stdout, default), file:PATH, ... (repeatable)")
    f.add_argument("--state-dir", metavar="DIR", help="checkpoints and history (default: systemd's $STATE_DIRECTORY, "
                   "else /var/lib/bouncewatch as root, else $XDG_STATE_HOME/bouncewatch)")
    f.add_argument("--from-start", action="store_true",
                   help="first run: read existing logs and their rotations (compressed too) instead of starting at the end")
    f.add_argument("--all", action="store_true", help="also emit successful deliveries (status=sent)")
    f.add_argument("--where", metavar="EXPR", help="emit only events matching EXPR")
    f.add_argument("--mta", default="auto", choices=["auto", "postfix", "exim", "sendmail"])
    f.add_argument("--rules-dir", metavar="DIR", action="append", default=[])
    f.add_argument("--status-interval", metavar="SECONDS", type=float, default=60.0,
                   help="a status line on stderr this often (default 60)")
    f.add_argument("--poll", action="store_true", help="poll for changes instead of using inotify")
    f.add_argument("--metrics", metavar="HOST:PORT", help="serve Prometheus metrics on http://HOST:PORT/metrics")
    f.add_argument("--no-history", action="store_true",
                   help="keep only checkpoints in the state dir, no recipient history (state.db)")
    f.set_defaults(func=cmd_follow)

    r = sub.add_parser("run", help="the service: follow what CONFIG says (none: the embedded default)")
    r.add_argument("-c", "--config", metavar="CONFIG")
    r.add_argument("--poll", action="store_true", help="poll for changes instead of using inotify")
    r.set_defaults(func=cmd_run)

    k = sub.add_parser("check-config", help="validate a config file; errors name the file, line and key")
    k.add_argument("-c", "--config", metavar="CONFIG", required=True)
    k.set_defaults(func=cmd_check_config)

    r = sub.add_parser("report", help="summary of deferrals and bounces (terminal tables, or --html FILE)")
    r.add_argument("files", nargs="*", metavar="FILE",
                   help="log files (compressed ok); none: the --state-dir history, or stdin")
    r.add_argument("--state-dir", metavar="DIR",
                   help="add alerts and suppressions; without FILE, report its history")
    r.add_argument("--html", metavar="OUT", help="also write a self-contained HTML report with charts to OUT")
    r.add_argument("--mta", default="auto", choices=["auto", "postfix", "exim", "sendmail"])
    r.add_argument("--rules-dir", metavar="DIR", action="append", default=[])
    r.set_defaults(func=cmd_report)

    s = sub.add_parser("suppressions", help="the suppression list of a state dir: list, export, remove, import")
    s.add_argument("action", choices=["list", "export", "remove", "import"])
    s.add_argument("items", nargs="*", metavar="ADDR|FILE",
                   help="remove: addresses (- reads them from stdin); "
                        "import: a CSV or JSON Lines file (- = stdin)")
    s.add_argument("--state-dir", metavar="DIR", required=True, help="state directory or postgresql:// URL")
    s.add_argument("--format", choices=["json", "csv"],
                   help="list: json (default) or csv; export: csv email,reason,since (default) or json")
    s.set_defaults(func=cmd_suppressions, intermixed="items")
    # a name no subcommand has: all of them, for argparse's "invalid choice" list
    return ap if command is None or sub.found else build_parser()


class _Parser(argparse.ArgumentParser):
    """argparse, with :class:`_HelpFormatter` for this parser and its subcommands'."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kw)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse makes a help formatter for every argument it adds (to check
    its metavar), and the stock one asks ``shutil`` for the terminal's width:
    importing shutil, and zlib, bz2 and lzma with it, cost a one-shot command
    more than its arguments did. The same width, asked of ``os``."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _OneSubcommand:
    """Stands in for the subparsers action when argv names the command.

    A short-lived process (``ingest-mail`` forked per message, ``explain``)
    needs one subcommand's arguments; building every subcommand's (argparse
    makes a help formatter per argument) cost it more than parsing the
    message. ``add_parser`` of any other name returns :class:`_Skipped`."""

    def __init__(self, sub: Any, name: str) -> None:
        self._sub, self.name, self.found = sub, name, False

    def add_parser(self, name: str, **kw: Any) -> Any:
        if name != self.name:
            return _Skipped()
        self.found = True
        return self._sub.add_parser(name, **kw)


class _Skipped:
    """A subcommand's parser that is not built: every call does nothing."""

    def __getattr__(self, name: str) -> Any:
        return lambda *a, **kw: self


def parse_argv(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as :func:`main` reads it (exits 2 on a usage error).
    Also what tests/test_docs_commands.py checks the docs' examples with."""
    argv = list(argv)
    # the command is the first argument (the top level has only --help, --version)
    ap = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
    args, extra = ap.parse_known_args(argv)
    if extra:  # argparse cannot put positionals after options into nargs="*" (suppressions remove)
        positional = all(x == "-" or not x.startswith("-") for x in extra)
        if getattr(args, "intermixed", None) is not None and positional:
            getattr(args, args.intermixed).extend(extra)
        else:
            ap.error("unrecognized arguments: " + " ".join(extra))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_argv(sys.argv[1:] if argv is None else argv)
    collecting = gc.isenabled()
    if args.command in ONE_SHOT:
        gc.disable()
    try:
        return int(args.func(args) or 0)
    except UsageError as e:
        print(f"bouncewatch: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `bouncewatch parse | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    finally:
        if collecting:
            gc.enable()


def run() -> int:
    """The ``bouncewatch`` program (the console script, ``python -m bouncewatch``).

    After the command the process ends: the objects it made move to the
    collector's permanent generation, so the interpreter's exit skips one
    last collection over all of them (~5% of an ingest-mail's or a small
    parse's CPU). Unlike ``os._exit``, files, atexit handlers and buffered
    output are finished as usual."""
    rc = main()
    gc.freeze()
    return rc


# -- shared helpers ----------------------------------------------------------------
def load_classifier(rules_dirs: Sequence[str], cache_dir: Path | None = None):
    """The rules, through the rule cache (in ``cache_dir``, default: the
    user's cache directory; see classify/rulecache.py)."""
    from .classify.engine import Classifier, RuleError
    try:
        return Classifier.load([Path(d) for d in rules_dirs], cache_dir=cache_dir)
    except RuleError as e:
        raise UsageError(str(e)) from None


def compile_where(text: str | None):
    if not text:
        return None
    from .classify.expr import ExprError, compile_expr
    try:
        return compile_expr(text)
    except ExprError as e:
        raise UsageError(f"--where: {e}") from None


def open_existing_state(target: str):
    """A store to read (report, suppressions): a missing directory is a
    typo, not a new empty history."""
    from .state import StateError, open_store
    if not target.startswith(("postgres://", "postgresql://")) and not os.path.isdir(target):
        raise UsageError(f"--state-dir {target}: no such directory")
    try:
        return open_store(target)
    except StateError as e:
        raise UsageError(f"--state-dir: {e}") from None


# -- parse -------------------------------------------------------------------------
def cmd_parse(args: argparse.Namespace) -> int:
    collecting = gc.isenabled()
    gc.disable()  # until the first line: start-up makes objects that live to the end (main() restores it)
    from datetime import datetime, timezone

    from .parse_worker import ParsedLines, worth_a_worker
    from .pipeline import Pipeline
    from .reader import open_log, regular_size

    from .formats import FormatError, get_format
    try:
        fmt = get_format(args.format)
    except FormatError as e:
        raise UsageError(f"--format: {e}") from None
    where = compile_where(args.where)
    if args.retention_days is not None and not args.state_dir:
        raise UsageError("--retention-days needs --state-dir")
    history = _History(args.state_dir, where, args.retention_days) if args.state_dir else None
    # what the history raises (without one nothing does, and sqlite3 stays unimported)
    history_errors: tuple[type[Exception], ...] = ()
    if history:
        from .state import StateError
        history_errors = (StateError,)
    pipeline = Pipeline(load_classifier(args.rules_dir), mta=args.mta, include_sent=args.all,
                        where=where, tap=history.tap if history else None)
    if collecting:
        gc.enable()
    files = args.files or ["-"]
    out = _EventLines(fmt, sys.stdout)
    emit, event = pipeline.emit, out.event  # looked up once, not per line
    failed = 0
    for n, path in enumerate(files):
        try:
            fp = open_log(path)
            ref = None if path == "-" else datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc)
        except OSError as e:
            print(f"bouncewatch: cannot read {path}: {e.strerror or e}", file=sys.stderr)
            failed += 1
            continue
        pipeline.set_reference_time(ref.astimezone() if ref else None)
        # a pipe or a terminal may be a live log (tail -f ... | bouncewatch parse):
        # its events are written out before we wait for more lines
        live = path == "-" and regular_size(fp) is None
        source = ParsedLines(fp, pipeline, parallel=worth_a_worker(path, fp), tables_back=n + 1 < len(files),
                             after_block=out.flush if live else None)
        progress = _Progress(path, source) if _want_progress(args, path) else None
        name = None if path == "-" else os.path.abspath(path)
        try:
            for text, env, correlated, offset in source:
                for ev in emit(text, env, correlated, name, offset):
                    event(ev)
                if history and history.pending() >= history.batch:
                    history.flush(out)
                if progress:
                    progress.tick(offset)
        except BrokenPipeError:
            raise
        except history_errors as e:  # the history cannot be written (disk full, database gone): stop
            out.flush()
            print(f"bouncewatch: state: {e}", file=sys.stderr)
            return EXIT_INPUT
        except (OSError, EOFError) as e:  # vanished, truncated .gz, I/O error: keep what we have
            print(f"bouncewatch: error reading {path}: {e}", file=sys.stderr)
            failed += 1
        finally:
            out.drain()  # a stop (Ctrl-C, an error) keeps the events already made, as the buffer did
            source.close()
            if progress:
                progress.done()
            if fp is not sys.stdin.buffer:
                fp.close()
    if history:
        try:
            history.flush(out)
            history.close(out)
        except history_errors as e:
            print(f"bouncewatch: state: {e}", file=sys.stderr)
            failed += 1
    out.flush()
    print(pipeline.summary(), file=sys.stderr)
    if history:
        print(history.summary(), file=sys.stderr)
    return EXIT_INPUT if failed else EXIT_OK


class _EventLines:
    """Events (and alerts) as lines on ``stream``. The JSON formats go to its
    byte buffer as orjson encoded them: decoding each event to str for the
    text layer to encode it again cost the main process of ``parse --all``
    about a tenth of its time."""

    batch = 64  # encoded events joined into one write: a write per event was a fifth of the output's cost

    def __init__(self, fmt: Any, stream: Any) -> None:
        self.stream = stream
        self._pending: list[bytes] = []
        buf = getattr(stream, "buffer", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if fmt.binary and buf is not None and encoding == "utf8":
            stream.flush()  # what the text layer holds goes first
            line, write, pending, batch = fmt.line_encoder(), buf.write, self._pending, self.batch
            add, join = pending.append, b"".join

            def event(ev: dict[str, Any]) -> None:
                add(line(ev))
                if len(pending) >= batch:
                    write(join(pending))
                    pending.clear()
        else:
            render, write_text = fmt.render, stream.write

            def event(ev: dict[str, Any]) -> None:
                write_text(render(ev) + "\n")
        self.event = event

    def flush(self) -> None:
        self.stream.flush()
        buf = getattr(self.stream, "buffer", None)
        if buf is not None:
            if self._pending:
                buf.write(b"".join(self._pending))
                self._pending.clear()
            buf.flush()

    def drain(self) -> None:
        """The batch in hand to the stream's buffer (not to the file: see
        :meth:`flush`); a stream that cannot take it any more loses it."""
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            try:
                self.stream.buffer.write(data)
            except (OSError, ValueError):  # a broken pipe, a closed stream: the error in flight says so
                pass


class _History:
    """``parse --state-dir``: every classified event (sent too) goes to the
    store in batches; the alerts it raises are written with the events.
    With two cores the store runs in a child process (state_writer)."""

    batch = 20_000  # events per transaction: larger means fewer rewrites of recurring recipients

    def __init__(self, target: str, where: Any, retention_days: float | None = None) -> None:
        from .state import StateError, open_store
        from .state_writer import BackgroundStore, use_background
        try:
            self.background = BackgroundStore(target, retention_days) if use_background() else None
            self.store: Any = self.background or open_store(target, retention_days=retention_days)
        except StateError as e:
            raise UsageError(f"--state-dir: {e}") from None
        self.where = where
        self._events: list[dict[str, Any]] = []
        self.tap = self.background.add if self.background else self._events.append
        self.recorded = self.alerts = self.suppressed = self.applied = self.too_old = 0

    def pending(self) -> int:
        return len(self.background.pending) if self.background else len(self._events)

    def flush(self, out: Any) -> None:
        n = self.pending()
        if not n:
            return
        if self.background:
            alerts = self.background.flush()
        else:
            alerts = self.store.record(self._events)
            self._events.clear()  # the pipeline's tap appends to this very list
        self.recorded += n
        self._write(out, alerts)

    def _write(self, out: "_EventLines", alerts: list[dict[str, Any]]) -> None:
        for a in alerts:
            if self.where is None or self.where.matches({**a, **(a.get("classification") or {})}):
                out.event(a)
        self.alerts += len(alerts)

    def close(self, out: Any) -> None:
        if self.background:
            alerts, (self.suppressed, self.applied, self.too_old) = self.background.close()
            self._write(out, alerts)
        else:
            self.suppressed, self.applied, self.too_old = (self.store.suppressed_count(), self.store.applied,
                                                           self.store.too_old)
            self.store.close()

    def summary(self) -> str:
        old = (f", {self.too_old} older than the history's retention window (not recorded: "
               "--retention-days, [state] retention_days)") if self.too_old else ""
        return (f"bouncewatch: state: {self.recorded} events recorded ({self.applied} new{old}), "
                f"{self.alerts} alerts, {self.suppressed} addresses suppressed")


def _want_progress(args: argparse.Namespace, path: str) -> bool:
    if args.no_progress or path == "-" or not sys.stderr.isatty():
        return False
    try:
        return os.path.getsize(path) > 20 * 1024 * 1024
    except OSError:
        return False


class _Progress:
    """A one-line bar on stderr for big files at a terminal, never when piped."""

    def __init__(self, path: str, fp: Any) -> None:
        self.path, self.total = path, os.path.getsize(path)
        self.raw = fp  # ParsedLines.tell: the position in the (compressed) file
        self.next = 0.0

    def tick(self, _offset: int) -> None:
        import time
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + 0.2
        try:
            pos = self.raw.tell()
        except (OSError, ValueError):
            return
        frac = min(1.0, pos / self.total) if self.total else 1.0
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r{os.path.basename(self.path)} [{bar:<30}] {frac * 100:5.1f}%")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r" + " " * 60 + "\r")
        sys.stderr.flush()


# -- explain -----------------------------------------------------------------------
def _explain_status(code: int | None, dsn: str | None) -> str:
    """The status a pasted reply implies: 5xx (or a 5.x.x code) bounced,
    2xx sent (a pasted 250 is a delivery, not a deferral to retry),
    anything else deferred."""
    if (code or 0) >= 500 or (dsn or "").startswith("5"):
        return "bounced"
    if 200 <= (code or 0) < 300 or (code is None and (dsn or "").startswith("2")):
        return "sent"
    return "deferred"


EXPLAIN_STDIN_LIMIT = 16 << 20  # explain is for a few lines; parse reads whole logs


def _logged_deliveries(text: str, classifier: Any) -> list[tuple[Any, Any, dict[str, Any]]]:
    """``(Envelope, Delivery, event)`` of each delivery that ``parse --all``
    finds in ``text``, when it holds whole lines of an MTA's log; else [].
    What an admin pastes is often the line itself (read as a reply text, its
    head hides Exim's reply, the relay and the dsn= field), or a few lines
    grepped by queue id: they are read, correlated and classified as parse
    reads them (the qmgr or from= line gives the sender, which tells our
    sender's rejection from a recipient's; an expiry inherits the cause of
    the deferrals before it), so explain says what the events say."""
    from .pipeline import Pipeline

    pipe = Pipeline(classifier, include_sent=True)
    out = []
    for line in text.splitlines():
        line = line.rstrip("\r")
        parsed = pipe.lines.parse(line, pipe.counts)
        if parsed is None:
            continue
        env, rec = parsed
        correlated = [c for r in (rec if isinstance(rec, tuple) else (rec,))
                      for c in pipe.correlator.feed(r, env.timestamp)]
        # include_sent and no --where: one event per correlated delivery, in order
        out += [(env, c.delivery, ev) for c, ev in zip(correlated, pipe.emit(line, env, correlated))]
    return out


def cmd_explain(args: argparse.Namespace) -> int:
    import json
    from dataclasses import replace

    from bouncewatch.parsers.records import Delivery, Envelope, Relay
    from bouncewatch.parsers.smtp import parse_reply

    from .event import rule_context

    if args.text == "-":  # lines piped in: no shell quoting of a log line's quotes and dollars
        data = sys.stdin.buffer.read(EXPLAIN_STDIN_LIMIT + 1)
        if len(data) > EXPLAIN_STDIN_LIMIT:
            print(f"bouncewatch: explain reads the first {EXPLAIN_STDIN_LIMIT >> 20} MiB of its input; "
                  "use parse for a whole log", file=sys.stderr)
            data = data[:EXPLAIN_STDIN_LIMIT]
        args.text = data.decode("utf-8", "replace")
    classifier = load_classifier(args.rules_dir)
    overrides = {k: v for k, v in (("status", args.status), ("recipient", args.recipient),
                                    ("relay", Relay(args.relay) if args.relay else None)) if v is not None}
    logged = _logged_deliveries(args.text, classifier)
    if not logged:  # a reply or reason text
        reply = parse_reply(args.text)
        d = Delivery(mta="explain", queue_id="", recipient=args.recipient or "",
                     status=args.status or _explain_status(reply.code, reply.dsn), reason=args.text,
                     relay=Relay(args.relay) if args.relay else None, reply=reply)
        items = [(Envelope(None, None, "explain", None, args.text), d, None)]
    else:  # whole log lines: each delivery as parse reads it (--status, --relay, --recipient override)
        items = [(env, replace(d, **overrides), None if overrides else ev) for env, d, ev in logged]
    docs, blocks = [], []
    for env, d, ev in items:
        x = classifier.explain(rule_context(env, d))
        # the event's own classification when there is one: it carries an inherited cause
        c = ev["classification"] if ev is not None else x.classification.to_dict()
        reply = d.reply or parse_reply(d.reason)
        line = None if not logged else {
            "mta": d.mta, "program": env.program, "queue_id": d.queue_id, "recipient": d.recipient,
            "status": d.status, "dsn": d.dsn, "relay": d.relay.host if d.relay else None, "reason": d.reason}
        docs.append({
            "classification": c, "rule_origin": x.rule_origin, "condition": x.condition,
            "evidence": [{"field": f, "test": t, "matched": m} for f, t, m in x.evidence],
            "provider_evidence": [{"field": f, "test": t, "matched": m} for f, t, m in x.provider_evidence],
            "blocklist_evidence": [{"field": f, "test": t, "matched": m} for f, t, m in x.blocklist_evidence],
            "reply": {"code": reply.code, "dsn": reply.dsn, "command": reply.command, "text": reply.text},
            "status": d.status,
            "line": line,
        })
        rows = [] if line is None else [
            ("line", f"{d.mta}" + (f" ({env.program})" if env.program != d.mta else "")
                     + f", queue id {d.queue_id or '-'}: {d.status} to <{d.recipient}>"
                     + (f" via {d.relay.host}" if d.relay else "") + (f", dsn={d.dsn}" if d.dsn else "")),
            ("reason", _clip(d.reason, 160))]
        rows += [
            ("category", f"{c['category']} (code {c['code']})"),
            ("type", c["type"]),
            ("action", c["action"]),
            ("provider", c["provider"] or "-"),
            ("blocklist", c["blocklist"] or "-"),
            ("rule", f"{c['rule']}  [{x.rule_origin}]"),
            ("status", f"{d.status} (reply code {reply.code or '-'}, enhanced {reply.dsn or '-'}, "
                       f"command {reply.command or '-'})"),
        ]
        if c.get("cause"):
            rows.append(("cause", f"{c['cause']} (what failed before it gave up)"))
        if x.condition:
            rows.append(("condition", _clip(x.condition, 160)))
        for label, evid in (("evidence", x.evidence), ("provider by", x.provider_evidence),
                            ("blocklist by", x.blocklist_evidence)):
            for f, t, m in evid:
                rows.append((label, f"{f} matched {m!r}" + (f"  ({_clip(t, 70)})" if len(t) < 70 else "")))
        width = max(len(k) for k, _ in rows)
        blocks.append("\n".join(f"{k:<{width}}  {v}" for k, v in rows))
    if args.json:  # one object for one delivery, as always; a list for several
        print(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(blocks))
    return EXIT_OK


# -- ingest-mail -------------------------------------------------------------------
def _open_input(name: str | None) -> Any:
    """Standard input for None or "-", else the file; None once it has said
    on stderr why the file cannot be read."""
    try:
        return sys.stdin.buffer if name in (None, "-") else open(name, "rb")
    except OSError as e:
        print(f"bouncewatch: cannot read {name}: {e.strerror or e}", file=sys.stderr)
        return None


def cmd_ingest_mail(args: argparse.Namespace) -> int:
    # Only mailspool (no email, no rules) until we know this process must
    # classify: while an agent holds the consumer lock, the agent does.
    from .mailspool import EX_TEMPFAIL, Options, SpoolError, consumer_running, envelope_to_from_env, spool

    if len(args.verp_delimiters) != 2:
        raise UsageError("--verp-delimiters: give exactly two characters, e.g. +=")
    opts = Options(envelope_to=args.envelope_to or envelope_to_from_env(), verp_delimiters=args.verp_delimiters,
                   tracking_headers=tuple(args.tracking_header))
    if args.dry_run:
        from .ingest import dry_run
        classifier = load_classifier(args.rules_dir, None)  # a dry run stores nothing, not even a cache
        fp = _open_input(args.file)
        if fp is None:
            return EXIT_INPUT
        with fp:
            dry_run(fp, classifier, opts)
        return EXIT_OK
    state = Path(args.state_dir or os.environ.get("BOUNCEWATCH_STATE_DIR") or "/var/lib/bouncewatch")
    fp = _open_input(args.file)
    if fp is None:
        return EX_TEMPFAIL  # the MTA keeps the message and tries again
    with fp:
        try:
            path = spool(fp, state, opts)
        except SpoolError as e:
            print(f"bouncewatch: ingest-mail: {e}; the MTA will retry (exit {EX_TEMPFAIL})", file=sys.stderr)
            return EX_TEMPFAIL
    if consumer_running(state):
        return EXIT_OK  # stored; the agent processes it with the rules it has loaded
    try:
        # the rule cache lives in the state dir, which the MTA's user can write
        classifier = load_classifier(args.rules_dir, state / "cache")
    except UsageError as e:  # a broken rules.d must not cost us the message: it stays spooled
        print(f"bouncewatch: {e}", file=sys.stderr)
        print(f"bouncewatch: ingest-mail: spooled as {path}; processed once the rules load", file=sys.stderr)
        return EXIT_OK
    from .ingest import process_own
    return process_own(path, state, classifier, opts)

# -- follow / run / check-config ------------------------------------------------------
def cmd_follow(args: argparse.Namespace) -> int:
    from . import daemon
    from .checkpoint import default_state_dir

    if args.status_interval <= 0:
        raise UsageError("--status-interval: must be more than 0 seconds")
    if args.metrics:
        from .metrics import parse_listen
        try:
            parse_listen(args.metrics)
        except ValueError as e:
            raise UsageError(str(e)) from None
    settings = daemon.default_settings()
    settings.status_interval = args.status_interval
    settings.use_inotify = settings.use_inotify and not args.poll
    try:
        return daemon.follow(args.paths, args.sink, args.state_dir or str(default_state_dir()),
                             from_start=args.from_start, include_sent=args.all, where=args.where,
                             rules_dirs=args.rules_dir, mta=args.mta, settings=settings,
                             history=not args.no_history, metrics_listen=args.metrics)
    except daemon.StartError as e:
        print(f"bouncewatch: {e}", file=sys.stderr)
        return e.code


def cmd_run(args: argparse.Namespace) -> int:
    from . import daemon
    from .config import ConfigError, check_sinks, default_config, load_config

    try:
        cfg = load_config(args.config) if args.config else default_config()
        if args.config:
            check_sinks(cfg)   # refused with file and line, as check-config says it
    except ConfigError as e:
        raise UsageError(str(e)) from None
    settings = daemon.default_settings()
    settings.use_inotify = settings.use_inotify and not args.poll
    try:
        return daemon.run_config(cfg, settings)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    except daemon.StartError as e:
        print(f"bouncewatch: {e}", file=sys.stderr)
        return e.code


def cmd_check_config(args: argparse.Namespace) -> int:
    from .config import ConfigError, check_rules, check_sinks, load_config

    try:
        cfg = load_config(args.config)
        check_sinks(cfg)
        check_rules(cfg)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    srcs = ", ".join(s.spec for s in cfg.sources) or "auto-detected MTA log"
    hist = cfg.history_target
    hist_txt = "no history" if hist is None else "history in PostgreSQL" if hist.startswith("postgres") \
        else f"history in {hist}/state.db"
    if hist is not None and cfg.retention_days is not None:
        hist_txt += (" keeping every event" if not cfg.retention_days
                     else f" keeping {cfg.retention_days:g} days of events")
    print(f"{args.config}: ok ({srcs} -> {len(cfg.sinks)} sink(s); state in {cfg.state_dir}, {hist_txt})")

# -- report ------------------------------------------------------------------------
def cmd_report(args: argparse.Namespace) -> int:
    from . import report as rep

    r = rep.Report()
    errors: list[str] = []
    store = None
    if args.state_dir:
        store = open_existing_state(args.state_dir)
    try:
        if args.files or store is None:
            from .pipeline import Pipeline
            pipeline = Pipeline(load_classifier(args.rules_dir), mta=args.mta, include_sent=True)
            rep.add_files(r, args.files or ["-"], pipeline, errors)
        if store is not None:
            rep.add_state(r, store, events=not args.files)
    finally:
        if store is not None:
            store.close()
    for e in errors:
        print(f"bouncewatch: {e}", file=sys.stderr)
    sys.stdout.write(rep.render_text(r))
    if args.html:
        from .report_html import render_html
        try:
            with open(args.html, "w", encoding="utf-8") as f:
                f.write(render_html(r))
        except OSError as e:
            print(f"bouncewatch: cannot write {args.html}: {e.strerror or e}", file=sys.stderr)
            return EXIT_INPUT
    return EXIT_INPUT if errors else EXIT_OK


# -- suppressions ------------------------------------------------------------------
def cmd_suppressions(args: argparse.Namespace) -> int:
    import csv

    from . import suppressions as sup

    if args.action in ("list", "export") and args.items:
        raise UsageError(f"suppressions {args.action} takes no arguments")
    if args.action in ("remove", "import") and not args.items:
        what = "addresses" if args.action == "remove" else "a file"
        raise UsageError(f"suppressions {args.action}: name {what}")
    store = open_existing_state(args.state_dir)
    try:
        if args.action == "list":
            sup.write_list(store, args.format or "json", sys.stdout)
        elif args.action == "export":
            sup.write_export(store, args.format or "csv", sys.stdout)
        elif args.action == "remove":
            wanted = sup.addresses(args.items)
            gone = store.remove(wanted)
            for a in sorted(set(map(sup.normalize_address, wanted)) - set(gone)):
                print(f"bouncewatch: {a} was not suppressed", file=sys.stderr)
            print(f"bouncewatch: removed {len(gone)} of {len(wanted)} addresses", file=sys.stderr)
        else:
            added = total = 0
            for path in args.items:
                try:
                    fp = sys.stdin if path == "-" else open(path, encoding="utf-8", newline="")
                except OSError as e:
                    print(f"bouncewatch: cannot read {path}: {e.strerror or e}", file=sys.stderr)
                    return EXIT_INPUT
                with fp:
                    try:
                        items = list(sup.read_import(fp, path))
                    except (sup.InputError, UnicodeDecodeError, csv.Error) as e:
                        print(f"bouncewatch: {e}", file=sys.stderr)
                        return EXIT_INPUT
                total += len(items)
                added += store.add(items)
            print(f"bouncewatch: imported {added} new of {total} addresses", file=sys.stderr)
    finally:
        store.close()
    return EXIT_OK


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


if __name__ == "__main__":
    raise SystemExit(main())
