"""Module states and phases: noupdate on upgrade, hooks, auto_install, scheduled buttons, addon commands."""
import subprocess
import sys

import pytest

from server.config import ROOT
from server.modules.loading import load_modules
from server.modules.registry import Registry


def states(registry, *names):
    placeholders = ", ".join([registry.database.param] * len(names))
    rows = registry.database.execute_sql(
        f"SELECT name, state FROM ir_module_module WHERE name IN ({placeholders})", names).fetchall()
    return dict(rows)


@pytest.mark.addons("test_inherit_a")
def test_upgrade_rewrites_data_but_keeps_noupdate_records(fresh_registry):
    with fresh_registry.cursor() as cr:
        env = fresh_registry.env(cr)
        env.ref("test_inherit_a.thing_updatable").size = 99
        env.ref("test_inherit_a.thing_protected").size = 99
        env["test.thing"].create({"name": "mine", "size": 5})
    registry = load_modules(fresh_registry.config, update="test_inherit_a")
    with registry.cursor() as cr:
        env = registry.env(cr)
        assert env.ref("test_inherit_a.thing_updatable").size == 1
        assert env.ref("test_inherit_a.thing_protected").size == 99
        assert env["test.thing"].search([("name", "=", "mine")]).size == 5


def test_pre_init_hook_runs_on_install_only(db_backend, database_factory):
    from odoo.addons.test_inherit_a import PRE_INIT_CALLS

    config = database_factory.create(db_backend, ("base",))
    registry = load_modules(config, init="test_inherit_a")
    assert PRE_INIT_CALLS.count(registry.db_name) == 1
    load_modules(config, update="test_inherit_a")
    assert PRE_INIT_CALLS.count(registry.db_name) == 1


def test_auto_install_follows_its_trigger(db_backend, database_factory):
    config = database_factory.create(db_backend, ("base",))
    registry = load_modules(config, init="test_inherit_a")
    assert not registry.is_installed("test_auto")
    registry = load_modules(config, init="test_inherit_b")
    assert registry.is_installed("test_auto")


def test_scheduled_buttons_run_at_next_start(db_backend, database_factory):
    config = database_factory.create(db_backend, ("test_inherit_a",))
    registry = Registry.open(config)
    with registry.cursor() as cr:
        modules = registry.env(cr)["ir.module.module"]
        modules.search([("name", "=", "test_inherit_b")]).button_install()
    assert states(registry, "test_inherit_b") == {"test_inherit_b": "to install"}
    registry = load_modules(config)
    assert registry.is_installed("test_inherit_b")
    with registry.cursor() as cr:
        registry.env(cr)["ir.module.module"].search([("name", "=", "test_inherit_b")]).button_uninstall()
    registry = load_modules(config)
    assert not registry.is_installed("test_inherit_b")
    assert states(registry, "test_inherit_b", "test_auto") == {"test_inherit_b": "uninstalled",
                                                               "test_auto": "uninstalled"}


def test_immediate_install_inside_a_transaction(fresh_registry):
    with fresh_registry.cursor() as cr:
        env = fresh_registry.env(cr)
        env["ir.module.module"].search([("name", "=", "test_inherit_a")]).button_immediate_install()
    registry = Registry.open(fresh_registry.config)
    assert registry.is_installed("test_inherit_a")
    with registry.cursor() as cr:
        assert registry.env(cr)["test.thing"].search_count([]) == 2


def test_addon_command_exists_only_where_installed(db_backend, database_factory, tmp_path):
    with_a = database_factory.create(db_backend, ("test_inherit_a",))
    without_a = database_factory.create(db_backend, ("base",))
    paths = ["--addons-path", str(ROOT / "tests" / "addons"), "--data-dir", str(tmp_path)]
    ok = subprocess.run([sys.executable, "odoo-bin.py", "thing-count", "--db-uri", with_a.database_uri(), *paths],
                        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.strip() == "2", ok.stderr
    refused = subprocess.run([sys.executable, "odoo-bin.py", "thing-count", "--db-uri", without_a.database_uri(),
                              *paths], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "unknown command 'thing-count'" in refused.stderr
