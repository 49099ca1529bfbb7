import pytest

from bouncewatch.plugin.classify.expr import ExprError, compile_expr

CTX = {"status": "bounced", "dsn": "5.1.1", "smtp_code": 550, "reason": "550 User Unknown",
       "relay": {"host": "mx.google.com", "ip": "1.2.3.4", "port": 25}, "category": "bad_mailbox", "empty": ""}


@pytest.mark.parametrize("expr,expected", [
    ('dsn ~ "5.1.*"', True), ('dsn ~ "4.*"', False), ('dsn ~ "?.1.[13]"', True),
    ("reason ~ /user (unknown|not found)/", True), ("reason !~ /spam/", True),
    ('status = "bounced" and not relay.host ~ /google/', False),
    ('status = "bounced" or relay.host ~ /nothing/', True),
    ("smtp_code >= 500 and smtp_code < 600", True), ("smtp_code = 550", True), ("smtp_code != 550", False),
    ('category in ["bad_mailbox", "bad_domain"]', True), ("missing", False), ("empty", False), ("relay", True),
    ('missing = "x"', False), ('missing != "x"', True), ("missing ~ /x/", False), ("missing !~ /x/", True),
    ('not (status = "sent" or status = "deferred")', True), ("relay.port > 24", True),
    ('status = \'bounced\'', True),
])
def test_semantics(expr, expected):
    assert compile_expr(expr).matches(CTX) is expected


@pytest.mark.parametrize("bad", ["status =", "= 1", "a ~ 5", "(a", "a < 'x'", "reason ~ /(/", "a and", ""])
def test_errors(bad):
    with pytest.raises(ExprError):
        compile_expr(bad)


def test_regex_is_linear_on_hostile_input():
    import time
    p = compile_expr("reason ~ /(a+)+b/ or reason ~ /(x|x)*y/")
    start = time.perf_counter()
    assert not p.matches({"reason": "a" * 1_000_000 + "!"})
    assert not p.matches({"reason": "x" * 1_000_000})
    assert time.perf_counter() - start < 1.0


def test_glob_literal_runs_escape_as_per_character():
    """_glob_to_re2 escapes literal runs whole: the same regex as escaping
    each character, as it once did."""
    import re2
    from hypothesis import given, strategies as st

    from bouncewatch.plugin.classify.expr import _glob_to_re2

    @given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="*?[")))
    def check(s):
        assert _glob_to_re2(s) == "".join(re2.escape(c) for c in s)
    check()
    assert _glob_to_re2("a.b*[!x]?é") == r"a\.b.*[^x].é"
