"""The seed's flow end to end through the saga: paid, out of stock, declined, timeout, duplicates."""
from __future__ import annotations

import threading
import time

import pytest
from odoo import SUPERUSER_ID
from odoo.addons.queue_job.worker.worker import drain
from odoo.exceptions import ValidationError
from odoo.orm.environment import Environment

from .fake_services import payment_provider

DAY_ONE = {"id": "day-one", "name": "day-one", "amount": 200.00, "quantity": 1}


def committed(registry, func):
    with registry.cursor() as cr:
        return func(Environment(cr, SUPERUSER_ID, {}))


@pytest.fixture
def provider(fresh_registry):
    with payment_provider() as fake:
        committed(fresh_registry, lambda env: env["ir.config_parameter"].set_param(
            "ticket_order.payment_url", fake.url))
        yield fake


def place(registry, *items, amount=10.5) -> str:
    body = {"customerId": "c-1", "amount": amount, "items": list(items or [DAY_ONE])}
    return committed(registry, lambda env: env["ticket.order"].place(body))


def pay(registry, order_uid: str, status: str = "paid", message_id: str | None = None) -> dict:
    return committed(registry, lambda env: env["saga.instance"].receive_message(
        message_id or f"pay-{order_uid}", "payment.result", order_uid, {"status": status}, "ticket_order"))


def order(registry, order_uid: str) -> dict:
    return committed(registry, lambda env: env["ticket.order"].search([("uid", "=", order_uid)]).as_response()[0])


def stock(registry, code: str = "day-one") -> tuple[int, int, int]:
    return committed(registry, lambda env: (lambda t: (t.available, t.reserved, t.sold))(
        env["ticket.inventory"].search([("code", "=", code)])))


def test_a_paid_order_is_completed_and_its_tickets_sold(fresh_registry, provider):
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    drain(fresh_registry, "root:1")
    assert order(fresh_registry, uid)["status"] == "PENDING"
    assert [r["orderId"] for r in provider.requests] == [uid]
    assert provider.requests[0]["amountCents"] == 1050
    assert pay(fresh_registry, uid)["outcome"] == "processed"
    drain(fresh_registry, "root:1")
    assert order(fresh_registry, uid)["status"] == "COMPLETED"
    assert stock(fresh_registry) == (before[0] - 1, before[1], before[2] + 1)


def test_out_of_stock_rejects_the_order_and_reserves_nothing(fresh_registry, provider):
    weekend = {"id": "weekend", "name": "weekend", "amount": 350.50, "quantity": 3}
    uid = place(fresh_registry, DAY_ONE, weekend)
    before = stock(fresh_registry)
    drain(fresh_registry, "root:1")
    final = order(fresh_registry, uid)
    assert final["status"] == "REJECTED"
    assert "out of stock: weekend" in final["reason"]
    assert stock(fresh_registry) == before and stock(fresh_registry, "weekend") == (2, 0, 0)
    assert provider.requests == []


def test_a_declined_payment_releases_the_reservation(fresh_registry, provider):
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    drain(fresh_registry, "root:1")
    assert stock(fresh_registry) == (before[0] - 1, before[1] + 1, before[2])
    pay(fresh_registry, uid, "declined")
    drain(fresh_registry, "root:1")
    assert order(fresh_registry, uid)["status"] == "PAYMENT_FAILED"
    assert stock(fresh_registry) == before


def test_no_payment_result_in_time_is_a_failed_payment(fresh_registry, provider):
    committed(fresh_registry, lambda env: env["ir.config_parameter"].set_param("ticket_order.payment_wait_s", "1"))
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    drain(fresh_registry, "root:1")
    time.sleep(2.1)  # the wait's deadline (on the next whole second) passes (the test asserts no duration)
    drain(fresh_registry, "root:1")
    final = order(fresh_registry, uid)
    assert final["status"] == "PAYMENT_FAILED" and "no payment.result within 1 s" in final["reason"]
    assert stock(fresh_registry) == before
    timeline = committed(fresh_registry, lambda env: env["saga.instance"].search(
        [("business_key", "=", uid)]).timeline())
    assert [(r["phase"], r["step"], r["status"]) for r in timeline] == [
        ("forward", "reserve_tickets", "succeeded"), ("forward", "request_payment", "timed_out"),
        ("compensate", "reserve_tickets", "succeeded")]


def test_a_duplicate_paid_result_confirms_once(fresh_registry, provider):
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    drain(fresh_registry, "root:1")
    assert pay(fresh_registry, uid, message_id="provider-77")["duplicate"] is False
    assert pay(fresh_registry, uid, message_id="provider-77")["duplicate"] is True
    assert pay(fresh_registry, uid, message_id="provider-78")["outcome"] == "ignored"
    drain(fresh_registry, "root:1")
    assert order(fresh_registry, uid)["status"] == "COMPLETED"
    assert stock(fresh_registry)[2] == before[2] + 1


def test_a_provider_refusing_the_request_is_retried(fresh_registry, provider):
    provider.fail_next = 1
    uid = place(fresh_registry)
    drain(fresh_registry, "root:1")
    time.sleep(2.1)  # the step's backoff (2 s) before its second try
    drain(fresh_registry, "root:1")
    assert [r["orderId"] for r in provider.requests] == [uid]
    timeline = committed(fresh_registry, lambda env: env["saga.instance"].search(
        [("business_key", "=", uid)]).timeline())
    assert [(r["step"], r["attempt"], r["status"]) for r in timeline] == [
        ("reserve_tickets", 1, "succeeded"), ("request_payment", 1, "failed"), ("request_payment", 2, "waiting")]
    assert "HTTP 503" in timeline[1]["error"]


@pytest.mark.postgresql_only
def test_a_paid_result_and_the_timeout_at_the_same_moment_have_one_outcome(fresh_registry, provider):
    committed(fresh_registry, lambda env: env["ir.config_parameter"].set_param("ticket_order.payment_wait_s", "1"))
    before = stock(fresh_registry)
    uids = [place(fresh_registry) for _ in range(6)]
    drain(fresh_registry, "root:1")
    time.sleep(2.1)  # the deadline, on the next whole second, passes
    threads = [threading.Thread(target=pay, args=(fresh_registry, uid)) for uid in uids]
    threads.append(threading.Thread(target=drain, args=(fresh_registry, "root:1")))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drain(fresh_registry, "root:1")
    statuses = [order(fresh_registry, uid)["status"] for uid in uids]
    completed = statuses.count("COMPLETED")
    assert set(statuses) <= {"COMPLETED", "PAYMENT_FAILED"}
    available, reserved, sold = stock(fresh_registry)
    assert (available, reserved, sold) == (before[0] - completed, before[1], before[2] + completed)


def test_a_paid_result_during_the_compensation_lets_it_end_then_raises_the_refund_incident(fresh_registry, provider):
    """The timeout won; the late ``paid`` comes while the reservation is being released: the order still ends
    PAYMENT_FAILED (one outcome), and the money taken is an incident to refund once the compensation ended."""
    from odoo.addons.saga import timeouts

    committed(fresh_registry, lambda env: env["ir.config_parameter"].set_param("ticket_order.payment_wait_s", "1"))
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    drain(fresh_registry, "root:1")
    time.sleep(2.1)
    assert committed(fresh_registry, lambda env: timeouts.sweep(env, "ticket_order")) == "1 timed out"
    answer = pay(fresh_registry, uid)  # the compensation's job has not run yet
    assert (answer["outcome"], answer["detail"]) == (
        "held", "a late success while compensating: an incident to settle once the saga ends")
    drain(fresh_registry, "root:1")
    assert order(fresh_registry, uid)["status"] == "PAYMENT_FAILED"
    assert stock(fresh_registry) == before
    instance = committed(fresh_registry, lambda env: env["saga.instance"].search_read(
        [("business_key", "=", uid)], ["status", "incident_kind", "last_error", "status_before_incident"])[0])
    assert (instance["status"], instance["incident_kind"], instance["status_before_incident"]) == (
        "incident", "late", "compensated")
    assert "late payment.result" in instance["last_error"]
    message = committed(fresh_registry, lambda env: env["saga.message"].search_read(
        [("message_id", "=", f"pay-{uid}")], ["outcome"])[0])
    assert message["outcome"] == "late"
    committed(fresh_registry, lambda env: env["saga.instance"].search([("business_key", "=", uid)]).action_retry())
    assert committed(fresh_registry, lambda env: env["saga.instance"].search(
        [("business_key", "=", uid)]).status) == "compensated"


@pytest.mark.parametrize(("item", "field"), [
    ({"id": "day-one", "amount": 200.0, "quantity": -1}, "items[0].quantity"),
    ({"id": "nope", "amount": 200.0, "quantity": 1}, "items[0].id"),
    ({"id": "day-one", "amount": 199.99, "quantity": 1}, "items[0].amount"),
    ({"id": "day-one", "amount": 200.001, "quantity": 1}, "items[0].amount"),
])
def test_a_bad_order_is_refused_naming_the_field_and_starts_no_saga(env, item, field):
    with pytest.raises(ValidationError, match=f"^{field.replace('[', '.').replace(']', '.')}"):
        env["ticket.order"].place({"customerId": "c", "amount": 10, "items": [item]})
    assert env["saga.instance"].search_count([]) == 0
