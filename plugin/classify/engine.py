"""Rule engine: a delivery's fields -> Classification.

Rules are data (``rules/*.toml`` here, then ``rules.d/*.toml`` of the user,
which come first). A rule file may hold three tables, each a list evaluated in
order, first match wins:

    [[provider]]   name, when     who received the mail (gmail, microsoft ...)
    [[blocklist]]  name, when     which DNSBL a block names (spamhaus-zen ...)
    [[rule]]       name, category, when [, cause = "prior"]

``when`` is an expression of :mod:`.expr`. A rule with ``cause = "prior"``
(expiry, Exim's "retry time not reached") carries the category of the last
reasoned failure of the same message and recipient in ``cause``.

A temporary outcome (``status = deferred``) never suppresses: a hard category
seen in a 4xx reply ("450 4.1.1 user unknown") keeps its category but is typed
soft with action retry. Every event is classified: if no rule matches, the
status decides (rule ``builtin:status``).

Decisions are remembered by what the rules can see of a delivery
(signature.py: which patterns match each field, which constants it equals),
because a busy server repeats the same replies, most with per-message ids
the rules do not look at; and by only as much of it as deciding read
(decisions.py): a delivery decided on its status and relay never has its
reply text scanned. A true miss is cheap too: the three tables share one MatchBank (a field
is scanned once), and each table's RuleIndex (index.py) names the few rules
that can match at all; only those are evaluated, in order. ``explain`` walks
every rule and finds the same one.

Loading parses every ``when`` once per rule set, not once per process: a
rule set that validated is kept in a cache (rulecache.py) of expression
trees, and a process with the same rule files builds its closures from
that. Errors are found, and reported, only by a full load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import rulecache
from .expr import Evidence, ExprError, Hits, MatchBank, Predicate, build, compile_expr
from .index import RuleIndex
from .decisions import DecisionTree
from .signature import Signature

# Package data beside this module (a plain directory: importlib.resources
# would cost a short-lived process more than reading it).
HERE = Path(__file__).parent
BUILTIN_RULES = HERE / "rules"
TAXONOMY = HERE / "taxonomy.toml"
TABLES = ("provider", "blocklist", "rule")
TEMPORARY_STATUSES = frozenset({"deferred", "delayed"})
FAILURE_STATUSES = frozenset({"deferred", "bounced", "expired", "undeliverable", "removed",
                              "delayed", "failed"})
# Outcomes in which nothing was refused: the blocklist table (the list a
# *block* names, DESIGN.md) is not asked of them. A 250 reply that mentions
# Spamhaus is not a listing, and asking would scan every delivery's reply.
DELIVERED_STATUSES = frozenset({"sent", "deliverable", "delivered", "relayed", "expanded", "suppressed",
                                "handed_over", "queued"})


class RuleError(ValueError):
    """A rule file that cannot be used; the message names file, line and key."""


@dataclass(frozen=True, slots=True)
class Classification:
    type: str
    category: str
    code: int
    action: str
    rule: str
    provider: str | None = None
    blocklist: str | None = None
    cause: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: dataclasses.asdict deep-copies and costs ~10x, once per event.
        return {"type": self.type, "category": self.category, "code": self.code, "action": self.action,
                "rule": self.rule, "provider": self.provider, "blocklist": self.blocklist, "cause": self.cause}


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    code: int
    type: str
    action: str


@dataclass(slots=True)
class Rule:
    name: str
    when: Predicate
    origin: str                      # file:line, for explain and errors
    category: str | None = None      # [[rule]] only
    inherits_cause: bool = False


@dataclass(slots=True)
class Explanation:
    classification: Classification
    rule_origin: str
    condition: str
    evidence: Evidence
    provider_evidence: Evidence
    blocklist_evidence: Evidence


class Taxonomy:
    def __init__(self, categories: dict[str, Category], aliases: dict[str, str]) -> None:
        self.categories, self.aliases = categories, aliases
        self.data: dict[str, Any] | None = None   # what it was made from, for the rule cache

    @classmethod
    def builtin(cls) -> "Taxonomy":
        return cls.from_text(TAXONOMY.read_text(encoding="utf-8"))

    @classmethod
    def from_text(cls, text: str) -> "Taxonomy":
        import tomllib
        return cls.from_data(tomllib.loads(text))

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Taxonomy":
        cats = {n: Category(n, v["code"], v["type"], v["action"]) for n, v in data["category"].items()}
        tax = cls(cats, dict(data.get("alias", {})))
        tax.data = data
        return tax

    def get(self, name: str) -> Category | None:
        return self.categories.get(self.aliases.get(name, name))


class Classifier:
    def __init__(self, rule_files: Iterable[tuple[str, str]], taxonomy: Taxonomy | None = None,
                 cache_size: int = 8192) -> None:
        """``rule_files``: (origin name, TOML text) in evaluation order."""
        self.taxonomy = taxonomy or Taxonomy.builtin()
        # One bank for all three tables: a field is scanned once per delivery,
        # whichever table asks first (see expr.Hits).
        self._bank = MatchBank()
        self.providers: list[Rule] = []
        self.blocklists: list[Rule] = []
        self.rules: list[Rule] = []
        self._loaded: list[tuple[str, Rule]] = []   # (table, rule) in load order, for the rule cache
        for origin, text in rule_files:
            self._load(origin, text)
        self._prepare(cache_size)

    def _prepare(self, cache_size: int) -> None:
        """The lookup structures over the loaded tables."""
        self._inheriting = frozenset(r.name for r in self.rules if r.inherits_cause)
        self._tables = {name: (rules, [r.when for r in rules], RuleIndex([r.when for r in rules]))
                        for name, rules in (("provider", self.providers), ("blocklist", self.blocklists),
                                            ("rule", self.rules))}
        self._cache_size = cache_size
        # decisions by what the rules can see (signature.py), asked only as
        # far as deciding asks (decisions.py): replies that differ only in ids
        # share one; a delivery decided on its status and relay never has its
        # reply text scanned
        signature = Signature((r.when for r in (*self.providers, *self.blocklists, *self.rules)),
                              derived=(("provider",), ("blocklist",)), direct=(("status",),))
        self._decisions = DecisionTree(signature, lambda ctx, hits: self._decide(ctx, None, hits)[0],
                                       cache_size)

    # -- loading -------------------------------------------------------------
    @classmethod
    def load(cls, rules_dirs: Iterable[Path] = (), *, cache_dir: Path | None = None,
             use_cache: bool = True, **kw: Any) -> "Classifier":
        """User ``rules_dirs`` (in order) first, then the built-in rules.
        Through the rule cache (rulecache.py) in ``cache_dir`` (default:
        rulecache.default_dir()) unless ``use_cache`` is false or a
        taxonomy is given."""
        files = cls.read_rule_files(rules_dirs)
        if not use_cache or "taxonomy" in kw:
            return cls(files, **kw)
        taxonomy_text = TAXONOMY.read_text(encoding="utf-8")
        key = rulecache.cache_key(files, taxonomy_text)
        if key is None:
            return cls(files, **kw)
        path = rulecache.cache_path(Path(cache_dir) if cache_dir else rulecache.default_dir(), files)
        cached = rulecache.load(path, key)
        if cached is not None:
            try:
                return cls._from_cache(cached, **kw)
            except Exception:  # noqa: BLE001  corrupt, whatever way: load the files, write it anew
                pass
        classifier = cls(files, taxonomy=Taxonomy.from_text(taxonomy_text), **kw)
        rulecache.store(path, key, classifier._to_cache())
        return classifier

    @staticmethod
    def read_rule_files(rules_dirs: Iterable[Path] = ()) -> list[tuple[str, str]]:
        """(origin, text) of the user's rule files, then the built-in ones."""
        files: list[tuple[str, str]] = []
        for d in rules_dirs:
            d = Path(d)
            if not d.is_dir():
                raise RuleError(f"{d}: rules directory not found")
            for p in sorted(d.glob("*.toml")):
                try:
                    files.append((str(p), p.read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError) as e:
                    raise RuleError(f"{p}: cannot read rule file: {e}") from None
        for entry in sorted(BUILTIN_RULES.glob("*.toml"), key=lambda e: e.name):
            files.append((f"builtin:{entry.name}", entry.read_text(encoding="utf-8")))
        return files

    def _to_cache(self) -> dict[str, Any]:
        """The loaded rules as JSON data, in load order (which numbers the
        bank's patterns): per rule its table, name, origin, condition text
        and tree, category and cause."""
        return {
            "taxonomy": self.taxonomy.data,
            "rules": [[table, r.name, r.origin, r.when.text, r.when.tree, r.category, r.inherits_cause]
                      for table, r in self._loaded],
        }

    @classmethod
    def _from_cache(cls, data: dict[str, Any], cache_size: int = 8192) -> "Classifier":
        """The classifier a full load made of the same files (see load);
        raises on data that is not what _to_cache wrote."""
        self = cls.__new__(cls)
        self.taxonomy = Taxonomy.from_data(data["taxonomy"])
        self._bank = MatchBank()
        self.providers, self.blocklists, self.rules = [], [], []
        self._loaded = []
        targets = dict(zip(TABLES, (self.providers, self.blocklists, self.rules)))
        for table, name, origin, text, tree, category, inherits in data["rules"]:
            if table == "rule" and category not in self.taxonomy.categories:
                raise ValueError(f"unknown category {category!r}")
            rule = Rule(name=name, when=build(tree, text, self._bank, validate=False), origin=origin,
                        category=category, inherits_cause=bool(inherits))
            targets[table].append(rule)
            self._loaded.append((table, rule))
        self._prepare(cache_size)
        self._bank.hits({})  # compiles the pattern sets now: a bad pattern fails here, not mid-classify
        return self

    def _load(self, origin: str, text: str) -> None:
        import tomllib
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise RuleError(f"{origin}: {e}") from None
        unknown = set(data) - {"rule", "provider", "blocklist"}
        if unknown:
            raise RuleError(f"{origin}:{_line_of(text, sorted(unknown)[0])}: unknown table "
                            f"{sorted(unknown)[0]!r} (expected rule, provider, blocklist)")
        for table, target in zip(TABLES, (self.providers, self.blocklists, self.rules)):
            for i, entry in enumerate(data.get(table, [])):
                rule = self._entry(origin, text, table, i, entry, self._bank)
                target.append(rule)
                self._loaded.append((table, rule))

    def _entry(self, origin: str, text: str, table: str, i: int, entry: dict, bank: MatchBank) -> Rule:
        name = entry.get("name")
        where = f"{origin}:{_line_of(text, name) if isinstance(name, str) else '?'}"
        if not isinstance(name, str) or not name:
            raise RuleError(f"{where}: [[{table}]] #{i + 1} needs a 'name'")
        allowed = {"name", "when", "category", "cause", "example", "note"} if table == "rule" \
            else {"name", "when", "example", "note"}
        extra = set(entry) - allowed
        if extra:
            raise RuleError(f"{where}: [[{table}]] {name!r}: unknown key {sorted(extra)[0]!r}")
        when = entry.get("when")
        if not isinstance(when, str):
            raise RuleError(f"{where}: [[{table}]] {name!r}: 'when' must be an expression string")
        try:
            pred = compile_expr(when, bank)
        except ExprError as e:
            raise RuleError(f"{where}: [[{table}]] {name!r}: key 'when': {e}") from None
        rule = Rule(name=name, when=pred, origin=where)
        if table == "rule":
            cat = entry.get("category")
            if not isinstance(cat, str) or self.taxonomy.get(cat) is None:
                raise RuleError(f"{where}: rule {name!r}: key 'category': unknown category {cat!r}")
            rule.category = self.taxonomy.get(cat).name  # type: ignore[union-attr]
            cause = entry.get("cause")
            if cause not in (None, "prior"):
                raise RuleError(f"{where}: rule {name!r}: key 'cause' must be \"prior\"")
            rule.inherits_cause = cause == "prior"
        return rule

    def settle(self) -> "Classifier":
        """For a long run (``follow``, ``run``): compile now what a one-shot
        command compiles only when it turns out to need it (the exact
        patterns' RE2 filter, see relaxed.py), so the first minutes of
        following do not stall on it."""
        self._bank.settle()
        return self

    # -- classifying ---------------------------------------------------------
    def classify(self, ctx: dict[str, Any], prior_cause: str | None = None) -> tuple[Classification, bool]:
        """-> (classification, whether the deciding rule inherits the cause).
        ``ctx`` gains ``provider`` and ``blocklist``."""
        hit = self._decisions.decide(ctx, self._bank.hits(ctx))
        ctx["provider"], ctx["blocklist"] = hit.provider, hit.blocklist
        inherits = hit.rule in self._inheriting
        if inherits and prior_cause:
            return _with_cause(hit, prior_cause), True
        return hit, inherits

    def explain(self, ctx: dict[str, Any]) -> Explanation:
        ev: Evidence = []
        pev: Evidence = []
        bev: Evidence = []
        c, rule = self._decide(ctx, (ev, pev, bev))
        return Explanation(c, rule.origin if rule else "builtin", rule.when.text if rule else "",
                           ev, pev, bev)

    def _decide(self, ctx: dict[str, Any], evid: tuple[Evidence, Evidence, Evidence] | None,
                hits: Hits | None = None) -> tuple[Classification, Rule | None]:
        if hits is None:
            hits = self._bank.hits(ctx)
        provider = self._first("provider", ctx, hits, evid[1] if evid else None)
        blocklist = None if ctx.get("status") in DELIVERED_STATUSES else \
            self._first("blocklist", ctx, hits, evid[2] if evid else None)
        ctx["provider"] = provider.name if provider else None
        ctx["blocklist"] = blocklist.name if blocklist else None
        for derived in (("provider",), ("blocklist",)):  # rules see the values just decided
            hits.pop(derived, None)
        rule = self._first("rule", ctx, hits, evid[0] if evid else None)
        status = ctx.get("status") or ""
        if rule is not None:
            cat = self.taxonomy.categories[rule.category]  # type: ignore[index]
            name = rule.name
        else:
            cat = self.taxonomy.categories[_status_fallback(status)]
            name = "builtin:status"
        ctype, action = cat.type, cat.action
        if status in TEMPORARY_STATUSES and ctype == "hard":
            ctype, action = "soft", "retry"
        return Classification(ctype, cat.name, cat.code, action, name,
                              ctx["provider"], ctx["blocklist"]), rule


    def _first(self, table: str, ctx: Mapping[str, Any], hits: Hits, ev: Evidence | None) -> Rule | None:
        """The first rule of ``table`` that matches. Classifying asks the
        table's index for candidates; explaining walks every rule in order,
        collecting evidence (both find the same rule, see index.py)."""
        rules, preds, index = self._tables[table]
        if ev is None:
            i = index.first(preds, ctx, hits)
            return None if i is None else rules[i]
        for r in rules:
            local: Evidence = []
            if r.when.fn(ctx, hits, local):
                ev.extend(local)
                return r
        return None


def _status_fallback(status: str) -> str:
    return {"sent": "delivered", "deliverable": "delivered", "deferred": "soft_general",
            "expired": "expired", "removed": "removed_by_admin"}.get(status, "general_bounce")


def _with_cause(c: Classification, cause: str) -> Classification:
    return Classification(c.type, c.category, c.code, c.action, c.rule, c.provider, c.blocklist, cause)


def _line_of(text: str, needle: str | None) -> int | str:
    if not needle:
        return "?"
    for n, line in enumerate(text.splitlines(), 1):
        if f'"{needle}"' in line or f"'{needle}'" in line or line.strip().startswith(f"[{needle}"):
            return n
    return "?"
