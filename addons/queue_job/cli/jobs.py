"""``odoo-bin.py jobs ACTION ... -d DB``: run workers, and see and fix every job.

Actions: ``worker`` (runs until SIGTERM/SIGINT, then lets running jobs finish), ``list``, ``show``
(with the traceback and the history), ``requeue``, ``cancel``, ``run UUID --sync`` (one job in the
foreground, in its own transaction, logging at DEBUG), ``stats`` (per channel, JSON), ``vacuum``.
A refused request exits with status 1 and a one-line reason.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading

from odoo import SUPERUSER_ID
from odoo.cli import setup_logging
from odoo.cli.command import CommandError, command, load_config, parser_for, require_database
from odoo.config import add_arguments
from odoo.modules.registry import Registry
from odoo.orm.environment import Environment

from ..job import STATES
from ..worker import leases
from ..worker.channels import parse_channels
from ..worker.runner import run_claimed
from ..worker.worker import Worker, WorkerOptions

LIST_COLUMNS = ("uuid", "state", "channel", "priority", "retry", "max_retries", "date_created", "name", "exc_name")


@command("jobs", help="run job workers and manage jobs: jobs worker --channels root:4 -d DB; jobs list --state failed")
def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args)
    level = "debug" if args.action == "run" else config["log_level"]
    setup_logging(level if args.action in ("worker", "run") else "warning", config.get("logfile"))
    logging.getLogger("peewee").setLevel(max(logging.INFO, logging.getLogger().level))  # no SQL dump
    require_database(config)
    return ACTIONS[args.action](Registry.open(config), args) or 0


def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("jobs", "Run job workers; list, show, requeue, cancel and run jobs.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, (adders, help_text) in SUBCOMMANDS.items():
        sub = actions.add_parser(name, help=help_text, description=help_text)
        for adder in adders:
            adder(sub)
        add_arguments(sub)
    return parser


def _worker_options(parser) -> None:
    parser.add_argument("--channels", default="root:1", help="channel:capacity,... (default root:1)")
    parser.add_argument("--lease", type=float, default=60.0, help="seconds a job's lease lasts (default 60)")
    parser.add_argument("--heartbeat", type=float, help="seconds between lease extensions (default lease/6)")
    parser.add_argument("--poll", type=float, help="seconds between polls (default 5 on PostgreSQL, 0.5 SQLite)")
    parser.add_argument("--job-timeout", type=float, default=0, help="seconds a try may run (default: no limit)")
    parser.add_argument("--vacuum-interval", type=float, default=3600.0, help="0: never vacuum")


def _list_options(parser) -> None:
    parser.add_argument("--state", choices=[state for state, _label in STATES])
    parser.add_argument("--channel")
    parser.add_argument("--limit", type=int, default=50)


def _uuid_option(parser) -> None:
    parser.add_argument("uuid", nargs="+", help="job uuid(s)")


def _run_options(parser) -> None:
    parser.add_argument("uuid", help="job uuid")
    parser.add_argument("--sync", action="store_true", help="run in this process now (the only mode)")


def _stats_options(parser) -> None:
    parser.add_argument("--window", type=int, default=60, help="minutes of history for rates and times")


SUBCOMMANDS = {
    "worker": ((_worker_options,), "claim and run jobs until stopped (SIGTERM: finish running jobs)"),
    "list": ((_list_options,), "list jobs, newest first, one a line (tab-separated)"),
    "show": ((_uuid_option,), "print jobs as JSON, with their traceback and history"),
    "requeue": ((_uuid_option,), "run failed, cancelled or done jobs again"),
    "cancel": ((_uuid_option,), "cancel jobs (and the jobs waiting on them)"),
    "run": ((_run_options,), "run one job now, in the foreground"),
    "stats": ((_stats_options,), "per-channel counts, throughput and wait/run times, as JSON"),
    "vacuum": ((), "delete done and cancelled jobs past their channel's removal interval"),
}


# -- actions -----------------------------------------------------------------------------------------------
def worker_action(registry, args) -> int:
    try:
        slots = parse_channels(args.channels)
    except Exception as exc:
        raise CommandError(str(exc)) from None
    options = WorkerOptions(lease=args.lease, heartbeat=args.heartbeat or max(0.2, args.lease / 6), poll=args.poll,
                            job_timeout=args.job_timeout, vacuum_interval=args.vacuum_interval)
    worker = Worker(registry, slots, options).start()
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stopped.set())
    print(f"worker {worker.worker_id} running {args.channels}", file=sys.stderr, flush=True)
    while not stopped.wait(1.0):
        pass
    worker.stop(wait=True)
    return 0


def list_action(registry, args) -> int:
    domain = [(name, "=", getattr(args, name)) for name in ("state", "channel") if getattr(args, name)]
    with registry.cursor(readonly=True) as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        for row in env["queue.job"].search_read(domain, list(LIST_COLUMNS), limit=args.limit):
            print("\t".join(str(row[name] if row[name] is not False else "") for name in LIST_COLUMNS))
    return 0


def show_action(registry, args) -> int:
    with registry.cursor(readonly=True) as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        for job in _jobs(env, args.uuid):
            [data] = job.read([name for name in job._fields if name not in ("event_ids", "display_name")])
            data["events"] = job.event_ids.read(["date", "state", "kind", "message", "worker_id"])
            print(json.dumps(_plain(data), indent=2, sort_keys=True, default=str))
    return 0


def requeue_action(registry, args) -> int:
    return _operator_action(registry, args.uuid, "requeue")


def cancel_action(registry, args) -> int:
    return _operator_action(registry, args.uuid, "button_cancelled")


def _operator_action(registry, uuids: list[str], method: str) -> int:
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        jobs = _jobs(env, uuids)
        getattr(jobs, method)()
        for job in jobs:
            print(f"{job.uuid}\t{job.state}")
    return 0


def run_action(registry, args) -> int:
    worker_id = f"cli:{os.getpid()}"
    with registry.cursor() as cr:
        claim = leases.claim_uuid(cr, args.uuid, worker_id, os.getpid(), lease=24 * 3600)
    if claim is None:
        with registry.cursor(readonly=True) as cr:
            found = cr.execute("SELECT state FROM queue_job WHERE uuid = %s", (args.uuid,)).fetchone()
        if found is None:
            raise CommandError(f"no job {args.uuid!r}")
        raise CommandError(f"job {args.uuid} is {found[0]}: only pending or failed jobs run (requeue it first)")
    outcome = run_claimed(registry, claim)
    logging.getLogger(__name__).debug("job %s: %s", args.uuid, outcome)
    print(f"{args.uuid}\t{outcome}")
    return 0 if outcome == "done" else 1


def stats_action(registry, args) -> int:
    with registry.cursor(readonly=True) as cr:
        print(json.dumps(Environment(cr, SUPERUSER_ID, {})["queue.job"].stats(args.window), indent=2, sort_keys=True))
    return 0


def vacuum_action(registry, args) -> int:
    with registry.cursor() as cr:
        print(f"{Environment(cr, SUPERUSER_ID, {})['queue.job'].autovacuum()} jobs deleted")
    return 0


def _jobs(env, uuids: list[str]):
    jobs = env["queue.job"].search([("uuid", "in", list(uuids))])
    missing = sorted(set(uuids) - set(jobs.mapped("uuid")))
    if missing:
        raise CommandError(f"no job {', '.join(missing)}")
    return jobs


def _plain(data: dict) -> dict:
    return {key: (value if value is not False else None) for key, value in data.items()}


ACTIONS = {"worker": worker_action, "list": list_action, "show": show_action, "requeue": requeue_action,
           "cancel": cancel_action, "run": run_action, "stats": stats_action, "vacuum": vacuum_action}
