"""Placeholder settings: extra template characters an administrator maps to symbol collections.

The built-in placeholders (``#`` digit, ``$`` English letter, ``@`` Russian
letter) live in code (``coupon.process._default_placeholders``, which other
addons may extend); records here add to or override them for every new
process, and a request's own ``placeholders`` option overrides both.
"""
from __future__ import annotations

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..codes.symbols import SymbolError, from_spec
from .process_settings import placeholder_char_problem


class CouponPlaceholder(models.Model):
    _name = "coupon.placeholder"
    _description = "Coupon Template Placeholder"
    _order = "char"
    _rec_name = "char"
    _sql_constraints = [("char_unique", "unique(char)",
                         "A placeholder character is defined once: edit the existing placeholder instead.")]

    char = fields.Char("Character", required=True, size=1)
    spec = fields.Json("Symbols", required=True,
                       help='A preset ("digits", "english", "russian", "special"), a list of them (their union), '
                            'or {"symbols": "ABC..."}; add "case" to a dict to force a letter case.')
    description = fields.Char()
    active = fields.Boolean(default=True)

    @api.constrains("char", "spec")
    def _check_spec(self) -> None:
        for placeholder in self:
            problem = placeholder_char_problem(placeholder.char)
            if problem:
                raise ValidationError(f"Placeholder {placeholder.char!r}: {problem}")
            try:
                from_spec(placeholder.spec)
            except SymbolError as exc:
                raise ValidationError(f"Placeholder {placeholder.char!r}: {exc}") from None

    @api.model
    def specs(self) -> dict:
        """``{character: spec}`` of the active placeholders."""
        return {record.char: record.spec for record in self.sudo().search([])}
