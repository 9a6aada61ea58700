"""Benchmark of the admin console's job list (issue: admin console): server time of /console/jobs over 100,000 jobs.

A fresh database with ``queue_job`` and ``web_console`` gets ``--jobs`` jobs (default 100,000: done
over the last day and a half, some pending, failed and cancelled, on four channels), then the
application is called in this process through WSGI (``werkzeug.test.Client``, logged in as admin):
what is timed is the server's work for one page, no network.  Pages: the first page, a state filter,
a channel and state filter, a sort on another column, a page deep in the list, one job, and the
channels' figures (the fragment the list loads after itself: every channel's counts, the jobs done in
the last hour).

The baseline, measured in the same run on the same database: the plain SQL a hand-written page would
need at least (the count and one page of 50 rows, ordered), through the registry's own connection.

Goal: every page under 100 ms of server time (median of ``--repeat`` calls, after one warm call).

Run: ``python bench/console.py [--backend postgresql|sqlite] [--jobs 100000] [--repeat 15]``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import databases  # noqa: E402  (bench/databases.py)

GOAL_MS = 100.0
COUNT_LIMIT = 10_000  # as the job list counts (queue_job/controllers/console.py)
CHANNELS = ("root", "root.mail", "root.transfer_analysis", "root.reports")

#: One statement for both backends: a recursive counter crossed with one stored job as the template.
FILL = """
INSERT INTO queue_job (uuid, name, model_name, method_name, func_string, record_ids, args, kwargs, context,
                       user_id, company_id, priority, retry, max_retries, channel, state, date_created,
                       date_started, date_done, exec_time, exc_name, exc_message)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
SELECT 'bench-' || i, 'Bench job ' || i, t.model_name, t.method_name, t.func_string, t.record_ids, t.args,
       t.kwargs, t.context, t.user_id, t.company_id, 10, 1, 5,
       CASE i % 4 WHEN 0 THEN 'root' WHEN 1 THEN 'root.mail' WHEN 2 THEN 'root.transfer_analysis'
            ELSE 'root.reports' END,
       CASE WHEN i % 97 = 0 THEN 'failed' WHEN i % 89 = 0 THEN 'cancelled' WHEN i < 300 THEN 'pending'
            ELSE 'done' END,
       {ago}, {ago}, CASE WHEN i % 97 = 0 OR i % 89 = 0 OR i < 300 THEN NULL ELSE {ago} END, 0.05,
       CASE WHEN i % 97 = 0 THEN 'ValueError' END, CASE WHEN i % 97 = 0 THEN 'bench failure ' || i END
FROM n, queue_job t WHERE t.id = {template}
"""
AGO = {"postgresql": "(CAST('{now}' AS timestamp) - i * INTERVAL '1 second')",
       "sqlite": "datetime('{now}', '-' || i || ' seconds')"}

PAGES = [("first page", "/console/jobs"), ("failed jobs", "/console/jobs?state=failed"),
         ("one channel, done", "/console/jobs?channel=root.mail&state=done"),
         ("sorted by channel", "/console/jobs?sort=channel"), ("page 1000", "/console/jobs?page=1000")]


def create_database(backend: str, tmp: Path) -> str:
    return databases.create_database(backend, tmp, "bench_console", "queue_job,web_console")


def open_registry(uri: str):
    import server  # noqa: F401  (the odoo namespace)
    from server.config import Config
    from server.modules.registry import Registry

    config = Config({"db_uri": uri, "addons_path": str(ROOT / "addons"), "log_level": "warn",
                     "max_cron_threads": 0, "admin_passwd": "bench"})
    return config, Registry.open(config)


def fill_jobs(registry, count: int) -> int:
    """``count`` jobs in one statement; the id of one failed job."""
    import datetime as dt

    with registry.cursor() as cr:
        env = registry.env(cr)
        env.ref("base.user_admin").password = "bench"
        env["res.users"].browse(env.uid).with_delay(channel="root").exists()
        template = env["queue.job"].search([], limit=1).id
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")
        ago = AGO[registry.database.dialect].format(now=now)
        fill = FILL.format(count=count, ago=ago, template=template)
        cr.execute(fill.replace("%", "%%") if registry.database.dialect == "postgresql" else fill)
        cr.execute("DELETE FROM queue_job WHERE id = %s", (template,))
        failed = cr.execute("SELECT id FROM queue_job WHERE state = 'failed' LIMIT 1").fetchone()[0]
    if registry.database.dialect == "postgresql":
        registry.database.execute_sql("ANALYZE queue_job")
    return failed


def login(app):
    from werkzeug.test import Client

    client = Client(app)
    body = {"jsonrpc": "2.0", "method": "call",
            "params": {"db": app.config.database_name(), "login": "admin", "password": "bench"}}
    answer = client.post("/web/session/authenticate", json=body)
    if "error" in answer.get_json():
        raise SystemExit(f"login failed: {answer.get_json()['error']}")
    return client


def page_ms(client, path: str, repeat: int) -> float:
    """Median server time of GET ``path`` in ms (one warm-up call first); the page must answer 200."""
    answer = client.get(path)
    if answer.status_code != 200:
        raise SystemExit(f"{path}: HTTP {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path).close()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def baseline_ms(registry, path: str, repeat: int) -> float:
    """The plain SQL of the page: its count (up to 10,000, as the page counts) and its 50 rows, ordered as the
    page orders them."""
    where, order, offset = _page_sql(path)
    columns = "id, name, channel, state, priority, retry, max_retries, exc_name, exc_message, date_created, date_done"
    timings = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        with registry.cursor(readonly=True) as cr:
            cr.execute(f"SELECT count(*) FROM (SELECT 1 FROM queue_job {where} LIMIT {COUNT_LIMIT + 1}) AS page_count"
                       ).fetchone()
            cr.execute(f"SELECT {columns} FROM queue_job {where} ORDER BY {order} LIMIT 50 OFFSET {offset}").fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings[1:])


def _page_sql(path: str) -> tuple[str, str, int]:
    from urllib.parse import parse_qs, urlsplit

    params = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    filters = [f"{name} = '{params[name]}'" for name in ("state", "channel") if name in params]
    where = f"WHERE {' AND '.join(filters)}" if filters else ""
    order = "channel, id" if params.get("sort") == "channel" else "date_created DESC, id DESC"  # as the page
    return where, order, (int(params.get("page", 1)) - 1) * 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_console_"))
    uri = create_database(args.backend, tmp)
    config, registry = open_registry(uri)
    try:
        report(measure(config, registry, args))
    finally:
        registry.dispose()
        databases.drop_database(uri)


def measure(config, registry, args) -> list[tuple]:
    """``(label, path, server ms, plain SQL ms or None)`` of each page."""
    from server.http import Application

    started = time.perf_counter()
    failed_id = fill_jobs(registry, args.jobs)
    print(f"backend {args.backend}: {args.jobs:,} jobs stored in {time.perf_counter() - started:.1f} s; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    client = login(Application(config))
    rows = []
    more = [("one job", f"/console/jobs/{failed_id}"), ("channels' figures", "/console/jobs/channels")]
    for label, path in [*PAGES, *more]:
        ours = page_ms(client, path, args.repeat)
        base = baseline_ms(registry, path, args.repeat) if (label, path) in PAGES else None
        rows.append((label, path, ours, base))
    return rows


def report(rows) -> None:
    width = max(len(label) for label, *_ in rows)
    for label, path, ours, base in rows:
        versus = f"; plain SQL {base:.1f} ms, ratio {ours / base:.1f}x" if base else ""
        verdict = "ok" if ours < GOAL_MS else "OVER"
        print(f"{label:<{width}}  {ours:7.1f} ms  {verdict} (goal < {GOAL_MS:.0f} ms){versus}   {path}")
    print(json.dumps({label: round(ours, 1) for label, _path, ours, _base in rows}))


if __name__ == "__main__":
    main()
