"""Many orders at once on PostgreSQL, worked by two separate worker processes (as on two machines).

What is asserted is the outcome, never a duration: stock never negative, every order final, the
tickets sold equal to the completed orders, and a step whose worker was killed runs again and
reserves once.  Waits are bounded generously.
"""
from __future__ import annotations

import os
import signal
import threading
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


def test_500_concurrent_orders_on_limited_stock_never_oversell(config, workers):
    """500 orders for 150 tickets: 350 rejected; of the 150 paid for, every fifth payment is declined."""
    registry = Registry.open(config)
    with payment_provider() as provider:
        committed(registry, lambda env: (
            env["ir.config_parameter"].set_param("ticket_order.payment_url", provider.url),
            env["ticket.inventory"].search([("code", "=", "weekend")]).write({"available": 150})))
        workers(config, options=WORKER_ARGS)
        workers(config, options=WORKER_ARGS)
        body = {"customerId": "c", "amount": 350.5, "items": [WEEKEND]}
        with ThreadPoolExecutor(8) as pool:
            uids = list(pool.map(lambda _i: committed(registry, lambda env: env["ticket.order"].place(body)),
                                 range(500)))
        wait_until(lambda: counts(registry).get("REJECTED", 0) == 350 and len(provider.requests) == 150, bound=900)
        requested = [request["orderId"] for request in provider.requests]
        declined = set(requested[::5])
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda uid: committed(registry, lambda env: env["saga.instance"].receive_message(
                f"pay-{uid}", "payment.result", uid, {"status": "declined" if uid in declined else "paid"},
                "ticket_order")), requested))
        wait_until(lambda: sum(counts(registry).get(s, 0) for s in ("COMPLETED", "PAYMENT_FAILED")) == 150, bound=900)
    assert counts(registry) == {"COMPLETED": 120, "PAYMENT_FAILED": 30, "REJECTED": 350}
    available, reserved, sold = committed(registry, lambda env: (lambda t: (t.available, t.reserved, t.sold))(
        env["ticket.inventory"].search([("code", "=", "weekend")])))
    assert (available, reserved, sold) == (30, 0, 120)  # the declined orders' tickets are back on sale
    reservations = committed(registry, lambda env: env["ticket.reservation"].search_read(
        [("ticket_id.code", "=", "weekend")], ["order_uid", "state", "quantity"]))
    assert sorted(r["order_uid"] for r in reservations) == sorted(requested)
    assert sum(r["quantity"] for r in reservations if r["state"] == "sold") == sold
    assert {r["order_uid"] for r in reservations if r["state"] == "released"} == declined
    assert len(set(uids)) == 500


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


def test_workers_killed_during_the_payment_request_leave_each_lost_try_once(config, workers):
    """kill -9 while the request travels (twice): the step runs again; a rerun whose call committed the
    rows of the tries lost before it does not record them again."""
    registry = Registry.open(config)
    answer = threading.Event()
    with payment_provider() as provider:
        provider.before_answer = lambda _body: len(provider.requests) <= 2 and answer.wait(120)
        committed(registry, lambda env: env["ir.config_parameter"].set_param("ticket_order.payment_url", provider.url))
        uid = committed(registry, lambda env: env["ticket.order"].place(
            {"customerId": "c", "amount": 10, "items": [{"id": "day-one", "amount": 200.0, "quantity": 1}]}))
        for requests_seen in (1, 2):
            doomed = workers(config, options=WORKER_ARGS)
            wait_until(lambda n=requests_seen: len(provider.requests) == n)
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait(timeout=30)
        workers(config, options=WORKER_ARGS)
        wait_until(lambda: committed(registry, lambda env: env["saga.instance"].search(
            [("business_key", "=", uid)]).status) == "waiting")
        answer.set()
    timeline = committed(registry, lambda env: env["saga.instance"].search([("business_key", "=", uid)]).timeline())
    assert [(r["step"], r["attempt"], r["status"]) for r in timeline] == [
        ("reserve_tickets", 1, "succeeded"), ("request_payment", 1, "lost"), ("request_payment", 2, "lost"),
        ("request_payment", 3, "waiting")]
    assert [r["orderId"] for r in provider.requests] == [uid] * 3


def _waits_for_lock(connection) -> bool:
    """Whether another backend waits for a lock (the worker's reservation, blocked by ``connection``)."""
    with psycopg2.connect(connection.dsn) as probe, probe.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                       "current_database()")
        return cursor.fetchone()[0] > 0
