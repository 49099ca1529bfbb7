"""classify/relaxed.py: a set of relaxed patterns plus confirmation gives
exactly the hits of the exact set, for the built-in rules and hostile text."""

from __future__ import annotations

import functools
import itertools
import random
import re

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.plugin.classify import relaxed
from bouncewatch.plugin.classify.engine import Classifier
from bouncewatch.plugin.classify.expr import MatchBank, _re2_options
from bouncewatch.plugin.classify.relaxed import RelaxedSet, compile_filter, compile_set, relax


@pytest.mark.parametrize("pattern, want", [
    (r"proofpoint.{0,60}(block|dnsbl)", r"proofpoint.*(block|dnsbl)"),
    (r"a{2,40}b", r"a{2,}b"),
    (r"x.{0,80}?y", r"x.*?y"),
    (r"\d{1,3}\.\d{2,4}", r"\d{1,3}\.\d{2,4}"),          # short spans stay exact
    (r"[A-Z]{3}", r"[A-Z]{3}"),
    (r"a\{0,40}", r"a\{0,40}"),                          # an escaped brace is a literal
    (r"[{0,40}]x", r"[{0,40}]x"),                        # so is one in a class
    (r"[]{0,40}]x.{0,40}", r"[]{0,40}]x.*"),             # a leading ] belongs to the class
    (r"[^\]{0,40}]{0,20}", r"[^\]{0,40}]*"),
    (r"\Qa{0,40}\E", r"\Qa{0,40}\E"),                    # quoting: left alone
    (r"[[:alpha:]]{0,40}", r"[[:alpha:]]{0,40}"),        # class names: left alone
    (r"(?i)x{,40}", r"(?i)x{,40}"),                      # not a repetition in RE2
])
def test_relax(pattern, want):
    assert relax(pattern) == want


@functools.cache
def _builtin_bank() -> MatchBank:
    return Classifier.load(use_cache=False)._bank


@functools.cache
def _reason_sets():
    return _exact_and_relaxed(_builtin_bank()._patterns[("reason",)])


def _exact_and_relaxed(patterns):
    singles: dict[int, object] = {}

    def exact(i):
        if i not in singles:
            singles[i] = re2.compile(patterns[i], _re2_options())
        return singles[i]
    return compile_set(patterns, _re2_options()), RelaxedSet(patterns, _re2_options(), exact)


def _ids(found) -> set[int]:
    return set(found or ())


def _relaxed_ids(relaxed_set: RelaxedSet, text: str) -> set[int]:
    relaxed_set._scans = 0  # stay relaxed: that is what is tested (see the last test for the switch)
    return _ids(relaxed_set.Match(text))


def _texts_near(patterns: list[str]) -> list[str]:
    """Text that meets a bounded gap just inside, at and past its bound."""
    out = []
    for p in patterns:
        words = [w for w in re.findall(r"[a-z]{4,}", p)]
        for m in re.finditer(r"\{0,(\d+)\}", p):
            n = int(m.group(1))
            for a, b in itertools.combinations(words[:6], 2):
                for gap in (n - 1, n, n + 1, n + 25):
                    out.append(f"said: 550 {a} " + "x" * max(gap - 2, 0) + f" {b}.")
    return out


def test_builtin_reason_patterns_give_the_exact_hits():
    bank = _builtin_bank()
    texts = ["", "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
             "host mx1.proofpoint.com said: 554 blocked by ipcheck.proofpoint.com reputation",
             "Сообщение не доставлено: почтовый ящик переполнен", "ÄÖÜ ſ K 𝔘 \u212a",
             "\x00\xff" * 50]
    for path, patterns in bank._patterns.items():
        exact_set, relaxed_set = _exact_and_relaxed(patterns)
        for text in texts + _texts_near(patterns):
            assert _relaxed_ids(relaxed_set, text) == _ids(exact_set.Match(text)), (path, text)
    assert any(relax(p) != p for p in bank._patterns[("reason",)])  # the relaxing is used at all


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["proofpoint ", "block", "gmx ", "postmaster", "mailbox ", "x" * 30, " ",
                                 "rate ", "limit", "user ", "unknown", "tls ", "required", "é", "\n"]),
                max_size=40))
def test_hostile_text_gives_the_exact_hits(parts):
    text = "".join(parts)
    exact_set, relaxed_set = _reason_sets()
    assert _relaxed_ids(relaxed_set, text) == _ids(exact_set.Match(text))


def _corpus_replies() -> list[str]:
    """The reply texts of the shared corpus' Postfix delivery lines (a few
    thousand real ones), or none where the corpus is absent."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
    out: list[str] = []
    for f in sorted(root.rglob("*")) if root.is_dir() else ():
        if not f.is_file() or f.suffix in (".md", ".gz"):
            continue
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            i = line.find(" status=")
            if i >= 0:
                out.append(line[i:])
    return out[:20_000]


def test_a_filter_gives_the_exact_sets_hits():
    """A long run scans with an RE2 filter (compile_filter): the same ids as
    the exact Set, on every field's patterns, real replies and bound-edge text."""
    bank = _builtin_bank()
    rng = random.Random(3)
    words = ["spamhaus ", "zen", " blocked ", "user unknown ", "quota ", "x" * 70, "gsmtp", "5.7.1 ", "é", " "]
    noise = ["".join(rng.choice(words) for _ in range(rng.randrange(30))) for _ in range(300)]
    base = ["", "\x00\xff" * 50, "Сообщение не доставлено: почтовый ящик переполнен", "ÄÖÜ ſ K 𝔘 \u212a"]
    for path, patterns in bank._patterns.items():
        exact_set, filt = compile_set(patterns, _re2_options()), compile_filter(patterns, _re2_options())
        for text in base + noise + _texts_near(patterns) + _corpus_replies():
            assert _ids(filt.Match(text)) == _ids(exact_set.Match(text)), (path, text)


def test_a_long_run_switches_to_the_exact_set(monkeypatch):
    monkeypatch.setattr(relaxed, "EXACT_AFTER", 3)
    patterns = [r"a.{0,20}b", r"c"]
    exact_set, relaxed_set = _exact_and_relaxed(patterns)
    rng = random.Random(7)
    assert relaxed_set._confirm == {0}
    for _ in range(20):
        text = "".join(rng.choice("abc ") for _ in range(rng.randrange(60)))
        assert _ids(relaxed_set.Match(text)) == _ids(exact_set.Match(text)), text
    assert not relaxed_set._confirm  # switched ...
    assert isinstance(relaxed_set._set, re2.Filter)  # ... to the exact patterns' filter


def test_a_follower_settles_at_start():
    """follow/run (daemon._pipeline) compile the exact filter before the first
    line, not as a stall a few events in; the hits stay the same."""
    c = Classifier.load(use_cache=False)
    text = "host mx said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"
    before = {path: _ids(s.Match(text)) for path, s in c._bank._compile().items()}
    c.settle()
    sets = c._bank._sets
    assert all(not s._confirm for s in sets.values())
    assert isinstance(sets[("reason",)]._set, re2.Filter)
    assert {path: _ids(s.Match(text)) for path, s in sets.items()} == before
