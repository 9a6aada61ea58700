"""Models and fields as data (``ir.model``, ``ir.model.fields``), reflected from the addons' code.

Models and fields created at run time (Odoo's "custom" ``x_`` models and fields, made from the
Settings) are not supported: creating such a record is refused, naming it.
"""
from odoo import api, fields, models
from odoo.exceptions import UserError


class IrModel(models.Model):
    _name = "ir.model"
    _description = "Models"
    _order = "model"
    _rec_name = "name"
    _sql_constraints = [("model_uniq", "unique(model)", "Each model must have a unique technical name.")]

    name = fields.Char("Model Description", required=True)
    model = fields.Char("Model", required=True, index=True)
    transient = fields.Boolean("Transient Model")
    modules = fields.Char("In Apps", readonly=True)
    field_id = fields.One2many("ir.model.fields", "model_id", "Fields")

    @api.model_create_multi
    def create(self, vals_list):
        unknown = [vals.get("model") for vals in vals_list if vals.get("model") not in self.env.registry.models]
        if unknown:
            raise UserError(f"Model {unknown[0]!r} cannot be created at run time: custom models are not "
                            "supported, declare it in an addon")
        return super().create(vals_list)


class IrModelFields(models.Model):
    _name = "ir.model.fields"
    _description = "Fields"
    _order = "model, name"
    _sql_constraints = [("name_model_uniq", "unique(model_id, name)", "A field name must be unique per model.")]

    name = fields.Char("Field Name", required=True, index=True)
    model = fields.Char("Model Name", required=True, index=True)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    ttype = fields.Char("Field Type", required=True)
    field_description = fields.Char("Field Label")
    relation = fields.Char("Related Model")
    required = fields.Boolean()
    readonly = fields.Boolean()
    store = fields.Boolean(default=True)
    help = fields.Text("Field Help")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            model = self.env.registry.models.get(vals.get("model"))
            if model is None or vals.get("name") not in model._fields:
                raise UserError(f"Field {vals.get('model')}.{vals.get('name')} cannot be created at run time: "
                                "custom fields are not supported, declare it in an addon")
        return super().create(vals_list)
