"""Job queue benchmark: no-op jobs per second against procrastinate, and pickup latency.

    python bench/jobs.py [--jobs 5000] [--runs 3] [--workers 2] [--concurrency 8] [--latency-samples 100]

Needs PostgreSQL at 127.0.0.1:5432 and ``pip install -r bench/requirements.txt`` (procrastinate).

* Throughput: ``--jobs`` no-op jobs enqueued in bulk (one transaction), then ``--workers`` worker
  processes started, each running ``--concurrency`` jobs at once, until every job is done.  The
  figure is jobs / (last done - first start), both read from the database.  Ours: ``queue.job``'s
  ``_test_job`` through ``with_delay()``, each job in its own transaction that marks it done.
  Baseline, same database, same run: procrastinate's ``procrastinate worker`` on a no-op task
  deferred with ``batch_defer``, timed from its event table.  Goal: >= 5x.
* Latency: one idle worker; one job enqueued and committed at a time; the time from the commit to
  the job's start, p50 and p99.  Goal: p50 < 20 ms.

Medians of ``--runs`` runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import server  # noqa: E402,F401  (installs the odoo alias)
from server import db as db_module  # noqa: E402
from server.config import ROOT, Config  # noqa: E402
from server.modules.loading import load_modules  # noqa: E402
from server.modules.registry import Registry  # noqa: E402
from server.orm.environment import Environment  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PROCRASTINATE_APP = """
import procrastinate, os
app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=os.environ["BENCH_CONNINFO"]))

@app.task(name="noop")
def noop():
    pass
"""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Bench:
    def __init__(self, args):
        self.args = args
        self.name = "bench_jobs_" + uuid.uuid4().hex[:8]
        self.uri = f"{PG_SERVER}/{self.name}"
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
        self.config = Config({"db_uri": self.uri, "data_dir": str(self.tmp), "addons_path": str(ROOT / "addons"),
                              "admin_passwd": "admin", "log_level": "warning", "without_demo": "all"})
        self.registry = None

    # -- set-up ----------------------------------------------------------------------------------------
    def __enter__(self) -> Bench:
        db_module.create_database(self.uri)
        self.registry = load_modules(self.config, init="queue_job")
        (self.tmp / "bench_procrastinate_app.py").write_text(PROCRASTINATE_APP)
        subprocess.run(["procrastinate", "--app=bench_procrastinate_app.app", "schema", "--apply"],
                       env=self.procrastinate_environ(), check=True, capture_output=True)
        return self

    def __exit__(self, *exc) -> None:
        Registry.forget_all()
        db_module.drop_database(self.uri)

    def procrastinate_environ(self) -> dict:
        return {**os.environ, "BENCH_CONNINFO": f"host=127.0.0.1 user=postgres dbname={self.name}",
                "PYTHONPATH": str(self.tmp)}

    def sql(self, statement: str, params=()):
        with self.registry.cursor() as cr:
            found = cr.execute(statement, params)
            return found.fetchall() if found.description else []

    # -- ours ------------------------------------------------------------------------------------------------
    def start_ours(self, workers: int, concurrency: int) -> list[subprocess.Popen]:
        command = [sys.executable, "odoo-bin.py", "jobs", "worker", "--channels", f"root:{concurrency}",
                   "--vacuum-interval", "0", "--db-uri", self.uri, "--addons-path", str(ROOT / "addons"),
                   "--data-dir", str(self.tmp), "--log-level", "warning"]
        return [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _n in range(workers)]

    def enqueue_ours(self, count: int) -> float:
        clock = time.perf_counter()
        with self.registry.cursor() as cr:
            jobs = Environment(cr, 1, {})["queue.job"]
            for _n in range(count):
                jobs.with_delay()._test_job()
        return count / (time.perf_counter() - clock)

    def throughput_ours(self) -> tuple[float, float]:
        self.sql("DELETE FROM queue_job")
        enqueue_rate = self.enqueue_ours(self.args.jobs)
        workers = self.start_ours(self.args.workers, self.args.concurrency)
        try:
            wait_for(lambda: self.sql("SELECT count(*) FROM queue_job WHERE state = 'done'")[0][0] == self.args.jobs)
        finally:
            stop(workers)
        first, last = self.sql("SELECT min(date_started), max(date_done) FROM queue_job")[0]
        # date_started is overwritten with each job's own start: the first claim is the earliest start
        return self.args.jobs / (last - first).total_seconds(), enqueue_rate

    def latency_ours(self) -> list[float]:
        self.sql("DELETE FROM queue_job")
        workers = self.start_ours(1, 1)
        samples = []
        try:
            self.enqueue_one_and_wait()  # the worker is up and listening
            for _n in range(self.args.latency_samples):
                committed_at, job_uuid = self.enqueue_one_and_wait()
                [(started,)] = self.sql("SELECT date_started FROM queue_job WHERE uuid = %s", (job_uuid,))
                samples.append((started - committed_at).total_seconds() * 1000)
        finally:
            stop(workers)
        return samples

    def enqueue_one_and_wait(self) -> tuple[dt.datetime, str]:
        with self.registry.cursor() as cr:
            job_uuid = Environment(cr, 1, {})["queue.job"].with_delay()._test_job().uuid
        committed_at = utcnow()
        wait_for(lambda: self.sql("SELECT state FROM queue_job WHERE uuid = %s", (job_uuid,))[0][0] == "done",
                 step=0.005)
        return committed_at, job_uuid

    # -- procrastinate -------------------------------------------------------------------------------------------
    def throughput_procrastinate(self) -> float:
        environ = self.procrastinate_environ()
        self.sql("TRUNCATE procrastinate_jobs CASCADE")
        defer = textwrap.dedent(f"""
            from bench_procrastinate_app import app, noop
            with app.open():
                noop.batch_defer(*[{{}} for _n in range({self.args.jobs})])
        """)
        subprocess.run([sys.executable, "-c", defer], env=environ, check=True)
        command = ["procrastinate", "--app=bench_procrastinate_app.app", "--log-level", "warning", "worker",
                   "--concurrency", str(self.args.concurrency)]
        workers = [subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _n in range(self.args.workers)]
        try:
            wait_for(lambda: self.sql("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")[0][0]
                     == self.args.jobs)
        finally:
            stop(workers)
        first, last = self.sql("SELECT min(at) FILTER (WHERE type = 'started'), "
                               "max(at) FILTER (WHERE type = 'succeeded') FROM procrastinate_events")[0]
        return self.args.jobs / (last - first).total_seconds()


def wait_for(condition, bound: float = 900.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"not done within {bound:g} s")
        time.sleep(step)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-samples", type=int, default=100)
    args = parser.parse_args()
    ours, theirs, enqueue = [], [], []
    with Bench(args) as bench:
        for run in range(args.runs):
            rate, enqueue_rate = bench.throughput_ours()
            ours.append(rate)
            enqueue.append(enqueue_rate)
            theirs.append(bench.throughput_procrastinate())
            print(f"run {run + 1}: queue_job {ours[-1]:,.0f} jobs/s, procrastinate {theirs[-1]:,.0f} jobs/s "
                  f"(enqueue {enqueue_rate:,.0f} jobs/s)", flush=True)
        latency = bench.latency_ours()
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"\n{args.jobs} no-op jobs, {args.workers} worker processes x {args.concurrency}, median of {args.runs}:")
    print(f"  queue_job      {statistics.median(ours):>8,.0f} jobs/s   (enqueue {statistics.median(enqueue):,.0f}/s)")
    print(f"  procrastinate  {statistics.median(theirs):>8,.0f} jobs/s")
    print(f"  ratio          {ratio:>8.2f}x   (goal >= 5x)")
    print(f"  pickup latency p50 {percentile(latency, 50):.1f} ms, p99 {percentile(latency, 99):.1f} ms "
          f"over {len(latency)} jobs (goal p50 < 20 ms)")


if __name__ == "__main__":
    main()
