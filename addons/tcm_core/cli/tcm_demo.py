"""``odoo-bin.py tcm-demo -d DB``: replay the seed's ``main.py`` scenario on a real database.

Three contracts, on backends smt, telmex and net, are created then cancelled,
printing the seed's lines and JSON representations.  The lines the plugins'
handlers log ("SMT handles ...") are echoed, indented, between them.  The run
is rolled back unless ``--commit`` is given, so it can be replayed at will.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterator

from odoo import SUPERUSER_ID
from odoo.api import Environment
from odoo.cli import setup_logging
from odoo.cli.command import command, load_config, parser_for, require_database
from odoo.modules.registry import Registry

from ..backends import handler_modules

SCENARIO = (("Contract_1", "smt"), ("Contract_2", "telmex"), ("Contract_3", "net"))
RULE = "#" * 57


@command("tcm-demo", help="replay the TCM seed scenario: contracts on smt, telmex and net, created then cancelled")
def run(argv: list[str]) -> int:
    parser = parser_for("tcm-demo", "Replay the seed's main.py: three contracts created then cancelled.")
    parser.add_argument("--commit", action="store_true",
                        help="keep the contracts, committing after each operation (default: roll back at the end)")
    args = parser.parse_args(argv)
    config = load_config(args)
    setup_logging("warning", config.get("logfile"))
    require_database(config)
    registry = Registry.open(config)
    with registry.cursor() as cr, echo_handler_logs(registry):
        env = Environment(cr, SUPERUSER_ID, {})
        replay(env, after_each=cr.commit if args.commit else lambda: None)
        if not args.commit:
            cr.rollback()
    return 0


def replay(env, after_each: Callable[[], None] = lambda: None) -> list[dict]:
    """Run the scenario in ``env``, printing as the seed does; return the representations shown."""
    shown = []
    for name, backend in SCENARIO:
        shown += replay_contract(env, name, backend, after_each)
    return shown


def replay_contract(env, name: str, backend: str, after_each: Callable[[], None]) -> list[dict]:
    print(RULE)
    print(f"contract {name} will be created")
    contract = env["tcm.contract"].create({"name": name, "product_id": product_for(env, backend).id})
    after_each()
    print(f"Contract {name} created\n")
    created = show(contract)
    print(f"Contract {name} is about to be cancelled")
    contract.action_cancel()
    after_each()
    print(f"Contract {name} cancelled\n")
    cancelled = show(contract)
    print(RULE + "\n")
    return [created, cancelled]


def show(contract) -> dict:
    """Print the representation as the seed did (Python 2's ``json.dumps(..., indent=2)``)."""
    representation = contract.get_representation()
    print(json.dumps(representation, indent=2, separators=(", ", ": ")))
    return representation


def product_for(env, backend: str):
    """A product paid through ``backend``: the demo data's, or a new one when demo data is not loaded."""
    product = env["tcm.product"].search([("payment_backend", "=", backend)], limit=1)
    return product or env["tcm.product"].create({"name": f"Titans {backend.upper()}", "payment_backend": backend})


@contextlib.contextmanager
def echo_handler_logs(registry) -> Iterator[None]:
    """Print what the lifecycle handlers log, tab-indented as the seed's handlers printed it."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("\t%(message)s"))
    loggers = [logging.getLogger(name) for name in sorted(handler_modules(registry))]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, (level, propagate) in zip(loggers, saved, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
