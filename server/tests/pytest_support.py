"""Odoo-style test classes under pytest: their databases come from ``server.testing``'s templates.

The backend is SQLite, or PostgreSQL with ``--backend postgresql`` (unittest
classes cannot be parametrized over both).  Each class gets the database of
its addon's template copied once per class set (``HttpCase``: a copy of its own).
Classes tagged ``-standard`` are skipped, as Odoo's runner leaves them out by default.
"""
from __future__ import annotations

import pytest

from ..modules.registry import Registry
from . import common


@pytest.fixture(scope="session", autouse=True)
def odoo_test_databases(request, database_factory):
    """Give Odoo-style test classes their databases for the whole session."""
    shared: dict = {}
    wanted = request.config.getoption("--backend")
    backend = "postgresql" if wanted == "postgresql" else "sqlite"

    def provider(cls):
        from ..testing import postgresql_available

        if "standard" not in getattr(cls, "test_tags", common.DEFAULT_TAGS):
            pytest.skip(f"{cls.__name__} is not tagged 'standard': only --test-tags selects it")
        if backend == "postgresql" and postgresql_available():
            pytest.skip(f"PostgreSQL not available: {postgresql_available()}")
        addon = common.addon_of_test(cls) or "base"
        if getattr(cls, "fresh_database", False):
            return Registry.open(database_factory.create(backend, _with_web(cls, (addon,))))
        key = (backend, addon)
        if key not in shared:
            shared[key] = Registry.open(database_factory.create(backend, (addon,)))
        return shared[key]

    common.set_registry_provider(provider)
    yield
    common.set_registry_provider(None)


def _with_web(cls, addons: tuple) -> tuple:
    return tuple(sorted(set(addons) | ({"web"} if issubclass(cls, common.HttpCase) else set())))
