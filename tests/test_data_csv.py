"""CSV data files: saved in batches, yet each row behaves as if it were saved alone."""
import pytest

from server.exceptions import UserError
from server.modules.loading import load_modules
from server.modules.registry import Registry
from server.orm.environment import SUPERUSER_ID, Environment


def csv_addon(root, name: str, rows: str):
    path = root / name
    (path / "data").mkdir(parents=True)
    (path / "__init__.py").write_text("")
    (path / "__manifest__.py").write_text(repr({"name": name, "version": "1.0", "depends": ["base"],
                                                "data": ["data/ir.module.category.csv"]}))
    (path / "data" / "ir.module.category.csv").write_text(rows)
    return path


def categories(config) -> dict:
    registry = Registry.open(config)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        found = env["ir.module.category"].search([("name", "like", "CSV %")])
        return {c.name: c.parent_id.name or None for c in found}


@pytest.fixture
def addons_root(tmp_path, fresh_registry):
    root = tmp_path / "addons"
    fresh_registry.config["addons_path"] += "," + str(root)
    return root


def test_rows_naming_rows_above_them_and_a_repeated_id_load_as_written(fresh_registry, addons_root):
    rows = ["id,name,parent_id:id", "cat_root,CSV root,"]
    rows += [f"cat_{n},CSV child {n},cat_root" for n in range(1200)]  # more rows than one batch
    rows += ["cat_root,CSV root renamed,", "cat_last,CSV last,cat_1199"]
    csv_addon(addons_root, "csv_batches", "\n".join(rows) + "\n")
    load_modules(fresh_registry.config, init="csv_batches")
    loaded = categories(fresh_registry.config)
    assert len(loaded) == 1202
    assert loaded["CSV root renamed"] is None and "CSV root" not in loaded
    assert loaded["CSV child 0"] == loaded["CSV child 1199"] == "CSV root renamed"
    assert loaded["CSV last"] == "CSV child 1199"
    registry = Registry.open(fresh_registry.config)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        assert env.ref("csv_batches.cat_700").name == "CSV child 700"
        assert env["ir.model.data"].search_count([("module", "=", "csv_batches")]) == 1202


def test_an_upgrade_rewrites_the_rows_it_finds(fresh_registry, addons_root):
    path = csv_addon(addons_root, "csv_upgrade", "id,name\na,CSV a\nb,CSV b\n")
    load_modules(fresh_registry.config, init="csv_upgrade")
    (path / "data" / "ir.module.category.csv").write_text("id,name\na,CSV a2\nb,CSV b\nc,CSV c\n")
    load_modules(fresh_registry.config, update="csv_upgrade")
    assert set(categories(fresh_registry.config)) == {"CSV a2", "CSV b", "CSV c"}


def test_a_bad_row_refuses_the_install_and_keeps_none_of_the_file(fresh_registry, addons_root):
    rows = ["id,name,parent_id:id", "ok_1,CSV fine,"] + [f"ok_{n},CSV fine {n}," for n in range(2, 40)]
    rows += ["broken,,ok_1"]  # name is required
    csv_addon(addons_root, "csv_broken", "\n".join(rows) + "\n")
    with pytest.raises(UserError) as info:
        load_modules(fresh_registry.config, init="csv_broken")
    assert "ir.module.category.csv line 41" in str(info.value) and "Name (name)" in str(info.value)
    assert categories(fresh_registry.config) == {}
