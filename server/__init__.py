"""The framework: configuration, module loading, ORM, signals, HTTP and CLI.

Addons are written as for Odoo (``from odoo import api, fields, models``):
importing this package makes ``odoo`` and ``odoo.<submodule>`` names resolve
to the modules here, and ``odoo.addons.<name>`` to the addons found in the
configured addons path.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys


def _import_peewee_without_psycopg3() -> None:
    """Import peewee with psycopg 3 out of its sight: peewee imports it whenever it is installed (a
    tenth of a second at every start of a server, a worker or a CLI command), and we speak psycopg2.
    Code that imports psycopg 3 itself afterwards gets it as usual."""
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return
    sys.modules["psycopg"] = None  # makes ``import psycopg`` raise ImportError
    try:
        import peewee  # noqa: F401
    finally:
        if sys.modules.get("psycopg", False) is None:
            del sys.modules["psycopg"]


_import_peewee_without_psycopg3()

from . import exceptions, release, tools  # noqa: E402, F401
from .orm import api, fields, models  # noqa: E402, F401
from .orm.commands import Command  # noqa: E402, F401
from .orm.environment import SUPERUSER_ID  # noqa: E402, F401
from .tools.translate import _, _lt  # noqa: E402, F401

# ``odoo.X`` names whose module lives elsewhere than ``server.X``.
ALIASES = {"odoo.models": "server.orm.models", "odoo.fields": "server.orm.fields", "odoo.api": "server.orm.api"}


class _OdooAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve ``import odoo...`` to this package's modules, never a second copy."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "odoo.addons" or fullname.startswith("odoo.addons."):
            return None
        if fullname == "odoo" or fullname.startswith("odoo."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        target = ALIASES.get(spec.name) or "server" + spec.name[len("odoo"):]
        module = importlib.import_module(target)
        self._original_spec = module.__spec__
        return module

    def exec_module(self, module):
        module.__spec__ = self._original_spec


if not any(isinstance(finder, _OdooAlias) for finder in sys.meta_path):
    sys.meta_path.insert(0, _OdooAlias())
sys.modules.setdefault("odoo", sys.modules[__name__])

from . import addons  # noqa: E402

sys.modules.setdefault("odoo.addons", addons)
