"""``odoo-bin.py [server]``: install/upgrade addons, then serve HTTP unless --stop-after-init."""
from __future__ import annotations

from ..modules.loading import load_modules
from . import setup_logging
from .command import CommandError, command, load_config, parser_for


@command("server", help="install/upgrade addons (-i/-u) and run the HTTP server (default command)")
def run(argv: list[str]) -> int:
    parser = parser_for("server", "Run the server. With -i/-u, install or upgrade addons first.")
    config = load_config(parser.parse_args(argv))
    setup_logging(config["log_level"], config.get("logfile"))
    if (config.get("init") or config.get("update")) and not config.database_name():
        parser.error("-i/--init and -u/--update need a database: pass -d NAME")
    if config.database_name():
        # Also carries out what button_install/upgrade/uninstall scheduled since the last start.
        load_modules(config, init=config["init"], update=config["update"])
    if config.get("stop_after_init"):
        return 0
    from ..service.server import PortInUse, serve

    try:
        return serve(config)
    except PortInUse as exc:
        raise CommandError(str(exc)) from None
