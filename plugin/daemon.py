"""Assembles the agent for ``follow`` (arguments) and ``run`` (a config):
sources from paths, sinks from URIs, the pipeline, the checkpoint store,
the recipient history (state.db in the state directory, or PostgreSQL)
and the metrics endpoint. The loop itself is agent.py; this module only
wires and reports."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable

from .agent import Agent, Settings, SinkSlot
from .checkpoint import CheckpointError, CheckpointStore
from .config import Config, ConfigError, SinkConfig, check_rules, check_sinks, load_config
from .follow import FileSource
from .journal import DEFAULT_MATCHES, JournalSource
from .locate import JOURNAL, find_mta_log
from .mailpickup import MailPickup
from .sinks import _display


class StartError(Exception):
    """Cannot start (exit 2 for configuration, 1 for a missing input)."""

    def __init__(self, msg: str, code: int = 2) -> None:
        super().__init__(msg)
        self.code = code


def log(msg: str) -> None:
    print(f"bouncewatch: {msg}", file=sys.stderr, flush=True)


def detect_sources() -> list[str]:
    found = find_mta_log()
    if not found.paths:
        raise StartError(
            "no MTA log found (looked for a running Postfix/Exim/Sendmail and its configured log, "
            "/var/log/mail.log, /var/log/maillog, /var/log/exim4/mainlog, and mail records in the "
            f"journal: {found.tried[-1]}); name one: bouncewatch follow /path/to/mail.log  "
            "(or journal: for journald)", 1)
    log(f"following {', '.join(found.paths)}: {found.why}")
    return found.paths


def build_sources(specs: list[tuple[str, list[str]]], counts: Counter, agent_wake: Any) -> list[Any]:
    """``(path-or-glob | "journal:", journal matches)`` -> source objects."""
    out: list[Any] = []
    for spec, matches in specs:
        if spec in (JOURNAL, "journald:"):
            out.append(JournalSource(counts, log, agent_wake, tuple(matches or DEFAULT_MATCHES)))
        else:
            out.append(FileSource(spec, counts, log))
    return out


def open_sinks(configs: list[SinkConfig], state_dir: str) -> list[SinkSlot]:
    from .classify.expr import compile_expr
    from .sinks import ConfigError as SinkConfigError, open_sink
    import inspect
    # Sinks that spool to disk keep their spool under the state directory,
    # where open_sink takes one (merge seam with the sinks' own branch).
    extra = {"state_dir": state_dir} if "state_dir" in inspect.signature(open_sink).parameters else {}
    slots = []
    try:
        for sc in configs:
            slots.append(SinkSlot(open_sink(sc.open_uri(), **extra),
                                  compile_expr(sc.where) if sc.where else None, _display(sc.uri)))
    except SinkConfigError as e:
        for s in slots:
            s.sink.close()
        raise StartError(str(e)) from None
    return slots


def _pipeline(rules_dirs: list[str], mta: str, include_sent: bool, where: str | None):
    from .classify.engine import Classifier, RuleError
    from .classify.expr import ExprError, compile_expr
    from .pipeline import Pipeline
    try:
        classifier = Classifier.load([Path(d) for d in rules_dirs]).settle()
    except RuleError as e:
        raise StartError(str(e)) from None
    try:
        pred = compile_expr(where) if where else None
    except ExprError as e:
        raise StartError(f"--where: {e}") from None
    return Pipeline(classifier, mta=mta, include_sent=include_sent, where=pred)


@dataclass
class StateOptions:
    """Where the history lives and by which policies it decides."""

    target: str | None            # a directory or postgresql:// URL; None: no history
    policy: Any = None            # policy.Policy (None: the defaults)
    alerts: Any = None            # alerts.AlertPolicy (None: the defaults)
    metrics_listen: str | None = None
    retention_days: float | None = None  # None: the store's own (state.DEFAULT_RETENTION_DAYS)


def _open_recorder(opts: StateOptions) -> Any:
    if opts.target is None:
        return None
    from .recorder import StateError, open_recorder
    try:
        return open_recorder(opts.target, opts.policy, opts.alerts, retention_days=opts.retention_days)
    except StateError as e:
        raise StartError(f"state: {e}", 1) from None


def _serve_metrics(listen: str | None) -> tuple[Any, Any]:
    if not listen:
        return None, None
    from .follow_metrics import FollowMetrics
    from .metrics import Metrics, serve
    m = Metrics()
    try:
        server, port = serve(listen, m)
    except (OSError, ValueError) as e:
        raise StartError(f"metrics: cannot listen on {listen}: {getattr(e, 'strerror', None) or e}") from None
    log(f"metrics on http://{listen.rpartition(':')[0] or '127.0.0.1'}:{port}/metrics")
    return FollowMetrics(m), server


def run_agent(*, specs: list[tuple[str, list[str]]], sinks: list[SinkConfig], state_dir: str,
              rules_dirs: list[str], mta: str, include_sent: bool, where: str | None, from_start: bool,
              settings: Settings, state: StateOptions, reload: Callable[[Agent], None] | None = None) -> int:
    pipeline = _pipeline(rules_dirs, mta, include_sent, where)
    store = CheckpointStore(state_dir)
    try:
        store.lock()
    except CheckpointError as e:
        raise StartError(str(e)) from None
    recorder = server = None
    try:
        recorder = _open_recorder(state)
        slots = open_sinks(sinks, state_dir)
        metrics, server = _serve_metrics(state.metrics_listen)
    except StartError:
        if recorder is not None:
            recorder.close()
        store.unlock()
        raise
    agent = Agent([], pipeline, slots, store, settings, log=log, reload=reload, recorder=recorder,
                  metrics=metrics, pickup=MailPickup(Path(state_dir), log))
    agent.sources = build_sources(specs, pipeline.counts, agent.wake)
    agent.install_signals()
    try:
        return agent.run(from_start)
    except CheckpointError as e:
        raise StartError(str(e), 1) from None
    finally:
        if server is not None:
            server.shutdown()


def follow(paths: list[str], sink_uris: list[str], state_dir: str, *, from_start: bool, include_sent: bool,
           where: str | None, rules_dirs: list[str], mta: str, settings: Settings,
           history: bool = True, metrics_listen: str | None = None) -> int:
    if not paths:
        paths = detect_sources()
    sinks = [SinkConfig(u) for u in (sink_uris or ["-"])]
    log(f"state in {state_dir}{'' if history else ' (checkpoints only, no history)'}; "
        f"events to {', '.join(_display(s.uri) for s in sinks)}")
    return run_agent(specs=[(p, []) for p in paths], sinks=sinks, state_dir=state_dir, rules_dirs=rules_dirs,
                     mta=mta, include_sent=include_sent, where=where, from_start=from_start,
                     settings=settings,
                     state=StateOptions(state_dir if history else None, metrics_listen=metrics_listen))


def run_config(cfg: Config, settings: Settings) -> int:
    from .config import default_config
    check_rules(cfg)
    specs = [(s.spec, s.matches) for s in cfg.sources]
    if not specs:
        specs = [(p, []) for p in detect_sources()]
    settings.status_interval = cfg.status_interval
    history = cfg.history_target
    where_history = "no history" if history is None else (
        "history in PostgreSQL" if history != cfg.state_dir else "history in state.db")
    log(f"config {cfg.path}; state in {cfg.state_dir} ({where_history}); "
        f"events to {', '.join(_display(s.uri) for s in cfg.sinks)}")
    current = {"cfg": cfg}

    def reload(agent: Agent) -> None:
        old = current["cfg"]
        if old.path == "<embedded default>":
            new = default_config(old.state_dir)
        else:
            try:
                new = load_config(old.path)
                check_sinks(new)
                check_rules(new)
                if new.state_dir != old.state_dir:
                    raise ConfigError(f"{new.path}: state_dir: cannot change while running (restart instead)")
                if (new.history_target, new.suppression, new.alerts, new.metrics_listen, new.retention_days) != \
                        (old.history_target, old.suppression, old.alerts, old.metrics_listen, old.retention_days):
                    raise ConfigError(f"{new.path}: [state], [suppression], [alerts] and [metrics] "
                                      "cannot change while running (restart instead)")
                slots = open_sinks(new.sinks, new.state_dir)
                pipe = _pipeline(new.rules_dirs, new.mta, new.include_sent, new.where)
            except (ConfigError, StartError) as e:
                log(f"SIGHUP: config not reloaded, keeping the running one: {e}")
                for slot in agent.sinks:  # still reopen our files (logrotate's postrotate)
                    try:
                        slot.sink.reopen()
                    except Exception as e2:
                        log(f"sink {slot.label}: cannot reopen: {e2}")
                return
            for slot in agent.sinks:
                try:
                    slot.sink.close()
                except Exception as e:
                    log(f"sink {slot.label}: error on close: {e}")
            agent.sinks = slots
            # Keep the correlator (queue-id tables) and the counters across reloads.
            pipe.correlator, pipe.counts = agent.pipeline.correlator, agent.pipeline.counts
            agent.pipeline = pipe
            if agent.recorder is not None:
                agent.recorder.attach(pipe)
            agent._ref = None
            _reload_sources(agent, old, new)
            agent.settings.status_interval = new.status_interval
            current["cfg"] = new
            log(f"SIGHUP: reloaded {new.path}")
            return
        for slot in agent.sinks:
            slot.sink.reopen()
        log("SIGHUP: output files reopened")

    return run_agent(specs=specs, sinks=cfg.sinks, state_dir=cfg.state_dir, rules_dirs=cfg.rules_dirs,
                     mta=cfg.mta, include_sent=cfg.include_sent, where=cfg.where, from_start=cfg.from_start,
                     settings=settings, reload=reload,
                     state=StateOptions(history, cfg.suppression, cfg.alerts, cfg.metrics_listen,
                                        cfg.retention_days))


def _reload_sources(agent: Agent, old: Config, new: Config) -> None:
    """Sources added are started (from their checkpoint, else at the end);
    removed ones are closed, their positions kept in the checkpoint."""
    old_specs = {s.spec for s in old.sources}
    new_specs = [(s.spec, s.matches) for s in new.sources]
    if not new.sources:  # auto-detected: leave as is
        return
    keep, add = [], []
    by_spec = {_spec_of(s): s for s in agent.sources}
    for spec, matches in new_specs:
        if spec in old_specs and spec in by_spec:
            keep.append(by_spec.pop(spec))
        else:
            add.append((spec, matches))
    agent._checkpoint(force=True)
    for s in by_spec.values():
        s.close()
    fresh = build_sources(add, agent.pipeline.counts, agent.wake)
    agent.start_sources(fresh, from_start=False)
    agent.sources = keep + fresh


def _spec_of(source: Any) -> str:
    return JOURNAL if isinstance(source, JournalSource) else source.pattern


def default_settings() -> Settings:
    return Settings()
