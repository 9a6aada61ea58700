"""Products sold under contract, each paid and activated through one backend."""
from __future__ import annotations

import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

BACKEND_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class TcmProduct(models.Model):
    _name = "tcm.product"
    _description = "TCM Product"
    _order = "name, id"

    name = fields.Char(required=True)
    payment_backend = fields.Char(
        required=True, index=True,
        help="Name of the system that bills and activates this product (e.g. 'smt'). Contracts copy it at "
             "creation; the plugin addon of that backend, if one is installed, handles their lifecycle.")
    package_ids = fields.One2many("tcm.package", "product_id", "Packages")
    active = fields.Boolean(default=True)

    @api.constrains("payment_backend")
    def _check_payment_backend(self) -> None:
        """Backend names key plugins and representations: keep them plain identifiers."""
        for product in self:
            if not BACKEND_RE.match(product.payment_backend or ""):
                raise ValidationError(
                    f"Product {product.name!r}: payment backend {product.payment_backend!r} must be a lowercase "
                    "identifier such as 'smt' (letters, digits, '_', starting with a letter).")
