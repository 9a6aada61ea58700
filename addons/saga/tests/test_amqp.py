"""Messages from RabbitMQ into the inbox, against the real broker on 127.0.0.1:5672 (guest/guest).

Each test has a queue of its own.  Without a broker the tests are skipped, naming why; with ``CI`` set,
a missing broker is a failure.  Waits are bounded generously; what is asserted is the outcome.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager

import psycopg2
import pytest
from odoo.addons.queue_job.tests.helpers import db_args, wait_until
from odoo.config import ROOT

from .flow_helpers import committed, run_jobs, start, state

pytestmark = pytest.mark.addons("test_saga_flows")
BROKER_URL = os.environ.get("SAGA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@contextmanager
def broker_channel(pika):
    """A channel on the test broker; skipped (failed with ``CI`` set) when the broker does not answer."""
    try:
        connection = pika.BlockingConnection(pika.URLParameters(BROKER_URL))
    except Exception as exc:  # any failure to connect: the broker does not answer
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"RabbitMQ must answer in CI at {BROKER_URL}: {exc!r}")
        pytest.skip(f"RabbitMQ does not answer at {BROKER_URL}: {exc!r}")
    try:
        yield connection.channel()
    finally:
        connection.close()


@pytest.fixture
def broker():
    """A channel on the broker and a queue of the test's own (both queues deleted afterwards)."""
    from odoo.addons.saga.amqp import declare

    with broker_channel(pytest.importorskip("pika")) as channel:
        queue = f"saga.test.{uuid.uuid4().hex[:12]}"
        declare(channel, queue)
        yield Broker(channel, queue)
        channel.queue_delete(queue)
        channel.queue_delete(f"{queue}.rejected")


class Broker:
    """What a publisher does (persistent messages to the default exchange) and what an operator reads."""

    def __init__(self, channel, queue: str):
        self.channel, self.queue = channel, queue

    def publish(self, body, message_id: str | None = None) -> None:
        import pika

        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.channel.basic_publish("", self.queue, data, pika.BasicProperties(
            delivery_mode=pika.DeliveryMode.Persistent, message_id=message_id, content_type="application/json"))

    def ready(self, queue: str | None = None) -> int:
        """Messages waiting in ``queue`` (not delivered, or given back by a consumer that went away)."""
        return self.channel.queue_declare(queue or self.queue, passive=True).method.message_count

    def consumers(self) -> int:
        return self.channel.queue_declare(self.queue, passive=True).method.consumer_count


def reply_body(key: str, message_id: str, **payload) -> dict:
    return {"message_id": message_id, "type": "test.reply", "business_key": key, "payload": payload}


def messages(registry) -> list[dict]:
    return committed(registry, lambda env: env["saga.message"].search_read(
        [], ["message_id", "source", "outcome", "business_key"], order="id"))


@pytest.fixture
def consumer(fresh_registry, broker):
    """A consumer of the test's queue into the test's database, in a thread of this process."""
    from odoo.addons.saga.amqp import BrokerSettings, Consumer

    running = Consumer(fresh_registry, BrokerSettings(BROKER_URL, broker.queue)).start()
    wait_until(running.connected.is_set, bound=60)
    yield running
    running.stop()


def waiting_saga(registry, key: str) -> None:
    start(registry, key)
    run_jobs(registry)
    assert state(registry, key)["status"] == "waiting"


def test_a_message_from_the_queue_moves_the_waiting_saga_on_and_is_acked(fresh_registry, broker, consumer):
    waiting_saga(fresh_registry, "q1")
    broker.publish(reply_body("q1", "amqp-1", ok=True))
    wait_until(lambda: messages(fresh_registry))
    run_jobs(fresh_registry)
    assert state(fresh_registry, "q1")["status"] == "completed"
    assert [(m["message_id"], m["source"], m["outcome"]) for m in messages(fresh_registry)] == [
        ("amqp-1", "amqp", "processed")]
    consumer.stop()
    assert (broker.ready(), broker.ready(f"{broker.queue}.rejected")) == (0, 0)  # acked: nothing given back


def test_a_message_delivered_twice_is_applied_once_and_both_deliveries_are_acked(fresh_registry, broker, consumer):
    waiting_saga(fresh_registry, "q2")
    broker.publish(reply_body("q2", "amqp-2", ok=True))
    broker.publish(reply_body("q2", "amqp-2", ok=True))  # what a redelivery after a lost ack looks like
    broker.publish({"type": "test.reply", "business_key": "q2", "payload": {}}, message_id="amqp-2")
    wait_until(lambda: consumer.delivered == 3)
    run_jobs(fresh_registry)
    assert state(fresh_registry, "q2")["timeline"][-1] == ("forward", "c", 1, "succeeded")
    assert [m["message_id"] for m in messages(fresh_registry)] == ["amqp-2"]
    consumer.stop()
    assert broker.ready() == 0


def test_malformed_messages_go_to_the_dead_letter_queue_and_record_nothing(fresh_registry, broker, consumer):
    broker.publish(b"not json")
    broker.publish({"message_id": "amqp-3", "type": "test.reply", "payload": {}})  # no business_key
    broker.publish(reply_body("q3", "amqp-4") | {"payload": [1, 2]})
    broker.publish(reply_body("nobody", "amqp-5"))  # well formed, for no saga: recorded as unknown
    wait_until(lambda: broker.ready(f"{broker.queue}.rejected") == 3)
    wait_until(lambda: len(messages(fresh_registry)) == 1)
    assert [(m["message_id"], m["outcome"]) for m in messages(fresh_registry)] == [("amqp-5", "unknown")]


@pytest.mark.postgresql_only
def test_a_consumer_killed_before_its_commit_leaves_the_message_to_the_next_one(db_backend, database_factory, broker,
                                                                                tmp_path):
    """The message is acked only after the inbox's commit: kill -9 before it, and it is delivered again."""
    from odoo.modules.registry import Registry

    config = database_factory.create(db_backend, ("test_saga_flows",))
    registry = Registry.open(config)
    waiting_saga(registry, "q4")
    blocker = psycopg2.connect(config["db_uri"])  # holds the instance: the inbox waits for its lock
    blocker.cursor().execute("SELECT id FROM saga_instance WHERE business_key = 'q4' FOR UPDATE")
    doomed = consume_in_a_process(config, broker.queue, tmp_path / "doomed.log")
    broker.publish(reply_body("q4", "amqp-6", ok=True))
    wait_until(lambda: waits_for_a_lock(config["db_uri"]))
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)
    blocker.rollback()
    blocker.close()
    wait_until(lambda: broker.ready() == 1)  # unacked, so given back when its connection died
    assert messages(registry) == []
    survivor = consume_in_a_process(config, broker.queue, tmp_path / "survivor.log")
    try:
        wait_until(lambda: messages(registry))
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(timeout=60)
    run_jobs(registry)
    assert state(registry, "q4")["status"] == "completed"
    assert [(m["message_id"], m["source"]) for m in messages(registry)] == [("amqp-6", "amqp")]
    assert broker.ready() == 0


def consume_in_a_process(config, queue: str, log_path) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        return subprocess.Popen([sys.executable, "odoo-bin.py", "saga", "consume", "--amqp-url", BROKER_URL,
                                 "--queue", queue, *db_args(config)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def waits_for_a_lock(dsn: str) -> bool:
    with psycopg2.connect(dsn) as probe, probe.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                       "current_database()")
        return cursor.fetchone()[0] > 0
