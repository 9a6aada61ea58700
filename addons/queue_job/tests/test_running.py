"""Running jobs: each in its own transaction, with OCA's outcomes (done, postponed, failed)."""
import datetime as dt

import pytest
from odoo.addons.queue_job.job import Job, utcnow
from odoo.addons.queue_job.worker import leases
from odoo.addons.queue_job.worker.channels import parse_channels
from odoo.addons.queue_job.worker.runner import run_claimed
from odoo.addons.queue_job.worker.worker import drain

from .helpers import committed, events_of, job_row, query, runs

pytestmark = pytest.mark.addons("test_queue_job_user")


def delay(registry, method: str, *args, options: dict | None = None, **kwargs):
    """Enqueue ``test.queue.job.<method>(*args, **kwargs)`` in a committed transaction; return the job's uuid."""
    def enqueue(env):
        record = env["test.queue.job"].search([], limit=1) or env["test.queue.job"].create({"name": "r"})
        return getattr(record.with_delay(**(options or {})), method)(*args, **kwargs).uuid
    return committed(registry, enqueue)


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(fresh_registry):
    cr = fresh_registry.cursor()
    from odoo.orm.environment import Environment

    env = Environment(cr, 1, {})
    env["test.queue.job"].create({"name": "r"}).with_delay().record_run("rolled back")
    cr.close(commit=False)
    delay(fresh_registry, "record_run", "committed")
    assert drain(fresh_registry) == {"done": 1}
    assert runs(fresh_registry) == ["committed"]


def test_done_job_keeps_its_result_time_and_history(fresh_registry):
    job_uuid = delay(fresh_registry, "record_run", "k")
    drain(fresh_registry)
    row = job_row(fresh_registry, job_uuid)
    assert (row["state"], row["retry"], row["result"]) == ("done", 1, "k")
    assert events_of(fresh_registry, job_uuid) == ["created", "started", "done"]
    [(exec_time, started, done)] = query(fresh_registry, "SELECT exec_time, date_started, date_done FROM queue_job")
    assert exec_time >= 0 and started and done


def test_an_error_fails_the_job_with_its_traceback_and_rolls_back_its_effects(fresh_registry):
    job_uuid = delay(fresh_registry, "fail_with", "broken")
    assert drain(fresh_registry) == {"failed": 1}
    row = job_row(fresh_registry, job_uuid)
    assert (row["state"], row["exc_name"], row["exc_message"]) == ("failed", "ValueError", "broken")
    assert "Traceback" in row["exc_info"] and "fail_with" in row["exc_info"]
    assert events_of(fresh_registry, job_uuid)[-1] == "failed"


def test_retryable_error_postpones_then_max_retries_fails(fresh_registry):
    job_uuid = delay(fresh_registry, "testing_method", raise_retry=True, options={"max_retries": 2})
    assert drain(fresh_registry, "root:1,root.test:1") == {"pending": 1}
    row = job_row(fresh_registry, job_uuid)
    assert (row["state"], row["retry"], row["result"]) == ("pending", 1, "Must be retried later")
    eta = row["eta"] if isinstance(row["eta"], dt.datetime) else dt.datetime.fromisoformat(row["eta"])
    assert eta > utcnow() + dt.timedelta(minutes=9)  # RETRY_INTERVAL, no retry_pattern for this method
    assert drain(fresh_registry, "root:1,root.test:1") == {}  # not before its eta
    query_update(fresh_registry, "UPDATE queue_job SET eta = NULL")
    assert drain(fresh_registry, "root:1,root.test:1") == {"failed": 1}
    row = job_row(fresh_registry, job_uuid)
    assert (row["state"], row["exc_name"]) == ("failed", "FailedJobError")
    assert row["exc_message"] == "Max. retries (2) reached: Must be retried later"


def test_retry_pattern_of_the_job_function_sets_the_delay(fresh_registry):
    def seconds(env):
        job = Job(env["test.queue.job"].job_with_retry_pattern)
        found = []
        for retry in (1, 2, 3, 4, 5, 9):
            job.retry = retry
            found.append(job._get_retry_seconds())
        return found
    assert committed(fresh_registry, seconds) == [60, 180, 10, 10, 300, 300]


def test_retry_until_success_counts_every_try(fresh_registry, tmp_path):
    job_uuid = delay(fresh_registry, "retry_until", str(tmp_path / "tries"), 3)
    for _round in range(3):
        query_update(fresh_registry, "UPDATE queue_job SET eta = NULL")
        drain(fresh_registry)
    row = job_row(fresh_registry, job_uuid)
    assert (row["state"], row["retry"], row["result"]) == ("done", 3, "3")
    assert events_of(fresh_registry, job_uuid).count("retry_scheduled") == 2


def test_priority_first_then_order_of_creation_and_eta_honoured(fresh_registry):
    delay(fresh_registry, "record_run", "late", options={"priority": 20})
    delay(fresh_registry, "record_run", "first", options={"priority": 1})
    delay(fresh_registry, "record_run", "later", options={"eta": 3600})
    delay(fresh_registry, "record_run", "second", options={"priority": 1})
    drain(fresh_registry)
    assert runs(fresh_registry) == ["first", "second", "late"]


def test_a_graph_runs_in_dependency_order(fresh_registry):
    committed(fresh_registry, lambda env: env["test.queue.job"].create({"name": "g"}).button_graph())
    states = dict(query(fresh_registry, "SELECT state, count(*) FROM queue_job GROUP BY state"))
    assert states == {"pending": 1, "wait_dependencies": 3}
    drain(fresh_registry)
    order = runs(fresh_registry)
    assert order[0] == "graph:a" and set(order[1:3]) == {"graph:b", "graph:c"} and order[3] == "graph:d"


def test_a_reaped_job_cannot_commit_its_run(fresh_registry):
    delay(fresh_registry, "record_run", "slow")
    slot = parse_channels("root:1")[0]
    with fresh_registry.cursor() as cr:
        [claim] = leases.claim(cr, slot, 1, "dead-worker", 1, lease=-1)  # its lease is already over
    with fresh_registry.cursor() as cr:
        assert leases.reap_expired(cr) == [(claim.row["uuid"], "pending")]
    assert run_claimed(fresh_registry, claim) == "lost"
    assert runs(fresh_registry) == []
    assert drain(fresh_registry) == {"done": 1}
    row = job_row(fresh_registry, claim.row["uuid"])
    assert (row["state"], row["retry"]) == ("done", 2)  # the lost try is counted
    assert "requeued_dead" in events_of(fresh_registry, claim.row["uuid"])


def test_a_job_whose_worker_keeps_dying_fails_after_max_retries(fresh_registry):
    job_uuid = delay(fresh_registry, "record_run", "doomed", options={"max_retries": 2})
    slot = parse_channels("root:1")[0]
    outcomes = []
    for _try in range(2):
        with fresh_registry.cursor() as cr:
            assert leases.claim(cr, slot, 1, "dying-worker", 1, lease=-1)
        with fresh_registry.cursor() as cr:
            outcomes += leases.reap_expired(cr)
    assert [state for _uuid, state in outcomes] == ["pending", "failed"]
    row = job_row(fresh_registry, job_uuid)
    assert (row["state"], row["exc_name"], row["retry"]) == ("failed", "WorkerLost", 2)


def test_channel_capacity_holds_across_workers(fresh_registry):
    def cap(env):
        env.ref("test_queue_job_user.channel_test").capacity = 1
    committed(fresh_registry, cap)
    for key in ("a", "b", "c"):
        delay(fresh_registry, "record_run", key, options={"channel": "root.test"})
    delay(fresh_registry, "record_run", "free", options={"channel": "root"})
    slot = parse_channels("root:8")[0]
    with fresh_registry.cursor() as cr:
        first = leases.claim(cr, slot, 8, "worker-1", 1, lease=60)
    with fresh_registry.cursor() as cr:
        second = leases.claim(cr, slot, 8, "worker-2", 2, lease=60)
    assert sorted(c.row["channel"] for c in first) == ["root", "root.test"] and second == []
    for claim in first:
        run_claimed(fresh_registry, claim)
    with fresh_registry.cursor() as cr:
        assert [c.row["channel"] for c in leases.claim(cr, slot, 8, "worker-2", 2, lease=60)] == ["root.test"]


def test_a_job_of_an_uninstalled_addon_fails_with_the_reason(fresh_registry):
    from odoo.modules.loading import uninstall_modules

    job_uuid = delay(fresh_registry, "record_run", "orphan")
    registry = uninstall_modules(fresh_registry, ["test_queue_job_user"])
    assert drain(registry) == {"failed": 1}
    row = job_row(registry, job_uuid)
    assert row["state"] == "failed" and "test.queue.job" in row["exc_message"]
    assert "uninstalled" in row["exc_message"]


def query_update(registry, sql: str) -> None:
    with registry.cursor() as cr:
        cr.execute(sql)
