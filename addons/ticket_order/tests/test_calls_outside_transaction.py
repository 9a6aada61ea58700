"""The payment request travels with no transaction open: the instance is not locked meanwhile, and the
provider may call back before it answers (the reply is kept ``early`` and applied once)."""
from __future__ import annotations

import pytest
from odoo.addons.queue_job.worker.worker import drain

from .fake_services import inventory_server, payment_provider
from .test_order_saga import committed, order, pay, place, stock


@pytest.fixture
def provider(fresh_registry):
    with payment_provider() as fake:
        committed(fresh_registry, lambda env: env["ir.config_parameter"].set_param(
            "ticket_order.payment_url", fake.url))
        yield fake


def timeline(registry, uid: str) -> list[tuple]:
    return [(r["phase"], r["step"], r["status"]) for r in committed(registry, lambda env: env[
        "saga.instance"].search([("business_key", "=", uid)]).timeline())]


def during_the_request(fake, action):
    """Run ``action(body)`` while the payment request is in flight; return what it returned or raised."""
    seen = []

    def before_answer(body):
        try:
            seen.append(action(body))
        except Exception as exc:  # recorded for the test to assert, the provider answers anyway
            seen.append(exc)
    fake.before_answer = before_answer
    return seen


def lock_and_look(registry, uid: str) -> dict:
    """From another connection: lock the instance at once (NOWAIT), and on PostgreSQL read the states of
    the database's other connections."""
    with registry.cursor() as cr:
        if cr.database.dialect != "postgresql":  # this cursor holds SQLite's write lock: nobody else does
            cr.execute("UPDATE saga_instance SET write_date = write_date WHERE business_key = %s", (uid,))
            return {"locked": cr.rowcount == 1, "states": []}
        cr.execute("SELECT id FROM saga_instance WHERE business_key = %s FOR UPDATE NOWAIT", (uid,))
        locked = len(cr.fetchall()) == 1
        cr.execute("SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                   "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return {"locked": locked, "states": [row[0] for row in cr.fetchall()]}


def test_the_instance_is_not_locked_while_the_payment_request_travels(fresh_registry, provider):
    uid = place(fresh_registry)
    seen = during_the_request(provider, lambda _body: lock_and_look(fresh_registry, uid))
    drain(fresh_registry, "root:1")
    assert len(seen) == 1 and not isinstance(seen[0], Exception), seen
    assert seen[0]["locked"]
    assert "idle in transaction" not in seen[0]["states"]
    assert timeline(fresh_registry, uid)[-1] == ("forward", "request_payment", "waiting")


def test_a_payment_result_sent_before_the_request_is_answered_completes_the_order_once(fresh_registry, provider):
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    seen = during_the_request(provider, lambda body: pay(fresh_registry, body["orderId"]))
    drain(fresh_registry, "root:1")
    assert [answer["outcome"] for answer in seen] == ["early"]
    assert order(fresh_registry, uid)["status"] == "COMPLETED"
    assert stock(fresh_registry) == (before[0] - 1, before[1], before[2] + 1)
    assert timeline(fresh_registry, uid) == [
        ("forward", "reserve_tickets", "succeeded"), ("forward", "request_payment", "succeeded"),
        ("forward", "finish_order", "succeeded")]
    message = committed(fresh_registry, lambda env: env["saga.message"].search_read(
        [("business_key", "=", uid)], ["outcome", "detail"]))
    assert [m["outcome"] for m in message] == ["processed"] and "applied when it waited" in message[0]["detail"]
    assert pay(fresh_registry, uid)["duplicate"] is True  # a redelivery changes nothing
    assert order(fresh_registry, uid)["status"] == "COMPLETED" and stock(fresh_registry)[2] == before[2] + 1


def test_an_early_decline_compensates(fresh_registry, provider):
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    seen = during_the_request(provider, lambda body: pay(fresh_registry, body["orderId"], "declined"))
    drain(fresh_registry, "root:1")
    assert [answer["outcome"] for answer in seen] == ["early"]
    assert order(fresh_registry, uid)["status"] == "PAYMENT_FAILED"
    assert stock(fresh_registry) == before
    assert timeline(fresh_registry, uid)[1:] == [
        ("forward", "request_payment", "rejected"), ("compensate", "reserve_tickets", "succeeded")]


def test_an_operator_compensating_during_the_request_supersedes_the_try(fresh_registry, provider):
    before = stock(fresh_registry)
    uid = place(fresh_registry)
    seen = during_the_request(provider, lambda _body: committed(fresh_registry, lambda env: env[
        "saga.instance"].search([("business_key", "=", uid)]).action_compensate()))
    drain(fresh_registry, "root:1")
    assert seen == [True]
    assert timeline(fresh_registry, uid) == [
        ("forward", "reserve_tickets", "succeeded"), ("forward", "request_payment", "superseded"),
        ("compensate", "reserve_tickets", "succeeded")]
    assert committed(fresh_registry, lambda env: env["saga.instance"].search(
        [("business_key", "=", uid)]).status) == "compensated"
    assert stock(fresh_registry) == before
    assert pay(fresh_registry, uid)["outcome"] == "late"  # the provider's late success: an incident (refund)
    assert committed(fresh_registry, lambda env: env["saga.instance"].search(
        [("business_key", "=", uid)]).status) == "incident"


def test_a_remote_inventory_is_called_unlocked_and_the_next_step_enqueued_once(fresh_registry, provider):
    with inventory_server() as inventory:
        committed(fresh_registry, lambda env: env["ir.config_parameter"].set_param(
            "ticket_order.inventory_url", inventory.url))
        uid = place(fresh_registry)
        seen = []
        inventory.before_answer = lambda path, _body: seen.append((path, lock_and_look(fresh_registry, uid)))
        drain(fresh_registry, "root:1")
        assert [path for path, _look in seen] == ["/inventory/booking"]
        assert seen[0][1]["locked"] and "idle in transaction" not in seen[0][1]["states"]
        # the request_payment job enqueued before the booking was taken back at the call: one job, not two
        jobs = committed(fresh_registry, lambda env: env["queue.job"].search_count(
            [("func_string", "like", "request_payment")]))
        assert jobs == 1
        assert [r["orderId"] for r in provider.requests] == [uid]
        assert pay(fresh_registry, uid)["outcome"] == "processed"
        drain(fresh_registry, "root:1")
        assert order(fresh_registry, uid)["status"] == "COMPLETED"
        assert inventory.calls == [("/inventory/booking", uid), ("/inventory/sell", uid)]


def test_an_operator_compensating_during_a_remote_booking_gets_an_incident_to_undo_it(fresh_registry, provider):
    with inventory_server() as inventory:
        committed(fresh_registry, lambda env: env["ir.config_parameter"].set_param(
            "ticket_order.inventory_url", inventory.url))
        uid = place(fresh_registry)
        inventory.before_answer = lambda _path, _body: committed(fresh_registry, lambda env: env[
            "saga.instance"].search([("business_key", "=", uid)]).action_compensate())
        drain(fresh_registry, "root:1")
        instance = committed(fresh_registry, lambda env: env["saga.instance"].search_read(
            [("business_key", "=", uid)], ["status", "incident_kind", "last_error"])[0])
        assert (instance["status"], instance["incident_kind"]) == ("incident", "late")
        assert "reserve_tickets succeeded after the saga was compensated" in instance["last_error"]
        assert timeline(fresh_registry, uid) == [("forward", "reserve_tickets", "superseded")]
        assert provider.requests == []  # the next step never ran
