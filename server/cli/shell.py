"""``odoo-bin.py shell -d DB``: a Python prompt with ``env`` as superuser.

Like Odoo, the transaction is rolled back on exit: call ``env.cr.commit()``
to keep changes.  When standard input is not a terminal, it is executed as a
script instead.
"""
from __future__ import annotations

import code
import sys

from .. import SUPERUSER_ID
from ..modules.registry import Registry
from ..orm.environment import Environment
from . import setup_logging
from .command import command, load_config, parser_for, require_database


@command("shell", help="open a Python shell with `env` on a database (-d)")
def run(argv: list[str]) -> int:
    parser = parser_for("shell", "Interactive shell on a database; changes are rolled back unless committed.")
    config = load_config(parser.parse_args(argv))
    setup_logging(config["log_level"] if config["log_level"] != "info" else "warning", config.get("logfile"))
    require_database(config)
    registry = Registry.open(config)
    cr = registry.cursor()
    try:
        env = Environment(cr, SUPERUSER_ID, {})
        env = env(context=env["res.users"].context_get())
        scope = {"env": env, "self": env.user, "registry": registry, "odoo": sys.modules["odoo"]}
        if sys.stdin.isatty():
            code.interact(banner=f"env: {env!r} (changes are rolled back unless you call env.cr.commit())",
                          local=scope)
        else:
            exec(compile(sys.stdin.read(), "<stdin>", "exec"), scope)
    finally:
        cr.close(commit=False)
    return 0
