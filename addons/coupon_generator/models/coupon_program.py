"""Discount programs: what a coupon is worth when it is redeemed."""
from __future__ import annotations

from odoo import api, fields, models
from odoo.exceptions import ValidationError

DISCOUNT_TYPES = [("percent", "Percentage"), ("fixed", "Fixed amount")]


class CouponProgram(models.Model):
    _name = "coupon.program"
    _description = "Discount Program"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    discount_type = fields.Selection(DISCOUNT_TYPES, required=True, default="percent")
    discount_value = fields.Float(required=True, help="Percentage (0-100] or fixed amount (> 0).")
    coupon_ids = fields.One2many("coupon.coupon", "program_id", "Coupons")
    coupon_count = fields.Integer(compute="_compute_coupon_count")

    def _compute_coupon_count(self) -> None:
        for program in self:
            program.coupon_count = self.env["coupon.coupon"].with_context(active_test=False).search_count(
                [("program_id", "=", program.id)])

    @api.constrains("discount_type", "discount_value")
    def _check_discount(self) -> None:
        for program in self:
            if program.discount_value <= 0:
                raise ValidationError(f"Discount program {program.name!r}: the discount must be positive, "
                                      f"not {program.discount_value}")
            if program.discount_type == "percent" and program.discount_value > 100:
                raise ValidationError(f"Discount program {program.name!r}: a percentage discount is at most 100, "
                                      f"not {program.discount_value}")

    def summary(self) -> dict:
        """What a redeeming client needs to know about the program."""
        self.ensure_one()
        return {"id": self.id, "name": self.name, "discount_type": self.discount_type,
                "discount_value": self.discount_value}
