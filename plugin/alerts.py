"""Alerts: conditions that no single log line shows, raised once per episode.

An alert is an event of the same schema with ``"kind": "alert"``. Detected
here, from the stream of delivery events, against the history that
:mod:`.state` keeps (the detector reads and writes rows it is handed, it
never touches the database):

* ``blocklisted``: a receiver named our IP or domain on a blocklist (which
  list, since when, which receivers). The episode lasts while hits keep
  coming; ``blocklist_quiet`` without one closes it.
* ``domain_unreachable`` / ``domain_deferring``: every delivery to a domain
  failed temporarily for more than ``domain_minutes``; a delivery closes it.
* ``blocked_connection``: a large provider refused connections (at the
  greeting, or connect failures) for ``provider_recipients`` distinct
  recipients within ``provider_minutes``; category ``blocked_connection``
  (code 59), since it is seen across a domain and never on one line.
* ``hard_bounce_rate``: the hard-bounce rate of one sending domain within an
  hour jumped above both ``hard_rate_min`` and ``hard_rate_factor`` times its
  rate over the previous day.
* ``outbound_unreachable``: connections or DNS lookups failed for
  ``outbound_domains`` distinct recipient domains within ``outbound_minutes``
  with no delivery to a remote host in between: the fault is this host's
  (port 25 blocked, no route, its resolver down), not the receivers'. Each
  domain's own alert would say "unreachable"; this one says "it is us".

Alert ids are stable (a hash of the kind, the subject and the episode's
start), so a replayed log never raises a second alert for the same episode.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import lru_cache
from datetime import datetime, timezone
from typing import Any, Mapping, Protocol

from bouncewatch import SCHEMA
from bouncewatch.parsers.lazyre import lazy  # only blocklist alerts use them; ingest-mail is a process per message
from bouncewatch.parsers.smtp import after_receiver

# Replies a receiver gives when it will not talk to us at all.
CONNECT_CATEGORIES = frozenset({"unable_to_connect", "blocklisted", "bad_reputation", "policy_block",
                                "rate_limited", "blocked_connection"})
# What a host that cannot reach the Internet or its resolver sees everywhere.
OUTBOUND = frozenset({"unable_to_connect", "dns_failure"})
# Deferrals that say something about one mailbox, not about the domain.
RECIPIENT_SPECIFIC = frozenset({"mailbox_full", "bad_mailbox", "inactive_mailbox", "greylisted"})
UNREACHABLE = frozenset({"unable_to_connect", "dns_failure", "bad_domain", "tls_failure"})

_IPV4 = lazy(r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d.])")


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    domain_minutes: float = 30.0          # failing for longer than this ...
    domain_min_failures: int = 3          # ... with at least this many failures
    blocklist_quiet_hours: float = 24.0   # a blocklist episode ends after this without a hit
    provider_minutes: float = 15.0
    provider_recipients: int = 20
    provider_quiet_hours: float = 1.0
    hard_rate_min: float = 0.05           # 5% of the hour's final outcomes
    hard_rate_factor: float = 3.0         # and 3x the previous day's rate
    hard_rate_min_messages: int = 50      # the hour must hold this many outcomes
    outbound_minutes: float = 15.0        # failing to connect or resolve within this window ...
    outbound_domains: int = 10            # ... for this many recipient domains, none delivered remotely

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "alerts") -> "AlertPolicy":
        base = cls()
        kw: dict[str, Any] = {}
        for k, v in data.items():
            if not hasattr(base, k):
                raise ValueError(f"{where}: unknown key {k!r} (known: {', '.join(sorted(asdict(base)))})")
            want = type(getattr(base, k))
            wrong_kind = isinstance(v, bool) or not isinstance(v, (int, float))
            if wrong_kind or v < 0 or (want is int and not isinstance(v, int)):
                raise ValueError(f"{where}.{k}: must be a {'whole ' if want is int else ''}number >= 0, not {v!r}")
            kw[k] = want(v)
        return cls(**kw)


class Tables(Protocol):
    """What the detector may read and change; :class:`state.Batch` provides it."""

    def domain(self, name: str) -> dict[str, Any]: ...
    def episode(self, key: str) -> dict[str, Any] | None: ...
    def put_episode(self, key: str, row: dict[str, Any]) -> None: ...
    def hour(self, sender_domain: str, hour: int) -> list[int]: ...


def listed_entity(reason: str, sender: str | None, host: str | None, relay_ip: str | None = None) -> str:
    """What the blocklist named: our IP as quoted in the reply (not the
    receiver's, which the MTA writes around it, nor the relay's), else our
    sending domain (domain lists like Spamhaus DBL), else our host."""
    for m in _IPV4.finditer(after_receiver(reason or "")):
        if m.group(0) != relay_ip:
            return m.group(0)
    if sender and "@" in sender:
        return sender.rsplit("@", 1)[1].lower()
    return host or "unknown"


def episode_keys(ev: Mapping[str, Any]) -> list[str]:
    """The episodes an event may touch, so the store loads them first."""
    cls = ev.get("classification") or {}
    return known_episode_keys(ev, cls, sender_domain(ev), outbound_relevant(ev, cls))


def known_episode_keys(ev: Mapping[str, Any], cls: Mapping[str, Any], sd: str | None,
                       outbound: bool) -> list[str]:
    """:func:`episode_keys` with the event's classification, sender domain
    and :func:`outbound_relevant` already at hand (the store works them out
    once per event)."""
    keys = []
    if cls.get("blocklist") or cls.get("category") == "blocklisted":
        keys.append(_blocklist_key(ev, cls))
    provider = cls.get("provider")
    if provider:
        keys.append("provider|" + provider)
    if sd:
        keys.append("hardrate|" + sd)
    if outbound:
        keys.append(OUTBOUND_KEY)
    return keys


OUTBOUND_KEY = "outbound|all"


def outbound_relevant(ev: Mapping[str, Any], cls: Mapping[str, Any]) -> bool:
    """A deferral for want of a connection or a DNS answer, or a delivery to
    a remote host (which shows this host can reach the Internet; a local
    mailbox, a content filter on 127.0.0.1 or a socket does not)."""
    status = ev.get("status")
    if status == "deferred":
        return (cls.get("cause") or cls.get("category")) in OUTBOUND
    if status in ("sent", "deliverable"):
        relay = ev.get("relay") or {}
        ip = relay.get("ip") or ""
        return bool(ip) and not (ip.startswith("127.") or ip == "::1")
    return False


def sender_domain(ev: Mapping[str, Any]) -> str | None:
    s = ev.get("sender")
    return _domain_of(s) if s else None


@lru_cache(maxsize=4096)
def _domain_of(address: str) -> str | None:
    at = address.rfind("@")
    return address[at + 1:].lower() or None if at >= 0 else None


def _blocklist_key(ev: Mapping[str, Any], cls: Mapping[str, Any]) -> str:
    entity = listed_entity(ev.get("reason") or "", ev.get("sender"), ev.get("host"), (ev.get("relay") or {}).get("ip"))
    return f"blocklist|{cls.get('blocklist') or 'unnamed'}|{entity}"


def iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat() if ts is not None else None


class Detector:
    def __init__(self, policy: AlertPolicy | None = None) -> None:
        self.p = policy or AlertPolicy()

    def feed(self, ev: Mapping[str, Any], ts: float, t: Tables) -> list[dict[str, Any]]:
        """Alerts this event raises (usually none)."""
        cls = ev.get("classification") or {}
        return self.feed_known(ev, cls, sd=sender_domain(ev), outbound=outbound_relevant(ev, cls), ts=ts, t=t)

    def feed_known(self, ev: Mapping[str, Any], cls: Mapping[str, Any], sd: str | None, outbound: bool,
                   ts: float, t: Tables) -> list[dict[str, Any]]:
        """:meth:`feed` with the event's classification, sender domain and
        :func:`outbound_relevant` already at hand (the store works them out
        once per event)."""
        out: list[dict[str, Any]] = []
        status = ev.get("status")
        if cls.get("blocklist") or cls.get("category") == "blocklisted":
            a = self._blocklist(ev, cls, ts, t)
            if a:
                out.append(a)
        if ev.get("recipient_domain"):
            a = self._domain(ev, cls, status, ts, t)
            if a:
                out.append(a)
        if cls.get("provider"):
            a = self._provider(ev, cls, status, ts, t)
            if a:
                out.append(a)
        if status in ("sent", "bounced", "expired") and sd:
            a = self._hard_rate(ev, cls, sd, status, ts, t)
            if a:
                out.append(a)
        if outbound:
            a = self._outbound(ev, cls, status, ts, t)
            if a:
                out.append(a)
        return out

    # -- blocklists ------------------------------------------------------------
    def _blocklist(self, ev, cls, ts, t: Tables):
        key = _blocklist_key(ev, cls)
        quiet = self.p.blocklist_quiet_hours * 3600
        row = t.episode(key)
        rdom = ev.get("recipient_domain") or ""
        if row is not None and row["last"] + quiet >= ts >= row["opened"] - quiet:
            row["last"] = max(row["last"], ts)
            row["opened"] = min(row["opened"], ts)
            data = row["data"]
            data["hits"] = data.get("hits", 0) + 1
            if rdom and rdom not in data["receivers"] and len(data["receivers"]) < 50:
                data["receivers"].append(rdom)
            t.put_episode(key, row)
            return None
        _, blocklist, entity = key.split("|", 2)
        data = {"hits": 1, "receivers": [rdom] if rdom else []}
        t.put_episode(key, {"opened": ts, "last": ts, "alerted": 1, "data": data})
        return self._alert(
            "blocklisted", key, ts, ev, severity="critical",
            summary=f"{entity} is listed on {blocklist}: {rdom or 'a receiver'} refused mail citing it",
            fields={"blocklist": blocklist, "listed": entity, "since": iso(ts), "receivers": list(data["receivers"]),
                    "classification": _classification("blocklisted", 51, cls.get("provider"), blocklist)})

    # -- a receiving domain ----------------------------------------------------
    def _domain(self, ev, cls, status, ts, t: Tables):
        row = t.domain(ev["recipient_domain"])
        if status in ("sent", "deliverable"):
            if row["fail_since"] is not None and ts >= row["fail_since"]:
                row["fail_since"] = None
                row["fail_count"] = 0
                row["fail_alerted"] = 0
                row["fail_kinds"] = {}
            return None
        if status not in ("deferred", "expired"):
            return None
        cat = cls.get("cause") or cls.get("category")
        if cat in RECIPIENT_SPECIFIC or cls.get("type") == "hard":
            return None
        if row["last_delivered"] is not None and ts < row["last_delivered"]:
            return None  # an older failure; a delivery came after it
        if row["fail_since"] is None:
            row["fail_since"], row["fail_count"], row["fail_kinds"] = ts, 0, {}
        row["fail_since"] = min(row["fail_since"], ts)
        row["fail_count"] += 1
        kinds = row["fail_kinds"]
        if cat in kinds or len(kinds) < 12:
            kinds[cat] = kinds.get(cat, 0) + 1
        if row["fail_alerted"] or row["fail_count"] < self.p.domain_min_failures:
            return None
        minutes = (ts - row["fail_since"]) / 60
        if minutes <= self.p.domain_minutes:
            return None
        row["fail_alerted"] = 1
        unreachable = sum(v for k, v in kinds.items() if k in UNREACHABLE)
        kind = "domain_unreachable" if unreachable * 2 > sum(kinds.values()) else "domain_deferring"
        dom = ev["recipient_domain"]
        what = "unreachable" if kind == "domain_unreachable" else "deferring every delivery"
        return self._alert(
            kind, "domain|" + dom, row["fail_since"], ev, severity="warning",
            summary=f"{dom} {what} for {minutes:.0f} minutes ({row['fail_count']} failures, no delivery)",
            fields={"domain": dom, "since": iso(row["fail_since"]), "minutes": round(minutes, 1),
                    "failures": row["fail_count"], "categories": dict(sorted(kinds.items()))})

    # -- a large provider refusing us ------------------------------------------
    def _provider(self, ev, cls, status, ts, t: Tables):
        provider = cls["provider"]
        key = "provider|" + provider
        row = t.episode(key)
        if status in ("sent", "deliverable"):
            if row is not None and row["alerted"] and ts >= row["last"]:
                row["alerted"] = 0
                row["data"] = {"recent": {}}
                t.put_episode(key, row)
            return None
        refused = ev.get("smtp_command") == "CONNECT" or (
            cls.get("category") == "unable_to_connect" and status == "deferred")
        if not refused or cls.get("category") not in CONNECT_CATEGORIES:
            return None
        window = self.p.provider_minutes * 60
        quiet = self.p.provider_quiet_hours * 3600
        if row is None or ts > row["last"] + quiet:
            row = {"opened": ts, "last": ts, "alerted": 0, "data": {"recent": {}}}
        recent: dict[str, float] = row["data"]["recent"]
        _seen_within(recent, ev.get("recipient") or "", ts, window, 2 * self.p.provider_recipients)
        row["last"] = max(row["last"], ts)
        alert = None
        if not row["alerted"] and len(recent) >= self.p.provider_recipients:
            row["alerted"] = 1
            row["opened"] = min(recent.values())
            alert = self._alert(
                "blocked_connection", key, row["opened"], ev, severity="critical",
                summary=(f"{provider} refuses connections: {len(recent)} recipients within "
                         f"{self.p.provider_minutes:g} minutes"),
                fields={"provider": provider, "since": iso(row["opened"]), "recipients": len(recent),
                        "domains": sorted({r.rsplit('@', 1)[-1] for r in recent})[:20],
                        "classification": _classification("blocked_connection", 59, provider, None)})
        t.put_episode(key, row)
        return alert

    # -- this host cannot reach anyone -------------------------------------------
    def _outbound(self, ev, cls, status, ts, t: Tables):
        key = OUTBOUND_KEY
        row = t.episode(key)
        if status in ("sent", "deliverable"):
            if row is not None and ts >= row["last"]:
                data = row["data"]
                if row["alerted"] or data["recent"] or data["kinds"]:  # most deliveries find it reset
                    row["alerted"] = 0
                    row["data"] = {"recent": {}, "kinds": {}}
                row["last"] = ts
                t.put_episode(key, row)
            return None
        window = self.p.outbound_minutes * 60
        if row is None:
            row = {"opened": ts, "last": ts, "alerted": 0, "data": {"recent": {}, "kinds": {}}}
        elif ts < row["last"] - window:
            return None  # older than the episode's window: a remote delivery may lie between
        recent: dict[str, float] = row["data"]["recent"]
        _seen_within(recent, ev.get("recipient_domain") or "", ts, window, 2 * self.p.outbound_domains)
        kinds: dict[str, int] = row["data"]["kinds"]
        cat = cls.get("category") or ""
        kinds[cat] = kinds.get(cat, 0) + 1
        row["last"] = max(row["last"], ts)
        alert = None
        if not row["alerted"] and len(recent) >= self.p.outbound_domains:
            row["alerted"] = 1
            row["opened"] = min(recent.values())
            alert = self._alert(
                "outbound_unreachable", key, row["opened"], ev, severity="critical",
                summary=(f"no receiver reachable: {len(recent)} domains failed to connect or resolve within "
                         f"{self.p.outbound_minutes:g} minutes and nothing was delivered to a remote host; "
                         "check this host's outbound port 25, its route and its DNS resolver"),
                fields={"since": iso(row["opened"]), "domains": sorted(recent)[:20],
                        "categories": dict(sorted(kinds.items())),
                        "classification": _classification("unable_to_connect", 29, None, None)})
        t.put_episode(key, row)
        return alert

    # -- hard-bounce rate of a sending domain ------------------------------------
    def _hard_rate(self, ev, cls, sd, status, ts, t: Tables):
        h = int(ts // 3600)
        cur = t.hour(sd, h)
        cur[0] += 1
        hard = status == "bounced" and cls.get("type") == "hard"
        if not hard:
            return None
        cur[1] += 1
        if cur[0] < self.p.hard_rate_min_messages:
            return None
        rate = cur[1] / cur[0]
        total = hb = 0
        for back in range(1, 25):
            prev = t.hour(sd, h - back)
            total += prev[0]
            hb += prev[1]
        baseline = hb / total if total >= self.p.hard_rate_min_messages else None
        if rate < self.p.hard_rate_min or (baseline is not None and rate < self.p.hard_rate_factor * baseline):
            return None
        key = "hardrate|" + sd
        row = t.episode(key)
        if row is not None and row["alerted"] and h - int(row["data"].get("hour", -10)) <= 1:
            row["data"]["hour"] = max(h, int(row["data"]["hour"]))
            row["last"] = max(row["last"], ts)
            t.put_episode(key, row)
            return None
        start = h * 3600.0
        t.put_episode(key, {"opened": start, "last": ts, "alerted": 1, "data": {"hour": h}})
        base_txt = f"{baseline:.1%} over the previous day" if baseline is not None else "no baseline yet"
        return self._alert(
            "hard_bounce_rate", key, start, ev, severity="warning",
            summary=f"hard bounces from {sd} at {rate:.1%} this hour ({cur[1]}/{cur[0]}; {base_txt})",
            fields={"sender_domain": sd, "since": iso(start), "rate": round(rate, 4),
                    "baseline": round(baseline, 4) if baseline is not None else None,
                    "hard_bounces": cur[1], "messages": cur[0]})

    # -- the alert event ----------------------------------------------------------
    @staticmethod
    def _alert(kind: str, key: str, opened: float, ev: Mapping[str, Any], *, severity: str,
               summary: str, fields: dict[str, Any]) -> dict[str, Any]:
        h = hashlib.blake2b(f"alert\x1f{kind}\x1f{key}\x1f{opened!r}".encode(), digest_size=16)
        return {"schema": SCHEMA, "kind": "alert", "event_id": h.hexdigest(), "alert": kind,
                "severity": severity, "timestamp": ev.get("timestamp"), "host": ev.get("host"),
                "mta": ev.get("mta"), "summary": summary, **fields, "evidence": [ev.get("event_id")]}


def _seen_within(recent: dict[str, float], name: str, ts: float, window: float, cap: int) -> None:
    """Note ``name`` seen at ``ts`` in an episode's sliding window: drop what
    fell out of it, and keep at most ``cap`` (the newest): bounded however
    long the episode."""
    recent[name] = max(ts, recent.get(name, ts))
    for n in [n for n, when in recent.items() if when < ts - window]:
        del recent[n]
    if len(recent) > cap:
        for n in sorted(recent, key=recent.__getitem__)[: len(recent) - cap]:
            del recent[n]


def _classification(category: str, code: int, provider: str | None, blocklist: str | None) -> dict[str, Any]:
    return {"type": "other", "category": category, "code": code, "action": "investigate",
            "rule": f"alert:{category}", "provider": provider, "blocklist": blocklist, "cause": None}
