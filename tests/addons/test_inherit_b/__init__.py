from . import models


def forget_colour(env):
    """Uninstall hook: leaves a trace so tests can see it ran."""
    env["ir.config_parameter"].sudo().set_param("test_inherit_b.uninstalled", "yes")
