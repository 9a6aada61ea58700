from odoo import fields, models


class IrModelAccess(models.Model):
    """Which group may read, write, create or delete the records of which model."""

    _name = "ir.model.access"
    _description = "Model Access"
    _order = "model_id, group_id, name"

    name = fields.Char(required=True, index=True)
    active = fields.Boolean(default=True)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade", index=True)
    group_id = fields.Many2one("res.groups", "Group", ondelete="cascade", index=True)
    perm_read = fields.Boolean("Read Access")
    perm_write = fields.Boolean("Write Access")
    perm_create = fields.Boolean("Create Access")
    perm_unlink = fields.Boolean("Delete Access")

    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache(self.env.cr)
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache(self.env.cr)
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache(self.env.cr)
        return result
