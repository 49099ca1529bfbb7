"""A Kafka sink for bouncewatch, and the example of a third-party sink.

    kafka://broker1:9092,broker2:9092/mail-bounces?format=ecs&acks=all

A plugin is a factory registered under the entry-point group
``bouncewatch.sinks`` with the URI scheme as its name (see pyproject.toml).
bouncewatch calls ``factory(uri, opts)``: ``opts`` holds the URI's query and
the config's options as strings (``format``, ``state_dir``, ...). Filtering
(``where``, ``statuses``) and pseudonymization happen in bouncewatch before
``send``; the plugin only delivers. Its contract is the one of every sink:
``send(events)`` returns when the batch is delivered (here: every message
acknowledged by the brokers) and raises SinkError otherwise, so the
follower keeps its checkpoint and retries; ``reopen()`` on SIGHUP;
``close()``. Configuration errors raise ConfigError naming the sink and the
key, before anything starts. ``Options.checking`` (``bouncewatch
check-config``): validate everything, start and connect nothing.

Keys: ``format`` (json/ecs/ocsf/cef/leef), ``acks`` (all | 1 | 0; default
all), ``timeout`` (seconds to wait for acknowledgements, default 30),
``compression`` (none, gzip, snappy, lz4, zstd; default zstd),
``sasl_mechanism`` with ``sasl_username`` and ``sasl_password_env`` or
``sasl_password_file`` (never a password in the URI), ``ca`` (TLS with a
custom CA: security.protocol becomes SSL or SASL_SSL). Messages are keyed
by event_id, so a replay after a crash lands in the same partition and a
compacted topic keeps one copy.

confluent_kafka is imported when a kafka:// sink is opened, not when
bouncewatch lists its plugins: a missing librdkafka only breaks the sink
that needs it, with a message saying so.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from bouncewatch.plugin.formats import get_format
from bouncewatch.plugin.sinks import ConfigError, Options, SinkError, _display


class KafkaSink:
    leaves_host = True

    def __init__(self, name: str, topic: str, config: dict[str, Any], fmt: Any, timeout: float,
                 checking: bool = False) -> None:
        try:
            import confluent_kafka
        except ImportError as e:
            raise ConfigError(f"sink {name!r}: the kafka sink needs confluent-kafka ({e})") from None
        self.name, self.topic, self.config, self.format, self.timeout = name, topic, config, fmt, timeout
        self._kafka = confluent_kafka
        # check-config (Options.checking): validated, but no producer, which
        # would start librdkafka's threads and connect to the brokers
        self.producer = None if checking else confluent_kafka.Producer(config)

    def send(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        errors: list[str] = []

        def report(err: Any, msg: Any) -> None:
            if err is not None:
                errors.append(str(err))
        try:
            for e in events:
                while True:
                    try:
                        self.producer.produce(self.topic, value=self.format.render(e).encode("utf-8"),
                                              key=str(e.get("event_id") or "").encode(), on_delivery=report)
                        break
                    except BufferError:  # the local queue is full: let the brokers catch up
                        self.producer.poll(0.5)
            left = self.producer.flush(self.timeout)
        except self._kafka.KafkaException as e:
            raise SinkError(f"sink {self.name!r}: {e}") from None
        if left:
            raise SinkError(f"sink {self.name!r}: {left} messages not acknowledged after {self.timeout:g}s")
        if errors:
            raise SinkError(f"sink {self.name!r}: {len(errors)} messages failed: {errors[0]}")

    def reopen(self) -> None:
        pass  # librdkafka reconnects by itself

    def close(self) -> None:
        if self.producer is not None:
            self.producer.flush(self.timeout)


def open_kafka(uri: str, opts: dict[str, str]) -> KafkaSink:
    name = _display(uri)
    parts = urlsplit(uri.split("?", 1)[0])
    brokers = parts.netloc
    topic = parts.path.strip("/")
    if not brokers or not topic:
        raise ConfigError(f"sink {name!r}: expected kafka://BROKER[:PORT][,BROKER...]/TOPIC")
    if "@" in brokers:
        raise ConfigError(f"sink {name!r}: credentials in the URI are refused; use sasl_password_env")
    o = Options(name, opts)
    fmt = get_format(o.get("format"))
    acks = o.choice("acks", ("all", "1", "0"), "all")
    timeout = o.number("timeout", 30.0, minimum=0.1)
    compression = o.choice("compression", ("none", "gzip", "snappy", "lz4", "zstd"), "zstd")
    config: dict[str, Any] = {"bootstrap.servers": brokers, "acks": acks, "compression.type": compression,
                              "enable.idempotence": acks == "all", "client.id": "bouncewatch"}
    mech = o.get("sasl_mechanism")
    ca = o.readable_file("ca")
    if mech:
        user = o.get("sasl_username")
        if not user:
            raise o.error("sasl_username", "required with sasl_mechanism")
        env, path = o.get("sasl_password_env"), o.get("sasl_password_file")
        if env:
            password = os.environ.get(env)
            if not password:
                raise o.error("sasl_password_env", f"environment variable {env} is not set")
        elif path:
            try:
                with open(path, encoding="utf-8") as f:
                    password = f.readline().strip()
            except OSError as e:
                raise o.error("sasl_password_file", f"cannot read {path}: {e.strerror}") from None
        else:
            raise o.error("sasl_mechanism", "needs sasl_password_env or sasl_password_file")
        config.update({"sasl.mechanism": mech, "sasl.username": user, "sasl.password": password,
                       "security.protocol": "SASL_SSL" if ca or parts.scheme == "kafkas" else "SASL_PLAINTEXT"})
    elif ca:
        config["security.protocol"] = "SSL"
    if ca:
        config["ssl.ca.location"] = ca
    o.done()
    return KafkaSink(name, topic, config, fmt, timeout, checking=o.checking)
