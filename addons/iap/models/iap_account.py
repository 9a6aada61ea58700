"""A client database's IAP accounts: one token per service, sent with every call to a provider.

The token is the account's credential (whoever has it spends its credits), so it is for administrators
(group Settings) and server code only: other users read it as False, cannot search or sort on it, never
get it inside a buy-credits URL, and cannot create accounts (``get()`` creates one for them only when
called by server code, under ``sudo()``).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from urllib.parse import urlencode

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError

from ..tools import iap_tools
from ..tools.own_transaction import own_transaction

_logger = logging.getLogger(__name__)
DISABLED_SUFFIX = "+disabled"


class IapAccount(models.Model):
    _name = "iap.account"
    _description = "IAP Account"
    _rec_name = "service_name"
    _order = "id desc"

    name = fields.Char()
    service_name = fields.Char(required=True, index=True)
    account_token = fields.Char(default=lambda self: uuid.uuid4().hex, index=True, groups="base.group_system",
                                help="Identifies this database's account at the IAP platform. Do not share it. "
                                     f"Append '{DISABLED_SUFFIX}' to disable the account.")
    company_ids = fields.Many2many("res.company", string="Companies",
                                   help="Companies using this account; none means every company.")

    @api.model_create_multi
    def create(self, vals_list):
        """Create accounts; on a neutralized database their tokens are disabled, so no credit is spent."""
        if self._is_neutralized():
            vals_list = [{**vals, "account_token": _disabled(vals.get("account_token") or uuid.uuid4().hex)}
                         for vals in vals_list]
        return super().create(vals_list)

    # -- the token is for administrators and server code -------------------------------------------
    def _sees_tokens(self) -> bool:
        return self.env.su or self.env.uid == SUPERUSER_ID or self.env.user.has_group("base.group_system")

    def read(self, fields=None, load="_classic_read"):
        """Read; the token reads as False for anyone but administrators (the field's ``groups``)."""
        result = super().read(fields, load)
        if not self._sees_tokens():
            for row in result:
                if "account_token" in row:
                    row["account_token"] = False
        return result

    def _search(self, domain, offset=0, limit=None, order=None):
        if not self._sees_tokens() and (_mentions_token(domain) or "account_token" in str(order or "")):
            raise AccessError("Only administrators (group Settings) may search or sort IAP accounts by token.")
        return super()._search(domain, offset=offset, limit=limit, order=order)

    # -- finding and creating accounts --------------------------------------------------------------
    @api.model
    def get(self, service_name: str, force_create: bool = True):
        """The account to use for ``service_name``: company-specific first, then shared; newest first.

        With ``force_create`` (the default) a missing account is created, if the caller may create
        accounts (administrators, and server code under ``sudo()``; others get ``AccessError``, as in
        Odoo), so that it survives a rollback
        of the caller's transaction (which the credit error of a first call typically causes): on
        PostgreSQL in a transaction of its own, committed at once; on SQLite, which cannot commit a
        second writer, in the caller's transaction with a token derived from ``database.secret``, so a
        retry after the rollback recreates the very same token.  Returns an empty recordset otherwise.
        """
        accounts = self._usable_accounts(service_name)
        if accounts or not force_create:
            return accounts[:1]
        self.check_access_rights("create")
        return self.browse(self._create_durably(service_name))

    def _usable_accounts(self, service_name: str):
        domain = [("service_name", "=", service_name),
                  "|", ("company_ids", "in", self.env.company.ids), ("company_ids", "=", False)]
        accounts = self.sudo().search(domain, order="id desc").filtered("account_token")
        specific = accounts.filtered("company_ids")
        return (specific or accounts).with_env(self.env)

    def _create_durably(self, service_name: str) -> int:
        with own_transaction(self.env) as cr:
            if cr is not None:
                return self._insert_committed(cr, service_name, uuid.uuid4().hex)
        token = self._derived_token(service_name)
        return self.sudo().create({"service_name": service_name, "account_token": token}).id

    def _insert_committed(self, cr, service_name: str, token: str) -> int:
        if self._is_neutralized():
            token = _disabled(token)
        now = fields.Datetime.to_string(fields.Datetime.now())
        row = cr.execute(
            "INSERT INTO iap_account (service_name, account_token, create_uid, create_date, write_uid, write_date) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (service_name, token, self.env.uid, now, self.env.uid, now)).fetchone()
        _logger.info("IAP account for service %s created and committed (id %s)", service_name, row[0])
        return row[0]

    def _derived_token(self, service_name: str) -> str:
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        digest = hmac.new(secret.encode(), f"iap.account:{service_name}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def _is_neutralized(self) -> bool:
        value = self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized")
        return str(value).lower() in ("1", "true")

    def _neutralize(self) -> None:
        """Disable every token (a copied or staging database must not spend the production credits)."""
        self.env.cr.execute("UPDATE iap_account SET account_token = account_token || %s "
                            "WHERE account_token IS NOT NULL AND account_token NOT LIKE %s",
                            (DISABLED_SUFFIX, "%" + DISABLED_SUFFIX))
        self.invalidate_model(["account_token"])

    # -- the platform's pages and balance -----------------------------------------------------------------
    @api.model
    def get_credits_url(self, service_name: str, base_url: str = "", credit: float = 0, trial: bool = False,
                        account_token: str | bool = False) -> str:
        """The platform page where the user buys credits for ``service_name`` (Odoo's query string).

        The account's token is in it for administrators only: another user gets the page without it
        (the platform then shows the packs, and buying needs an administrator's link).
        """
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        if not base_url:
            base_url = iap_tools.iap_get_endpoint(self.env) + "/iap/1/credit"
        if not account_token and self._sees_tokens():
            account_token = self.get(service_name).account_token
        query = {"dbuuid": dbuuid, "service_name": service_name, "credit": credit}
        if account_token:
            query["account_token"] = account_token
        if trial:
            query["trial"] = trial
        return f"{base_url}?{urlencode(query)}"

    @api.model
    def get_account_url(self) -> str:
        """The platform page listing this database's services."""
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return f"{iap_tools.iap_get_endpoint(self.env)}/iap/services?{urlencode({'dbuuid': dbuuid})}"

    @api.model
    def get_credits(self, service_name: str) -> float:
        """The account's available credits: 0 without an account, -1 when the platform cannot tell."""
        account = self.get(service_name, force_create=False)
        if not account:
            return 0
        params = {"dbuuid": self.env["ir.config_parameter"].sudo().get_param("database.uuid"),
                  "account_token": account.account_token, "service_name": service_name}
        try:
            return iap_tools.iap_jsonrpc(iap_tools.iap_get_endpoint(self.env) + "/iap/1/balance", params=params)
        except Exception as exc:
            _logger.info("IAP balance of %s unavailable: %s", service_name, exc)
            return -1

    def action_buy_credits(self) -> dict:
        """Open the platform's buy-credits page for this account."""
        self.ensure_one()
        token = self.account_token if self._sees_tokens() else False
        url = self.get_credits_url(self.service_name, account_token=token)
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}


def _mentions_token(domain) -> bool:
    """Whether a domain has a condition on the token (also through a path such as ``account_token.x``)."""
    return any(isinstance(leaf, (list, tuple)) and leaf and str(leaf[0]).split(".")[0] == "account_token"
               for leaf in domain or ())


def _disabled(token: str) -> str:
    return token if token.endswith(DISABLED_SUFFIX) else token + DISABLED_SUFFIX
