"""RabbitMQ delivery into the saga inbox (``pika``): the same messages as ``/saga/1/message``, from a queue.

A publisher (a payment provider's bridge, another service) sends to the durable queue (default exchange,
routing key = the queue's name) a persistent message whose body is the callback's JSON::

    {"message_id": "pay-77", "type": "payment.result", "business_key": "<order id>",
     "saga_type": "ticket_order", "payload": {"status": "paid"}}

``message_id`` may instead be the AMQP ``message_id`` property.  There is no signature: the broker's own
authentication is the door (give the publisher a user that may only write to this queue).

What the consumer guarantees:
* a message is acked only after the transaction that recorded it in the inbox has committed; a consumer
  that dies before the ack leaves it unacked and RabbitMQ delivers it again (here or to another
  consumer), where the inbox finds its ``message_id`` and changes nothing: at-least-once delivery,
  applied exactly once;
* a malformed message (not JSON, a field missing or of the wrong type) is rejected without requeue, to
  the dead-letter queue ``<queue>.rejected``, where an operator can read it;
* an error on our side (the database unreachable, a conflict) puts the message back after a pause;
  after ``MAX_FAILURES`` such failures in a row of the same message it is dead-lettered too, so one
  poisonous message cannot hold the queue;
* the connection is re-opened with exponential backoff (0.5 s doubling to 30 s) whenever it drops.

Configured per server (``[saga]`` in the configuration file, or the environment): ``amqp_url``
(``ODOO_SAGA_AMQP_URL``, e.g. ``amqp://guest:guest@127.0.0.1:5672/%2F``) turns it on; ``amqp_queue``
(``ODOO_SAGA_AMQP_QUEUE``, default ``saga.messages.{db}``, ``{db}`` being the database's name).
Without ``amqp_url`` the HTTP callback is the only door.  Each serving process runs one consumer per
database it serves where ``saga`` is installed; ``odoo-bin.py saga consume -d DB`` runs one on its own.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

from odoo import SUPERUSER_ID
from odoo.exceptions import ValidationError
from odoo.orm.environment import Environment

from . import inbox

_logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "saga.messages.{db}"
MAX_FAILURES = 5
ACK, REJECT, REQUEUE = "ack", "reject", "requeue"


@dataclass(frozen=True)
class BrokerSettings:
    """Where to consume from: the broker's URL and the queue's name (``{db}`` already replaced)."""

    url: str
    queue: str
    prefetch: int = 16


def settings_for(config, database: str) -> BrokerSettings | None:
    """The broker settings of ``config`` for ``database``, or None when no broker is configured."""
    section = config.misc.get("saga", {})
    url = (os.environ.get("ODOO_SAGA_AMQP_URL") or section.get("amqp_url") or "").strip()
    if not url:
        return None
    queue = (os.environ.get("ODOO_SAGA_AMQP_QUEUE") or section.get("amqp_queue") or DEFAULT_QUEUE).strip()
    return BrokerSettings(url, queue.replace("{db}", database))


def declare(channel, queue: str) -> None:
    """Declare ``queue`` (durable) and its dead-letter queue ``<queue>.rejected``: publishers may call it too."""
    channel.queue_declare(f"{queue}.rejected", durable=True)
    channel.queue_declare(queue, durable=True, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": f"{queue}.rejected"})


class Consumer:
    """Consume one queue into one database's inbox until ``stop`` is set (``run`` blocks; ``start`` threads)."""

    def __init__(self, registry, settings: BrokerSettings):
        self.registry = registry
        self.settings = settings
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.failures: dict[str, int] = {}
        self.delivered = 0
        self._thread: threading.Thread | None = None

    # -- one message -------------------------------------------------------------------------------
    def deliver(self, body: bytes, message_id: str | None = None) -> str:
        """Record one message in the inbox and commit; return what to tell the broker (``ACK``...)."""
        try:
            message = inbox.parse(body, message_id)
        except ValueError as exc:
            _logger.warning("saga queue %s: message rejected: %s", self.settings.queue, exc)
            return REJECT
        try:
            with self.registry.cursor() as cr:
                inbox.receive(Environment(cr, SUPERUSER_ID, {}), message["message_id"], message["type"],
                              message["business_key"], message.get("payload") or {}, message.get("saga_type"),
                              "amqp")
        except ValidationError as exc:
            _logger.warning("saga queue %s: message %s rejected: %s", self.settings.queue, message["message_id"], exc)
            return REJECT
        except Exception:
            return self._failed(message["message_id"])
        self.failures.pop(message["message_id"], None)
        self.delivered += 1
        return ACK

    def _failed(self, message_id: str) -> str:
        count = self.failures[message_id] = self.failures.get(message_id, 0) + 1
        _logger.exception("saga queue %s: message %s failed (%d of %d)", self.settings.queue, message_id, count,
                          MAX_FAILURES)
        if count >= MAX_FAILURES:
            self.failures.pop(message_id, None)
            return REJECT
        self.stopping.wait(min(0.5 * 2 ** (count - 1), 5.0))
        return REQUEUE

    def _on_message(self, channel, method, properties, body) -> None:
        verdict = self.deliver(body, getattr(properties, "message_id", None))
        if verdict == ACK:
            channel.basic_ack(method.delivery_tag)
        else:
            channel.basic_nack(method.delivery_tag, requeue=verdict == REQUEUE)

    # -- the connection loop -----------------------------------------------------------------------
    def run(self) -> None:
        """Consume until ``stop()``, reconnecting with backoff when the broker goes away."""
        import pika.exceptions

        delay = 0.0
        while not self.stopping.is_set():
            try:
                self._consume()
                delay = 0.0
            except (pika.exceptions.AMQPError, OSError) as exc:
                self.connected.clear()
                delay = min(max(delay * 2, 0.5), 30.0)
                _logger.warning("saga queue %s: broker unavailable (%s: %s), again in %.1f s", self.settings.queue,
                                type(exc).__name__, exc, delay)
                self.stopping.wait(delay)

    def _consume(self) -> None:
        import pika

        parameters = pika.URLParameters(self.settings.url)
        connection = pika.BlockingConnection(parameters)
        try:
            channel = connection.channel()
            declare(channel, self.settings.queue)
            channel.basic_qos(prefetch_count=self.settings.prefetch)
            channel.basic_consume(self.settings.queue, self._on_message)
            self.connected.set()
            while not self.stopping.is_set():
                connection.process_data_events(time_limit=0.5)
        finally:
            self.connected.clear()
            if connection.is_open:
                connection.close()

    def start(self) -> Consumer:
        self._thread = threading.Thread(target=self.run, name=f"saga-amqp-{self.settings.queue}", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: bool = True) -> None:
        """Stop consuming; the message being recorded is finished and acked first."""
        self.stopping.set()
        if wait and self._thread is not None:
            self._thread.join(timeout=30)
