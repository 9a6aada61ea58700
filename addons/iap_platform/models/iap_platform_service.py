"""Services sold for credits: who provides them, their secret key (stored as a hash), their terms."""
from __future__ import annotations

import difflib
import hashlib
import re
import secrets

from odoo import api, fields, models
from odoo.addons.iap.tools.self_call import this_server_url
from odoo.exceptions import UserError, ValidationError

from ..tools.errors import credit_error, platform_error, require_admin
from ..tools.money import credits_text, from_units, to_units

TECHNICAL_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
KEY_PREFIX = "iapk_"
CREDIT_MESSAGES = {
    "insufficient_credit": "You don't have enough credits on your account to use this service: {credit} requested, "
                           "{available} available, {held} on hold by pending transactions and quotas.",
    "no_account": "You don't have an IAP account registered for this service. Buy credits to create it.",
    "account_disabled": "This IAP account is disabled: its token ends with '+disabled' (a neutralized copy of a "
                        "database) or the platform banned it. Use the production database's account.",
}


def hash_key(key: str) -> str:
    """The stored form of a service key: keys are 256 random bits, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(key.encode()).hexdigest()


class IapPlatformService(models.Model):
    _name = "iap.platform.service"
    _description = "IAP service"
    _rec_name = "technical_name"
    _order = "technical_name"
    _sql_constraints = [
        ("technical_name_uniq", "unique(technical_name)", "An IAP service with this technical name already exists."),
        ("key_hash_uniq", "unique(key_hash)", "This service key is already in use."),
    ]

    name = fields.Char(required=True)
    technical_name = fields.Char(required=True, index=True,
                                 help="The name clients and providers use (e.g. 'book_isbn').")
    description = fields.Text()
    unit_name = fields.Char(default="Credits")
    integer_balance = fields.Boolean(help="Report balances as whole numbers.")
    provider_id = fields.Many2one("res.partner", string="Provider", ondelete="set null")
    key_hash = fields.Char(copy=False, readonly=True, help="SHA-256 of the service key (the key is never stored).")
    key_prefix = fields.Char(copy=False, readonly=True, help="The key's first characters, to recognise it.")
    trial_credits = fields.Integer(big=True, default=0, help="Units (1/10,000 credit) granted once per database.")
    commission_bp = fields.Integer(default=2500, help="Platform commission on captures, in basis points.")
    max_ttl_hours = fields.Integer(default=4320, help="Longest hold a provider may place.")
    active = fields.Boolean(default=True)
    pack_ids = fields.One2many("iap.platform.pack", "service_id", string="Credit packs")

    @api.constrains("technical_name", "commission_bp", "max_ttl_hours")
    def _check_terms(self) -> None:
        for service in self:
            if not TECHNICAL_NAME_RE.match(service.technical_name or ""):
                raise ValidationError(f"Invalid IAP service name {service.technical_name!r}: use lowercase letters, "
                                      "digits, '_', '.' or '-' (at most 64).")
            if not 0 <= service.commission_bp <= 10_000:
                raise ValidationError("The commission must be between 0 and 10000 basis points.")
            if service.max_ttl_hours < 1:
                raise ValidationError("The longest hold must be at least 1 hour.")

    # -- administration ---------------------------------------------------------------------------------
    @api.model
    def create_service(self, technical_name: str, name: str | None = None, provider_name: str | None = None,
                       trial_credits: float = 0, commission_bp: int = 2500, max_ttl_hours: int = 4320) -> dict:
        """Register a service and return ``{'id', 'technical_name', 'key'}``: the key is shown only here."""
        require_admin(self.env, "create IAP services")
        key = _new_key()
        service = self.sudo().create({
            "technical_name": technical_name, "name": name or technical_name,
            "provider_id": self._provider(provider_name).id, "trial_credits": to_units(trial_credits, allow_zero=True),
            "commission_bp": commission_bp, "max_ttl_hours": max_ttl_hours,
            "key_hash": hash_key(key), "key_prefix": key[:len(KEY_PREFIX) + 4],
        })
        return {"id": service.id, "technical_name": service.technical_name, "key": key}

    def _provider(self, provider_name: str | None):
        partners = self.env["res.partner"].sudo()
        if not provider_name:
            return partners
        return partners.search([("name", "=", provider_name)], limit=1) or partners.create({"name": provider_name})

    def rotate_key(self) -> str:
        """Replace the service's key and return the new one; the old key stops working at once."""
        require_admin(self.env, "rotate IAP service keys")
        self.ensure_one()
        key = _new_key()
        self.sudo().write({"key_hash": hash_key(key), "key_prefix": key[:len(KEY_PREFIX) + 4]})
        return key

    # -- lookups ----------------------------------------------------------------------------------------------
    @api.model
    def _from_key(self, key, raise_if_missing: bool = True):
        """The active service whose key is ``key``; ``invalid_service_key`` (AccessError) otherwise."""
        service = self.sudo().browse()
        if isinstance(key, str) and key:
            # one query, the row read with it: every request of a provider starts here
            service = self.sudo()._fetch_where('"key_hash" = %s AND "active" = %s', (hash_key(key), True))[:1]
        if not service and raise_if_missing:
            raise platform_error("invalid_service_key", "Invalid service key: no active IAP service uses it. Check "
                                 "the key configured on the provider (rotating a key invalidates the old one).")
        return service

    @api.model
    def _by_name(self, technical_name: str):
        """The service named ``technical_name``; a UserError naming the closest existing one otherwise."""
        service = self.sudo().search([("technical_name", "=", technical_name)], limit=1)
        if not service:
            names = self.sudo().with_context(active_test=False).search([]).mapped("technical_name")
            close = difflib.get_close_matches(str(technical_name), names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else f" Existing services: {', '.join(names) or 'none'}."
            raise UserError(f"No IAP service named {technical_name!r}.{hint}")
        return service

    # -- credit errors ------------------------------------------------------------------------------------
    def _credit_error(self, code: str, units: int, available: int = 0, held: int = 0, dbuuid=False) -> Exception:
        """The credit error clients show: Odoo's JSON message plus available, held and missing credits.

        Works on an empty recordset too (sandbox tokens with an unknown key).
        """
        message = CREDIT_MESSAGES[code].format(credit=credits_text(units), available=credits_text(available),
                                               held=credits_text(held))
        payload = {
            "title": "Insufficient Balance", "message": message, "base_url": self._credit_page_url(),
            "service_name": self.technical_name if self else "", "credit": from_units(units),
            "trial": self._trial_offered(dbuuid), "balance": from_units(available + held),
            "available": from_units(available), "held": from_units(held),
            "missing": from_units(max(units - available, 0)),
        }
        return credit_error(code, payload)

    def _credit_page_url(self) -> str:
        return this_server_url(self.env) + "/iap/1/credit"  # where the client reached us, whatever the port

    def _trial_offered(self, dbuuid) -> bool:
        """Whether a trial is still available to this database (when it did not say which it is: to any),
        within the platform's daily trial limits (``iap.platform.trial.grant``)."""
        if not self or self.trial_credits <= 0:
            return False
        grants = self.env["iap.platform.trial.grant"].sudo()
        if dbuuid and grants.search_count([("service_id", "=", self.id), ("dbuuid", "=", dbuuid)]):
            return False
        return grants._quota_left(self.env.context.get("iap_remote_addr"))


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)
