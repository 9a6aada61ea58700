"""Incidents an operator retries once the cause is fixed: a step, a saga handler, a reply handler."""
from __future__ import annotations

import os

import pytest
from odoo.addons.queue_job.worker import leases
from odoo.addons.queue_job.worker.channels import parse_channels
from odoo.addons.queue_job.worker.runner import run_claimed

from .flow_helpers import act, committed, instance_of, reply, run_jobs, script, start, state

pytestmark = pytest.mark.addons("test_saga_flows")


def waiting(registry, key: str) -> None:
    start(registry, key)
    run_jobs(registry)
    assert state(registry, key)["status"] == "waiting"


def test_a_failing_completion_handler_is_an_incident_that_retry_completes(fresh_registry):
    script(fresh_registry, "h1", "on_complete", fail_times=-1)
    waiting(fresh_registry, "h1")
    reply(fresh_registry, "h1", "mh1", ok=True)
    run_jobs(fresh_registry)
    stuck = state(fresh_registry, "h1")
    assert (stuck["status"], stuck["incident_kind"]) == ("incident", "handler")
    assert "_completed handler failed" in stuck["last_error"] and "completion handler is broken" in stuck["last_error"]
    assert stuck["data"]["log"] == ["forward:a", "forward:b", "forward:c"]  # the last step's data was kept
    script(fresh_registry, "h1", "on_complete", fail_times=0)
    act(fresh_registry, "h1", "action_retry")
    run_jobs(fresh_registry)
    final = state(fresh_registry, "h1")
    assert (final["status"], final["last_error"], final["incident_kind"]) == ("completed", False, False)
    assert final["data"]["completion_handled"] is True
    assert [t[1] for t in final["timeline"]] == ["a", "b", "c"]  # no step ran twice


def test_a_failing_failure_handler_is_an_incident_that_retry_compensates(fresh_registry):
    script(fresh_registry, "h2", "on_failure", fail_times=-1)
    waiting(fresh_registry, "h2")
    reply(fresh_registry, "h2", "mh2", ok=False)
    run_jobs(fresh_registry)
    stuck = state(fresh_registry, "h2")
    assert (stuck["status"], stuck["incident_kind"]) == ("incident", "handler")
    assert "failure handler is broken" in stuck["last_error"]
    script(fresh_registry, "h2", "on_failure", fail_times=0)
    act(fresh_registry, "h2", "action_retry")
    run_jobs(fresh_registry)
    final = state(fresh_registry, "h2")
    assert final["status"] == "compensated"
    assert final["data"]["failure_handled"] == "b: the reply said no"
    assert [t for t in final["timeline"] if t[0] == "compensate"] == [
        ("compensate", "b", 1, "succeeded"), ("compensate", "a", 1, "succeeded")]  # compensated once each


def test_a_late_success_while_the_compensation_stands_at_an_incident_is_held_until_it_ends(fresh_registry):
    script(fresh_registry, "h2b", "on_failure", fail_times=-1)
    waiting(fresh_registry, "h2b")
    reply(fresh_registry, "h2b", "mh2b", ok=False)
    run_jobs(fresh_registry)
    assert reply(fresh_registry, "h2b", "mh2b-late", ok=True)["outcome"] == "held"
    stuck = state(fresh_registry, "h2b")
    assert (stuck["status"], stuck["incident_kind"]) == ("incident", "handler")  # the first incident stands
    script(fresh_registry, "h2b", "on_failure", fail_times=0)
    act(fresh_registry, "h2b", "action_retry")
    run_jobs(fresh_registry)
    settled = state(fresh_registry, "h2b")
    assert (settled["status"], settled["incident_kind"]) == ("incident", "late")  # now: the refund to make
    assert settled["data"]["failure_handled"] == "b: the reply said no"
    act(fresh_registry, "h2b", "action_retry")
    assert state(fresh_registry, "h2b")["status"] == "compensated"


def test_a_failing_reply_handler_is_an_incident_that_retry_applies_the_same_message_again(fresh_registry):
    script(fresh_registry, "h3", "reply", fail_times=-1)
    waiting(fresh_registry, "h3")
    answer = reply(fresh_registry, "h3", "mh3", ok=True, amount=7)
    assert answer["outcome"] == "processed"
    stuck = state(fresh_registry, "h3")
    assert (stuck["status"], stuck["incident_kind"]) == ("incident", "reply")
    assert "reply handler is broken" in stuck["last_error"]
    act(fresh_registry, "h3", "action_retry")  # not fixed yet: the incident comes back, nothing moved
    assert state(fresh_registry, "h3")["incident_kind"] == "reply"
    script(fresh_registry, "h3", "reply", fail_times=0)
    act(fresh_registry, "h3", "action_retry")
    run_jobs(fresh_registry)
    final = state(fresh_registry, "h3")
    assert final["status"] == "completed"
    assert final["data"]["reply"] == {"ok": True, "amount": 7}  # the message as it was received
    assert final["timeline"] == [
        ("forward", "a", 1, "succeeded"), ("forward", "b", 1, "failed"), ("forward", "b", 2, "failed"),
        ("forward", "b", 3, "succeeded"), ("forward", "c", 1, "succeeded")]
    messages = committed(fresh_registry, lambda env: env["saga.message"].search_read([], ["message_id", "detail"]))
    assert [m["message_id"] for m in messages] == ["mh3"]
    assert messages[0]["detail"] == "applied again by an operator: accepted"


def test_a_step_incident_retried_runs_the_step_again_with_fresh_tries(fresh_registry):
    script(fresh_registry, "h4", "a", fail_times=-1)
    start(fresh_registry, "h4")
    run_jobs(fresh_registry)
    assert state(fresh_registry, "h4")["incident_kind"] == "step"
    script(fresh_registry, "h4", "a", fail_times=0)
    act(fresh_registry, "h4", "action_retry")
    assert state(fresh_registry, "h4")["timeline"][-1] == ("forward", "a", 1, "scheduled")
    run_jobs(fresh_registry)
    assert [t[3] for t in state(fresh_registry, "h4")["timeline"]] == ["failed"] * 3 + ["succeeded", "waiting"]


def test_an_operator_compensating_an_incident_ends_it(fresh_registry):
    script(fresh_registry, "h5", "on_complete", fail_times=-1)
    waiting(fresh_registry, "h5")
    reply(fresh_registry, "h5", "mh5", ok=True)
    run_jobs(fresh_registry)
    act(fresh_registry, "h5", "action_compensate")
    run_jobs(fresh_registry)
    final = state(fresh_registry, "h5")
    assert (final["status"], final["incident_kind"]) == ("compensated", False)
    assert [t[1] for t in final["timeline"] if t[0] == "compensate"] == ["b", "a"]  # c has no compensation
    assert committed(fresh_registry, lambda env: instance_of(env, "h5").failure_reason) == \
        "compensation asked by an operator"


def run_one_job(registry) -> None:
    """Claim and run the next due job alone (what one worker does between two deliveries)."""
    with registry.cursor() as cr:
        claims = leases.claim(cr, parse_channels("root:1")[0], 1, "test", os.getpid(), 60.0)
    assert claims, "no job was due"
    run_claimed(registry, claims[0])


def test_an_early_reply_whose_handler_fails_is_an_incident_that_retry_applies_again(fresh_registry):
    """The reply came while b's action had not run yet (kept early), its handler failed when b's action
    succeeded: an incident naming the message; once the handler works, retry moves the saga on."""
    start(fresh_registry, "h9")
    run_one_job(fresh_registry)  # a; b is the running step now
    assert reply(fresh_registry, "h9", "mh9", ok=True, amount=3)["outcome"] == "early"
    script(fresh_registry, "h9", "reply", fail_times=-1)
    run_jobs(fresh_registry)
    stuck = state(fresh_registry, "h9")
    assert (stuck["status"], stuck["incident_kind"]) == ("incident", "reply")
    assert [t for t in stuck["timeline"] if t[1] == "b"] == [("forward", "b", 1, "failed")]
    assert stuck["data"]["log"] == ["forward:a", "forward:b"]  # b's action succeeded: its data was kept
    kept = committed(fresh_registry, lambda env: (lambda i: (i.incident_message_id.message_id, i.status_before_incident,
                                                             i.done_steps, i.early_reply))(instance_of(env, "h9")))
    assert kept == ("mh9", "waiting", ["a", "b"], False)
    script(fresh_registry, "h9", "reply", fail_times=0)
    act(fresh_registry, "h9", "action_retry")
    run_jobs(fresh_registry)
    final = state(fresh_registry, "h9")
    assert final["status"] == "completed" and final["data"]["reply"] == {"ok": True, "amount": 3}
    assert [t[1:] for t in final["timeline"]] == [("a", 1, "succeeded"), ("b", 1, "failed"), ("b", 2, "succeeded"),
                                                  ("c", 1, "succeeded")]
