"""The base addon's post-install hook: give the admin user a password."""
import logging
import sys

from odoo.tools.passwords import generate_password

_logger = logging.getLogger(__name__)


def init_admin_password(env) -> None:
    """Set admin's password from ``admin_passwd``, ``admin`` in demo mode, else a generated one shown once."""
    config = env.registry.config
    env["ir.config_parameter"].sudo().init_default_parameters(config.get("http_port") or 8069)
    password = config.get("admin_passwd")
    if not password:
        password = "admin" if config.demo_wanted() else generate_password()
        if not config.demo_wanted():
            print(f"Generated password of user 'admin' (shown once): {password}", file=sys.stderr)
    env.ref("base.user_admin").write({"password": password})
