"""parsers.address.normalize_address, written out for speed, is still
strip_angle followed by lower-casing the domain (after the last "@")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bouncewatch.parsers.address import normalize_address, strip_angle


def plain(addr: str) -> str:
    addr = strip_angle(addr)
    at = addr.rfind("@")
    return addr if at < 0 else addr[:at] + "@" + addr[at + 1:].lower()


def test_examples():
    assert normalize_address("<Karla@Relay.Example>") == "Karla@relay.example"
    assert normalize_address(" karla@relay.example ") == "karla@relay.example"
    assert normalize_address("a@b@C") == "a@b@c"
    assert normalize_address("<>") == ""
    assert normalize_address("MAILER-DAEMON") == "MAILER-DAEMON"
    assert normalize_address("\u00e9@\u00c9X.example") == "\u00e9@\u00e9x.example"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ@<> \t.\u00c9\u0130\u2003"), max_size=12) | st.text(max_size=12))
def test_is_strip_angle_then_lower_domain(addr):
    assert normalize_address(addr) == plain(addr)
