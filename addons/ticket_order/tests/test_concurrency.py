"""Many orders at once on PostgreSQL, worked by two separate worker processes (as on two machines).

What is asserted is the outcome, never a duration: stock never negative, every order final, the
tickets sold equal to the completed orders, and a step whose worker was killed runs again and
reserves once.  Waits are bounded generously.
"""
from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
from odoo import SUPERUSER_ID
from odoo.addons.queue_job.tests.helpers import worker_processes  # noqa: F401 (the workers fixture)
from odoo.modules.registry import Registry
from odoo.orm.environment import Environment

from .fake_services import payment_provider

pytestmark = [pytest.mark.postgresql_only]
WORKER_ARGS = ("--lease", "3", "--heartbeat", "0.5", "--poll", "0.5")
WEEKEND = {"id": "weekend", "name": "weekend", "amount": 350.50, "quantity": 1}


@pytest.fixture
def config(db_backend, database_factory):
    return database_factory.create(db_backend, ("ticket_order",))


def committed(registry, func):
    with registry.cursor() as cr:
        return func(Environment(cr, SUPERUSER_ID, {}))


def wait_until(condition, bound: float = 300.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {bound:g} s")
        time.sleep(0.3)


def counts(registry) -> dict:
    return committed(registry, lambda env: {
        row["status"]: row["__count"] for row in env["ticket.order"].read_group([], ["status"], ["status"],
                                                                                lazy=False)})


def test_concurrent_orders_on_limited_stock_never_oversell(config, workers):
    registry = Registry.open(config)
    with payment_provider() as provider:
        committed(registry, lambda env: (
            env["ir.config_parameter"].set_param("ticket_order.payment_url", provider.url),
            env["ticket.inventory"].search([("code", "=", "weekend")]).write({"available": 60})))
        workers(config, options=WORKER_ARGS)
        workers(config, options=WORKER_ARGS)
        body = {"customerId": "c", "amount": 350.5, "items": [WEEKEND]}
        with ThreadPoolExecutor(8) as pool:
            uids = list(pool.map(lambda _i: committed(registry, lambda env: env["ticket.order"].place(body)),
                                 range(200)))
        wait_until(lambda: counts(registry).get("REJECTED", 0) == 140 and len(provider.requests) == 60)
        paid = [request["orderId"] for request in provider.requests]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda uid: committed(registry, lambda env: env["saga.instance"].receive_message(
                f"pay-{uid}", "payment.result", uid, {"status": "paid"}, "ticket_order")), paid))
        wait_until(lambda: counts(registry).get("COMPLETED", 0) == 60)
    assert counts(registry) == {"COMPLETED": 60, "REJECTED": 140}
    available, reserved, sold = committed(registry, lambda env: (lambda t: (t.available, t.reserved, t.sold))(
        env["ticket.inventory"].search([("code", "=", "weekend")])))
    assert (available, reserved, sold) == (0, 0, 60)
    reservations = committed(registry, lambda env: env["ticket.reservation"].search_read(
        [("ticket_id.code", "=", "weekend")], ["order_uid", "state", "quantity"]))
    assert sorted(r["order_uid"] for r in reservations) == sorted(paid)
    assert {r["state"] for r in reservations} == {"sold"} and len(set(uids)) == 200


def test_a_worker_killed_during_the_reservation_reserves_once_on_retry(config, workers):
    registry = Registry.open(config)
    with payment_provider() as provider:
        committed(registry, lambda env: env["ir.config_parameter"].set_param("ticket_order.payment_url", provider.url))
        before = committed(registry, lambda env: env["ticket.inventory"].search([("code", "=", "day-one")]).available)
        body = {"customerId": "c", "amount": 10, "items": [{"id": "day-one", "amount": 200.0, "quantity": 2}]}
        uid = committed(registry, lambda env: env["ticket.order"].place(body))
        blocker = psycopg2.connect(config["db_uri"])  # holds the stock row: the reservation blocks mid-step
        blocker.cursor().execute("SELECT id FROM ticket_inventory WHERE code = 'day-one' FOR UPDATE")
        doomed = workers(config, options=WORKER_ARGS)
        wait_until(lambda: committed(registry, lambda env: env["queue.job"].search_count([("state", "=", "started")])))
        wait_until(lambda: _waits_for_lock(blocker))
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        blocker.rollback()
        blocker.close()
        workers(config, options=WORKER_ARGS)
        wait_until(lambda: len(provider.requests) == 1)
    timeline = committed(registry, lambda env: env["saga.instance"].search([("business_key", "=", uid)]).timeline())
    assert [(r["step"], r["attempt"], r["status"]) for r in timeline] == [
        ("reserve_tickets", 1, "lost"), ("reserve_tickets", 2, "succeeded"), ("request_payment", 1, "waiting")]
    after = committed(registry, lambda env: env["ticket.inventory"].search([("code", "=", "day-one")]).available)
    assert after == before - 2


def _waits_for_lock(connection) -> bool:
    """Whether another backend waits for a lock (the worker's reservation, blocked by ``connection``)."""
    with psycopg2.connect(connection.dsn) as probe, probe.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                       "current_database()")
        return cursor.fetchone()[0] > 0
