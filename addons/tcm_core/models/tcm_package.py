"""Packages: the commercial options (plans) a product is sold in."""
from __future__ import annotations

from odoo import fields, models


class TcmPackage(models.Model):
    _name = "tcm.package"
    _description = "TCM Package"
    _order = "name, id"

    name = fields.Char(required=True)
    product_id = fields.Many2one("tcm.product", "Product", required=True, ondelete="cascade", index=True)
    description = fields.Text()
    active = fields.Boolean(default=True)
