"""``odoo-bin.py module list|install|upgrade|uninstall``: manage the addons of a database."""
from __future__ import annotations

from ..modules.loading import load_modules, uninstall_modules
from ..modules.manifest import discover
from ..modules.registry import DatabaseNotInitialised, Registry
from . import setup_logging
from .command import CommandError, command, load_config, parser_for, require_database


@command("module", help="list, install, upgrade or uninstall addons: module list -d DB")
def run(argv: list[str]) -> int:
    parser = parser_for("module", "Manage the addons of a database.")
    parser.add_argument("action", choices=["list", "install", "upgrade", "uninstall"])
    parser.add_argument("names", nargs="*", help="addon names (comma or space separated)")
    args = parser.parse_args(argv)
    config = load_config(args)
    setup_logging(config["log_level"] if config["log_level"] != "info" else "warning", config.get("logfile"))
    require_database(config)
    names = [n for chunk in args.names for n in chunk.split(",") if n]
    if args.action != "list" and not names:
        raise CommandError(f"module {args.action} needs addon names")
    if args.action == "list":
        return _list(config)
    before = _states(config)
    if args.action == "install":
        registry = load_modules(config, init=names)
    elif args.action == "upgrade":
        registry = load_modules(config, update=names)
    else:
        registry = uninstall_modules(Registry.open(config), names)
    print(_report(args.action, names, before, _states(config, registry)))
    return 0


def _states(config, registry=None) -> dict[str, tuple[str, str]]:
    """``{addon: (state, version)}`` of the database (empty before it is initialised)."""
    try:
        registry = registry or Registry.open(config)
    except DatabaseNotInitialised:
        return {}
    rows = registry.database.execute_sql("SELECT name, state, latest_version FROM ir_module_module").fetchall()
    return {name: (state, version or "") for name, state, version in rows}


def _report(action: str, names: list[str], before: dict, after: dict) -> str:
    """What the command did, in one line per kind of change (the user sees that it worked)."""
    def installed(states):
        return {name for name, (state, _v) in states.items() if state == "installed"}

    added = sorted(installed(after) - installed(before))
    removed = sorted(installed(before) - installed(after))
    lines = []
    if added:
        lines.append(f"installed: {', '.join(added)}")
    if action == "upgrade":
        lines.append("upgraded: " + ", ".join(f"{name} {after.get(name, ('', ''))[1]}".strip() for name in names))
    if removed:
        lines.append(f"uninstalled: {', '.join(removed)}")
    if not lines:
        lines.append(f"nothing to do: {', '.join(names)} already {'installed' if action == 'install' else 'absent'}")
    return "\n".join(lines)


def _list(config) -> int:
    registry = Registry.open(config)
    rows = registry.database.execute_sql(
        "SELECT name, state, latest_version FROM ir_module_module ORDER BY name").fetchall()
    known = {row[0] for row in rows}
    manifests = discover(config.addons_paths)
    for name, state, version in rows:
        print(f"{name:<28} {state:<14} {version or manifests.get(name, {}).get('version', '')}")
    for name in sorted(set(manifests) - known):
        print(f"{name:<28} {'uninstalled':<14} {manifests[name].get('version', '')}")
    return 0
