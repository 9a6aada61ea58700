"""_inherit across addons: B extends A's model; uninstalling B restores A; upgrading A adds columns."""
import shutil
import subprocess
import sys

import pytest

from server.config import ROOT
from server.modules.loading import load_modules, uninstall_modules
from server.modules.registry import Registry


@pytest.mark.addons("test_inherit_b")
def test_extension_adds_field_and_chains_override(env):
    thing = env["test.thing"].create({"name": "lamp"})
    assert thing.colour == "blue"
    assert thing.describe() == "thing lamp in blue"
    assert "colour" in env["test.thing"].fields_get()


@pytest.mark.addons("test_inherit_b")
def test_uninstall_b_removes_field_column_and_override(fresh_registry):
    with fresh_registry.cursor() as cr:
        fresh_registry.env(cr)["test.thing"].create({"name": "lamp", "colour": "red"})
    registry = uninstall_modules(fresh_registry, ["test_inherit_b"])
    columns = {c.name for c in registry.database.get_columns("test_thing")}
    assert "colour" not in columns
    with registry.cursor() as cr:
        env = registry.env(cr)
        thing = env["test.thing"].search([("name", "=", "lamp")])
        assert thing.describe() == "thing lamp"
        assert "colour" not in env["test.thing"]._fields
        assert env["ir.config_parameter"].get_param("test_inherit_b.uninstalled") == "yes"
        assert not env["ir.model.fields"].search([("model", "=", "test.thing"), ("name", "=", "colour")])
        state = env["ir.module.module"].search([("name", "=", "test_inherit_b")]).state
        assert state == "uninstalled"


@pytest.mark.addons("test_inherit_b")
def test_uninstall_drops_a_foreign_key_column_and_keeps_what_refers_to_the_table(fresh_registry):
    with fresh_registry.cursor() as cr:
        env = fresh_registry.env(cr)
        partner = env["res.partner"].create({"name": "Owner"})
        env["test.thing"].create({"name": "lamp", "owner_id": partner.id, "partner_ids": [(6, 0, partner.ids)]})
    registry = uninstall_modules(fresh_registry, ["test_inherit_b"])
    assert "owner_id" not in {c.name for c in registry.database.get_columns("test_thing")}
    with registry.cursor() as cr:
        env = registry.env(cr)
        thing = env["test.thing"].search([("name", "=", "lamp")])
        assert thing.partner_ids == partner  # the many2many's links to the table survived
    kept = {fk.column for fk in registry.database.get_foreign_keys("test_thing")}
    assert kept == {"create_uid", "write_uid"} or registry.database.dialect == "postgresql"


@pytest.mark.addons("test_inherit_b")
def test_uninstall_a_takes_its_dependents(fresh_registry):
    registry = uninstall_modules(fresh_registry, ["test_inherit_a"])
    assert not registry.is_installed("test_inherit_b")
    assert not registry.database.table_exists("test_thing")
    assert "test.thing" not in registry.models


def test_upgrade_after_adding_field_keeps_data(db_backend, database_factory, tmp_path):
    """Copy addon A elsewhere, install it, add a field to its source, run -u in a new process."""
    addons = tmp_path / "addons"
    shutil.copytree(ROOT / "tests" / "addons" / "test_inherit_a", addons / "upgrade_me")
    for path in (addons / "upgrade_me").rglob("*.*"):
        if path.suffix in (".py", ".csv", ".xml"):
            text = path.read_text().replace("test.thing", "upgrade.thing").replace("test_thing", "upgrade_thing")
            path.write_text(text.replace("test_inherit_a", "upgrade_me"))
    source = addons / "upgrade_me" / "models" / "thing.py"
    config = database_factory.empty(db_backend)
    config["addons_path"] = str(addons)
    registry = load_modules(config, init="upgrade_me")
    with registry.cursor() as cr:
        registry.env(cr)["upgrade.thing"].create({"name": "kept", "size": 3})
    Registry.forget(registry)
    source.write_text(source.read_text().replace("size = fields.Integer()",
                                                 "size = fields.Integer()\n    weight = fields.Float(default=1.5)"))
    manifest = addons / "upgrade_me" / "__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"version": "1.0"', '"version": "1.1"'))
    result = subprocess.run([sys.executable, "odoo-bin.py", "--db-uri", config.database_uri(), "--addons-path",
                             str(addons), "--data-dir", str(config.data_dir), "-u", "upgrade_me",
                             "--stop-after-init"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    database = registry.database
    columns = {c.name for c in database.get_columns("upgrade_thing")}
    assert "weight" in columns
    rows = database.execute_sql("SELECT name, size FROM upgrade_thing ORDER BY name").fetchall()
    assert rows == [("kept", 3), ("protected", 1), ("updatable", 1)]
    version = database.execute_sql("SELECT latest_version FROM ir_module_module WHERE name = 'upgrade_me'")
    assert version.fetchone()[0] == "17.0.1.1"
    database.close()
