"""The platform's console pages: services and packs, accounts and balances, statements, open holds and quotas.

Administrators only (the models' access rights say so).  Account, hold and quota tokens work as credentials
(whoever holds a hold token and the service key can capture it), so pages show only their first
characters and address records by id; an operator cancels a stuck hold with ``admin_cancel`` and ends a
quota with ``admin_release``, the same calls as ``odoo-bin.py iap cancel-hold`` and ``iap release-quota``.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from odoo import fields, http
from odoo.addons.web_console import navigation
from odoo.addons.web_console.masking import short_token
from odoo.addons.web_console.pages import Listing, int_param, render, require_groups
from odoo.exceptions import MissingError, UserError
from odoo.http import request

from ..tools.money import credits_text

SYSTEM = "base.group_system"
NEAR_EXPIRY = dt.timedelta(hours=24)
ACCOUNT_COLUMNS = {"service": "service_id", "state": "state", "available": "available", "held": "held", "id": "id"}
HOLD_COLUMNS = {"expires": "expires_at", "created": "create_date", "amount": "authorized"}


def near_expiry_domain() -> list:
    return [("state", "=", "authorized"), ("expires_at", "<=", fields.Datetime.now() + NEAR_EXPIRY)]


@navigation.attention("Open credit holds near expiry", model="iap.platform.transaction", groups=SYSTEM,
                      sequence=40)
def holds_near_expiry(env) -> navigation.Attention:
    count = env["iap.platform.transaction"].search_count(near_expiry_domain())
    return navigation.Attention(count, "/console/credits/holds?filter=near", "Capture, or cancel them here")


def _account_or_404(account_id):
    account = request.env["iap.platform.account"].browse(int_param(account_id, "account id")).exists()
    if not account:
        raise MissingError(f"IAP account {account_id} does not exist")
    return account


@navigation.section("credits", "Credits", "/console/credits", sequence=40, model="iap.platform.service",
                    groups=SYSTEM)
class IapPlatformConsole(http.Controller):
    @http.route("/console/credits", type="http", auth="user", methods=["GET"], groups=SYSTEM, readonly=True)
    def services(self, **_ignored):
        env = request.env
        services = env["iap.platform.service"].with_context(active_test=False).search([])
        accounts, holds, quotas = env["iap.platform.account"], env["iap.platform.transaction"], \
            env["iap.platform.quota"]
        rows = [{"service": service, "accounts": accounts.search_count([("service_id", "=", service.id)]),
                 "holds": holds.search_count([("service_id", "=", service.id), ("state", "=", "authorized")]),
                 "quotas": quotas.search_count([("service_id", "=", service.id), ("state", "=", "open")]),
                 "packs": service.pack_ids} for service in services]
        return render("iap_platform/console/services.html", {"rows": rows, "credits": credits_text},
                      section="credits")

    @http.route("/console/credits/accounts", type="http", auth="user", methods=["GET"], groups=SYSTEM,
                readonly=True)
    def accounts(self, **params):
        domain = []
        service_id = params.get("service")
        if service_id and str(service_id).isdigit():
            domain.append(("service_id", "=", int(service_id)))
        listing = Listing.search(request.env["iap.platform.account"], domain, params, ACCOUNT_COLUMNS, "id",
                                 default_desc=True)
        return render("iap_platform/console/accounts.html", {"listing": listing, "credits": credits_text,
                                                            "short": short_token}, section="credits")

    @http.route("/console/credits/accounts/<account_id>", type="http", auth="user", methods=["GET"],
                groups=SYSTEM)
    def account(self, account_id, **_ignored):
        """Balances, open holds with Cancel, and the statement (one line per ledger journal)."""
        account = _account_or_404(account_id)
        statement = request.env["iap.platform.account"].statement(account.service_id.technical_name, account.token)
        holds = request.env["iap.platform.transaction"].search(
            [("account_id", "=", account.id), ("state", "=", "authorized")], order="expires_at, id")
        quotas = request.env["iap.platform.quota"].search(
            [("account_id", "=", account.id), ("state", "=", "open")], order="expires_at, id")
        return render("iap_platform/console/account.html", {
            "account": account, "statement": statement, "holds": holds, "quotas": quotas, "credits": credits_text,
            "short": short_token, "notice": request.params.get("notice", "")}, section="credits")

    @http.route("/console/credits/holds", type="http", auth="user", methods=["GET"], groups=SYSTEM, readonly=True)
    def holds(self, **params):
        domain = near_expiry_domain() if params.get("filter") == "near" else [("state", "=", "authorized")]
        listing = Listing.search(request.env["iap.platform.transaction"], domain, params, HOLD_COLUMNS, "expires")
        quotas = request.env["iap.platform.quota"].search([("state", "=", "open")], order="expires_at, id")
        return render("iap_platform/console/holds.html", {
            "listing": listing, "quotas": quotas, "filter": params.get("filter", ""), "credits": credits_text,
            "short": short_token, "now": fields.Datetime.now()}, section="credits")

    @http.route("/console/credits/holds/<hold_id>/cancel", type="http", auth="user", methods=["POST"])
    def cancel_hold(self, hold_id, back="", **_ignored):
        """Release an open hold (its credits go back to the account); back to the page it was cancelled from."""
        require_groups(SYSTEM)
        hold = request.env["iap.platform.transaction"].browse(int_param(hold_id, "hold id")).exists()
        if not hold:
            raise MissingError(f"IAP hold {hold_id} does not exist")
        try:
            with request.env.cr.savepoint():
                request.env["iap.platform.transaction"].admin_cancel(hold.token)
            notice = f"Hold #{hold.id} cancelled: {credits_text(hold.authorized)} credits released."
        except UserError as exc:
            notice = str(exc)
        return _back_with_notice(back, notice)

    @http.route("/console/credits/quotas/<quota_id>/release", type="http", auth="user", methods=["POST"])
    def release_quota(self, quota_id, back="", **_ignored):
        """End an open quota: its last report stands, the rest goes back to the account."""
        require_groups(SYSTEM)
        quota = request.env["iap.platform.quota"].browse(int_param(quota_id, "quota id")).exists()
        if not quota:
            raise MissingError(f"IAP quota {quota_id} does not exist")
        try:
            with request.env.cr.savepoint():
                released = request.env["iap.platform.quota"].admin_release(quota.token)
            notice = (f"Quota #{quota.id} released: {released['released']:g} credits returned, "
                      f"{released['used']:g} used.")
        except UserError as exc:
            notice = str(exc)
        return _back_with_notice(back, notice)


def _back_with_notice(back: str, notice: str):
    """Back to the credit page an action was taken from (the holds list otherwise), with its notice."""
    target = back if back.startswith("/console/credits") else "/console/credits/holds"
    separator = "&" if "?" in target else "?"
    return request.redirect(f"{target}{separator}{urlencode({'notice': notice})}")
