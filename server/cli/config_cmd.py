"""``odoo-bin.py config get|set KEY [VALUE] -d DB``: read and write system parameters."""
from __future__ import annotations

import argparse

from .. import SUPERUSER_ID
from ..modules.registry import Registry
from ..orm.environment import Environment
from . import setup_logging
from .command import CommandError, command, load_config, parser_for, require_database


@command("config", help="get or set a system parameter: config get KEY -d DB | config set KEY VALUE -d DB")
def run(argv: list[str]) -> int:
    parser = parser_for("config", "Read or write ir.config_parameter values as an administrator.")
    parser.add_argument("action", choices=["get", "set", "unset"])
    parser.add_argument("key")
    parser.add_argument("value", nargs="?")
    args = parser.parse_args(argv)
    config = load_config(args)
    setup_logging("warning", config.get("logfile"))
    require_database(config)
    return _apply(Registry.open(config), args)


def _apply(registry, args: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        params = Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        if args.action == "get":
            if args.value is not None:
                raise CommandError("config get takes a key only")
            value = params.get_param(args.key)
            if value is False:
                raise CommandError(f"no system parameter {args.key!r} in database {registry.db_name!r}")
            print(value)
        elif args.action == "set":
            if args.value is None:
                raise CommandError("config set needs a key and a value")
            params.set_param(args.key, args.value)
        else:
            params.set_param(args.key, False)
    return 0
