"""Workers as separate processes on one PostgreSQL database, started on their own, as across machines.

Waiting for a condition has a generous bound (never a timed assertion): what is asserted is the
outcome (each job ran exactly once, none lost, crashed tries counted).
"""
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from odoo import db as db_module
from odoo.config import ROOT

from .helpers import TEST_ADDON, db_args, wait_until, worker_processes  # noqa: F401 (the workers fixture)

pytestmark = [pytest.mark.postgresql_only]


@pytest.fixture
def database(db_backend, database_factory):
    config = database_factory.create(db_backend, (TEST_ADDON,), demo=False)
    database = db_module.open_database(config["db_uri"])
    yield config, database
    db_module.dispose(database)


def sql(database, statement: str, params=()):
    return database.execute_sql(statement, params).fetchall()


def enqueue(config, code: str) -> None:
    """Run ``code`` (with ``record``, a test.queue.job) in ``odoo-bin.py shell`` and commit."""
    script = "record = env['test.queue.job'].create({'name': 'r'})\n" + textwrap.dedent(code) + "\nenv.cr.commit()\n"
    done = subprocess.run([sys.executable, "odoo-bin.py", "shell", *db_args(config)], cwd=ROOT, input=script,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def job_state(database, method: str) -> tuple:
    return sql(database, "SELECT state, retry, exc_name FROM queue_job WHERE method_name = %s", (method,))[0]


def test_a_job_whose_worker_is_killed_runs_again_on_another_worker(database, workers, tmp_path):
    config, db = database
    tries = tmp_path / "tries"
    enqueue(config, f"record.with_delay().kill_worker_once({str(tries)!r}, 'survivor')")
    first = workers(config)
    assert first.wait(timeout=120) == -signal.SIGKILL  # the job killed it mid-run
    workers(config)
    wait_until(lambda: job_state(db, "kill_worker_once")[0] == "done")
    assert job_state(db, "kill_worker_once") == ("done", 2, None)  # the killed try is counted
    assert sql(db, "SELECT key FROM test_queue_job_run") == [("survivor",)]
    kinds = [k for (k,) in sql(db, "SELECT kind FROM queue_job_event ORDER BY id")]
    assert kinds == ["created", "started", "requeued_dead", "started", "done"]
    assert tries.read_text().splitlines()[0] == str(first.pid)


def test_a_job_that_kills_every_worker_ends_failed_after_max_retries(database, workers, tmp_path):
    config, db = database
    tries = tmp_path / "tries"
    enqueue(config, f"record.with_delay(max_retries=2).kill_worker({str(tries)!r})")
    for _attempt in range(2):
        assert workers(config).wait(timeout=120) == -signal.SIGKILL
    workers(config)  # its reaper finds the second expired lease and gives up
    wait_until(lambda: job_state(db, "kill_worker")[0] == "failed")
    assert job_state(db, "kill_worker") == ("failed", 2, "WorkerLost")
    assert len(tries.read_text().splitlines()) == 2


def test_ten_thousand_jobs_over_four_workers_each_run_exactly_once(database, workers):
    config, db = database
    enqueue(config, """
        for n in range(10_000):
            record.with_delay().record_run(f"job-{n}")
    """)
    # Leases long enough that a worker starved of CPU on a busy machine keeps its jobs (no crash here).
    for _worker in range(4):
        workers(config, options=("--lease", "300", "--heartbeat", "5", "--poll", "0.5"))
    wait_until(lambda: sql(db, "SELECT count(*) FROM queue_job WHERE state = 'done'")[0][0] == 10_000, bound=1800)
    assert sql(db, "SELECT state, count(*) FROM queue_job GROUP BY state") == [("done", 10_000)]
    assert sql(db, "SELECT count(*), count(DISTINCT key) FROM test_queue_job_run") == [(10_000, 10_000)]
    assert sql(db, "SELECT max(retry) FROM queue_job") == [(1,)]
    assert len(sql(db, "SELECT DISTINCT pid FROM test_queue_job_run")) >= 2


STORM = """
import sys, threading, time
sys.argv = ["storm"] + sys.argv[1:]
import server
from server.cli.command import parser_for, load_config
from server.modules.registry import Registry
from server.orm.environment import Environment

config = load_config(parser_for("storm").parse_args(sys.argv[1:-1]))
start_file = sys.argv[-1]
registry = Registry.open(config)
open(start_file + ".ready." + str(__import__("os").getpid()), "w").close()
uuids, errors = [], []
THREADS, ROUNDS = 10, 5  # 2 processes x 10 threads x 5 rounds = 100 enqueues, 20 at a time
barrier = threading.Barrier(THREADS)

def enqueue():
    while not __import__("os").path.exists(start_file):
        time.sleep(0.001)
    for _round in range(ROUNDS):
        barrier.wait()
        try:
            with registry.cursor() as cr:
                env = Environment(cr, 1, {})
                record = env["test.queue.job"].browse(1)
                uuids.append(record.with_delay(identity_key="storm").record_run("storm").uuid)
        except Exception as exc:
            errors.append(repr(exc))

threads = [threading.Thread(target=enqueue) for _n in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\\n".join(uuids))
print("ERRORS", errors, file=sys.stderr)
sys.exit(1 if errors else 0)
"""


def test_a_hundred_parallel_enqueues_with_one_identity_key_make_one_job(database, tmp_path):
    config, db = database
    enqueue(config, "pass")  # creates test.queue.job 1
    script, start_file = tmp_path / "storm.py", tmp_path / "go"
    script.write_text(STORM)
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, str(script), *db_args(config), str(start_file)], cwd=ROOT,
                                  env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _n in range(2)]
    wait_until(lambda: len(list(tmp_path.glob("go.ready.*"))) == 2)  # both registries open
    start_file.write_text("go")
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], [err for _out, err in outputs]
    uuids = [line for out, _err in outputs for line in out.split()]
    assert len(uuids) == 100 and len(set(uuids)) == 1
    assert sql(db, "SELECT count(*) FROM queue_job WHERE identity_key = 'storm'") == [(1,)]
