"""What operators do: see, requeue, cancel, set done, vacuum, metrics; from the ORM/RPC and the CLI."""
import datetime as dt
import json
import subprocess
import sys

import pytest
from odoo.addons.queue_job.worker.worker import drain
from odoo.config import ROOT
from odoo.exceptions import UserError

from .helpers import committed, job_row, query, runs

pytestmark = pytest.mark.addons("test_queue_job_user")


def enqueue(registry, method: str, *args, **options) -> str:
    def run(env):
        record = env["test.queue.job"].create({"name": "op"})
        return getattr(record.with_delay(**options), method)(*args).uuid
    return committed(registry, run)


def act(registry, job_uuid: str, method: str):
    return committed(registry, lambda env: getattr(env["queue.job"].search([("uuid", "=", job_uuid)]), method)())


def test_requeue_a_failed_job_resets_its_tries_and_it_runs_again(fresh_registry):
    job_uuid = enqueue(fresh_registry, "fail_with", "once")
    drain(fresh_registry)
    act(fresh_registry, job_uuid, "requeue")
    row = job_row(fresh_registry, job_uuid)
    assert (row["state"], row["retry"], row["exc_name"]) == ("pending", 0, None)
    drain(fresh_registry)
    assert job_row(fresh_registry, job_uuid)["retry"] == 1


def test_cancel_propagates_to_waiting_jobs_and_done_releases_them(fresh_registry):
    committed(fresh_registry, lambda env: env["test.queue.job"].create({"name": "g"}).button_graph())
    [(first,)] = query(fresh_registry, "SELECT uuid FROM queue_job WHERE state = 'pending'")
    act(fresh_registry, first, "button_done")
    assert dict(query(fresh_registry, "SELECT state, count(*) FROM queue_job GROUP BY state")) == {
        "done": 1, "pending": 2, "wait_dependencies": 1}
    pending = [u for (u,) in query(fresh_registry, "SELECT uuid FROM queue_job WHERE state = 'pending'")]
    committed(fresh_registry, lambda env: env["queue.job"].search([("uuid", "in", pending)]).button_cancelled())
    assert dict(query(fresh_registry, "SELECT state, count(*) FROM queue_job GROUP BY state")) == {
        "done": 1, "cancelled": 3}
    assert drain(fresh_registry) == {} and runs(fresh_registry) == []


def test_actions_refused_from_the_wrong_state_name_it(env):
    job = env["test.queue.job"].create({"name": "x"}).with_delay().delay_me(1)
    record = env["queue.job"].search([("uuid", "=", job.uuid)])
    with pytest.raises(UserError, match=f"Job {job.uuid} is pending: requeue applies to cancelled, done, failed"):
        record.requeue()


def test_autovacuum_deletes_old_done_jobs_only_and_is_a_cron(fresh_registry):
    old = enqueue(fresh_registry, "record_run", "old")
    recent = enqueue(fresh_registry, "record_run", "recent")
    drain(fresh_registry)
    long_ago = dt.datetime(2000, 1, 1)
    with fresh_registry.cursor() as cr:
        cr.execute("UPDATE queue_job SET date_done = %s WHERE uuid = %s",
                   (long_ago if cr.database.dialect != "sqlite" else "2000-01-01 00:00:00", old))
    assert committed(fresh_registry, lambda env: env["queue.job"].autovacuum()) == 1
    assert [u for (u,) in query(fresh_registry, "SELECT uuid FROM queue_job")] == [recent]
    cron = committed(fresh_registry, lambda env: env.ref("queue_job.ir_cron_autovacuum_queue_jobs").read(
        ["code", "interval_type", "active"])[0])
    assert (cron["code"], cron["interval_type"], cron["active"]) == ("model.autovacuum()", "days", True)


def test_stats_per_channel(fresh_registry):
    enqueue(fresh_registry, "record_run", "a")
    enqueue(fresh_registry, "fail_with", "b")
    enqueue(fresh_registry, "testing_method", "c")  # root.test, left pending
    drain(fresh_registry, "root:1,root.test:1")
    enqueue(fresh_registry, "record_run", "d")
    stats = committed(fresh_registry, lambda env: env["queue.job"].stats())
    assert (stats["root"]["done"], stats["root"]["failed"], stats["root"]["pending"]) == (1, 1, 1)
    assert stats["root.test"]["done"] == 1 and stats["root"]["done_in_window"] == 1
    assert stats["root"]["run_p50"] >= 0 and stats["root"]["wait_p99"] >= stats["root"]["wait_p50"]


def cli(registry, *args: str) -> subprocess.CompletedProcess:
    config = registry.config
    command = [sys.executable, "odoo-bin.py", "jobs", *args, "--db-uri", registry.uri,
               "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.sqlite_only
def test_the_jobs_command_lists_shows_requeues_runs_cancels(fresh_registry):
    job_uuid = enqueue(fresh_registry, "fail_with", "from the CLI")
    drain(fresh_registry)
    listed = cli(fresh_registry, "list", "--state", "failed")
    assert listed.returncode == 0 and listed.stdout.split("\t")[:2] == [job_uuid, "failed"]
    shown = json.loads(cli(fresh_registry, "show", job_uuid).stdout)
    assert shown["exc_message"] == "from the CLI" and "Traceback" in shown["exc_info"]
    assert [e["kind"] for e in shown["events"]] == ["created", "started", "failed"]
    assert cli(fresh_registry, "run", job_uuid, "--sync").stdout.strip() == f"{job_uuid}\tfailed"
    assert cli(fresh_registry, "requeue", job_uuid).stdout.strip() == f"{job_uuid}\tpending"
    assert cli(fresh_registry, "cancel", job_uuid).stdout.strip() == f"{job_uuid}\tcancelled"
    refused = cli(fresh_registry, "run", job_uuid, "--sync")
    assert refused.returncode == 1 and "is cancelled: only pending or failed jobs run" in refused.stderr
    assert cli(fresh_registry, "show", "no-such-job").stderr.strip() == "error: no job no-such-job"
    assert json.loads(cli(fresh_registry, "stats").stdout)["root"]["cancelled"] == 1
    assert cli(fresh_registry, "worker", "--channels", "root:x").stderr.strip().startswith("error: capacity of")
