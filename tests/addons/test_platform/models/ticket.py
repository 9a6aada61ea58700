from odoo import api, fields, models


class Ticket(models.Model):
    _name = "test_platform.ticket"
    _description = "Ticket"
    _order = "id desc"

    name = fields.Char(required=True)
    reference = fields.Char(readonly=True, copy=False, default="New")
    priority = fields.Selection([("0", "Low"), ("1", "High")], default="0")
    partner_id = fields.Many2one("res.partner", "Customer")
    closed = fields.Boolean()
    note = fields.Text()
    document = fields.Binary("Document", attachment=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "New") == "New":
                vals["reference"] = self.env["ir.sequence"].next_by_code("test_platform.ticket") or "New"
        return super().create(vals_list)

    @api.model
    def _cron_close_stale(self):
        self.search([("closed", "=", False), ("priority", "=", "0")]).write({"closed": True})
