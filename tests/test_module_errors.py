"""Refused installs: the message names the chain, and the database is left untouched."""
import subprocess
import sys

import pytest

from server.config import ROOT
from server.exceptions import ModuleError
from server.modules.loading import load_modules
from server.modules.registry import Registry


def make_addon(root, name, depends=(), manifest=None, **extra):
    path = root / name
    path.mkdir(parents=True)
    text = manifest if manifest is not None else repr(
        {"name": name, "version": "1.0", "depends": list(depends), "license": "LGPL-3", **extra})
    (path / "__manifest__.py").write_text(text)
    (path / "__init__.py").write_text("")
    return path


def snapshot(registry) -> tuple:
    db = registry.database
    tables = tuple(sorted(db.get_tables()))
    modules = tuple(db.execute_sql("SELECT name, state FROM ir_module_module ORDER BY name").fetchall())
    return tables, modules


@pytest.fixture
def broken_addons(tmp_path):
    root = tmp_path / "addons"
    make_addon(root, "needs_ghost", depends=["base", "middle"])
    make_addon(root, "middle", depends=["base", "ghost"])
    make_addon(root, "cycle_a", depends=["base", "cycle_b"])
    make_addon(root, "cycle_b", depends=["cycle_c"])
    make_addon(root, "cycle_c", depends=["cycle_a"])
    make_addon(root, "bad_manifest", manifest="{'name': 'x', 'depends': 'base'}")
    make_addon(root, "not_python", manifest="{'name': open('/etc/passwd').read()}")
    make_addon(root, "needs_lib", depends=["base"], external_dependencies={"python": ["no_such_lib_xyz"]})
    make_addon(root, "uses_bad", depends=["base", "bad_manifest"])
    return root


CASES = [
    ("needs_ghost", "needs_ghost -> middle -> ghost"),
    ("cycle_a", "cycle_a -> cycle_b -> cycle_c -> cycle_a"),
    ("bad_manifest", "'depends' must be a list"),
    ("not_python", "not a Python literal"),
    ("needs_lib", "no_such_lib_xyz"),
    ("uses_bad", "uses_bad -> bad_manifest"),
    ("nowhere", "No addon named 'nowhere'"),
]


@pytest.mark.parametrize("addon, message", CASES, ids=[c[0] for c in CASES])
def test_refused_install_leaves_database_untouched(fresh_registry, broken_addons, addon, message):
    config = fresh_registry.config
    config["addons_path"] = str(broken_addons)
    before = snapshot(fresh_registry)
    with pytest.raises(ModuleError) as info:
        load_modules(config, init=addon)
    assert message in str(info.value)
    assert snapshot(Registry.open(config)) == before


def test_refused_install_on_fresh_database_creates_no_tables(db_backend, database_factory, broken_addons):
    config = database_factory.empty(db_backend)
    config["addons_path"] = str(broken_addons)
    with pytest.raises(ModuleError, match="cycle_a -> cycle_b"):
        load_modules(config, init="base,cycle_a")
    from server import db

    assert not db.database_exists(config.database_uri())


def test_cli_refusal_is_one_line(tmp_path, broken_addons):
    result = subprocess.run(
        [sys.executable, "odoo-bin.py", "-d", "refused", "--data-dir", str(tmp_path), "--addons-path",
         str(broken_addons), "-i", "needs_ghost", "--stop-after-init"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs_ghost -> middle -> ghost" in lines[0]
    assert "Traceback" not in result.stderr
