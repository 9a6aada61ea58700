"""Channel capacities: what counts against them, and a job giving its place back before it ends."""
import datetime as dt

import pytest
from odoo.addons.queue_job.job import utcnow
from odoo.addons.queue_job.worker import leases
from odoo.addons.queue_job.worker.channels import parse_channels
from odoo.addons.queue_job.worker.runner import run_claimed
from odoo.addons.queue_job.worker.worker import Worker, WorkerOptions, drain

from .helpers import committed, job_row, query, runs, wait_until
from .test_running import delay

pytestmark = pytest.mark.addons("test_queue_job_user")


def cap_test_channel(registry, capacity: int) -> None:
    def cap(env):
        env.ref("test_queue_job_user.channel_test").capacity = capacity
    committed(registry, cap)


def claim(registry, worker_id: str, channels: str = "root.test:8") -> list[leases.Claim]:
    with registry.cursor() as cr:
        return leases.claim(cr, parse_channels(channels)[0], 8, worker_id, 1, lease=60)


def test_a_slot_inside_a_capped_channel_claims_no_more_than_its_capacity(fresh_registry):
    cap_test_channel(fresh_registry, 2)
    for key in "abc":
        delay(fresh_registry, "record_run", key, options={"channel": "root.test"})
    first, second = claim(fresh_registry, "worker-1"), claim(fresh_registry, "worker-2")
    assert (len(first), second) == (2, [])
    run_claimed(fresh_registry, first[0])
    assert len(claim(fresh_registry, "worker-2")) == 1


def test_a_released_job_no_longer_counts_until_it_is_claimed_again(fresh_registry):
    cap_test_channel(fresh_registry, 1)
    for key in "abc":
        delay(fresh_registry, "record_run", key, options={"channel": "root.test"})
    [held] = claim(fresh_registry, "worker-1")
    assert claim(fresh_registry, "worker-2") == []
    with fresh_registry.cursor() as cr:
        assert leases.release_capacity(cr, held)
    [second] = claim(fresh_registry, "worker-2")
    assert claim(fresh_registry, "worker-3") == []
    with fresh_registry.cursor() as cr:  # the released job is retried: its next claim counts again
        assert leases.postpone(cr, held, utcnow() - dt.timedelta(seconds=1), held.retry, "again")
        assert leases.release_capacity(cr, second)
    assert [c.id for c in claim(fresh_registry, "worker-3")] == [held.id]
    assert claim(fresh_registry, "worker-4") == []


def test_release_capacity_outside_a_worker_run_does_nothing(fresh_registry):
    from odoo.addons.queue_job.worker.runner import release_capacity

    def release(env):
        return release_capacity(env(context={"job_uuid": "not-running"}))
    assert committed(fresh_registry, release) is False


def test_a_job_that_released_its_capacity_lets_the_next_one_run_while_it_ends(fresh_registry):
    cap_test_channel(fresh_registry, 1)
    first = delay(fresh_registry, "release_then_sleep", "first", 6, options={"channel": "root.test"})
    delay(fresh_registry, "record_run", "second", options={"channel": "root.test"})
    worker = Worker(fresh_registry, parse_channels("root.test:1"), WorkerOptions(heartbeat=0.2, poll=0.2)).start()
    try:
        wait_until(lambda: "second" in runs(fresh_registry), bound=60, step=0.05)
        assert "first" not in runs(fresh_registry)  # still sleeping: "second" ran beside it
        wait_until(lambda: len(runs(fresh_registry)) == 2, bound=60)
    finally:
        worker.stop()
    row = job_row(fresh_registry, first)
    assert (row["state"], row["result"]) == ("done", "True")
    assert query(fresh_registry, "SELECT count(*) FROM queue_job WHERE state = 'started'") == [(0,)]


def test_a_job_that_keeps_its_capacity_makes_the_next_one_wait(fresh_registry):
    cap_test_channel(fresh_registry, 1)
    delay(fresh_registry, "sleep_then_record", "first", 2, options={"channel": "root.test"})
    delay(fresh_registry, "record_run", "second", options={"channel": "root.test"})
    worker = Worker(fresh_registry, parse_channels("root.test:1"), WorkerOptions(heartbeat=0.2, poll=0.2)).start()
    try:
        wait_until(lambda: len(runs(fresh_registry)) == 2, bound=60, step=0.05)
    finally:
        worker.stop()
    assert runs(fresh_registry) == ["first", "second"]


def test_drain_runs_a_releasing_job_to_its_end(fresh_registry):
    delay(fresh_registry, "release_then_sleep", "drained", 0, options={"channel": "root.test"})
    assert drain(fresh_registry, "root.test:1") == {"done": 1}
    assert runs(fresh_registry) == ["drained"]


@pytest.mark.postgresql_only
def test_a_job_hands_its_place_to_the_next_job_of_its_function_only(fresh_registry):
    cap_test_channel(fresh_registry, 1)
    first = delay(fresh_registry, "record_run", "a", options={"channel": "root.test"})
    second = delay(fresh_registry, "record_run", "b", options={"channel": "root.test"})
    delay(fresh_registry, "fail_with", "another function", options={"channel": "root.test"})
    slot = parse_channels("root.test:8")[0]
    [held] = claim(fresh_registry, "worker-1")
    with fresh_registry.cursor() as cr:
        successor = leases.hand_over(cr, held, slot, 1, lease=60)
    assert successor.row["uuid"] == second and successor.worker_id == "worker-1"
    assert claim(fresh_registry, "worker-2") == []  # the place was given, not freed
    assert query(fresh_registry, "SELECT uuid FROM queue_job WHERE state = 'started' AND capacity_released") == [
        (first,)]
    with fresh_registry.cursor() as cr:  # no job of the same function waits: nothing changes
        assert leases.hand_over(cr, successor, slot, 1, lease=60) is None
    assert claim(fresh_registry, "worker-2") == []
