"""``odoo-bin.py saga ACTION ... -d DB``: see every saga instance and act on the stuck ones.

Actions: ``list [--status S] [--type T] [--limit N]``, ``show KEY`` (the instance and its timeline),
``retry KEY``, ``compensate KEY``, ``cancel KEY``, ``resolve KEY`` (the same as retry for a late-reply
incident), ``stats [--type T]`` (per step: count, mean and p95 seconds, failure rate), ``consume
[--amqp-url URL] [--queue Q]`` (RabbitMQ into the inbox, in the foreground).  KEY is a
business key, an instance uuid or an id.  A refused request exits with status 1 and a one-line reason.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys

from odoo import SUPERUSER_ID
from odoo.cli import setup_logging
from odoo.cli.command import CommandError, command, load_config, parser_for, require_database
from odoo.config import add_arguments
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.orm.environment import Environment

from ..amqp import DEFAULT_QUEUE, BrokerSettings, Consumer, settings_for
from ..models.saga_instance import STATUSES

LIST_COLUMNS = ("id", "saga_type", "business_key", "status", "current_step", "started_at", "last_error")


@command("saga", help="list, show, retry, compensate and cancel saga instances: saga list --status incident -d DB")
def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args)
    setup_logging("warning", config.get("logfile"))
    require_database(config)
    registry = Registry.open(config)
    if args.action == "consume":
        return consume(registry, config, args)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        try:
            return ACTIONS[args.action](env, args) or 0
        except UserError as exc:
            raise CommandError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("saga", "See saga instances, their timelines and statistics; retry, compensate, cancel.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in SUBCOMMANDS.items():
        sub = actions.add_parser(name, help=help_text, description=help_text)
        if name == "list":
            sub.add_argument("--status", choices=[key for key, _label in STATUSES])
            sub.add_argument("--type", dest="saga_type")
            sub.add_argument("--limit", type=int, default=50)
        elif name == "stats":
            sub.add_argument("--type", dest="saga_type")
        elif name == "consume":
            sub.add_argument("--amqp-url", help="the broker (default: [saga] amqp_url, ODOO_SAGA_AMQP_URL)")
            sub.add_argument("--queue", help=f"the queue (default: [saga] amqp_queue, else {DEFAULT_QUEUE})")
        else:
            sub.add_argument("key", help="business key, uuid or id of the instance")
        add_arguments(sub)
    return parser


def find(env, key: str):
    """The instance named by a business key, a uuid or an id (CommandError when none or several)."""
    instances = env["saga.instance"]
    domain = ["|", ("business_key", "=", key), ("uuid", "=", key)]
    if key.isdigit():
        domain = ["|", ("id", "=", int(key)), *domain]
    found = instances.search(domain)
    if not found:
        raise CommandError(f"no saga instance has the key, uuid or id {key!r}")
    if len(found) > 1:
        raise CommandError(f"{len(found)} instances match {key!r} (of types "
                           f"{', '.join(found.mapped('saga_type'))}): give the uuid")
    return found


def do_list(env, args) -> None:
    domain = [("status", "=", args.status)] if args.status else []
    if args.saga_type:
        domain.append(("saga_type", "=", args.saga_type))
    for row in env["saga.instance"].search_read(domain, list(LIST_COLUMNS), limit=args.limit):
        print("\t".join("" if row[c] is False else str(row[c]).replace("\n", " ")[:120] for c in LIST_COLUMNS))


def do_show(env, args) -> None:
    instance = find(env, args.key)
    fields = ("uuid", "saga_type", "business_key", "status", "current_step", "waiting_for", "failure_reason",
              "last_error", "started_at", "ended_at", "version", "data")
    print(json.dumps({name: instance[name] for name in fields}, default=str, indent=2))
    for row in instance.timeline():
        duration = "" if row["duration"] is None else f"{row['duration']:.3f}s"
        print(f"{row['phase']:<10} {row['step']:<24} try {row['attempt']:<3} {row['status']:<10} {duration:<10} "
              f"{row['error'] or ''}")


def _action(method: str):
    def act(env, args) -> None:
        instance = find(env, args.key)
        getattr(instance, method)()
        env.cr.commit()
        print(f"{instance.saga_type} {instance.business_key}: {instance.status}")
    return act


def consume(registry, config, args) -> int:
    """Deliver the broker's messages into this database's inbox until SIGTERM or SIGINT."""
    settings = settings_for(config, registry.db_name)
    url = args.amqp_url or (settings.url if settings else "")
    if not url:
        raise CommandError("no broker to consume from: give --amqp-url, or set [saga] amqp_url or ODOO_SAGA_AMQP_URL")
    queue = args.queue or (settings.queue if settings else DEFAULT_QUEUE.replace("{db}", registry.db_name))
    consumer = Consumer(registry, BrokerSettings(url, queue)).start()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: consumer.stopping.set())
    print(f"consuming {queue} into database {registry.db_name}", file=sys.stderr, flush=True)
    while not consumer.stopping.wait(1.0):
        pass
    consumer.stop(wait=True)
    return 0


def do_stats(env, args) -> None:
    print(json.dumps(env["saga.instance"].stats(args.saga_type), indent=2))


SUBCOMMANDS = {
    "list": "instances, newest first (tab-separated)",
    "show": "one instance and its timeline",
    "retry": "run the failed execution of an incident again",
    "resolve": "close a late-reply incident (after the refund was made)",
    "compensate": "undo what the instance did so far",
    "cancel": "stop the instance without compensation",
    "stats": "per-step count, mean and p95 duration, failure rate (JSON)",
    "consume": "deliver messages from RabbitMQ into the inbox until stopped (SIGTERM)",
}
ACTIONS = {
    "list": do_list, "show": do_show, "retry": _action("action_retry"), "resolve": _action("action_retry"),
    "compensate": _action("action_compensate"), "cancel": _action("action_cancel"), "stats": do_stats,
}
