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


def test_the_service_key_is_a_secret_parameter(env):
    assert env["ir.config_parameter"]._is_secret_key(KEY)


@pytest.mark.parametrize("login", ["base.user_demo", "portal"])
def test_no_other_user_reads_the_key_through_the_settings_defaults(env, login):
    env["ir.config_parameter"].set_param(KEY, "iapk_secret_value")
    if login == "portal":
        user = env["res.users"].create({"name": "Portal", "login": "portal_settings",
                                        "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})
    else:
        user = env.ref(login)
    with pytest.raises(AccessError):
        env["isbn.service.settings"].with_user(user).default_get(["isbn_service_key"])


def test_a_secret_parameter_is_refused_to_a_non_admin_even_under_sudo(env):
    demo_params = env["ir.config_parameter"].with_user(env.ref("base.user_demo")).sudo()
    with pytest.raises(AccessError, match="secret"):
        demo_params._check_secret_access(KEY)
    env["ir.config_parameter"]._check_secret_access(KEY)  # the superuser (and admins) may
    demo_params._check_secret_access("web.base.url")  # not a secret
