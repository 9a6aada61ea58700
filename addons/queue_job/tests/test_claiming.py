"""What a claim takes: jobs ready now and scheduled jobs whose time came, by priority, never later ones.

A claim looks for the two kinds in two index scans (``leases.due_jobs``), so that the jobs scheduled
for later (a saga's wait timeouts, retries waiting out their backoff) cost it nothing however many
there are.
"""
import os
import re

import pytest
from odoo.addons.queue_job.store import dialect_of, utcnow
from odoo.addons.queue_job.worker import leases
from odoo.addons.queue_job.worker.channels import parse_channels
from odoo.addons.queue_job.worker.worker import drain

from .helpers import committed, query, runs

pytestmark = pytest.mark.addons("test_queue_job_user")


def delay(registry, label: str, **options) -> str:
    def enqueue(env):
        record = env["test.queue.job"].search([], limit=1) or env["test.queue.job"].create({"name": "r"})
        return record.with_delay(**options).record_run(label).uuid
    return committed(registry, enqueue)


def make_due(registry, job_uuid: str) -> None:
    """The job's eta passes (it was enqueued for an hour later)."""
    with registry.cursor() as cr:
        cr.execute("UPDATE queue_job SET eta = %s WHERE uuid = %s",
                   (dialect_of(cr).ts(utcnow().replace(year=2001)), job_uuid))


def claim(registry, limit: int) -> list[str]:
    with registry.cursor() as cr:
        claims = leases.claim(cr, parse_channels("root:4")[0], limit, "test-worker", os.getpid(), 60)
    return [found.row["uuid"] for found in claims]


def test_due_scheduled_jobs_take_their_place_by_priority_among_ready_ones(fresh_registry):
    late = delay(fresh_registry, "ready, priority 20", priority=20)
    first = delay(fresh_registry, "ready, priority 1", priority=1)
    due = delay(fresh_registry, "scheduled and due, priority 5", priority=5, eta=3600)
    delay(fresh_registry, "scheduled for later, priority 0", priority=0, eta=3600)
    make_due(fresh_registry, due)
    assert claim(fresh_registry, 2) == [first, due]  # the limit holds across both kinds
    assert claim(fresh_registry, 2) == [late]  # the later one is left
    assert query(fresh_registry, "SELECT count(*) FROM queue_job WHERE state = 'pending'") == [(1,)]


def test_a_drain_runs_due_jobs_and_leaves_later_ones(fresh_registry):
    delay(fresh_registry, "ready", priority=10)
    make_due(fresh_registry, delay(fresh_registry, "due", priority=1, eta=3600))
    delay(fresh_registry, "later", priority=1, eta=3600)
    assert drain(fresh_registry, "root:1") == {"done": 2}
    assert runs(fresh_registry) == ["due", "ready"]


def test_jobs_scheduled_for_later_are_not_visited_by_a_claim(fresh_registry):
    if fresh_registry.database.dialect != "postgresql":
        pytest.skip("the plan is PostgreSQL's (SQLite's claim is serialized by its write lock)")
    template = delay(fresh_registry, "later", priority=1, eta=3600)
    with fresh_registry.cursor() as cr:  # 2000 more like it, all better placed than the ready job
        cr.execute("INSERT INTO queue_job (state, priority, retry, max_retries, uuid, user_id, name, model_name, "
                   "method_name, channel, date_created, eta) SELECT state, priority, 0, max_retries, "
                   "uuid || '-' || n, user_id, name, model_name, method_name, channel, date_created, eta "
                   "FROM queue_job, generate_series(1, 2000) AS n WHERE uuid = %s", (template,))
        cr.execute("ANALYZE queue_job")
    ready = delay(fresh_registry, "ready", priority=10)
    with fresh_registry.cursor() as cr:
        sql, params = leases.due_jobs(dialect_of(cr), "1 = 1", [], 1, utcnow())
        plan = "\n".join(row[0] for row in cr.execute(f"EXPLAIN (ANALYZE) WITH {sql} SELECT id FROM picked",
                                                       params).fetchall())
    skipped = sum(int(number) for number in re.findall(r"Rows Removed by Filter: (\d+)", plan))
    assert skipped < 10, plan
    assert claim(fresh_registry, 1) == [ready]
