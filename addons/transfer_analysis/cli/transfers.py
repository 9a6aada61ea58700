"""``odoo-bin.py transfers ACTION -d DB``: run, inspect and repair transfer analyses.

* ``run``: the daemon: follow every active source's stream; each new
  transfer is a job on ``root.transfer_analysis``, run by a job worker in
  this process (``--capacity`` threads, default the channel's capacity) and
  by any ``jobs worker`` serving the channel (``--no-worker``: only those).
  Every 10 s it also dispatches transfers created with plain ``create``,
  fails the transfers whose analysis job failed or was cancelled, and
  retries pending write-backs and unsent summary mails.  SIGTERM or Ctrl-C stops it; a restart
  resumes where it was.
* ``find --key K``: a transfer's summary, answers (HTTP status, score, raw
  JSON) and events, as JSON.
* ``process --key K [--verbose]``: analyse one transfer in the foreground
  (fetched from the source first if it is not known yet), printing each
  step as ``$ [ step ] - message`` with ``--verbose`` (the seed's
  ``pscloud --mode=dev -s -k KEY``).
* ``status``: transfers per state, sources, pending write-backs, last events.
* ``follow``: print events as they are recorded (``tail -f`` of the log).
* ``retry --failed``: queue every failed transfer again; ``retry
  --writebacks``: PATCH the pending results to the source again.

A refused request exits with status 1 and one line naming the problem.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time

from odoo import SUPERUSER_ID
from odoo.cli import setup_logging
from odoo.cli.command import CommandError, command, load_config, parser_for, require_database
from odoo.config import add_arguments
from odoo.exceptions import UserError
from odoo.modules.registry import Registry

from ..models.transfer_transfer_jobs import JOB_CHANNEL
from ..tools.analysis_client import max_connections
from ..tools.followups import FOLLOW_UPS
from ..tools.processor import process_transfer, retry_summaries, retry_writebacks
from ..tools.stream_consumer import StreamConsumer

SWEEP_SECONDS = 10.0


@command("transfers", help="transfer analysis: transfers run | find --key K | process --key K --verbose | status "
                           "| follow | retry --failed -d DB")
def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args)
    setup_logging(config["log_level"] if config["log_level"] != "info" else "warning", config.get("logfile"))
    require_database(config)
    try:
        return ACTIONS[args.action](Registry.open(config), args) or 0
    except UserError as exc:
        raise CommandError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("transfers", "Run, inspect and repair transfer analyses.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    subs = [actions.add_parser("run", help="follow the sources and analyse what arrives"),
            actions.add_parser("find", help="print a transfer's result as JSON"),
            actions.add_parser("process", help="analyse one transfer in the foreground"),
            actions.add_parser("status", help="transfers per state, sources, last events"),
            actions.add_parser("follow", help="print events as they are recorded"),
            actions.add_parser("retry", help="queue failed transfers or pending write-backs again")]
    run_, find, process, status, follow, retry = subs
    run_.add_argument("--capacity", type=int, help="job threads in this process (default: the channel's capacity)")
    run_.add_argument("--no-worker", action="store_true", help="run no job worker here (jobs worker processes do)")
    run_.add_argument("--lease", type=float, default=60.0,
                      help="seconds before a job of a dead worker runs elsewhere (default 60)")
    for sub in (find, process):
        sub.add_argument("--key", "-k", required=True, help="the transfer's key")
    process.add_argument("--verbose", "-v", action="store_true", help="print each step")
    status.add_argument("--events", type=int, default=10, help="how many recent events (default 10)")
    follow.add_argument("--interval", type=float, default=1.0, help="seconds between looks (default 1)")
    what = retry.add_mutually_exclusive_group(required=True)
    what.add_argument("--failed", action="store_true", help="every failed transfer")
    what.add_argument("--writebacks", action="store_true", help="every pending write-back")
    for sub in subs:
        add_arguments(sub)
    return parser


def _env(cr):
    return cr.registry.env(cr, SUPERUSER_ID)


# -- actions -------------------------------------------------------------------------------------------
def run_action(registry: Registry, args: argparse.Namespace) -> int:
    from odoo.addons.queue_job.worker.channels import parse_channels
    from odoo.addons.queue_job.worker.worker import Worker, WorkerOptions

    with registry.cursor() as cr:
        capacity = args.capacity or max_connections(_env(cr))
        source_ids = _env(cr)["transfer.source"].search([]).ids
    if capacity < 1:
        raise CommandError("--capacity must be at least 1")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    options = WorkerOptions(lease=args.lease, heartbeat=max(0.2, min(10.0, args.lease / 4)))
    worker = None if args.no_worker else Worker(registry, parse_channels(f"{JOB_CHANNEL}:{capacity}"), options).start()
    consumers = [StreamConsumer(registry, source_id) for source_id in source_ids]
    threads = [threading.Thread(target=c.run, args=(stop,), daemon=True) for c in consumers]
    for thread in threads:
        thread.start()
    print(f"following {len(consumers)} source(s); " +
          ("jobs run by other workers" if worker is None else f"{capacity} analyses at a time"), file=sys.stderr)
    try:
        while not stop.is_set():
            _sweep(registry)
            stop.wait(SWEEP_SECONDS)
    except KeyboardInterrupt:
        stop.set()
    if worker is not None:
        worker.stop(wait=True)
        FOLLOW_UPS.wait(timeout=30)  # what is left is done by the next daemon's sweep
    return 0


def _sweep(registry: Registry) -> None:
    with registry.cursor() as cr:
        _env(cr)["transfer.transfer"].dispatch_waiting()
        _env(cr)["transfer.transfer"].fail_stuck()
    retry_writebacks(registry)
    retry_summaries(registry)


def find_action(registry: Registry, args: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        transfer = _find(_env(cr), args.key)
        print(json.dumps(transfer.summary(), indent=2, ensure_ascii=False))
    return 0


def _find(env, key: str):
    transfer = env["transfer.transfer"].search([("key", "=", key)], limit=1)
    if not transfer:
        raise CommandError(f"no transfer has the key {key!r}")
    return transfer


def process_action(registry: Registry, args: argparse.Namespace) -> int:
    log = _printer if args.verbose else (lambda step, message: None)
    transfer_id = _known_or_fetched(registry, args.key, log)
    state = process_transfer(registry, transfer_id, log=log)
    print(state)
    return 0 if state in ("done", "ignored_old") else 1


def _printer(step: str, message: str) -> None:
    print(f"$ [ {step} ] - {message}", flush=True)


def _known_or_fetched(registry: Registry, key: str, log) -> int:
    with registry.cursor() as cr:
        transfer = _env(cr)["transfer.transfer"].search([("key", "=", key)], limit=1)
        if transfer:
            if transfer.state == "failed":
                transfer.action_retry()
            return transfer.id
        sources = [(s.id, s.base_url, s.auth_token, s.node) for s in _env(cr)["transfer.source"].search([])]
    from ..tools.firebase import FirebaseClient, SourceError

    for source_id, base_url, auth, node in sources:
        try:
            item = FirebaseClient(base_url, auth).get(f"{node}/{key}")
        except SourceError as exc:
            log("fetch", str(exc))
            continue
        if item is not None:
            log("fetch", f"{key} read from source {source_id}")
            with registry.cursor() as cr:
                source = _env(cr)["transfer.source"].browse(source_id)
                kind, transfer = _env(cr)["transfer.transfer"].receive_item(source, key, item)
                if not transfer:
                    raise CommandError(f"transfer {key!r} cannot be recorded ({kind}): see `transfers status`")
                return transfer.id
    raise CommandError(f"no transfer has the key {key!r}, here or at any source")


def status_action(registry: Registry, args: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        env = _env(cr)
        counts = env["transfer.transfer"].status_counts()
        print("  ".join(f"{state} {count}" for state, count in counts.items()))
        pending = env["transfer.transfer"].search_count([("writeback_state", "=", "pending")])
        print(f"write-backs pending {pending}")
        for source in env["transfer.source"].search([]):
            print(f"source {source.name}: {source.status or 'never connected'} "
                  f"({source.date_status or '-'})")
        for event in env["transfer.event"].search([], limit=args.events):
            print(_event_line(event))
    return 0


def _event_line(event) -> str:
    return f"[{event.kind}]{event.key or '-'} | {event.date} | {event.detail or ''}"


def follow_action(registry: Registry, args: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        last = _env(cr)["transfer.event"].search([], limit=1).id or 0
    try:
        while True:
            with registry.cursor(readonly=True) as cr:
                events = _env(cr)["transfer.event"].search([("id", ">", last)], order="id")
                for event in events:
                    print(_event_line(event), flush=True)
                    last = event.id
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0


def retry_action(registry: Registry, args: argparse.Namespace) -> int:
    if args.writebacks:
        print(f"{retry_writebacks(registry, limit=10_000)} write-back(s) done")
        return 0
    with registry.cursor() as cr:
        failed = _env(cr)["transfer.transfer"].search([("state", "=", "failed")])
        failed.action_retry()
        print(f"{len(failed)} transfer(s) queued again")
    return 0


ACTIONS = {"run": run_action, "find": find_action, "process": process_action, "status": status_action,
           "follow": follow_action, "retry": retry_action}
