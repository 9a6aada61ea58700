"""Helpers of the queue_job tests (``common.py`` is OCA's public test API)."""
from __future__ import annotations

from odoo import SUPERUSER_ID
from odoo.orm.environment import Environment

TEST_ADDON = "test_queue_job_user"


def committed(registry, func):
    """Run ``func(env)`` in a transaction of its own and commit; return its result."""
    with registry.cursor() as cr:
        return func(Environment(cr, SUPERUSER_ID, {}))


def query(registry, sql: str, params=()) -> list[tuple]:
    with registry.cursor() as cr:
        return cr.execute(sql, params).fetchall()


def job_row(registry, job_uuid: str) -> dict:
    columns = ("state", "retry", "result", "exc_name", "exc_message", "exc_info", "eta", "worker_id")
    with registry.cursor() as cr:
        found = cr.execute(f"SELECT {', '.join(columns)} FROM queue_job WHERE uuid = %s", (job_uuid,)).fetchone()
    return dict(zip(columns, found, strict=True))


def events_of(registry, job_uuid: str) -> list[str]:
    return [kind for (kind,) in query(registry, "SELECT e.kind FROM queue_job_event e JOIN queue_job j ON "
                                                "j.id = e.job_id WHERE j.uuid = %s ORDER BY e.id", (job_uuid,))]


def runs(registry) -> list[str]:
    return [key for (key,) in query(registry, "SELECT key FROM test_queue_job_run ORDER BY id")]
