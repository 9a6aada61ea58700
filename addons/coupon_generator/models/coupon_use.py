"""Coupon uses: one row per successful redemption, so every use can be traced to an order."""
from __future__ import annotations

from odoo import fields, models


class CouponUse(models.Model):
    _name = "coupon.use"
    _description = "Coupon Use"
    _order = "used_at desc, id desc"

    coupon_id = fields.Many2one("coupon.coupon", "Coupon", required=True, ondelete="cascade")
    used_at = fields.Datetime("Used on", required=True, default=lambda self: fields.Datetime.now())
    partner_id = fields.Many2one("res.partner", "Customer")
    reference = fields.Char(help="The order or document the coupon was used for.")
