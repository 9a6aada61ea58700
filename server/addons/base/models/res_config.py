"""Settings wizards, as Odoo's ``res.config.settings``: a transient model whose fields stand for
system parameters (``config_parameter=``), implied groups (``group_*`` with ``implied_group=``)
and addons (``module_*``).

``default_get`` shows the current values; ``execute()`` (the Save button) writes the parameters,
adds or removes the implied groups, then installs or uninstalls the addons.  Addons extend it with
fields of their own and ``get_values``/``set_values`` overrides, as in Odoo.
"""
from odoo import api, models
from odoo.exceptions import AccessError, UserError


class ResConfig(models.TransientModel):
    _name = "res.config"
    _description = "Config"

    def execute(self):
        return True

    def cancel(self):
        return True

    def next(self):
        """Odoo's ``next``: reload the client once a configuration step is done."""
        return {"type": "ir.actions.client", "tag": "reload"}


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _description = "Config Settings"
    _inherit = "res.config"

    # -- which field stands for what ------------------------------------------------------------------
    def _classified_fields(self, names=None) -> dict:
        """``{'config': [(name, key)], 'group': [(name, groups, implied)], 'module': [(name, module)]}``."""
        result = {"config": [], "group": [], "module": [], "other": []}
        modules = self.env["ir.module.module"].sudo()
        for name, field in self._fields.items():
            if names and name not in names:
                continue
            if field.config_parameter:
                result["config"].append((name, field.config_parameter))
            elif name.startswith("group_") and field.extra.get("implied_group"):
                groups = self.env.ref(field.extra.get("group", "base.group_user"))
                implied = self.env.ref(field.extra["implied_group"])
                result["group"].append((name, groups, implied))
            elif name.startswith("module_"):
                # An addon absent from the addons path reads as not installed, as in Odoo.
                module = modules.search([("name", "=", name[len("module_"):])], limit=1)
                result["module"].append((name, module))
            elif name.startswith("default_") and field.extra.get("default_model"):
                raise UserError(f"Settings field {name!r}: default_model fields (ir.default) are not supported")
        return result

    @api.model
    def default_get(self, fields_list) -> dict:
        result = super().default_get(fields_list)
        classified = self._classified_fields(fields_list)
        params = self.env["ir.config_parameter"].sudo()
        for name, key in classified["config"]:
            field = self._fields[name]
            default = field.default_value(self) if field.default is not None else False
            result[name] = _from_parameter(field, params.get_param(key, default))
        for name, groups, implied in classified["group"]:
            value = implied in groups.implied_ids
            result[name] = str(int(value)) if self._fields[name].type == "selection" else value
        for name, module in classified["module"]:
            value = bool(module) and module.state in ("installed", "to install", "to upgrade")
            result[name] = str(int(value)) if self._fields[name].type == "selection" else value
        result.update(self.get_values())
        return result

    @api.model
    def get_values(self) -> dict:
        """Values of fields that are neither parameters, groups nor addons (override in addons)."""
        return {}

    def set_values(self) -> None:
        """Write the system parameters and the implied groups (override in addons; call super)."""
        self.ensure_one()
        classified = self._classified_fields()
        params = self.env["ir.config_parameter"].sudo()
        for name, key in classified["config"]:
            value = _to_parameter(self._fields[name], self[name])
            if params.get_param(key) != (value if value is False else str(value)):
                params.set_param(key, value)
        for name, groups, implied in classified["group"]:
            wanted = self[name] if self._fields[name].type != "selection" else self[name] == "1"
            if wanted and implied not in groups.implied_ids:
                groups.sudo().write({"implied_ids": [(4, implied.id)]})
            elif not wanted and implied in groups.implied_ids:
                groups.sudo().write({"implied_ids": [(3, implied.id)]})
                implied.sudo().write({"users": [(3, user.id) for user in groups.users]})

    def execute(self):
        """Save: parameters and groups, then install/uninstall the addons of ``module_*`` fields."""
        self.ensure_one()
        if not self.env.is_admin():
            raise AccessError("Only administrators can change the settings.")
        self = self.with_context(active_test=False)
        self.set_values()
        classified = self._classified_fields()
        wanted = {module: self[name] if self._fields[name].type != "selection" else self[name] == "1"
                  for name, module in classified["module"] if module}
        missing = [name for name, module in classified["module"] if not module and self[name] in (True, "1")]
        if missing:
            raise UserError(f"Cannot install {', '.join(n[len('module_'):] for n in missing)}: "
                            "not found in the addons path")
        to_install = [m for m, on in wanted.items() if on and m.state == "uninstalled"]
        to_uninstall = [m for m, on in wanted.items() if not on and m.state in ("installed", "to upgrade")]
        if to_uninstall:
            self.env["ir.module.module"].browse([m.id for m in to_uninstall]).button_immediate_uninstall()
        if to_install:
            self.env["ir.module.module"].browse([m.id for m in to_install]).button_immediate_install()
        return {"type": "ir.actions.client", "tag": "reload"}

    def cancel(self):
        action = self.env["ir.actions.act_window"].sudo().search([("res_model", "=", self._name)], limit=1)
        return action._action_dict() if action else {}


def _from_parameter(field, value):
    """A system parameter's text as the settings field's value."""
    if value is False or value is None:
        return False
    if field.type in ("integer", "many2one"):
        return int(value)
    if field.type == "float":
        return float(value)
    if field.type == "boolean":
        return bool(value) and value not in ("False", "0")
    return value


def _to_parameter(field, value):
    """A settings field's value as the system parameter's text (False deletes the parameter)."""
    if field.type in ("char", "text", "selection"):
        return (value or "").strip() or False
    if field.type in ("integer", "float"):
        return repr(value) if value else False
    if field.type == "many2one":
        return value.id or False
    if field.type == "boolean":
        return "True" if value else False
    return value or False
