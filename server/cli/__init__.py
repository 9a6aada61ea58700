"""``odoo-bin.py``: the command line.  ``main(argv)`` returns the process exit code."""
from __future__ import annotations

import importlib
import logging
import sys

from .. import config as config_module
from .. import db as db_module
from ..exceptions import UserError
from ..modules.registry import DatabaseNotInitialised
from .command import BUILTIN, CONTRIBUTED, CommandError, command, load_config, parser_for  # noqa: F401

USAGE = """usage: odoo-bin.py [COMMAND] [OPTIONS]

Commands:
{commands}

Without a command, runs 'server'. 'odoo-bin.py COMMAND --help' describes a command.
Addons installed in the database given with -d may add commands of their own."""


def _builtin_commands() -> None:
    for name in ("server", "shell", "scaffold", "config_cmd", "module_cmd", "cron_cmd"):
        importlib.import_module(f"{__name__}.{name}")


def _usage() -> str:
    lines = [f"  {name:<10} {cmd.help}" for name, cmd in sorted(BUILTIN.items())]
    return USAGE.format(commands="\n".join(lines))


def setup_logging(level: str = "info", logfile: str | None = None) -> None:
    numeric = getattr(logging, str(level).upper().replace("WARN", "WARNING").replace("WARNINGING", "WARNING"),
                      None)
    if not isinstance(numeric, int):
        raise CommandError(f"invalid --log-level {level!r}: use debug, info, warn, error or critical")
    handler = logging.FileHandler(logfile) if logfile else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)


def _find_contributed(name: str, argv: list[str]):
    """Load the ``cli`` packages of the addons installed in the ``-d`` database and find ``name``."""
    parser = parser_for(name)
    # Leave --help to the command's own parser: this one only looks for the database.
    namespace, _rest = parser.parse_known_args([arg for arg in argv if arg not in ("-h", "--help")])
    config = load_config(namespace)
    if not config.database_name():
        return None
    from ..modules.registry import Registry

    registry = Registry.open(config)
    for addon in registry.loaded_modules:
        package = f"odoo.addons.{addon}.cli"
        try:
            importlib.import_module(package)
        except ModuleNotFoundError as exc:
            if exc.name != package:
                raise
    found = CONTRIBUTED.get(name)
    return found if found and registry.is_installed(found.addon) else None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _builtin_commands()
    if argv and argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name = "server"
    if argv and not argv[0].startswith("-"):
        name, argv = argv[0], argv[1:]
    try:
        cmd = BUILTIN.get(name) or _find_contributed(name, argv)
        if cmd is None:
            raise CommandError(f"unknown command {name!r} (addon commands need -d DB with the addon installed); "
                               "run 'odoo-bin.py --help'")
        result = cmd.func(argv)
        return int(result or 0)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        return 130
    except (CommandError, UserError, config_module.ConfigError, db_module.DatabaseError,
            DatabaseNotInitialised) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # one line for the user; the traceback goes to the debug log
        logging.getLogger(__name__).debug("command %s failed", name, exc_info=True)
        print(f"error: {type(exc).__name__}: {exc} (run with --log-level debug for details)", file=sys.stderr)
        return 1
