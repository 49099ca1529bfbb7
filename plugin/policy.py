"""Suppression policy: which failures count towards putting an address on the
suppression list, and how many it takes.

Defaults (what an ESP's deliverability desk would configure):

* a permanent failure of a hard category (user unknown, bad domain, disabled
  account) suppresses at once;
* soft failures suppress after 3 failed *messages* (distinct queue ids, not
  retry attempts of one message) whose first and last failure are more than
  15 days apart, with no successful delivery in between;
* ``other`` failures (blocklists, spam verdicts, policy, SPF/DKIM/DMARC) never
  suppress: the address is fine, our side must be fixed; but a spam
  complaint or an unsubscribe (feedback reports) suppresses at once;
* a successful delivery newer than the evidence resets the count and lifts a
  suppression that the policy made (never one imported or added by hand).

Per-category overrides either send a category to another counter
(``"soft"``, ``"hard"``, ``"never"``) or give it its own counter and
threshold (``{messages = 5, days = 30}``), e.g. for ``mailbox_full``.

The policy is a plain dataclass; :meth:`Policy.from_dict` reads the
``[suppression]`` table of the TOML config and says which key is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

COUNTERS = ("hard", "soft", "never")
FAILURES = frozenset({"deferred", "bounced", "expired", "undeliverable", "delayed", "failed"})
DELIVERED = frozenset({"sent", "deliverable"})


class PolicyError(ValueError):
    """A ``[suppression]`` table that cannot be used; names the key."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """``messages`` distinct failed messages whose first and last failure lie
    more than ``days`` apart (``days = 0``: no time condition)."""

    messages: int = 1
    days: float = 0.0

    def met(self, messages: int, span_seconds: float) -> bool:
        return messages >= self.messages and (self.days <= 0 or span_seconds > self.days * 86400)

    def describe(self) -> str:
        need = f"{self.messages} failed message{'s' if self.messages != 1 else ''}"
        return need + (f" over more than {self.days:g} days" if self.days > 0 else "")

    def to_dict(self) -> dict[str, Any]:
        return {"messages": self.messages, "days": self.days}


Override = str | Threshold  # "hard" | "soft" | "never" | own threshold


def _default_categories() -> dict[str, Override]:
    # A domain whose DNS keeps failing is a soft problem of every address at it.
    # A spam complaint or an unsubscribe (returned mail, feedback reports) is
    # the recipient's own word: suppress at once, under its own rule name.
    return {"dns_failure": "soft", "spam_complaint": Threshold(1, 0), "unsubscribe": Threshold(1, 0)}


@dataclass(frozen=True)
class Policy:
    hard: Threshold = Threshold(1, 0)
    soft: Threshold = Threshold(3, 15)
    categories: Mapping[str, Override] = field(default_factory=_default_categories)
    delivery_lifts: bool = True

    # -- decisions -------------------------------------------------------------
    def counter(self, status: str, cls: Mapping[str, Any]) -> str | None:
        """The counter a failure event feeds (``hard``, ``soft`` or the name of
        a category with its own threshold), or None if it never suppresses."""
        if status in DELIVERED:
            return None
        category = cls.get("category")
        cause = cls.get("cause")
        via_cause = bool(cause) and cause != category
        effective = cause if via_cause else category
        override = self.categories.get(effective) if effective else None
        if override is None and status not in FAILURES:
            return None
        if override is not None:  # named categories count whatever the status (a complaint is no bounce)
            if isinstance(override, Threshold):
                return effective
            return None if override == "never" else override
        if via_cause:
            # An expiry (or a reasonless deferral) is never a permanent verdict:
            # it counts as soft unless what kept failing was our side's fault.
            return "soft" if _category_type(effective) in ("hard", "soft") else None
        typ = cls.get("type")
        return typ if typ in ("hard", "soft") else None

    def threshold(self, counter: str) -> Threshold:
        if counter == "hard":
            return self.hard
        if counter == "soft":
            return self.soft
        own = self.categories.get(counter)
        return own if isinstance(own, Threshold) else self.soft

    def keep(self, counter: str) -> int:
        """How many failed messages a streak keeps (evidence stays bounded)."""
        return max(self.threshold(counter).messages, 1) + 8

    # -- TOML ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "hard": self.hard.to_dict(), "soft": self.soft.to_dict(),
            "delivery_lifts": self.delivery_lifts,
            "category": {k: (v.to_dict() if isinstance(v, Threshold) else v)
                         for k, v in sorted(self.categories.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "suppression") -> "Policy":
        """Read a ``[suppression]`` table; missing keys keep their defaults."""
        if not isinstance(data, Mapping):
            raise PolicyError(f"{where}: must be a table")
        known = {"hard", "soft", "category", "delivery_lifts"}
        for k in data:
            if k not in known:
                raise PolicyError(f"{where}: unknown key {k!r} (known: {', '.join(sorted(known))})")
        base = cls()
        hard = _threshold(data["hard"], f"{where}.hard") if "hard" in data else base.hard
        soft = _threshold(data["soft"], f"{where}.soft") if "soft" in data else base.soft
        cats: dict[str, Override] = dict(base.categories)
        raw = data.get("category", {})
        if not isinstance(raw, Mapping):
            raise PolicyError(f"{where}.category: must be a table of category = "
                              "\"soft\" | \"hard\" | \"never\" | {messages, days}")
        tax = _taxonomy()
        for name, v in raw.items():
            key = f"{where}.category.{name}"
            cat = tax.get(name)
            if cat is None:
                raise PolicyError(f"{key}: unknown category {name!r}")
            if isinstance(v, str):
                if v not in COUNTERS:
                    raise PolicyError(f"{key}: must be one of {', '.join(COUNTERS)} or a table, not {v!r}")
                cats[cat.name] = v
            else:
                cats[cat.name] = _threshold(v, key)
        lifts = data.get("delivery_lifts", base.delivery_lifts)
        if not isinstance(lifts, bool):
            raise PolicyError(f"{where}.delivery_lifts: must be true or false")
        return cls(hard=hard, soft=soft, categories=cats, delivery_lifts=lifts)


def _threshold(v: Any, key: str) -> Threshold:
    if not isinstance(v, Mapping):
        raise PolicyError(f"{key}: must be a table {{messages = N, days = D}}")
    for k in v:
        if k not in ("messages", "days"):
            raise PolicyError(f"{key}: unknown key {k!r} (known: messages, days)")
    messages = v.get("messages", 1)
    days = v.get("days", 0)
    if not isinstance(messages, int) or isinstance(messages, bool) or messages < 1:
        raise PolicyError(f"{key}.messages: must be an integer >= 1, not {messages!r}")
    if not isinstance(days, (int, float)) or isinstance(days, bool) or days < 0:
        raise PolicyError(f"{key}.days: must be a number >= 0, not {days!r}")
    return Threshold(messages, float(days))


@lru_cache(maxsize=256)
def _category_type(name: str) -> str | None:
    cat = _taxonomy().get(name)
    return cat.type if cat else None


@lru_cache(maxsize=1)
def _taxonomy():
    from .classify.engine import Taxonomy
    return Taxonomy.builtin()
