"""One registry per database: its composed models, its connection and its caches.

``Registry.open(config, name)`` returns the process's registry for a
database, building it from the addons installed there.  Installing or
removing addons builds a new one (``Registry.reload``).  Asking for a
database that is not initialised raises ``DatabaseNotInitialised`` with the
command that fixes it.
"""
from __future__ import annotations

import difflib
import importlib
import logging
import threading
import uuid
import weakref

from .. import db as db_module
from .. import signals
from ..exceptions import ModuleError
from ..orm.access import AccessRights
from ..orm.compose import (
    build_relation_model,
    compose_models,
    finish_dependencies,
    finish_setup,
    record_children,
    setup_model,
)
from ..orm.environment import SUPERUSER_ID, Environment
from ..orm.models import MetaModel

_logger = logging.getLogger(__name__)
INSTALLED_STATES = ("installed", "to upgrade", "to remove")


class DatabaseNotInitialised(Exception):
    """The database has no installed base addon yet."""


def import_addon(name: str):
    """Import the addon's package as ``odoo.addons.<name>`` (idempotent)."""
    return importlib.import_module(f"odoo.addons.{name}")


class Registry:
    _registries: dict[tuple[str, str], Registry] = {}
    _lock = threading.RLock()

    def __init__(self, config, db_name: str, uri: str, database=None, readonly_database=None):
        self.config = config
        self.db_name = db_name
        self.uri = uri
        self.database = database or db_module.open_database(uri)
        self._readonly_database = readonly_database
        self.models: dict[str, type] = {}
        self.field_modules: dict[tuple[str, str], list[str]] = {}
        self.loaded_modules: list[str] = []
        self.relation_tables: dict[str, type] = {}
        self.computed_keys: frozenset = frozenset()  # cache keys of the non-stored computed fields
        self.field_triggers: dict = {}  # what a change makes stale (server.orm.recompute)
        self.inverse_caches: dict = {}  # the x2many caches a many2one/many2many change makes stale
        self.access = AccessRights(self)
        self.manifests: dict = {}
        self.ready = False
        self.signal_sequence = None
        self.composed_from: dict[str, tuple] = {}  # the definitions the models were composed from
        self.hooks_pending = False
        self.registry_invalidated = False  # Odoo's flag; signal_changes() tells the other processes
        self.cache_sequence = None
        self._caches: dict[str, dict] = {}
        self._thread_cursors = threading.local()  # for clear_cache() without a cursor
        self.compiled_sql: dict = {}  # SQL texts and converters the ORM built for these models
        from ..addons import set_addons_path
        from ..tools.config import config as tools_config

        set_addons_path(config.addons_paths)
        tools_config.use(config)

    def __repr__(self) -> str:
        return f"<Registry {self.db_name!r} modules={len(self.loaded_modules)}>"

    # -- process-wide registry cache ---------------------------------------------------------
    @classmethod
    def open(cls, config, db_name: str | None = None) -> Registry:
        """The ready registry of database ``db_name``, built on first use."""
        uri = config.database_uri(db_name)
        key = (uri, config.database_name(db_name))
        with cls._lock:
            registry = cls._registries.get(key)
            if registry is None or not registry.ready:
                registry = cls(config, key[1], uri, *registry.databases() if registry else ())
                registry.load_installed()
                cls._registries[key] = registry
            return registry

    @classmethod
    def reload(cls, registry: Registry) -> Registry:
        """Rebuild the registry of the same database after addons changed."""
        with cls._lock:
            fresh = cls(registry.config, registry.db_name, registry.uri, *registry.databases())
            fresh.load_installed()
            cls._registries[(registry.uri, registry.db_name)] = fresh
            return fresh

    @classmethod
    def forget(cls, registry: Registry) -> None:
        with cls._lock:
            cls._registries.pop((registry.uri, registry.db_name), None)
        registry.dispose()

    @classmethod
    def forget_uri(cls, uri: str) -> None:
        """Drop the cached registries of the database at ``uri`` and close their connections."""
        with cls._lock:
            for key in [k for k in cls._registries if k[0] == uri]:
                cls._registries.pop(key).dispose()

    @classmethod
    def forget_all(cls) -> None:
        with cls._lock:
            for registry in list(cls._registries.values()):
                registry.dispose()
            cls._registries.clear()

    def databases(self) -> tuple:
        """``(database, read-only database or None)``: the connection pools a rebuilt registry keeps."""
        return self.database, self._readonly_database

    def dispose(self) -> None:
        """Close every connection of this registry's pools, once the threads using them have stopped."""
        signals.registry_closing.send(self)
        for database in self.databases():
            if database is not None:
                db_module.dispose(database)

    # -- building --------------------------------------------------------------------------------
    def installed_module_names(self) -> list[str]:
        if not self.database.table_exists("ir_module_module"):
            raise DatabaseNotInitialised(
                f"database {self.db_name!r} is not initialised: run "
                f"'{self.config.command_for(self.db_name, '-i base --stop-after-init')}'")
        placeholders = ", ".join([self.database.param] * len(INSTALLED_STATES))
        rows = self.database.execute_sql(
            f"SELECT name FROM ir_module_module WHERE state IN ({placeholders})", INSTALLED_STATES).fetchall()
        return [row[0] for row in rows]

    def load_installed(self) -> None:
        """Build the models of every addon installed in the database."""
        from .graph import dependency_order
        from .manifest import discover

        self.manifests = discover(self.config.addons_paths)
        names = self.installed_module_names()
        missing = [n for n in names if n not in self.manifests]
        if missing:
            _logger.error("database %s: installed addons not found in the addons path, skipped: %s",
                          self.db_name, ", ".join(sorted(missing)))
        order = dependency_order(self.manifests, [n for n in names if n in self.manifests], strict=False)
        self.signal_sequence, self.cache_sequence = self.read_sequences()
        self.setup_models(order)
        self.ready = True
        self.hooks_pending = True  # the models' _register_hook run with the first cursor (run_register_hooks)

    def setup_models(self, modules) -> None:
        """Import ``modules`` (in dependency order) and compose their models.

        ``setup_models(cr)``, Odoo's form, composes the loaded addons' models again from their
        definitions as they are now (see ``load``).
        """
        if not isinstance(modules, (list, tuple)):
            modules = self.loaded_modules
        for name in modules:
            import_addon(name)
        self.composed_from = _definitions_of(modules)
        self.models, self.field_modules = compose_models(modules)
        record_children(self.models)
        self.compiled_sql = {}
        for cls in self.models.values():
            cls.pool = self
            setup_model(cls, self)
        finish_setup(self)
        self._link_relations()
        finish_dependencies(self)
        self.loaded_modules = list(modules)
        self.computed_keys = frozenset((m, f.name) for m, cls in self.models.items()
                                       for f in cls._fields.values() if f.compute and not f.store)
        self.clear_local_caches()

    def _link_relations(self) -> None:
        self.relation_tables = {}
        for cls in self.models.values():
            for field in cls._fields.values():
                if not field.relational:
                    continue
                comodel = self.models.get(field.comodel_name)
                if comodel is None:
                    raise ModuleError(
                        f"Field {cls._name}.{field.name} refers to unknown model {field.comodel_name!r}: "
                        "add the addon that defines it to 'depends'", chain=(cls._module,))
                field.comodel_table = comodel._table
                field.model_table = cls._table
                if field.type == "many2many" and field.store and cls._table_model is not None:
                    self.relation_tables.setdefault(field.relation, build_relation_model(field, self.database))
                if field.type == "one2many" and field.store and field.inverse_name not in comodel._fields:
                    raise ModuleError(f"Field {cls._name}.{field.name}: {field.comodel_name} has no field "
                                      f"{field.inverse_name!r}", chain=(cls._module,))

    # -- Odoo's registry API for tests that add models (odoo_test_helper's FakeModelLoader) -----------
    # Such a helper appends model classes to ``MetaModel.module_to_models[addon]``, then calls ``load``,
    # ``setup_models(cr)`` and ``init_models``; to undo, it restores that list and edits the composed
    # classes.  ``check_composition`` (called by ``odoo.tests`` after each test and class) composes
    # the models again once the definitions are back as they were.
    def __getitem__(self, model_name: str) -> type:
        return self.models[model_name]

    def __contains__(self, model_name: str) -> bool:
        return model_name in self.models

    def load(self, cr, package) -> list[str]:
        """The names of the models ``package`` (an object with a ``name``: the addon) defines."""
        from ..orm.compose import declared_name

        return list(dict.fromkeys(declared_name(d) for d in MetaModel.definitions.get(package.name, ())))

    def init_models(self, cr, model_names, context: dict, install: bool = True) -> None:
        """Create the tables and columns the composed models lack, in ``cr``'s transaction."""
        from .loading import sync_schema

        sync_schema(self)

    def check_composition(self) -> None:
        """Compose the models again if the loaded addons' definitions changed since they were composed."""
        if self.ready and _definitions_of(self.loaded_modules) != self.composed_from:
            self.setup_models(self.loaded_modules)

    # -- cross-process invalidation -------------------------------------------------------------
    # Two system parameters hold random tokens that change with what they guard: the installed
    # addons (another process must rebuild its registry) and the data behind the process caches
    # (another process must empty them).  Every request reads both in one query.
    SEQUENCE_KEY = "base.registry_sequence"
    CACHE_SEQUENCE_KEY = "base.cache_sequence"

    def read_sequences(self) -> tuple[str, str]:
        """``(registry sequence, cache sequence)`` as committed in the database."""
        param = self.database.param
        rows = dict(self.database.execute_sql(
            f"SELECT key, value FROM ir_config_parameter WHERE key IN ({param}, {param})",
            (self.SEQUENCE_KEY, self.CACHE_SEQUENCE_KEY)).fetchall())
        return rows.get(self.SEQUENCE_KEY, "0"), rows.get(self.CACHE_SEQUENCE_KEY, "0")

    @classmethod
    def signal_changes(cls, cr=None) -> None:
        """Record, in ``cr``'s transaction, that installed addons changed (other processes reload).

        Without ``cr`` (Odoo's ``registry.signal_changes()``, after setting ``registry_invalidated``),
        in the transaction of this thread's last read-write cursor, if it is still open.
        """
        cr = cr or _open_cursor(getattr(_LAST_CURSOR, "cursor", None))
        if cr is not None:
            _write_token(cr, cls.SEQUENCE_KEY)

    @classmethod
    def check_signaling(cls, registry: Registry) -> Registry:
        """The registry to serve a request with: reloaded if another process changed the addons,
        its caches emptied if another process changed what they hold."""
        signal_sequence, cache_sequence = registry.read_sequences()
        if signal_sequence != registry.signal_sequence:
            return cls.reload(registry)
        if cache_sequence != registry.cache_sequence:
            registry.clear_local_caches()
            registry.cache_sequence = cache_sequence
        return registry

    # -- process caches -----------------------------------------------------------------------------
    def cache(self, name: str) -> dict:
        """A cache shared by this process's requests on this database, emptied by ``clear_cache``.

        Use it for what is read on every request and changes rarely (access rights, group
        membership, verified credentials); whatever writes the data behind it must call
        ``clear_cache``.
        """
        return self._caches.setdefault(name, {})

    def clear_cache(self, *cache_names) -> None:
        """Empty the process caches here now, and in every process once the transaction commits.

        ``clear_cache(cr)`` names the transaction; Odoo 17's ``clear_cache()`` and
        ``clear_cache('default', ...)`` (every cache is emptied, whatever the names) use this
        thread's open cursor of this registry.  A rollback empties them here again: they may have
        been filled from the uncommitted data of that transaction.
        """
        given = cache_names[0] if cache_names and not isinstance(cache_names[0], str) else None
        cr = given or self._thread_cursor()
        self.clear_local_caches()
        if cr is None or cr.readonly:
            return  # nothing to commit: other processes keep theirs until the next change that commits
        for callback, queue in ((_CacheSignal(cr), cr.precommit), (self.clear_local_caches, cr.postrollback)):
            if callback not in queue:
                queue.append(callback)

    def clear_all_caches(self) -> None:
        self.clear_cache()

    def _thread_cursor(self):
        """The read-write cursor this thread opened last on this registry, while it is open (or None)."""
        return _open_cursor(getattr(self._thread_cursors, "cursor", None))

    def clear_local_caches(self) -> None:
        for cache in list(self._caches.values()):
            cache.clear()

    def relation_table(self, field):
        return self.relation_tables[field.relation]

    # -- use ------------------------------------------------------------------------------------
    def cursor(self, readonly: bool = False) -> db_module.Cursor:
        """A new transaction on this database (use as a context manager).

        ``readonly``: no transaction, on connections that cannot write (see ``Cursor``).
        """
        if not readonly:
            cr = db_module.Cursor(self, self.database)
            self._thread_cursors.cursor = _LAST_CURSOR.cursor = weakref.ref(cr)
        else:
            if self._readonly_database is None:
                with self._lock:
                    if self._readonly_database is None:
                        self._readonly_database = db_module.open_database(self.uri, readonly=True)
            cr = db_module.Cursor(self, self._readonly_database)
        if self.hooks_pending:
            try:
                self.run_register_hooks(cr)
            except BaseException:
                cr.close(commit=False)
                raise
        return cr

    def run_register_hooks(self, cr) -> None:
        """Call every model's ``_register_hook`` (once per loaded registry, as Odoo does when a process
        loads one), at the start of ``cr``'s transaction."""
        self.hooks_pending = False
        env = Environment(cr, SUPERUSER_ID, {}, registry=self)
        try:
            for name in list(self.models):
                env[name]._register_hook()
        except db_module.ReadOnlyError:
            self.hooks_pending = True  # a hook that writes: run again with the next read-write cursor
            raise

    def env(self, cr, uid: int = SUPERUSER_ID, context: dict | None = None) -> Environment:
        return Environment(cr, uid, context or {})

    def is_installed(self, module: str) -> bool:
        return module in self.loaded_modules

    def unknown_model_message(self, name: str) -> str:
        close = difflib.get_close_matches(str(name), list(self.models), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return f"Model {name!r} does not exist in database {self.db_name!r}.{hint}"


_LAST_CURSOR = threading.local()  # this thread's last read-write cursor, of any registry


def _open_cursor(ref):
    """The cursor behind a weak reference, while it is open (or None)."""
    cr = ref() if ref is not None else None
    return cr if cr is not None and not cr._closed else None


def _definitions_of(modules) -> dict[str, tuple]:
    return {name: tuple(MetaModel.definitions.get(name, ())) for name in modules}


def _write_token(cr, key: str) -> None:
    """Set system parameter ``key`` to a new random token in ``cr``'s transaction."""
    cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", (key,))
    cr.execute("INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)", (key, uuid.uuid4().hex))


class _CacheSignal:
    """The pre-commit callback that tells other processes to empty their caches (once per transaction)."""

    def __init__(self, cr):
        self.cr = cr

    def __eq__(self, other) -> bool:
        return isinstance(other, _CacheSignal) and other.cr is self.cr

    __hash__ = None

    def __call__(self) -> None:
        _write_token(self.cr, Registry.CACHE_SEQUENCE_KEY)
