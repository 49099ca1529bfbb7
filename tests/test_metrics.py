"""The Prometheus endpoint: what the follower and sinks report is scraped."""

from __future__ import annotations

import urllib.request
from collections import Counter

import pytest

from statelog import at, delivery

pytest.importorskip("prometheus_client", reason="prometheus_client is not installed")

from bouncewatch.plugin.metrics import Metrics, parse_listen, serve  # noqa: E402


def test_scrape_after_a_batch(classifier):
    from bouncewatch.plugin.pipeline import Pipeline
    m = Metrics()
    p = Pipeline(classifier, include_sent=True)
    lines = (delivery(at(0), "M1", "a@gmail.com", "hard", mx="gmail-smtp-in.l.google.com")
             + delivery(at(0), "M2", "b@corp.example", "sent") + ["garbage line", "another"])
    evs = [e for i, line in enumerate(lines) for e in p.feed(line, "x", i)]
    m.observe_events(evs + [{"kind": "alert", "alert": "blocklisted"}])
    m.observe_counts(p.counts)
    m.observe_counts(p.counts)  # no double counting
    m.queue.labels("http").set(7)
    m.spool.labels("http").set(4096)
    m.sink_errors.labels("http").inc()
    m.lag.labels("/var/log/mail.log").set(1.5)
    m.suppressed.set(3)
    server, port = serve("127.0.0.1:0", m)
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    finally:
        server.shutdown()
    want = [
        'bouncewatch_events_total{category="bad_mailbox",mta="postfix",provider="gmail",status="bounced",type="hard"} 1.0',
        'bouncewatch_events_total{category="delivered",mta="postfix",provider="",status="sent",type="none"} 1.0',
        'bouncewatch_alerts_total{alert="blocklisted"} 1.0',
        "bouncewatch_lines_read_total 6.0",
        'bouncewatch_lines_skipped_total{reason="unrecognized"} 2.0',
        'bouncewatch_sink_queue_depth{sink="http"} 7.0',
        'bouncewatch_sink_spool_bytes{sink="http"} 4096.0',
        'bouncewatch_sink_errors_total{sink="http"} 1.0',
        'bouncewatch_follow_lag_seconds{path="/var/log/mail.log"} 1.5',
        "bouncewatch_suppressed_addresses 3.0",
    ]
    for w in want:
        assert w in text, w
    rss = [ln for ln in text.splitlines() if ln.startswith("bouncewatch_process_resident_memory_bytes ")]
    assert rss and float(rss[0].split()[1]) > 1e6
    assert "bouncewatch_process_cpu_seconds_total" in text


def test_counts_only_add_increases():
    m = Metrics(process=False)
    m.observe_counts(Counter({"lines": 10, "skipped:too_long": 1}))
    m.observe_counts(Counter({"lines": 15, "skipped:too_long": 1}))
    assert m.registry.get_sample_value("bouncewatch_lines_read_total") == 15
    assert m.registry.get_sample_value("bouncewatch_lines_skipped_total", {"reason": "too_long"}) == 1


@pytest.mark.parametrize("text, want", [("127.0.0.1:9469", ("127.0.0.1", 9469)), ("9469", ("127.0.0.1", 9469)),
                                        ("[::1]:9469", ("::1", 9469))])
def test_parse_listen(text, want):
    assert parse_listen(text) == want


def test_parse_listen_errors():
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen("localhost:http")


def test_grafana_dashboard_queries_only_exported_metrics():
    import json
    import re
    from pathlib import Path

    from prometheus_client import generate_latest
    dash = json.loads((Path(__file__).parent.parent / "contrib/grafana/bouncewatch.json").read_text())
    used = {n for p in dash["panels"] for t in p["targets"] for n in re.findall(r"bouncewatch_[a-z_]+", t["expr"])}
    m = Metrics()
    m.observe_events([{"kind": "alert", "alert": "x"}, {"mta": "postfix", "status": "sent", "classification": {}}])
    m.observe_counts(Counter({"lines": 1, "skipped:x": 1}))
    m.queue.labels("s").set(1)
    m.spool.labels("s").set(1)
    m.sink_errors.labels("s").inc()
    m.lag.labels("p").set(1)
    exposed = set(re.findall(r"^(bouncewatch_[a-z_]+)", generate_latest(m.registry).decode(), re.M))
    assert used and used <= exposed, used - exposed
