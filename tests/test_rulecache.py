"""The rule cache (classify/rulecache.py): a warm start skips parsing, any
change to the rules misses, a miss validates exactly as a load without a
cache, and a cached rule set classifies exactly as a fresh one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bouncewatch.plugin.classify import rulecache
from bouncewatch.plugin.classify.engine import Classifier, RuleError

ROOT = Path(__file__).resolve().parent.parent
MAIL = ROOT / "tests" / "data" / "mail" / "sisimai" / "postfix-04.eml"

RULE = """
[[rule]]
name = "acme-quota"
category = "{category}"
when = 'reason ~ /acme quota exceeded/ and smtp_code >= 400'
"""

CONTEXTS = [
    {"status": "bounced", "reason": "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
     "smtp_code": 550, "dsn": "5.1.1", "relay": {"host": "gmail-smtp-in.l.google.com"},
     "recipient_domain": "gmail.com"},
    {"status": "deferred", "reason": "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred",
     "smtp_code": 421, "dsn": "4.7.0", "relay": {"host": "mta7.am0.yahoodns.net"}, "recipient_domain": "yahoo.com"},
    {"status": "bounced", "reason": "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
     "zen.spamhaus.org", "smtp_code": 554, "dsn": "5.7.1", "relay": None, "recipient_domain": "example.net"},
    {"status": "deferred", "reason": "acme quota exceeded for this mailbox", "smtp_code": 452, "dsn": "4.2.2",
     "relay": {"host": "mx.acme.example"}, "recipient_domain": "acme.example"},
    {"status": "expired", "reason": "retry timeout exceeded", "smtp_code": None, "dsn": None, "relay": None},
    {"status": "sent", "reason": "250 2.0.0 OK 1795154461 a2lx - gsmtp", "smtp_code": 250, "dsn": "2.0.0",
     "relay": {"host": "gmail-smtp-in.l.google.com"}, "recipient_domain": "gmail.com"},
]


def _rules(tmp_path: Path, category: str = "mailbox_full") -> Path:
    d = tmp_path / "rules.d"
    d.mkdir(exist_ok=True)
    (d / "acme.toml").write_text(RULE.format(category=category))
    return d


def _load_in_child(cache_home: Path, rules_dir: Path | None) -> dict:
    """Load in a fresh interpreter: -> whether it imported the parser, and
    what it made of CONTEXTS[3]."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from bouncewatch.plugin.classify.engine import Classifier\n"
        f"c = Classifier.load([Path(p) for p in {[str(rules_dir)] if rules_dir else []!r}])\n"
        f"ctx = {CONTEXTS[3]!r}\n"
        "cls, _ = c.classify(ctx)\n"
        "print(json.dumps({'pyparsing': 'pyparsing' in sys.modules, 'tomllib': 'tomllib' in sys.modules,\n"
        "                  'rule': cls.rule, 'category': cls.category}))\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_warm_cache_skips_parsing_and_a_changed_rule_file_misses(tmp_path):
    rules = _rules(tmp_path)
    cold = _load_in_child(tmp_path / "cache", rules)
    assert cold["pyparsing"] and cold["tomllib"]          # a miss parses and validates
    assert list((tmp_path / "cache" / "bouncewatch").glob("rules-*.json"))
    warm = _load_in_child(tmp_path / "cache", rules)
    assert not warm["pyparsing"] and not warm["tomllib"]  # a hit does neither
    assert (warm["rule"], warm["category"]) == (cold["rule"], cold["category"]) == ("acme-quota", "mailbox_full")

    (rules / "acme.toml").write_text(RULE.format(category="rate_limited"))
    changed = _load_in_child(tmp_path / "cache", rules)
    assert changed["pyparsing"]                           # a miss: the file changed
    assert (changed["rule"], changed["category"]) == ("acme-quota", "rate_limited")
    again = _load_in_child(tmp_path / "cache", rules)
    assert not again["pyparsing"] and again["category"] == "rate_limited"
    # one cache file per list of rule files: the edit replaced it
    assert len(list((tmp_path / "cache" / "bouncewatch").glob("rules-*.json"))) == 1


def test_ingest_mail_with_a_warm_cache_imports_only_what_it_needs(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = ("import sys\n"
            "from bouncewatch.plugin.cli import main\n"
            f"rc = main(['ingest-mail', '--dry-run', {str(MAIL)!r}])\n"
            "heavy = sorted(m for m in ('pyparsing', 'tomllib', 'logging', 'csv', 'importlib.resources',\n"
            "                           'bouncewatch.plugin.correlate', 'bouncewatch.plugin.sinks')\n"
            "               if m in sys.modules)\n"
            "print('IMPORTED', ','.join(heavy), file=sys.stderr)\n"
            "sys.exit(rc)\n")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and '"classification"' in runs[0].stdout
    imported = [line.split(" ", 1)[1] for r in runs for line in r.stderr.splitlines() if line.startswith("IMPORTED")]
    assert "pyparsing" in imported[0]
    assert imported[1] == ""


def test_cached_rule_set_classifies_and_explains_as_a_fresh_one(tmp_path):
    rules = _rules(tmp_path)
    fresh = Classifier.load([rules], use_cache=False)
    Classifier.load([rules], cache_dir=tmp_path / "c")                  # writes
    cached = Classifier.load([rules], cache_dir=tmp_path / "c")         # reads
    assert cached._bank._single == {}                                   # single regexes not compiled yet
    for ctx in CONTEXTS:
        a, b = fresh.classify(dict(ctx)), cached.classify(dict(ctx))
        assert a == b
        xa, xb = fresh.explain(dict(ctx)), cached.explain(dict(ctx))
        assert (xa.classification, xa.rule_origin, xa.condition, xa.evidence, xa.provider_evidence,
                xa.blocklist_evidence) == (xb.classification, xb.rule_origin, xb.condition, xb.evidence,
                                           xb.provider_evidence, xb.blocklist_evidence)
    assert [(r.name, r.origin, r.category, r.inherits_cause, r.when.text, r.when.requires, r.when.tests)
            for r in (*fresh.providers, *fresh.blocklists, *fresh.rules)] == \
           [(r.name, r.origin, r.category, r.inherits_cause, r.when.text, r.when.requires, r.when.tests)
            for r in (*cached.providers, *cached.blocklists, *cached.rules)]


def test_rule_errors_are_reported_as_without_a_cache(tmp_path):
    rules = _rules(tmp_path)
    Classifier.load([rules], cache_dir=tmp_path / "c")
    (rules / "acme.toml").write_text(RULE.format(category="mailbox_full").replace("~ /acme", "~ /(acme"))
    with pytest.raises(RuleError) as plain:
        Classifier.load([rules], use_cache=False)
    with pytest.raises(RuleError) as cached:
        Classifier.load([rules], cache_dir=tmp_path / "c")
    assert str(cached.value) == str(plain.value)
    assert str(plain.value).startswith(f"{rules / 'acme.toml'}:3: [[rule]] 'acme-quota': key 'when': "
                                       "bad regular expression /(acme quota exceeded/")


def test_an_invalid_rule_set_is_never_cached(tmp_path):
    rules = _rules(tmp_path, category="no_such_category")
    for _ in range(2):
        with pytest.raises(RuleError, match="unknown category 'no_such_category'"):
            Classifier.load([rules], cache_dir=tmp_path / "c")
    assert not list((tmp_path / "c").glob("rules-*.json"))


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"key": "x", "data": {}}', b"[1, 2]"])
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path, damage):
    rules = _rules(tmp_path)
    Classifier.load([rules], cache_dir=tmp_path / "c")
    (path,) = (tmp_path / "c").glob("rules-*.json")
    good = json.loads(path.read_bytes())
    path.write_bytes(damage)
    c = Classifier.load([rules], cache_dir=tmp_path / "c")
    assert c.classify(dict(CONTEXTS[3]))[0].rule == "acme-quota"
    assert json.loads(path.read_bytes()) == good


def test_a_cache_with_the_right_key_but_broken_data_is_rebuilt(tmp_path):
    rules = _rules(tmp_path)
    Classifier.load([rules], cache_dir=tmp_path / "c")
    (path,) = (tmp_path / "c").glob("rules-*.json")
    data = json.loads(path.read_bytes())
    assert data["data"]["rules"][0][1] == "acme-quota"  # the user's rules come first
    data["data"]["rules"][0][4] = ["cmp", "reason"]      # a truncated tree
    path.write_text(json.dumps(data))
    c = Classifier.load([rules], cache_dir=tmp_path / "c")
    assert c.classify(dict(CONTEXTS[3]))[0].rule == "acme-quota"


def test_an_unwritable_cache_dir_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    c = Classifier.load([], cache_dir=blocker / "cache")
    assert c.classify(dict(CONTEXTS[0]))[0].category == "bad_mailbox"
    assert list(tmp_path.iterdir()) == [blocker]


def test_default_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert rulecache.default_dir() == tmp_path / "bouncewatch"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert rulecache.default_dir() == Path("/var/cache/bouncewatch")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert rulecache.default_dir() == tmp_path / ".cache" / "bouncewatch"


def test_ingest_mail_keeps_its_cache_in_the_state_dir(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    with open(MAIL, "rb") as fp:
        subprocess.run([sys.executable, "-m", "bouncewatch", "ingest-mail", "--state-dir", str(tmp_path / "st")],
                       stdin=fp, env=env, capture_output=True, check=True)
    assert list((tmp_path / "st" / "cache").glob("rules-*.json"))
    assert not (tmp_path / "xdg").exists()
