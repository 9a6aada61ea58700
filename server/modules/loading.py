"""Install, upgrade and uninstall addons in named phases, each plan in one transaction.

Phases of an install or upgrade, per addon in dependency order:
import -> compose models -> pre_init_hook -> create/migrate tables -> models' ``init()`` ->
reflect models in ir.model -> load data (and demo) -> post_init_hook ->
mark installed.  Everything that can be refused (unknown addon, missing
dependency, cycle, bad manifest, missing external dependency) is refused
before the first write; anything that fails later rolls the whole plan back.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .. import db as db_module
from .. import signals
from ..exceptions import ModuleError
from ..orm import delegation, recompute, schema
from ..orm.environment import SUPERUSER_ID, Environment
from ..orm.fields_extra import apply_selection_ondelete
from ..orm.models import MetaModel
from . import graph
from .data_loader import DataLoader
from .manifest import discover
from .reflection import declared_model, reflect_module
from .registry import DatabaseNotInitialised, Registry, import_addon

_logger = logging.getLogger(__name__)


@dataclass
class Plan:
    """What one run will do, computed and validated before anything is written."""

    order: list[str]
    install: set[str] = field(default_factory=set)
    upgrade: set[str] = field(default_factory=set)
    demo: bool = True
    fresh: bool = False


def _split(names) -> list[str]:
    if not names:
        return []
    if isinstance(names, str):
        names = names.split(",")
    return [n.strip() for n in names if n and n.strip()]


def installed_state(database) -> tuple[set[str], bool]:
    """The installed addons and whether demo data is on, from the database (empty when fresh)."""
    if not database.table_exists("ir_module_module"):
        return set(), True
    rows = database.execute_sql(
        "SELECT name, state, demo FROM ir_module_module WHERE state IN ('installed', 'to upgrade', 'to remove')"
    ).fetchall()
    demo = next((bool(r[2]) for r in rows if r[0] == "base"), True)
    return {r[0] for r in rows}, demo


def scheduled_operations(database) -> dict[str, list[str]]:
    """Addons marked by ``button_install``/``button_upgrade``/``button_uninstall``, to carry out now."""
    rows = database.execute_sql(
        "SELECT name, state FROM ir_module_module WHERE state IN ('to install', 'to upgrade', 'to remove')"
    ).fetchall()
    found: dict[str, list[str]] = {"to install": [], "to upgrade": [], "to remove": []}
    for name, state in rows:
        found[state].append(name)
    return found


def make_plan(manifests: dict, installed: set[str], init: list[str], update: list[str],
              demo_wanted: bool, database_demo: bool) -> Plan:
    """Validate the request and order the addons; raise ModuleError before any write."""
    fresh = "base" not in installed
    requested = list(init)
    if "all" in requested:
        requested = [n for n, m in manifests.items() if m["installable"] and not m.get("error")]
    if fresh and "base" not in requested:
        requested.insert(0, "base")
    wanted = graph.closure(manifests, requested) - installed
    wanted = graph.with_auto_install(manifests, wanted, installed) - installed
    for name in sorted(wanted):
        graph.check_external_dependencies(manifests[name])
    upgrade: set[str] = set()
    if update:
        asked = sorted(installed) if "all" in update else update
        unknown = [n for n in asked if n not in installed]
        if unknown:
            raise ModuleError(f"Cannot upgrade {', '.join(unknown)}: not installed", chain=tuple(unknown))
        for name in asked:
            graph.check_available(manifests, name, ())
        upgrade = graph.dependents(manifests, set(asked), installed)
    order = graph.dependency_order(manifests, sorted(installed | wanted), strict=False)
    return Plan(order=order, install=wanted, upgrade=upgrade,
                demo=demo_wanted and (database_demo or fresh), fresh=fresh)


def load_modules(config, db_name: str | None = None, init=None, update=None) -> Registry:
    """Create the database if needed, apply ``-i``/``-u`` and return the ready registry."""
    from ..addons import set_addons_path

    uri = config.database_uri(db_name)
    name = config.database_name(db_name)
    if not uri.startswith("sqlite:"):
        db_module.check_db_name(name)
    init, update = _split(init), _split(update)
    set_addons_path(config.addons_paths)
    exists = db_module.database_exists(uri)
    database = db_module.open_database(uri) if exists else None
    installed, database_demo = installed_state(database) if exists else (set(), True)
    if not installed and not init:
        raise DatabaseNotInitialised(
            f"database {name!r} is not initialised: run '{config.command_for(name, '-i base --stop-after-init')}'")
    manifests = discover(config.addons_paths)
    if exists and installed:
        scheduled = scheduled_operations(database)
        init, update = init + scheduled["to install"], update + scheduled["to upgrade"]
        if scheduled["to remove"]:
            uninstall_modules(Registry.open(config, db_name), scheduled["to remove"])
            installed, database_demo = installed_state(database)
    plan = make_plan(manifests, installed, init, update, config.demo_wanted(), database_demo)
    if not exists:
        db_module.create_database(uri)
        database = db_module.open_database(uri)
    work = Registry(config, name, uri, database)
    work.manifests = manifests
    if plan.install or plan.upgrade:
        with work.cursor() as cr:
            apply_plan(work, plan, cr)
        _announce(work, plan)
    return Registry.reload(work)


def install_from_env(env, init=(), update=()) -> Plan:
    """Install/upgrade addons inside ``env``'s transaction; the registry reloads after commit."""
    live = env.registry
    work = Registry(live.config, live.db_name, live.uri, live.database)
    work.manifests = discover(live.config.addons_paths)
    installed, database_demo = set(live.loaded_modules), _has_demo(env, "base")
    plan = make_plan(work.manifests, installed, _split(init), _split(update), True, database_demo)
    if plan.install or plan.upgrade:
        apply_plan(work, plan, env.cr)
        env.cr.postcommit.append(lambda: (Registry.reload(live), _announce(work, plan)))
    return plan


def refresh_module_list(env) -> None:
    _update_module_list(env, discover(env.registry.config.addons_paths))


def apply_plan(registry: Registry, plan: Plan, cr) -> None:
    """Run the install/upgrade phases of ``plan`` on ``cr``, building ``registry`` (a fresh one) as it goes."""
    manifests = registry.manifests
    done: list[str] = []
    cr.cache.clear()
    schema.defer_foreign_keys(registry.database)
    if not plan.fresh:
        registry.setup_models([m for m in plan.order if m not in plan.install])
        _update_module_list(Environment(cr, SUPERUSER_ID, {}, registry=registry), manifests)
    for module in plan.order:
        done.append(module)
        if module not in plan.install and module not in plan.upgrade:
            continue
        registry.setup_models(done)
        env = Environment(cr, SUPERUSER_ID, {}, registry=registry)
        _load_module(env, registry, manifests[module], install=module in plan.install, demo=plan.demo)
        _mark_installed(env, manifests[module], demo=plan.demo)
    registry.setup_models(done)
    Registry.signal_changes(cr)
    cr.cache.clear()


def _announce(registry: Registry, plan: Plan) -> None:
    signals.modules_installed.send(registry, modules=sorted(plan.install), upgraded=sorted(plan.upgrade))
    _logger.info("database %s: installed %s, upgraded %s", registry.db_name,
                 sorted(plan.install) or "nothing", sorted(plan.upgrade) or "nothing")


def _load_module(env, registry: Registry, manifest: dict, install: bool, demo: bool) -> None:
    name = manifest["technical_name"]
    package = import_addon(name)
    if install and manifest["pre_init_hook"]:
        _hook(package, manifest, "pre_init_hook")(env)
    schema.check_foreign_keys_now(registry.database)
    added = sync_schema(registry)
    schema.defer_foreign_keys(registry.database)
    _migrate_data(env, registry, added)
    _init_models(env, registry, name)
    if name == "base":
        _update_module_list(env, registry.manifests)
    reflect_module(env, name)
    registry.clear_local_caches()
    loader = DataLoader(env, name, manifest["path"], mode="install" if install else "update")
    for relative in manifest["data"]:
        loader.load_file(relative)
    if demo and (install or _has_demo(env, name)):
        demo_loader = DataLoader(env, name, manifest["path"], mode=loader.mode, noupdate=True)
        for relative in manifest["demo"]:
            demo_loader.load_file(relative)
        loader.loaded_xmlids |= demo_loader.loaded_xmlids
    if not install:
        _remove_obsolete_records(env, name, loader.loaded_xmlids)
    registry.clear_local_caches()
    if install and manifest["post_init_hook"]:
        _hook(package, manifest, "post_init_hook")(env)
    env.cr.cache.clear()


def _has_demo(env, module: str) -> bool:
    row = env.cr.execute("SELECT demo FROM ir_module_module WHERE name = %s", (module,)).fetchone()
    return bool(row and row[0])


def _hook(package, manifest: dict, key: str):
    function = getattr(package, manifest[key], None)
    if not callable(function):
        raise ModuleError(f"Addon {manifest['technical_name']!r}: {key} {manifest[key]!r} is not a function "
                          "of its __init__.py", chain=(manifest["technical_name"],))
    return function


def sync_schema(registry: Registry) -> dict[str, list[str]]:
    """Create or migrate every table; return ``{model: [columns added]}``."""
    database = registry.database
    stored = [cls for cls in registry.models.values() if cls._table_model is not None]
    added = {}
    for cls in stored:
        added[cls._name] = schema.sync_model(database, cls)
    for cls in stored:
        for fld in cls._fields.values():
            if fld.type == "many2many" and fld.store:
                schema.sync_relation(database, fld)
        schema.sync_foreign_keys(database, cls)
    return {name: columns for name, columns in added.items() if columns}


def _migrate_data(env, registry: Registry, added: dict[str, list[str]]) -> None:
    """Bring existing rows up to the new models: parents for ``_inherits`` models whose delegated
    fields were columns of their own, and values for stored computed columns just added."""
    if "ir.module.module" not in added:  # base is installed: existing data may need it
        for cls in registry.models.values():
            if cls._inherits and cls._table_model is not None:
                delegation.migrate_legacy_columns(env, cls)
    recompute.compute_added_columns(env, added)


def _init_models(env, registry: Registry, module: str) -> None:
    """Call ``init()`` of the models ``module`` declares or extends, as Odoo does once their tables
    exist: where an addon creates its SQL views or indexes, or brings old rows up to date."""
    names = dict.fromkeys(declared_model(definition) for definition in MetaModel.definitions.get(module, ()))
    for model in names:
        if model in registry.models and callable(getattr(env[model], "init", None)):
            env[model].init()


def _update_module_list(env, manifests: dict) -> None:
    """Create or refresh one ``ir.module.module`` row per addon found on disk."""
    modules = env["ir.module.module"].with_context(active_test=False)
    existing = {m.name: m for m in modules.search([])}
    for name, manifest in sorted(manifests.items()):
        values = {
            "shortdesc": manifest.get("name") or name,
            "summary": manifest.get("summary") or False,
            "author": manifest.get("author") or False,
            "license": manifest.get("license") or False,
            "application": bool(manifest.get("application")),
            "installed_version": manifest.get("version"),
            "dependencies": ",".join(manifest.get("depends", [])),
        }
        record = existing.get(name)
        if record is None:
            state = "uninstalled" if manifest["installable"] and not manifest.get("error") else "uninstallable"
            modules.create({"name": name, "state": state, **values})
        else:
            if record.state in ("uninstalled", "uninstallable"):
                values["state"] = "uninstalled" if manifest["installable"] and not manifest.get("error") \
                    else "uninstallable"
            record.write(values)


def _mark_installed(env, manifest: dict, demo: bool) -> None:
    module = env["ir.module.module"].search([("name", "=", manifest["technical_name"])])
    values = {"state": "installed", "latest_version": manifest["version"]}
    if module.state != "installed":
        values["demo"] = demo and bool(manifest["demo"])
    module.write(values)


def _remove_obsolete_records(env, module: str, loaded: set[str]) -> None:
    """On upgrade, delete records this addon's data files no longer define."""
    data = env["ir.model.data"].search([
        ("module", "=", module), ("model", "not in", ["ir.model", "ir.model.fields"]), ("noupdate", "=", False),
    ])
    for row in reversed(data):
        if f"{row.module}.{row.name}" in loaded:
            continue
        record = env[row.model].browse(row.res_id).exists() if row.model in env else None
        _logger.info("upgrade of %s: removing obsolete record %s.%s", module, row.module, row.name)
        if record:
            record.unlink()
        row.exists().unlink()


# -- uninstall ------------------------------------------------------------------------------------
def uninstall_modules(registry: Registry, names) -> Registry:
    """Remove addons and their dependents in one transaction; return the rebuilt registry."""
    with registry.cursor() as cr:
        removed = _uninstall(registry, names, cr)
    _announce_removal(registry, removed)
    return Registry.reload(registry)


def uninstall_from_env(env, names) -> set[str]:
    """Uninstall inside ``env``'s transaction; the registry reloads after commit."""
    live = env.registry
    removed = _uninstall(live, names, env.cr)
    env.cr.postcommit.append(lambda: (Registry.reload(live), _announce_removal(live, removed)))
    return removed


def _announce_removal(registry: Registry, removed: set[str]) -> None:
    signals.modules_uninstalled.send(registry, modules=sorted(removed))
    _logger.info("database %s: uninstalled %s", registry.db_name, sorted(removed))


def _uninstall(registry: Registry, names, cr) -> set[str]:
    """Run uninstall hooks, delete the addons' records, drop their columns and tables, mark them."""
    names = _split(names)
    installed = set(registry.loaded_modules)
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise ModuleError(f"Cannot uninstall {', '.join(unknown)}: not installed", chain=tuple(unknown))
    if "base" in names:
        raise ModuleError("The base addon cannot be uninstalled", chain=("base",))
    removed = graph.dependents(registry.manifests, set(names), installed)
    remaining = [m for m in registry.loaded_modules if m not in removed]
    old_models = dict(registry.models)
    env = Environment(cr, SUPERUSER_ID, {"uninstall": True}, registry=registry)
    for module in reversed([m for m in registry.loaded_modules if m in removed]):
        manifest = registry.manifests.get(module, {})
        if manifest.get("uninstall_hook"):
            _hook(import_addon(module), manifest, "uninstall_hook")(env)
    survivor = Registry(registry.config, registry.db_name, registry.uri, registry.database)
    survivor.manifests = registry.manifests
    survivor.setup_models(remaining)
    apply_selection_ondelete(env, old_models, survivor.models)  # before the values' addons' records go
    _delete_module_records(env, removed, old_models, remaining_models=set(survivor.models))
    _drop_schema(registry, old_models, survivor)
    cr.cache.clear()
    _forget_metadata(cr, removed, survivor)
    marks = ", ".join(["%s"] * len(removed))
    cr.execute(f"UPDATE ir_module_module SET state = 'uninstalled', latest_version = NULL, demo = %s "
               f"WHERE name IN ({marks})", (False, *sorted(removed)))
    Registry.signal_changes(cr)
    return removed


def _delete_module_records(env, removed: set[str], old_models: dict, remaining_models: set[str]) -> None:
    """Delete the records the removed addons' data files created, newest first."""
    data = env["ir.model.data"].search([
        ("module", "in", sorted(removed)), ("model", "not in", ["ir.model", "ir.model.fields"]),
    ], order="id desc")
    for row in data:
        if row.model in old_models and row.model in remaining_models:
            env[row.model].browse(row.res_id).exists().unlink()
    data.exists().unlink()


def _drop_schema(old: Registry, old_models: dict, new: Registry) -> None:
    database = old.database
    old_relations = {f.relation for cls in old_models.values() for f in cls._fields.values()
                     if f.type == "many2many"}
    new_relations = {f.relation for cls in new.models.values() for f in cls._fields.values()
                     if f.type == "many2many"}
    for relation in sorted(old_relations - new_relations):
        schema.drop_table(database, relation)
    for name, cls in old_models.items():
        if cls._table_model is None:
            continue
        new_cls = new.models.get(name)
        if new_cls is None or new_cls._table_model is None:
            continue
        for fname, fld in cls._fields.items():
            if fld.column and fname not in new_cls._fields:
                schema.drop_column(database, cls._table, fname)
    dropped = [cls._table for name, cls in old_models.items()
               if cls._table_model is not None and name not in new.models]
    for table in _referencing_first(database, dropped):
        schema.drop_table(database, table)


def _referencing_first(database, tables: list[str]) -> list[str]:
    """Order ``tables`` so that each is dropped before the tables it refers to.

    SQLite checks foreign keys while dropping a table that has rows, and fails on a reference to a
    table dropped before it ("no such table").
    """
    remaining, ordered = list(tables), []
    while remaining:
        referenced = {fk.dest_table for table in remaining for fk in database.get_foreign_keys(table)
                      if fk.dest_table != table}
        ready = [table for table in remaining if table not in referenced] or remaining[:1]  # a cycle
        ordered += ready
        remaining = [table for table in remaining if table not in ready]
    return ordered


def _forget_metadata(cr, removed: set[str], survivor: Registry) -> None:
    """Remove ir.model / ir.model.fields rows (and external ids) no longer backed by any addon."""
    rows = cr.execute("SELECT f.id, m.model, f.name FROM ir_model_fields f JOIN ir_model m ON m.id = f.model_id"
                      ).fetchall()
    stale_fields = [fid for fid, model, fname in rows
                    if model not in survivor.models or fname not in survivor.models[model]._fields]
    model_rows = cr.execute("SELECT id, model FROM ir_model").fetchall()
    stale_models = [mid for mid, model in model_rows if model not in survivor.models]
    for table, ids, model in (("ir_model_fields", stale_fields, "ir.model.fields"),
                              ("ir_model", stale_models, "ir.model")):
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cr.execute(f"DELETE FROM ir_model_data WHERE model = %s AND res_id IN ({marks})", (model, *chunk))
            if table == "ir_model":
                cr.execute(f"DELETE FROM ir_model_access WHERE model_id IN ({marks})", tuple(chunk))
                cr.execute(f"DELETE FROM ir_model_fields WHERE model_id IN ({marks})", tuple(chunk))
            cr.execute(f"DELETE FROM {table} WHERE id IN ({marks})", tuple(chunk))
    marks = ", ".join(["%s"] * len(removed))
    cr.execute(f"DELETE FROM ir_model_data WHERE module IN ({marks})", tuple(sorted(removed)))


def _chunks(ids: list, size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
