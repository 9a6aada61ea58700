"""The seed's HTTP API on a real server: POST/GET /orders, the demo provider and the signed callback."""
from __future__ import annotations

import json
import time

import pytest
import requests
from odoo import SUPERUSER_ID
from odoo.addons.saga.controllers.message import sign
from odoo.modules.registry import Registry
from odoo.orm.environment import Environment

SEED_BODY = {"customerId": "c-42", "amount": 10.5,
             "items": [{"id": "day-one", "name": "day-one", "amount": 200.00, "quantity": 1}]}


@pytest.fixture
def server(db_backend, database_factory, server_process):
    config = database_factory.create(db_backend, ("ticket_order", "web"))
    running = server_process(config)
    set_params(config, {"web.base.url": running.url})
    running.config = config
    return running


def set_params(config, values: dict) -> None:
    with Registry.open(config).cursor() as cr:
        parameters = Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        for key, value in values.items():
            parameters.set_param(key, value)


def secret(config) -> str:
    with Registry.open(config).cursor() as cr:
        return Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].get_param("saga.callback_secret")


def final_status(url: str, order_uid: str, timeout: float = 60) -> str:
    """Poll GET /orders/<id> until the order leaves PENDING (or ``timeout`` passes)."""
    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{url}/orders/{order_uid}", timeout=10).json()["status"]
        if status != "PENDING" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


MALFORMED = [
    ({**SEED_BODY, "items": [{**SEED_BODY["items"][0], "quantity": -2}]}, "items[0].quantity"),
    ({**SEED_BODY, "items": [{**SEED_BODY["items"][0], "id": "glasto-3000"}]}, "items[0].id"),
    ({**SEED_BODY, "items": [{**SEED_BODY["items"][0], "amount": 150}]}, "items[0].amount"),
    ({**SEED_BODY, "amount": "ten"}, "amount"),
    ({"amount": 1, "items": []}, "customerId"),
    ([1, 2], None),
]


def test_the_seeds_curl_completes_an_order_and_bad_orders_get_400(server):
    for body, field in MALFORMED:
        response = requests.post(server.url + "/orders", json=body, timeout=10)
        assert (response.status_code, response.json().get("field")) == (400, field), body
    assert requests.get(server.url + "/orders", timeout=10).json() == []
    response = requests.post(server.url + "/orders", json=SEED_BODY, timeout=10)
    assert response.status_code == 201, response.text
    order_uid = response.text
    assert final_status(server.url, order_uid) == "COMPLETED"
    [listed] = requests.get(server.url + "/orders", timeout=10).json()
    assert (listed["id"], listed["status"], listed["amount"]) == (order_uid, "COMPLETED", 10.5)
    set_params(server.config, {"ticket_order.demo_payment_decision": "decline"})
    declined = requests.post(server.url + "/orders", json=SEED_BODY, timeout=10).text
    assert final_status(server.url, declined) == "PAYMENT_FAILED"


def test_the_callback_refuses_unsigned_stale_and_malformed_messages(server):
    key = secret(server.config)
    good = {"message_id": "x1", "type": "payment.result", "business_key": "unknown-order", "payload": {},
            "timestamp": time.time()}

    def post(message, signature=None):
        body = json.dumps(message).encode() if not isinstance(message, bytes) else message
        headers = {"Content-Type": "application/json",
                   "X-Saga-Signature": sign(key, body) if signature is None else signature}
        return requests.post(server.url + "/saga/1/message", data=body, headers=headers, timeout=10)

    assert post(good, signature="").status_code == 401
    assert post(good, signature=sign("wrong", json.dumps(good).encode())).status_code == 401
    assert post({**good, "timestamp": time.time() - 3600}).status_code == 401
    assert post(b"not json").status_code == 400
    assert post({**good, "message_id": 5}).json() == {"error": "field 'message_id' must be a non-empty string"}
    answer = post(good)
    assert answer.status_code == 200 and answer.json()["outcome"] == "unknown"
    assert post(good).json()["duplicate"] is True


def test_a_payment_result_from_rabbitmq_completes_the_order_on_a_server_with_a_broker(
        db_backend, database_factory, server_process, monkeypatch):
    """The server's own consumer (``[saga] amqp_url``) takes the provider's result from the queue."""
    pika = pytest.importorskip("pika")
    from odoo.addons.saga.amqp import declare
    from odoo.addons.saga.tests.test_amqp import BROKER_URL, Broker, broker_channel

    with broker_channel(pika) as channel:
        queue = f"saga.test.{time.time_ns()}"
        declare(channel, queue)  # as the provider's side would; the server declares it the same way
        monkeypatch.setenv("ODOO_SAGA_AMQP_URL", BROKER_URL)
        monkeypatch.setenv("ODOO_SAGA_AMQP_QUEUE", queue)
        config = database_factory.create(db_backend, ("ticket_order", "web"))
        running = server_process(config)
        set_params(config, {"web.base.url": running.url, "ticket_order.demo_payment_decision": "none"})
        broker = Broker(channel, queue)
        try:
            wait_for(lambda: broker.consumers() == 1)  # the server declared the queue and consumes it
            order_uid = requests.post(running.url + "/orders", json=SEED_BODY, timeout=10).text
            wait_for(lambda: saga_status(config, order_uid) == "waiting")
            broker.publish({"message_id": f"provider-{order_uid}", "type": "payment.result", "business_key": order_uid,
                            "saga_type": "ticket_order", "payload": {"status": "paid"}})
            assert final_status(running.url, order_uid) == "COMPLETED"
        finally:
            channel.queue_delete(queue)
            channel.queue_delete(f"{queue}.rejected")


def saga_status(config, order_uid: str) -> str:
    with Registry.open(config).cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        return env["saga.instance"].search([("business_key", "=", order_uid)]).status or ""


def wait_for(condition, bound: float = 120.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {bound:g} s")
        time.sleep(0.2)
