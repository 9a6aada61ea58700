"""The saga's signals, received by an installed addon's handlers (``test_saga_flows/models/signal_log.py``).

They are sent inside the transition's transaction: what a handler writes commits with the
transition, and nothing is left of a transition that rolled back.
"""
from __future__ import annotations

import pytest

from .flow_helpers import committed, reply, run_jobs, script, start

pytestmark = pytest.mark.addons("test_saga_flows")


def received(registry, key: str) -> list[tuple[str, str]]:
    return committed(registry, lambda env: [(row.name, row.detail or "") for row in env["test.saga.signal"].search(
        [("key", "=", key)])])


def test_a_completed_saga_sends_started_each_step_and_completed(fresh_registry):
    start(fresh_registry, "s1")
    assert received(fresh_registry, "s1") == [("saga-started", "")]
    run_jobs(fresh_registry)
    reply(fresh_registry, "s1", "ms1", ok=True)
    run_jobs(fresh_registry)
    assert received(fresh_registry, "s1") == [
        ("saga-started", ""), ("saga-step-succeeded", "step=a phase=forward"),
        ("saga-step-succeeded", "step=b phase=forward"), ("saga-step-succeeded", "step=c phase=forward"),
        ("saga-completed", "")]


def test_failures_incidents_and_compensations_are_signalled(fresh_registry):
    script(fresh_registry, "s2", "b", phase="compensate", fail_times=-1)
    start(fresh_registry, "s2")
    run_jobs(fresh_registry)
    reply(fresh_registry, "s2", "ms2", ok=False)
    run_jobs(fresh_registry)
    assert received(fresh_registry, "s2")[-4:] == [
        ("saga-step-failed", "step=b phase=compensate"), ("saga-step-failed", "step=b phase=compensate"),
        ("saga-step-failed", "step=b phase=compensate"), ("saga-incident", "kind=step")]
    script(fresh_registry, "s2", "b", phase="compensate", fail_times=0)
    committed(fresh_registry, lambda env: env["saga.instance"].search([("business_key", "=", "s2")]).action_retry())
    run_jobs(fresh_registry)
    assert received(fresh_registry, "s2")[-3:] == [
        ("saga-step-succeeded", "step=b phase=compensate"), ("saga-step-succeeded", "step=a phase=compensate"),
        ("saga-compensated", "")]


def test_a_transition_that_rolls_back_leaves_no_signal_behind(fresh_registry):
    def start_then_roll_back(env):
        env["saga.instance"].start("test_flow", "s3", {})
        env.cr.rollback()
    committed(fresh_registry, start_then_roll_back)
    assert received(fresh_registry, "s3") == []


def test_a_receiver_that_raises_is_undone_and_the_saga_goes_on(fresh_registry):
    start(fresh_registry, "broken-receiver-1")
    run_jobs(fresh_registry)
    reply(fresh_registry, "broken-receiver-1", "mbr1", ok=True)
    run_jobs(fresh_registry)
    assert committed(fresh_registry, lambda env: env["saga.instance"].search(
        [("business_key", "=", "broken-receiver-1")]).status) == "completed"
    assert received(fresh_registry, "broken-receiver-1") == []
