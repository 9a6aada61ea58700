"""The saga engine's transitions, driven by scripted steps (``tests/addons/test_saga_flows``)."""
from __future__ import annotations

import pytest

from .flow_helpers import committed, reply, run_jobs, script, start, state, successes

pytestmark = pytest.mark.addons("test_saga_flows")


def test_a_saga_runs_its_steps_waits_for_the_reply_and_completes(fresh_registry):
    start(fresh_registry, "k1")
    run_jobs(fresh_registry)
    assert state(fresh_registry, "k1")["status"] == "waiting"
    assert reply(fresh_registry, "k1", "m1", ok=True)["outcome"] == "processed"
    run_jobs(fresh_registry)
    final = state(fresh_registry, "k1")
    assert final["status"] == "completed"
    assert final["data"]["log"] == ["forward:a", "forward:b", "forward:c"]
    assert final["timeline"] == [("forward", "a", 1, "succeeded"), ("forward", "b", 1, "succeeded"),
                                 ("forward", "c", 1, "succeeded")]


def test_a_refused_reply_compensates_in_reverse_order_then_runs_the_failure_handler(fresh_registry):
    start(fresh_registry, "k2")
    run_jobs(fresh_registry)
    reply(fresh_registry, "k2", "m2", ok=False)
    run_jobs(fresh_registry)
    final = state(fresh_registry, "k2")
    assert final["status"] == "compensated"
    assert final["data"]["log"] == ["forward:a", "forward:b", "compensate:b", "compensate:a"]
    assert final["data"]["failure_handled"] == "b: the reply said no"
    assert [t for t in final["timeline"] if t[0] == "forward"] == [
        ("forward", "a", 1, "succeeded"), ("forward", "b", 1, "rejected")]
    assert [t for t in final["timeline"] if t[0] == "compensate"] == [
        ("compensate", "b", 1, "succeeded"), ("compensate", "a", 1, "succeeded")]


def test_a_duplicate_message_is_recorded_once_and_applied_once(fresh_registry):
    start(fresh_registry, "k3")
    run_jobs(fresh_registry)
    first = reply(fresh_registry, "k3", "same-id", ok=True)
    second = reply(fresh_registry, "k3", "same-id", ok=True)
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    run_jobs(fresh_registry)
    assert successes(fresh_registry, "k3")[("c", "forward")] == 1
    assert committed(fresh_registry, lambda env: env["saga.message"].search_count([])) == 1


def test_a_second_delivery_racing_the_first_answers_as_a_duplicate_and_applies_nothing(fresh_registry):
    """The second delivery waits for the first one's lock; once the first commits, it finds the message
    recorded (when it records its own) before it has applied anything: one outcome, nothing twice."""
    import threading

    from odoo.orm.environment import Environment

    start(fresh_registry, "k-race")
    run_jobs(fresh_registry)
    first_cr = fresh_registry.cursor()
    first = Environment(first_cr, 1, {})["saga.instance"].receive_message("race-id", "test.reply", "k-race",
                                                                          {"ok": True})
    answers = {}

    def second_delivery():
        answers["second"] = committed(fresh_registry, lambda env: env["saga.instance"].receive_message(
            "race-id", "test.reply", "k-race", {"ok": True}))

    thread = threading.Thread(target=second_delivery)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # it waits for the first delivery's transaction
    first_cr.close(commit=True)
    thread.join(30)
    assert (first["duplicate"], answers["second"]["duplicate"]) == (False, True)
    assert answers["second"]["outcome"] == first["outcome"] == "processed"
    run_jobs(fresh_registry)
    assert successes(fresh_registry, "k-race")[("c", "forward")] == 1
    assert state(fresh_registry, "k-race")["status"] == "completed"
    assert committed(fresh_registry, lambda env: env["saga.message"].search_count([])) == 1


def test_a_started_saga_goes_on_before_a_saga_not_started_yet_begins(fresh_registry):
    start(fresh_registry, "first")
    start(fresh_registry, "second")
    run_jobs(fresh_registry)  # one job at a time, in the order the workers claim them
    ran = committed(fresh_registry, lambda env: [name for (name,) in env.cr.execute(
        "SELECT name FROM queue_job WHERE state = 'done' ORDER BY date_started, id").fetchall()])
    assert ran == ["saga test_flow first: forward a", "saga test_flow first: forward b",
                   "saga test_flow second: forward a", "saga test_flow second: forward b"]


def test_a_technical_failure_is_retried_and_each_try_is_on_the_timeline(fresh_registry):
    script(fresh_registry, "k4", "a", fail_times=2)
    start(fresh_registry, "k4")
    run_jobs(fresh_registry)
    timeline = state(fresh_registry, "k4")["timeline"]
    assert timeline[:3] == [("forward", "a", 1, "failed"), ("forward", "a", 2, "failed"),
                            ("forward", "a", 3, "succeeded")]
    assert successes(fresh_registry, "k4")[("a", "forward")] == 1


def test_a_failed_try_takes_back_the_next_step_job_enqueued_before_its_action(fresh_registry):
    script(fresh_registry, "k4b", "a", fail_times=2)
    start(fresh_registry, "k4b")
    run_jobs(fresh_registry)
    jobs = committed(fresh_registry, lambda env: [name for (name,) in env.cr.execute(
        "SELECT name FROM queue_job WHERE name LIKE %s ORDER BY id", ("saga test_flow k4b:%",)).fetchall()])
    assert jobs == ["saga test_flow k4b: forward a"] * 3 + ["saga test_flow k4b: forward b"]


def test_exhausted_retries_raise_an_incident_that_an_operator_retries_once_fixed(fresh_registry):
    script(fresh_registry, "k5", "a", fail_times=-1)
    start(fresh_registry, "k5")
    run_jobs(fresh_registry)
    stuck = state(fresh_registry, "k5")
    assert stuck["status"] == "incident"
    assert "forward a failed 3 times" in stuck["last_error"] and "RuntimeError" in stuck["last_error"]
    script(fresh_registry, "k5", "a", fail_times=0)
    committed(fresh_registry, lambda env: env["saga.instance"].search([("business_key", "=", "k5")]).action_retry())
    run_jobs(fresh_registry)
    assert state(fresh_registry, "k5")["status"] == "waiting"


def test_a_compensation_failing_twice_then_succeeding_ends_compensated(fresh_registry):
    script(fresh_registry, "k6", "a", phase="compensate", fail_times=2)
    start(fresh_registry, "k6")
    run_jobs(fresh_registry)
    reply(fresh_registry, "k6", "m6", ok=False)
    run_jobs(fresh_registry)
    final = state(fresh_registry, "k6")
    assert final["status"] == "compensated"
    assert [t for t in final["timeline"] if t[:2] == ("compensate", "a")] == [
        ("compensate", "a", 1, "failed"), ("compensate", "a", 2, "failed"), ("compensate", "a", 3, "succeeded")]


def test_a_compensation_failing_forever_is_an_incident_and_retry_resolves_it(fresh_registry):
    script(fresh_registry, "k7", "b", phase="compensate", fail_times=-1)
    start(fresh_registry, "k7")
    run_jobs(fresh_registry)
    reply(fresh_registry, "k7", "m7", ok=False)
    run_jobs(fresh_registry)
    stuck = state(fresh_registry, "k7")
    assert stuck["status"] == "incident" and "compensate b failed 3 times" in stuck["last_error"]
    assert successes(fresh_registry, "k7").get(("a", "compensate"), 0) == 0  # a waits for b's compensation
    script(fresh_registry, "k7", "b", phase="compensate", fail_times=0)
    committed(fresh_registry, lambda env: env["saga.instance"].search([("business_key", "=", "k7")]).action_retry())
    run_jobs(fresh_registry)
    assert state(fresh_registry, "k7")["status"] == "compensated"
    assert successes(fresh_registry, "k7")[("a", "compensate")] == 1


def test_a_refusal_of_the_first_step_compensates_nothing_and_ends_compensated(fresh_registry):
    script(fresh_registry, "k8", "a", refuse=True)
    start(fresh_registry, "k8")
    run_jobs(fresh_registry)
    final = state(fresh_registry, "k8")
    assert final["status"] == "compensated"
    assert final["failure_reason"] == "a: a refused"
    assert [t[0] for t in final["timeline"]] == ["forward"]


def test_a_late_success_after_compensation_is_an_incident_not_a_silent_drop(fresh_registry):
    start(fresh_registry, "k9")
    run_jobs(fresh_registry)
    committed(fresh_registry, lambda env: env["saga.instance"].search([("business_key", "=", "k9")])
              .action_compensate())
    run_jobs(fresh_registry)
    compensated = state(fresh_registry, "k9")
    assert compensated["status"] == "compensated"
    assert [t for t in compensated["timeline"] if t[0] == "forward"] == [
        ("forward", "a", 1, "succeeded"), ("forward", "b", 1, "cancelled")]  # the wait an operator ended
    answer = reply(fresh_registry, "k9", "m9", ok=True)
    assert answer["outcome"] == "late"
    late = state(fresh_registry, "k9")
    assert late["status"] == "incident" and late["last_error"].startswith("late test.reply")


def test_operator_actions_refuse_a_status_that_does_not_allow_them(fresh_registry):
    from odoo.addons.saga.exceptions import SagaStateError

    start(fresh_registry, "k10")
    run_jobs(fresh_registry)
    with pytest.raises(SagaStateError, match="it is waiting"):
        committed(fresh_registry, lambda env: env["saga.instance"].search([("business_key", "=", "k10")])
                  .action_retry())


def test_exhausting_a_step_marked_on_exhausted_compensate_compensates(fresh_registry):
    script(fresh_registry, "k11", "c", fail_times=-1)
    start(fresh_registry, "k11")
    run_jobs(fresh_registry)
    reply(fresh_registry, "k11", "m11", ok=True)
    run_jobs(fresh_registry)
    final = state(fresh_registry, "k11")
    assert final["status"] == "compensated"
    assert final["failure_reason"].startswith("c failed 3 times")


def test_statistics_count_executions_per_step(fresh_registry):
    script(fresh_registry, "k12", "a", fail_times=1)
    start(fresh_registry, "k12")
    run_jobs(fresh_registry)
    stats = committed(fresh_registry, lambda env: env["saga.instance"].stats("test_flow"))
    by_step = {(row["step"], row["phase"]): row for row in stats}
    assert by_step[("a", "forward")]["count"] == 2
    assert by_step[("a", "forward")]["failure_rate"] == 0.5
    assert by_step[("a", "forward")]["p95"] is not None
