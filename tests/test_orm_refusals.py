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
    """A decorator of Odoo's that we do not implement is made with ``api._unsupported``."""
    remote = api._unsupported("api.remote", "no remote calls")

    class Log(models.Model):
        _inherit = "demo.log"

        @remote
        def _gc_logs(self):
            pass

    assert refusal(Log) == PREFIX + "method demo.log._gc_logs: @api.remote is not supported (no remote calls)"


def test_hint_attributes_are_accepted_and_described():
    class Book(models.Model):
        _name = "demo.book"
        ref = fields.Char(change_default=True, prefetch=False)

    refusals.check_definition(Book, "demo")


@pytest.fixture
def refused_addons(tmp_path):
    """An addon declaring ``tracking=True`` (mail's field tracking, which this server lacks)."""
    addon = tmp_path / "addons" / "test_refused"
    (addon / "models").mkdir(parents=True)
    (addon / "__manifest__.py").write_text(repr({"name": "Refused", "version": "1.0", "depends": ["base"],
                                                 "license": "LGPL-3"}))
    (addon / "__init__.py").write_text("from . import models\n")
    (addon / "models" / "__init__.py").write_text("from . import tracked\n")
    (addon / "models" / "tracked.py").write_text(
        "from odoo import fields, models\n\n\n"
        "class Tracked(models.Model):\n"
        "    _name = 'test_refused.tracked'\n"
        "    _description = 'Tracked'\n\n"
        "    name = fields.Char(tracking=True)\n")
    return tmp_path / "addons"


REFUSED = ("Addon 'test_refused', file models/tracked.py: field test_refused.tracked.name: "
           "attribute 'tracking' is not supported")


def test_install_is_refused_and_the_database_untouched(fresh_registry, refused_addons):
    config = fresh_registry.config
    config["addons_path"] = str(refused_addons)
    tables = sorted(fresh_registry.database.get_tables())
    with pytest.raises(ModuleError) as info:
        load_modules(config, init="test_refused")
    assert str(info.value) == REFUSED
    assert sorted(fresh_registry.database.get_tables()) == tables


def test_cli_refusal_is_one_line(tmp_path, refused_addons):
    result = subprocess.run(
        [sys.executable, "odoo-bin.py", "-d", "refused", "--data-dir", str(tmp_path), "--addons-path",
         str(refused_addons), "-i", "test_refused", "--stop-after-init"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"error: {REFUSED}"], result.stderr
