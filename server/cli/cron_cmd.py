"""``odoo-bin.py cron list|run NAME -d DB``: see the scheduled actions and run one now."""
from __future__ import annotations

from ..modules.registry import Registry
from ..orm.environment import SUPERUSER_ID, Environment
from ..service import cron as cron_service
from . import setup_logging
from .command import CommandError, command, load_config, parser_for, require_database


@command("cron", help="scheduled actions: cron list -d DB | cron run NAME -d DB (NAME: name, external id or id)")
def run(argv: list[str]) -> int:
    parser = parser_for("cron", "List the scheduled actions (ir.cron) of a database, or run one now.")
    parser.add_argument("action", choices=["list", "run"])
    parser.add_argument("name", nargs="?", help="for run: the cron's name, external id (module.name) or id")
    args = parser.parse_args(argv)
    config = load_config(args)
    setup_logging(config.get("log_level") or "info", config.get("logfile"))
    require_database(config)
    registry = Registry.open(config)
    if "ir.cron" not in registry.models:
        raise CommandError(f"database {registry.db_name!r} has no scheduled actions: upgrade base (-u base)")
    if args.action == "list":
        if args.name:
            raise CommandError("cron list takes no name")
        return _list(registry)
    if not args.name:
        raise CommandError("cron run needs the name, external id or id of a scheduled action")
    job_id = _find(registry, args.name)
    if not cron_service.run_now(registry, job_id):
        raise CommandError(f"scheduled action {args.name!r} failed (the log above has the traceback)")
    print(f"scheduled action {args.name!r} done")
    return 0


def _list(registry) -> int:
    with registry.cursor(readonly=True) as cr:
        crons = Environment(cr, SUPERUSER_ID, {})["ir.cron"].with_context(active_test=False).search([])
        external = crons.get_external_id()
        print(f"{'id':>4}  {'active':<6}  {'every':<12}  {'next call':<19}  {'last call':<19}  name (external id)")
        for cron in crons:
            every = f"{cron.interval_number} {cron.interval_type}"
            last = cron.read(["lastcall"])[0]["lastcall"] or "-"
            print(f"{cron.id:>4}  {'yes' if cron.active else 'no':<6}  {every:<12}  "
                  f"{cron.read(['nextcall'])[0]['nextcall']:<19}  {last:<19}  {cron.name}"
                  + (f" ({external[cron.id]})" if external.get(cron.id) else ""))
    return 0


def _find(registry, name: str) -> int:
    with registry.cursor(readonly=True) as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        crons = env["ir.cron"].with_context(active_test=False)
        if name.isdigit() and crons.browse(int(name)).exists():
            return int(name)
        if "." in name:
            record = env.ref(name, raise_if_not_found=False)
            if record is not None and record._name == "ir.cron":
                return record.id
        found = crons.search([("name", "=", name)])
        if len(found) == 1:
            return found.id
        if len(found) > 1:
            raise CommandError(f"{len(found)} scheduled actions are named {name!r}: use the id ({found.ids})")
    raise CommandError(f"no scheduled action {name!r} in database {registry.db_name!r}: "
                       f"see 'odoo-bin.py cron list -d {registry.db_name}'")
