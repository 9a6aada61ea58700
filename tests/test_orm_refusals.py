"""What the server does not implement is refused at install, in one line naming addon, file and name."""
import subprocess
import sys

import pytest

from server.config import ROOT
from server.exceptions import ModuleError
from server.modules.loading import load_modules
from server.orm import api, fields, models, refusals

PREFIX = "Addon 'demo', file test_orm_refusals.py: "


def refusal(definition) -> str:
    with pytest.raises(ModuleError) as info:
        refusals.check_definition(definition, "demo")
    message = str(info.value)
    assert "\n" not in message
    return message


def test_unknown_field_attribute():
    class Book(models.Model):
        _name = "demo.book"
        name = fields.Char(tracking=True)

    assert refusal(Book) == PREFIX + "field demo.book.name: attribute 'tracking' is not supported"


def test_unimplemented_model_attribute():
    class Category(models.Model):
        _name = "demo.category"
        _parent_store = True

    assert refusal(Category) == PREFIX + ("model demo.category: attribute _parent_store is not supported "
                                          "(parent_path is not maintained; child_of works without it)")


def test_model_attribute_at_odoo_default_is_accepted():
    class Category(models.Model):
        _name = "demo.category"
        _parent_store = False

    refusals.check_definition(Category, "demo")


def test_unimplemented_decorator():
    class Log(models.Model):
        _inherit = "demo.log"

        @api.autovacuum
        def _gc_logs(self):
            pass

    assert refusal(Log) == PREFIX + ("method demo.log._gc_logs: @api.autovacuum is not supported "
                                     "(there is no autovacuum cron)")


def test_hint_attributes_are_accepted_and_described():
    class Book(models.Model):
        _name = "demo.book"
        ref = fields.Char(change_default=True, prefetch=False)

    refusals.check_definition(Book, "demo")


def test_install_is_refused_and_the_database_untouched(fresh_registry):
    config = fresh_registry.config
    config["addons_path"] = str(ROOT / "tests" / "addons")
    tables = sorted(fresh_registry.database.get_tables())
    with pytest.raises(ModuleError, match=r"^Addon 'test_refused', file models/tracked.py: field "
                                          r"test_refused.tracked.name: attribute 'tracking' is not supported$"):
        load_modules(config, init="test_refused")
    assert sorted(fresh_registry.database.get_tables()) == tables


def test_cli_refusal_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "odoo-bin.py", "-d", "refused", "--data-dir", str(tmp_path), "--addons-path",
         str(ROOT / "tests" / "addons"), "-i", "test_refused", "--stop-after-init"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == ["error: Addon 'test_refused', file models/tracked.py: field test_refused.tracked.name: "
                     "attribute 'tracking' is not supported"], result.stderr
