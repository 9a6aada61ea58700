from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ticket_prefix_note = fields.Char("Ticket note", config_parameter="test_platform.ticket_note")
    ticket_max_open = fields.Integer("Max open tickets", config_parameter="test_platform.max_open", default=10)
    group_ticket_priority = fields.Boolean("Ticket priorities", implied_group="test_platform.group_priority")
    module_test_auto = fields.Boolean("Install the auto test addon")
