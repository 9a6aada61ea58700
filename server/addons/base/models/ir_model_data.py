from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class IrModelData(models.Model):
    """External identifiers (``module.name``) of records created by data files."""

    _name = "ir.model.data"
    _description = "Model Data"
    _order = "module, name"
    _rec_name = "name"
    _sql_constraints = [("name_module_uniq", "unique(module, name)", "External ids must be unique per addon.")]

    name = fields.Char("External Identifier", required=True, index=True)
    module = fields.Char(required=True, index=True)
    model = fields.Char("Model Name", required=True, index=True)
    res_id = fields.Integer("Record ID", index=True)
    noupdate = fields.Boolean("Non Updatable")
    complete_name = fields.Char(compute="_compute_complete_name")

    def _compute_complete_name(self):
        for row in self:
            row.complete_name = f"{row.module}.{row.name}"

    @api.model
    def _lookup(self, xmlid: str):
        module, _, name = xmlid.partition(".")
        return self.sudo().search([("module", "=", module), ("name", "=", name)], limit=1)

    @api.model
    def _xmlid_to_res_model_res_id(self, xmlid: str) -> tuple:
        row = self._lookup(xmlid)
        return (row.model, row.res_id) if row else (False, False)

    @api.model
    def _xmlid_to_res_id(self, xmlid: str) -> int:
        return self._xmlid_to_res_model_res_id(xmlid)[1]

    @api.model
    def check_object_reference(self, module: str, xml_id: str, raise_on_access_error: bool = False) -> list:
        """``[model, res_id]`` of ``module.xml_id`` (OdooRPC's ``env.ref``), checking read access."""
        model, res_id = self._xmlid_to_res_model_res_id(f"{module}.{xml_id}")
        if not res_id:
            raise ValidationError(f"External ID not found in the system: {module}.{xml_id}")
        if not self.env[model].check_access_rights("read", raise_exception=raise_on_access_error):
            raise AccessError(f"Not enough access rights on the external ID {module}.{xml_id}")
        return [model, res_id]
