from odoo import fields, models


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
