"""Credit packs a service sells on the platform's "buy credits" page (``/iap/1/credit``)."""
from __future__ import annotations

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import params
from ..tools.money import credits_text, from_units, to_units
from .iap_platform_account import DISABLED_SUFFIX


class IapPlatformPack(models.Model):
    _name = "iap.platform.pack"
    _description = "IAP credit pack"
    _order = "sequence, id"

    name = fields.Char(required=True)
    service_id = fields.Many2one("iap.platform.service", required=True, index=True, ondelete="cascade")
    credit = fields.Integer(big=True, required=True, help="Units (1/10,000 credit) the pack adds.")
    price_cents = fields.Integer(big=True, required=True, help="Price in hundredths of the currency.")
    currency = fields.Char(size=3, default="EUR")
    description = fields.Text()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    @api.constrains("credit", "price_cents")
    def _check_amounts(self) -> None:
        if any(pack.credit <= 0 or pack.price_cents < 0 for pack in self):
            raise ValidationError("A credit pack adds a positive number of credits for a price of zero or more.")

    @api.model
    def credit_page(self, service_name: str, account_token: str | None = None, dbuuid=False, credit=0,
                    trial=False) -> dict:
        """What the buy-credits page shows: the service, its packs, and the credits the client was missing."""
        service = self.env["iap.platform.service"]._by_name(service_name)
        needed = _needed_units(credit)
        packs = self.sudo().search([("service_id", "=", service.id)])
        return {
            "service": {"name": service.name, "technical_name": service.technical_name, "unit": service.unit_name},
            "account_token": account_token or "", "dbuuid": dbuuid or "", "credit": credits_text(needed),
            "trial": bool(trial), "test_mode": self.env["iap.platform.transaction"]._test_mode(),
            "packs": [pack._page_line(needed) for pack in packs],
        }

    def _page_line(self, needed: int) -> dict:
        return {"id": self.id, "name": self.name, "credits": credits_text(self.credit), "currency": self.currency,
                "price": f"{self.price_cents // 100}.{self.price_cents % 100:02d}",
                "description": self.description or "", "covers_need": self.credit >= needed}

    @api.model
    def purchase(self, pack_id: int, account_token: str, dbuuid=False) -> dict:
        """Buy ``pack_id`` for the account (created if new).  In test mode the credits arrive at once.

        Without test mode a payment provider must confirm the payment first; none is integrated yet,
        so the purchase is refused with a UserError saying so.
        """
        pack = self._purchasable(pack_id)
        token = params.text(account_token, "account_token", 64, required=True)
        if token.endswith(DISABLED_SUFFIX):
            raise UserError("This account token is disabled ('+disabled'): buy credits from the production database.")
        if not self.env["iap.platform.transaction"]._test_mode():
            raise UserError("Payments are not configured on this IAP platform: connect a payment provider, or set the "
                            "system parameter iap_platform.test_mode to 1 on a test platform.")
        with self.env.cr.savepoint():
            account = self.env["iap.platform.account"]._find_or_create(pack.service_id, token, dbuuid)._lock()
            account._expire_overdue()
            account._add_credit(pack.credit, "purchase", "platform:sales")
            account.write({"state": "registered"})
        return {"service": pack.service_id.technical_name, "account_token": token,
                "credited": from_units(pack.credit), "available": from_units(account.available)}

    def _purchasable(self, pack_id):
        pack = self.sudo().browse(pack_id if isinstance(pack_id, int) and not isinstance(pack_id, bool) else ())
        if not pack.exists() or not pack.active or not pack.service_id.active:
            raise UserError(f"No credit pack {pack_id!r} is on sale: reload the buy-credits page.")
        return pack


def _needed_units(credit) -> int:
    """The credits the client lacked, from the page's query string (text) or a number; 0 when unreadable."""
    try:
        return to_units(float(credit or 0), "credit", allow_zero=True)
    except (TypeError, ValueError, UserError):
        return 0
