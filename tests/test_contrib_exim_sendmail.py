"""contrib/exim and contrib/sendmail: the units run the documented command with
hardening, the example configs are valid, and every option of the
recommended Exim log_selector is read by parsers/exim.py."""

from __future__ import annotations

import configparser
import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from bouncewatch.parsers import exim
from bouncewatch.parsers.envelope import EnvelopeParser
from bouncewatch.parsers.records import Delivery, MessageInfo, Relay

CONTRIB = Path(__file__).resolve().parent.parent / "contrib"
ENV = EnvelopeParser()
ID = "1vMqXx-00000000Ab1-0Cd9"
STAMP = "2026-11-22 13:31:27"
BASE = f"{STAMP} {ID} => bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.7]"


def parsed(line):
    env = ENV.parse(line)
    return env, exim.parse(env)


def _pid():
    env, _ = parsed(f"{STAMP} [4711] {ID} Completed")
    return env.pid == 4711


def _millisec():
    env, _ = parsed(f"{STAMP}.345 {ID} Completed")
    return env.timestamp.microsecond == 345000


def _log_timezone():
    env, _ = parsed(f"{STAMP} -0330 {ID} Completed")
    return env.timestamp.utcoffset() == -timedelta(hours=3, minutes=30)


# option -> a line carrying what it adds, and what the parser must make of it
SAMPLES = {
    "pid": _pid,
    "millisec": _millisec,
    "smtp_confirmation": lambda: parsed(f'{BASE} C="250 2.0.0 Ok: queued as 4Xy"')[1].reason
    == "250 2.0.0 Ok: queued as 4Xy",
    "sender_on_delivery": lambda: parsed(BASE.replace(" R=", " F=<news@example.net> R="))[1].sender
    == "news@example.net",
    "return_path_on_delivery": lambda: parsed(BASE.replace(" R=", " F=<> P=<b+x@example.net> R="))[1].sender == "",
    "delivery_size": lambda: parsed(BASE.replace(" H=", " S=2345 H="))[1].size == 2345,
    "outgoing_port": lambda: parsed(BASE + ":587")[1].relay == Relay("mx.example.org", "192.0.2.7", 587),
    "outgoing_interface": lambda: parsed(BASE + ":25 I=[198.51.100.1]:40822 C=\"250 ok\"")[1].relay
    == Relay("mx.example.org", "192.0.2.7", 25),
    "tls_cipher": lambda: parsed(BASE + ' X=TLS1.3:TLS_AES_256_GCM_SHA384:256 C="250 ok"')[1].reason == "250 ok",
    "tls_certificate_verified": lambda: parsed(BASE + ' X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes '
                                                      'C="250 ok"')[1].reason == "250 ok",
    "tls_peerdn": lambda: parsed(BASE + ' X=TLS1.3:x:256 CV=yes DN="/C=US/CN=mx \\"1\\"" C="250 ok"')[1].reason
    == "250 ok",
    "received_recipients": lambda: parsed(f"{STAMP} {ID} <= a@example.net U=a P=local S=12 for b@x.org c@y.org")[1]
    == MessageInfo("exim", ID, sender="a@example.net", size=12, nrcpt=2, recipients=("b@x.org", "c@y.org")),
    "queue_time": lambda: parsed(BASE + " QT=1h2m3s")[1].delay == 3723.0,
    "deliver_time": lambda: parsed(BASE + " DT=0.345s")[1].delay == 0.345 and parsed(  # a failure's: last
        BASE.replace(" => ", " ** ") + ": SMTP error from remote mail server after RCPT TO:<bob@example.org>: "
        "550 5.1.1 unknown DT=0.345s")[1].delay == 0.345,
    "all_parents": lambda: parsed(BASE.replace(" R=", " <alias@example.org> <list@example.org> R="))[1]
    .orig_recipient == "list@example.org",
}
MAIN_OPTIONS = {"log_timezone": _log_timezone}


def selector_file() -> tuple[list[str], dict[str, str]]:
    text = (CONTRIB / "exim" / "log_selector.conf").read_text()
    options, mains = [], {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.partition("=")
        if name.strip() == "MAIN_LOG_SELECTOR":
            options += value.split()
        else:
            mains[name.strip()] = value.strip()
    return options, mains


def test_every_recommended_selector_is_understood():
    options, mains = selector_file()
    assert options and all(o.startswith("+") for o in options), options
    names = [o[1:] for o in options]
    assert sorted(names) == sorted(SAMPLES), "log_selector.conf and SAMPLES name different options"
    for name in names:
        assert SAMPLES[name](), f"+{name}: parsers/exim.py does not read what it adds"
    assert mains == {"log_timezone": "true"}
    for name in mains:
        assert MAIN_OPTIONS[name](), name


def test_every_option_is_documented_in_the_file():
    text = (CONTRIB / "exim" / "log_selector.conf").read_text()
    options, mains = selector_file()
    for opt in options + [f"{m} = true" for m in mains]:
        assert re.search(rf"^#\s+{re.escape(opt)}\s+\S", text, re.M), f"{opt}: no line saying what it adds"


def test_samples_use_the_full_line_format():
    d = parsed(BASE + ":25 I=[198.51.100.1]:40822 X=TLS1.3:x:256 CV=yes DN=\"/CN=mx\" C=\"250 ok\" QT=2s DT=1s")[1]
    assert isinstance(d, Delivery) and d.delay == 2.0 and d.reason == "250 ok"


@pytest.mark.parametrize("mta", ["exim", "sendmail"])
def test_unit(mta):
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(CONTRIB / mta / "bouncewatch.service")
    svc = unit["Service"]
    assert svc["ExecStart"] == "/usr/local/bin/bouncewatch run -c /etc/bouncewatch/bouncewatch.toml"  # as Postfix's
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                       ("PrivateTmp", "yes"), ("DynamicUser", "yes"), ("CapabilityBoundingSet", "")):
        assert svc.get(key) == value, f"{mta}: {key}"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize("mta,log", [("exim", "/var/log/exim4/mainlog"), ("sendmail", "/var/log/mail.log")])
def test_example_config(mta, log):
    path = CONTRIB / mta / "bouncewatch.toml"
    doc = tomllib.loads(path.read_text())
    assert doc["mta"] == mta and doc["source"][0]["path"] == log and doc["sink"]
    try:
        from bouncewatch.plugin.config import parse_config
    except ImportError:  # the config module lands with the follower
        return
    cfg = parse_config(path.read_text(), str(path))
    assert cfg.mta == mta
