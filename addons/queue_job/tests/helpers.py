"""Helpers of the queue_job tests (``common.py`` is OCA's public test API)."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from odoo import SUPERUSER_ID
from odoo.config import ROOT
from odoo.orm.environment import Environment

TEST_ADDON = "test_queue_job_user"
#: Short leases and polls, so that a killed worker's jobs come back soon.
WORKER_ARGS = ("--lease", "2", "--heartbeat", "0.3", "--poll", "0.5")


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


def wait_until(condition, bound: float = 240.0, step: float = 0.2) -> None:
    """Wait for ``condition()`` (a generous bound against hangs: the outcome is what tests assert)."""
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {bound:g} s")
        time.sleep(step)


def db_args(config) -> list[str]:
    """The options that point an ``odoo-bin.py`` command at ``config``'s database and addons."""
    return ["--db-uri", config["db_uri"], "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir),
            "--log-level", "warning"]


@pytest.fixture(name="workers")
def worker_processes(tmp_path):
    """Start ``odoo-bin.py jobs worker`` processes, each on its own as on another machine.

    ``workers(config, channels="root:4", options=WORKER_ARGS)`` returns the ``Popen``; the worker's output
    goes to ``tmp_path/worker-<n>.log``.  After the test each still running gets SIGTERM (its running
    jobs finish), and is killed if it has not stopped within 30 s.  A test module uses it by importing it
    (``from odoo.addons.queue_job.tests.helpers import worker_processes``); tests ask for ``workers``.
    """
    started: list[tuple[subprocess.Popen, object]] = []

    def start(config, channels: str = "root:4", options=WORKER_ARGS) -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 (closed after the test)
        command = [sys.executable, "odoo-bin.py", "jobs", "worker", "--channels", channels, *options,
                   *db_args(config)]
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        return process

    yield start
    for process, _log in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process, log in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
