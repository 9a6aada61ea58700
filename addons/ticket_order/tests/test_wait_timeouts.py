"""Waits for the payment end by their deadline, through one sweep of the saga type, not a job per wait."""
from __future__ import annotations

import time

from odoo.addons.queue_job.worker.worker import drain
from odoo.addons.saga.timeouts import label

from .test_order_saga import committed, order, pay, place, provider  # noqa: F401  (provider: a fixture)

SWEEP = label("ticket_order")


def wait_for(registry, seconds: int) -> None:
    committed(registry, lambda env: env["ir.config_parameter"].set_param("ticket_order.payment_wait_s", str(seconds)))


def sweeps(registry, state: str | None = None) -> int:
    sql, params = "SELECT count(*) FROM queue_job WHERE name = %s", [SWEEP]
    if state:
        sql, params = sql + " AND state = %s", [*params, state]
    return committed(registry, lambda env: env.cr.execute(sql, params).fetchone()[0])


def test_many_waits_time_out_by_one_sweep(fresh_registry, provider):  # noqa: F811
    wait_for(fresh_registry, 1)
    uids = [place(fresh_registry) for _ in range(5)]
    drain(fresh_registry, "root:1")
    assert sweeps(fresh_registry) == 1  # the first wait's; the others' deadlines come after its time
    time.sleep(2.1)  # the deadlines (on the next whole second) pass (the test asserts no duration)
    drain(fresh_registry, "root:1")
    finals = [order(fresh_registry, uid) for uid in uids]
    assert {final["status"] for final in finals} == {"PAYMENT_FAILED"}
    assert all("no payment.result within 1 s" in final["reason"] for final in finals)
    assert sweeps(fresh_registry, "pending") == 0  # nothing waits: the chain of sweeps ends


def test_a_paid_wait_is_left_alone_and_a_later_shorter_wait_gets_its_own_sweep(fresh_registry, provider):  # noqa: F811
    wait_for(fresh_registry, 60)
    paid, slow = place(fresh_registry), place(fresh_registry)
    drain(fresh_registry, "root:1")
    wait_for(fresh_registry, 1)  # a deadline before the pending sweep's time
    hurried = place(fresh_registry)
    drain(fresh_registry, "root:1")
    assert pay(fresh_registry, paid)["outcome"] == "processed"
    time.sleep(2.1)
    drain(fresh_registry, "root:1")
    assert [order(fresh_registry, uid)["status"] for uid in (paid, slow, hurried)] == [
        "COMPLETED", "PENDING", "PAYMENT_FAILED"]
    assert sweeps(fresh_registry, "pending") == 1  # the one for the order still waiting (60 s)


def test_a_wait_lasts_from_its_action_to_its_reply_not_from_the_whole_second_before(fresh_registry, provider):  # noqa: F811
    """``step_started_at`` keeps whole seconds; the wait's duration counts from the action's start itself."""
    began = time.time()
    uid = place(fresh_registry)
    drain(fresh_registry, "root:1")
    pay(fresh_registry, uid)
    elapsed = time.time() - began
    waited = committed(fresh_registry, lambda env: env["saga.step"].search(
        [("instance_id.business_key", "=", uid), ("step", "=", "request_payment")]).duration)
    assert 0 < waited <= elapsed


def test_a_wait_just_before_a_remembered_sweep_is_due_enqueues_its_own(fresh_registry, provider):  # noqa: F811
    """That sweep may start before the wait commits, not see it, and end the chain: the wait would be orphaned."""
    import datetime as dt

    from odoo.addons.saga import engine, timeouts

    wait_for(fresh_registry, 60)
    place(fresh_registry)
    memo = fresh_registry.cache(timeouts.MEMO)
    memo["ticket_order"] = engine.now() + timeouts.GRACE * 0.75  # as after a sweep this process enqueued
    drain(fresh_registry, "root:1")
    assert sweeps(fresh_registry, "pending") == 1
    assert memo["ticket_order"] > engine.now() + dt.timedelta(seconds=50)  # the new sweep's time, remembered
