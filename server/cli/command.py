"""The command table: built-in commands and the ones addons contribute.

An addon contributes commands from its ``cli`` package with ``@command``;
they are looked up only when the addon is installed in the database named by
``-d``, so a command of an addon that is not installed there does not exist.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from .. import config as config_module
from ..orm.models import addon_of


class CommandError(Exception):
    """The command cannot run as asked; the message is printed as one line."""


@dataclass
class Command:
    name: str
    func: Callable
    help: str
    addon: str | None = None


BUILTIN: dict[str, Command] = {}
CONTRIBUTED: dict[str, Command] = {}


def command(name: str, help: str = "") -> Callable:
    """Register ``func(argv: list[str]) -> int | None`` as ``odoo-bin.py NAME``."""
    def decorator(func: Callable) -> Callable:
        addon = addon_of(func.__module__)
        table = CONTRIBUTED if addon else BUILTIN
        table[name] = Command(name, func, help or _first_line(func.__doc__), addon)
        return func
    return decorator


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""


def parser_for(name: str, description: str = "") -> argparse.ArgumentParser:
    """An argument parser with every server option, for a command named ``name``."""
    parser = argparse.ArgumentParser(prog=f"odoo-bin.py {name}", description=description)
    config_module.add_arguments(parser)
    return parser


def load_config(namespace: argparse.Namespace) -> config_module.Config:
    """The effective configuration from parsed arguments (server options only)."""
    cli = {k: v for k, v in vars(namespace).items() if k in config_module.BY_DEST}
    config = config_module.Config.load(cli)
    if config.get("save"):
        path = config.save()
        print(f"configuration saved to {path}")
    return config


def require_database(config) -> str:
    name = config.database_name()
    if not name:
        raise CommandError("this command needs a database: pass -d NAME (or --db-uri)")
    return name
