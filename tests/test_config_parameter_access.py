"""Only system administrators (or sudo) may read or write system parameters."""
import pytest

from server.exceptions import AccessError


def test_non_admin_cannot_read_or_write(env):
    demo = env.ref("base.user_demo")
    params = env["ir.config_parameter"].with_user(demo)
    with pytest.raises(AccessError, match="ir.config_parameter"):
        params.get_param("web.base.url")
    with pytest.raises(AccessError, match="ir.config_parameter"):
        params.set_param("x.key", "1")
    with pytest.raises(AccessError):
        params.search([])
    assert env["ir.config_parameter"].get_param("x.key") is False


def test_admin_can_read_and_write(env):
    params = env["ir.config_parameter"].with_user(env.ref("base.user_admin"))
    assert params.set_param("x.key", 42) is False
    assert params.get_param("x.key") == "42"
    assert params.set_param("x.key", "43") == "42"
    assert params.set_param("x.key", False) == "43"
    assert params.get_param("x.key", "default") == "default"


def test_sudo_bypasses_access(env):
    demo_params = env["ir.config_parameter"].with_user(env.ref("base.user_demo"))
    demo_params.sudo().set_param("x.sudo", "yes")
    assert demo_params.sudo().get_param("x.sudo") == "yes"


def test_database_parameters_exist_and_are_protected(env):
    params = env["ir.config_parameter"]
    assert len(params.get_param("database.secret")) >= 32
    assert params.get_param("web.base.url").startswith("http://localhost:")
    from server.exceptions import ValidationError

    with pytest.raises(ValidationError, match="database.secret"):
        params.search([("key", "=", "database.secret")]).unlink()


def test_access_error_names_model_and_operation(env):
    demo_env = env(user=env.ref("base.user_demo").id)
    with pytest.raises(AccessError) as info:
        demo_env["ir.module.module"].search([])[:1].write({"summary": "x"})
    assert info.value.context["model"] == "ir.module.module"
    assert info.value.context["operation"] == "write"
    assert "modify" in str(info.value)
