"""Addons known to the database and their states; install/upgrade/uninstall buttons."""
from odoo import api, fields, models
from odoo.exceptions import UserError

STATES = [
    ("uninstallable", "Uninstallable"),
    ("uninstalled", "Not Installed"),
    ("installed", "Installed"),
    ("to upgrade", "To be upgraded"),
    ("to remove", "To be removed"),
    ("to install", "To be installed"),
]


class IrModuleModule(models.Model):
    _name = "ir.module.module"
    _description = "Module"
    _order = "name"
    _sql_constraints = [("name_uniq", "unique(name)", "The name of the module must be unique!")]

    name = fields.Char("Technical Name", required=True, index=True, readonly=True)
    shortdesc = fields.Char("Module Name", readonly=True)
    summary = fields.Char(readonly=True)
    author = fields.Char(readonly=True)
    license = fields.Char(readonly=True)
    application = fields.Boolean(readonly=True)
    state = fields.Selection(STATES, default="uninstallable", readonly=True, index=True)
    latest_version = fields.Char("Installed Version", readonly=True)
    installed_version = fields.Char("Latest Version", readonly=True)
    dependencies = fields.Char("Dependencies", readonly=True)
    demo = fields.Boolean("Demo Data", readonly=True)

    def _names(self) -> list:
        return [m.name for m in self]

    # -- scheduled operations: marked now, carried out at the next start or -u ----------------------
    def button_install(self):
        """Mark these addons 'to install'; the next ``odoo-bin.py -d DB`` start installs them."""
        self._mark("to install", allowed=("uninstalled",))
        return True

    def button_upgrade(self):
        self._mark("to upgrade", allowed=("installed",))
        return True

    def button_uninstall(self):
        if "base" in self._names():
            raise UserError("The base addon cannot be uninstalled.")
        self._mark("to remove", allowed=("installed", "to upgrade"))
        return True

    def button_install_cancel(self):
        self._mark("uninstalled", allowed=("to install",))
        return True

    def button_upgrade_cancel(self):
        self._mark("installed", allowed=("to upgrade",))
        return True

    def button_uninstall_cancel(self):
        self._mark("installed", allowed=("to remove",))
        return True

    def _mark(self, state: str, allowed: tuple) -> None:
        self.check_access_rights("write")
        wrong = [f"{m.name} ({m.state})" for m in self if m.state not in allowed]
        if wrong:
            raise UserError(f"Cannot mark {', '.join(wrong)} as {state!r}: only addons in state "
                            f"{' or '.join(repr(a) for a in allowed)} can be.")
        self.sudo().write({"state": state})

    def button_immediate_install(self):
        """Install these addons (and what they need) now, in the caller's transaction."""
        from odoo.modules.loading import install_from_env

        self.check_access_rights("write")
        install_from_env(self.env, init=self._names())
        return True

    def button_immediate_upgrade(self):
        from odoo.modules.loading import install_from_env

        self.check_access_rights("write")
        install_from_env(self.env, update=self._names())
        return True

    def button_immediate_uninstall(self):
        from odoo.modules.loading import uninstall_from_env

        self.check_access_rights("write")
        uninstall_from_env(self.env, self._names())
        return True

    @api.model
    def update_list(self):
        from odoo.modules.loading import refresh_module_list

        refresh_module_list(self.env)
        return True

    def unlink(self):
        if any(m.state != "uninstalled" and m.state != "uninstallable" for m in self):
            raise UserError("You can only delete modules that are not installed.")
        return super().unlink()
