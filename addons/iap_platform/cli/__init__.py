"""``odoo-bin.py iap ACTION ... -d DB``: administer the IAP platform from a shell.

Every action is a model method an administrator can also call over RPC; here it runs as the superuser
in one transaction, committed when the action succeeds.  Refusals exit non-zero with one line.
"""
from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

from odoo import SUPERUSER_ID
from odoo.cli.command import CommandError, command, load_config, parser_for, require_database
from odoo.modules.registry import Registry


def create_service(env, args: list[str], options: argparse.Namespace) -> int:
    created = env["iap.platform.service"].create_service(
        args[0], name=options.label, provider_name=options.provider, trial_credits=_credits(options.trial_credits),
        commission_bp=options.commission_bp, max_ttl_hours=options.max_ttl_hours)
    print(f"service {created['technical_name']} created (id {created['id']}); its key is shown only once:")
    print(created["key"])
    return 0


def rotate_key(env, args: list[str], options: argparse.Namespace) -> int:
    key = env["iap.platform.service"]._by_name(args[0]).rotate_key()
    print(f"new key of service {args[0]} (the previous key no longer works):")
    print(key)
    return 0


def topup(env, args: list[str], options: argparse.Namespace) -> int:
    available = env["iap.platform.account"].admin_topup(args[0], args[1], _credits(args[2]))
    print(f"{args[0]} {args[1]}: {available:g} credits available")
    return 0


def holds(env, args: list[str], options: argparse.Namespace) -> int:
    """The open holds, then the open quotas (both keep credits out of the customers' available balance)."""
    lines = env["iap.platform.transaction"].open_holds(args[0] if args else None)
    if not lines:
        print("no open holds")
    for hold in lines:
        print(f"{hold['token']}  {hold['service']}  {hold['account_token']}  {hold['authorized']:g} credits  "
              f"created {hold['created_at']}  expires {hold['expires_at']}  {hold['description'] or ''}".rstrip())
    quotas = env["iap.platform.quota"].open_quotas(args[0] if args else None)
    if not quotas:
        print("no open quotas")
    for quota in quotas:
        print(f"{quota['token']}  {quota['service']}  {quota['account_token']}  quota {quota['granted']:g} credits, "
              f"{quota['used']:g} used, {quota['remaining']:g} left  created {quota['created_at']}  "
              f"expires {quota['expires_at']}")
    return 0


def release_quota(env, args: list[str], options: argparse.Namespace) -> int:
    result = env["iap.platform.quota"].admin_release(args[0])
    if result["replayed"]:
        print(f"{args[0]} was already {result['state']}; nothing to release")
    else:
        print(f"released {result['released']:g} credits of {args[0]} ({result['used']:g} used and charged)")
    return 0


def cancel_hold(env, args: list[str], options: argparse.Namespace) -> int:
    result = env["iap.platform.transaction"].admin_cancel(args[0])
    if result["replayed"]:
        print(f"{args[0]} was already {result['state']}; nothing to release")
    else:
        print(f"released {result['released']:g} credits of {args[0]}")
    return 0


def statement(env, args: list[str], options: argparse.Namespace) -> int:
    data = env["iap.platform.account"].statement(args[0], args[1])
    print(f"account {data['token']} of service {data['service']} ({data['state']})")
    for line in data["lines"]:
        print(f"{line['date']}  {line['kind']:<13} available {line['available']:+g}  held {line['held']:+g}  "
              f"quota {line['quota']:+g}  {line['transaction']}".rstrip())
    print(f"available {data['available']:g}, held {data['held']:g}, quotas {data['quota']:g}, "
          f"balance {data['balance']:g}")
    return 0


def expire(env, args: list[str], options: argparse.Namespace) -> int:
    print(f"expired {env['iap.platform.transaction'].expire_overdue()} holds")
    return 0


def check(env, args: list[str], options: argparse.Namespace) -> int:
    problems = env["iap.platform.ledger.entry"].check_invariants()
    for problem in problems:
        print(problem)
    if problems:
        raise CommandError(f"the IAP books do not balance: {len(problems)} problem(s) listed above")
    print("the IAP books balance")
    return 0


# action: (function, positional arguments, usage)
ACTIONS = {
    "create-service": (create_service, (1, 1), "create-service NAME [--label L] [--provider P] [--trial-credits N]"),
    "rotate-key": (rotate_key, (1, 1), "rotate-key SERVICE"),
    "topup": (topup, (3, 3), "topup SERVICE TOKEN CREDITS"),
    "holds": (holds, (0, 1), "holds [SERVICE]"),
    "cancel-hold": (cancel_hold, (1, 1), "cancel-hold TRANSACTION_TOKEN"),
    "release-quota": (release_quota, (1, 1), "release-quota QUOTA_TOKEN"),
    "statement": (statement, (2, 2), "statement SERVICE TOKEN"),
    "expire": (expire, (0, 0), "expire"),
    "check": (check, (0, 0), "check"),
}


@command("iap", help="administer the IAP platform: " + ", ".join(ACTIONS))
def iap(argv: list[str]) -> int:
    options = _parser().parse_intermixed_args(argv)
    function, (least, most), usage = ACTIONS[options.action]
    if not least <= len(options.args) <= most:
        raise CommandError(f"usage: odoo-bin.py iap {usage} -d DB")
    config = load_config(options)
    require_database(config)
    registry = Registry.open(config)
    with registry.cursor() as cr:
        return function(registry.env(cr, SUPERUSER_ID), options.args, options)


def _parser() -> argparse.ArgumentParser:
    parser = parser_for("iap", "Administer the IAP platform: " + "; ".join(usage for *_f, usage in ACTIONS.values()))
    parser.add_argument("action", choices=list(ACTIONS))
    parser.add_argument("args", nargs="*")
    parser.add_argument("--label", help="create-service: the service's display name")
    parser.add_argument("--provider", help="create-service: the provider's name (a partner, created if new)")
    parser.add_argument("--trial-credits", default="0", help="create-service: credits given once per database")
    parser.add_argument("--commission-bp", type=int, default=2500, help="create-service: commission, basis points")
    parser.add_argument("--max-ttl-hours", type=int, default=4320, help="create-service: longest hold")
    return parser


def _credits(text: str) -> Decimal:
    """Credits typed on the command line, kept exact (no float on the way)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"invalid number of credits {text!r}") from None
    if not value.is_finite():
        raise CommandError(f"invalid number of credits {text!r}")
    return value
