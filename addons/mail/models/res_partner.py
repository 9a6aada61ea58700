"""Partners have a message log and followers, as in Odoo's mail addon."""
from odoo import models


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "mail.thread"]
