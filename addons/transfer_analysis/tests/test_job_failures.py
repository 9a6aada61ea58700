"""A transfer whose analysis job fails, is cancelled or set done is failed too, and resumes when retried.

Real job workers on the analysis channel, the fake source and API; waits have generous bounds and
nothing asserts a duration.
"""
from __future__ import annotations

import time

from .conftest import make_item

BROKEN_SUBJECT = "{{ object.no_such_field }}"


def _receive_and_dispatch(registry, source_id: int, firebase, key: str) -> int:
    item = make_item()
    firebase.add_transfer(key, item, notify=False)
    with registry.cursor() as cr:
        env = registry.env(cr)
        _kind, transfer = env["transfer.transfer"].receive_item(env["transfer.source"].browse(source_id), key, item)
        transfer._dispatch()
        return transfer.id


def _read(registry, transfer_id: int) -> dict:
    with registry.cursor() as cr:
        env = registry.env(cr)
        transfer = env["transfer.transfer"].browse(transfer_id)
        jobs = env["queue.job"].search([("identity_key", "=", f"transfer.transfer:{transfer_id}")], order="id")
        return {"state": transfer.state, "origin": transfer.failure_origin, "error": transfer.error or "",
                "jobs": [(job.id, job.state) for job in jobs], "mail": transfer.mail_id.state}


def _wait(registry, transfer_id: int, condition, bound: float = 180.0) -> dict:
    deadline = time.monotonic() + bound  # a bound, not a timing: the machine may be loaded
    while not condition(found := _read(registry, transfer_id)):
        assert time.monotonic() < deadline, found
        time.sleep(0.1)
    return found


def _last_job_is(state: str):
    return lambda found: bool(found["jobs"]) and found["jobs"][-1][1] == state


def test_an_error_in_the_job_fails_the_transfer_and_requeueing_the_job_resumes_it(configured, firebase, api,
                                                                                  job_worker):
    registry, source_id = configured
    with registry.cursor() as cr:  # an administrator broke the summary mail's template
        template = registry.env(cr).ref("transfer_analysis.mail_template_transfer_summary")
        good_subject, template.subject = template.subject, BROKEN_SUBJECT
    job_worker(registry)
    transfer_id = _receive_and_dispatch(registry, source_id, firebase, "J1")
    failed = _wait(registry, transfer_id, _last_job_is("failed"))
    assert (failed["state"], failed["origin"]) == ("failed", "job")
    assert "the analysis job failed: UserError: Failed to render field 'subject'" in failed["error"]

    with registry.cursor() as cr:  # the template is fixed and the job requeued (console, jobs requeue)
        env = registry.env(cr)
        env.ref("transfer_analysis.mail_template_transfer_summary").subject = good_subject
        env["queue.job"].browse(failed["jobs"][-1][0]).requeue()
    done = _wait(registry, transfer_id, lambda found: found["state"] == "done")
    assert done["origin"] is False and done["error"] == "" and done["mail"] == "outgoing"
    assert len(done["jobs"]) == 1 and all(count == 1 for count in api.calls.values())  # answers kept


def test_a_cancelled_job_fails_its_transfer_which_a_retry_resumes(configured, firebase, api, job_worker):
    registry, source_id = configured
    transfer_id = _receive_and_dispatch(registry, source_id, firebase, "J2")  # no worker runs yet
    with registry.cursor() as cr:
        env = registry.env(cr)
        [job] = env["queue.job"].search([("identity_key", "=", f"transfer.transfer:{transfer_id}")])
        job.button_cancelled()
    with registry.cursor() as cr:
        assert registry.env(cr)["transfer.transfer"].fail_stuck() == 1
    failed = _read(registry, transfer_id)
    assert (failed["state"], failed["origin"]) == ("failed", "job")
    assert "is cancelled (Cancelled by" in failed["error"]
    with registry.cursor() as cr:
        assert registry.env(cr)["transfer.transfer"].fail_stuck() == 0  # once
        registry.env(cr)["transfer.transfer"].browse(transfer_id).action_retry()
    job_worker(registry)
    done = _wait(registry, transfer_id, lambda found: found["state"] == "done" and _last_job_is("done")(found))
    assert [state for _id, state in done["jobs"]] == ["cancelled", "done"]


def test_transfers_with_a_job_waiting_or_none_at_all_are_left_alone(configured, firebase, api):
    registry, source_id = configured
    waiting = _receive_and_dispatch(registry, source_id, firebase, "J3")
    with registry.cursor() as cr:
        env = registry.env(cr)
        foreground = env["transfer.transfer"].create({"key": "J4", "source_id": source_id})
        foreground._move("queue")
        foreground._move("start")  # as `transfers process --key` does, with no job
    with registry.cursor() as cr:
        assert registry.env(cr)["transfer.transfer"].fail_stuck() == 0
    assert _read(registry, waiting)["state"] == "queued"


def test_jobs_give_the_channel_back_with_their_last_answer_and_the_api_sees_no_more_than_capacity(
        configured, firebase, api, job_worker):
    registry, source_id = configured
    with registry.cursor() as cr:
        registry.env(cr)["ir.config_parameter"].set_param("transfer_analysis.max_connections", "2")
    api.latency = 0.05
    job_worker(registry, capacity=2)  # 2 threads holding the channel, 2 more ending after their release
    ids = [_receive_and_dispatch(registry, source_id, firebase, f"C{n}") for n in range(10)]
    for transfer_id in ids:
        _wait(registry, transfer_id, _last_job_is("done"))
    assert api.max_in_flight <= 2 and api.total_calls() == 30
    with registry.cursor() as cr:
        jobs = registry.env(cr)["queue.job"].search([("method_name", "=", "_analyse_job")])
        assert len(jobs) == 10 and set(jobs.mapped("capacity_released")) == {True}
