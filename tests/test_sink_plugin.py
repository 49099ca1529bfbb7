"""Third-party sinks: contrib/kafka-sink installed into this venv with pip
and loaded through the bouncewatch.sinks entry point. No broker here: the
confluent_kafka Producer is replaced at the boundary by a fake that keeps
what was produced and answers with delivery reports."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from bouncewatch.plugin.sinks import ConfigError, SinkError, check_sink, open_sink
from sink_helpers import event

CONTRIB = Path(__file__).resolve().parent.parent / "contrib" / "kafka-sink"


@pytest.fixture(scope="module")
def kafka_plugin():
    spec = importlib.util.find_spec("bouncewatch_kafka")
    current = (spec is not None and spec.origin is not None
               and Path(spec.origin).read_bytes() == (CONTRIB / "bouncewatch_kafka.py").read_bytes()
               and any(ep.name == "kafka" for ep in entry_points(group="bouncewatch.sinks")))
    if not current:  # not installed yet, or the example changed since: (re)install it
        r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps",
                            str(CONTRIB), "confluent-kafka>=2.3"], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            pytest.skip(f"cannot pip install contrib/kafka-sink (PyPI unreachable?): {r.stderr.strip()[-300:]}")
        importlib.invalidate_caches()
    assert any(ep.name == "kafka" for ep in entry_points(group="bouncewatch.sinks"))
    return importlib.import_module("confluent_kafka")


class FakeProducer:
    instances: list["FakeProducer"] = []
    fail_with: str | None = None

    def __init__(self, config):
        self.config, self.messages, self.pending = config, [], []
        FakeProducer.instances.append(self)

    def produce(self, topic, value=None, key=None, on_delivery=None):
        self.pending.append((topic, key, value, on_delivery))

    def poll(self, timeout=0):
        return 0

    def flush(self, timeout=None):
        for topic, key, value, cb in self.pending:
            if self.fail_with:
                cb(self.fail_with, None)
            else:
                self.messages.append((topic, key, value))
                cb(None, object())
        self.pending = []
        return 0


@pytest.fixture
def fake_producer(kafka_plugin, monkeypatch):
    FakeProducer.instances, FakeProducer.fail_with = [], None
    monkeypatch.setattr(kafka_plugin, "Producer", FakeProducer)
    return FakeProducer


def test_kafka_sink_through_entry_point(fake_producer):
    sink = open_sink("kafka://127.0.0.1:9092,127.0.0.2:9092/mail-bounces?format=ecs&acks=all",
                     statuses=["bounced"])
    sink.send([event(1), event(2, status="deferred"), event(3)])
    p = fake_producer.instances[0]
    assert p.config["bootstrap.servers"] == "127.0.0.1:9092,127.0.0.2:9092"
    assert p.config["enable.idempotence"] is True
    assert [(t, k) for t, k, _ in p.messages] == [("mail-bounces", event(1)["event_id"].encode()),
                                                 ("mail-bounces", event(3)["event_id"].encode())]
    assert json.loads(p.messages[0][2])["event"]["id"] == event(1)["event_id"]
    sink.close()


def test_kafka_delivery_failure_raises_sink_error(fake_producer):
    sink = open_sink("kafka://127.0.0.1:9092/t")
    fake_producer.fail_with = "Broker: Not enough in-sync replicas"
    with pytest.raises(SinkError, match="in-sync replicas"):
        sink.send([event(1)])


def test_kafka_bad_configuration(fake_producer, monkeypatch):
    with pytest.raises(ConfigError, match="unknown key 'topic'"):
        open_sink("kafka://127.0.0.1:9092/t?topic=x")
    monkeypatch.delenv("BW_KAFKA_PW", raising=False)
    with pytest.raises(ConfigError, match="key 'sasl_password_env'"):
        open_sink("kafka://127.0.0.1:9092/t?sasl_mechanism=PLAIN&sasl_username=u&sasl_password_env=BW_KAFKA_PW")
    with pytest.raises(ConfigError, match="expected kafka://"):
        open_sink("kafka://127.0.0.1:9092")


def test_kafka_check_config_connects_nothing(fake_producer):
    """check-config validates a kafka:// sink without a producer (no librdkafka threads, no broker)."""
    check_sink("kafka://127.0.0.1:9092/t?acks=1")
    assert fake_producer.instances == []
    with pytest.raises(ConfigError, match="unknown key 'topic'"):
        check_sink("kafka://127.0.0.1:9092/t?topic=x")
