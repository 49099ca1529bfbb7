"""Shared fixtures. Corpus and real-MTA tests skip with a reason where what
they need is absent (a user's clone has no ../shared/corpus)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so a run of main is
# reproducible and a failure is the code's, not the draw's (CI once drew, at
# random, the case a test's oracle had missed). HYPOTHESIS_PROFILE=explore
# draws new examples, to look for more.
settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

# Shared real-MTA assertions live outside test modules; keep pytest's
# detailed assertion messages for them.
pytest.register_assert_rewrite("realmta.checks")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("BOUNCEWATCH_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session", autouse=True)
def _rule_cache_home(tmp_path_factory):
    """The rule cache (classify/rulecache.py) of this test run, also for the
    CLI processes tests start: never the user's or /var/cache's."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(scope="session")
def classifier():
    from bouncewatch.plugin.classify.engine import Classifier
    return Classifier.load()


@pytest.fixture
def pipeline(classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    return Pipeline(classifier, include_sent=True)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"log corpus not found at {CORPUS} (it lives beside the project in shared/corpus)")
    return CORPUS
