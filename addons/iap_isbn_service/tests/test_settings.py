"""The service key is set from the settings model, the CLI or execute_kw; all write the same parameter."""
import pytest
from odoo.exceptions import AccessError
from odoo.modules.registry import Registry

from .common import cli

KEY = "iap.isbn_service_key"


def test_the_settings_form_shows_the_current_key(env):
    env["ir.config_parameter"].set_param(KEY, "iapk_current")
    assert env["isbn.service.settings"].default_get(["isbn_service_key"]) == {"isbn_service_key": "iapk_current"}


def test_saving_the_settings_writes_the_key_and_an_empty_key_removes_it(env):
    env["isbn.service.settings"].create({"isbn_service_key": "  iapk_new  "}).execute()
    assert env["ir.config_parameter"].get_param(KEY) == "iapk_new"
    env["isbn.service.settings"].create({"isbn_service_key": ""}).execute()
    assert env["ir.config_parameter"].get_param(KEY) is False


def test_only_administrators_may_open_the_settings(env):
    demo = env.ref("base.user_demo")
    with pytest.raises(AccessError):
        env["isbn.service.settings"].with_user(demo).create({"isbn_service_key": "stolen"})


def test_the_cli_config_set_command_sets_the_key_the_service_uses(db_backend, database_factory, make_env):
    config = database_factory.create(db_backend, ("iap_isbn_service",))
    done = cli(config, "config", "set", KEY, "iapk_from_cli")
    assert done.returncode == 0, done.stderr
    env = make_env(Registry.open(config))
    assert env["book.data.request"]._service_key() == "iapk_from_cli"
