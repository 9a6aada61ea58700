"""``odoo-bin.py iap-outbox ACTION -d DB``: see and unstick a provider's queued IAP operations.

``run`` sends the due operations, each in three short steps (lease it, call the platform with no
transaction open, record the outcome) so no transaction stays open across an outgoing call.
"""
from __future__ import annotations

import argparse

from odoo import SUPERUSER_ID
from odoo.cli.command import CommandError, command, load_config, parser_for, require_database
from odoo.modules.registry import Registry


def list_ops(registry, options: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        domain = [] if options.all else [("state", "in", ["pending", "failed"])]
        ops = registry.env(cr, SUPERUSER_ID)["iap.pending.op"].search(domain)
        if not ops:
            print("no queued IAP operations")
        for op in ops:
            print(f"{op.id}  {op.operation:<7} {op.transaction_token}  {op.state:<9} attempts {op.attempts}  "
                  f"next {op.next_attempt_at or '-'}  {op.last_error or ''}".rstrip())
    return 0


def run(registry, options: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        counts = registry.env(cr, SUPERUSER_ID)["iap.pending.op"]._send_due(options.limit)
    print(f"{sum(counts.values())} operations tried: {counts['done']} done, {counts['pending']} to retry, "
          f"{counts['failed']} failed")
    return 0


def retry(registry, options: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        _op(registry.env(cr, SUPERUSER_ID), options).action_retry()
    print(f"operation {options.id} is due now")
    return 0


def give_up(registry, options: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        _op(registry.env(cr, SUPERUSER_ID), options).action_give_up()
    print(f"operation {options.id} given up")
    return 0


ACTIONS = {"list": list_ops, "run": run, "retry": retry, "give-up": give_up}


@command("iap-outbox", help="list, run, retry or give up the IAP operations queued for retry")
def iap_outbox(argv: list[str]) -> int:
    parser = parser_for("iap-outbox", "Queued IAP captures and cancels: list [--all] | run [--limit N] | "
                                      "retry ID | give-up ID")
    parser.add_argument("action", choices=list(ACTIONS))
    parser.add_argument("id", nargs="?", type=int)
    parser.add_argument("--all", action="store_true", help="list: include settled operations")
    parser.add_argument("--limit", type=int, default=100, help="run: operations tried at most")
    options = parser.parse_intermixed_args(argv)
    if options.action in ("retry", "give-up") and options.id is None:
        raise CommandError(f"usage: odoo-bin.py iap-outbox {options.action} ID -d DB")
    config = load_config(options)
    require_database(config)
    return ACTIONS[options.action](Registry.open(config), options)


def _op(env, options: argparse.Namespace):
    op = env["iap.pending.op"].browse(options.id).exists()
    if not op:
        raise CommandError(f"no queued IAP operation {options.id}: 'odoo-bin.py iap-outbox list' shows them")
    return op
