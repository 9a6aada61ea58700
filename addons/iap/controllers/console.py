"""The client side's console page: this database's IAP accounts, their balances and the buy-credits link.

Account tokens are credentials (they spend the account's credits), so the page shows their first
characters only; the buy-credits link goes through ``/console/iap/accounts/<id>/buy``, which redirects
to the platform's page (``get_credits_url``) without the token ever being written into a page.
Balances are asked from the platform one account at a time, after the page has loaded (htmx), on a
read-only request: no transaction is held open during the outgoing call.
"""
from __future__ import annotations

from odoo import http
from odoo.addons.web_console import navigation
from odoo.addons.web_console.masking import short_token
from odoo.addons.web_console.pages import Listing, int_param, render
from odoo.exceptions import MissingError
from odoo.http import request

COLUMNS = {"service": "service_name", "id": "id"}


def _account_or_404(account_id):
    account = request.env["iap.account"].browse(int_param(account_id, "account id")).exists()
    if not account:
        raise MissingError(f"IAP account {account_id} does not exist")
    return account


@navigation.section("iap_accounts", "IAP accounts", "/console/iap", sequence=45, model="iap.account")
class IapClientConsole(http.Controller):
    @http.route("/console/iap", type="http", auth="user", methods=["GET"], readonly=True)
    def accounts(self, **params):
        listing = Listing.search(request.env["iap.account"], [], params, COLUMNS, "service")
        return render("iap/console/accounts.html", {"listing": listing, "short": short_token},
                      section="iap_accounts")

    @http.route("/console/iap/accounts/<account_id>/balance", type="http", auth="user", methods=["GET"],
                readonly=True)
    def balance(self, account_id, **_ignored):
        """The account's available credits as the platform reports them (a table-cell fragment)."""
        account = _account_or_404(account_id)
        credits = request.env["iap.account"].get_credits(account.service_name)
        text = "platform unreachable" if credits == -1 else f"{credits:g}"
        return request.make_response(f'<span class="balance" data-credits="{credits}">{text}</span>')

    @http.route("/console/iap/accounts/<account_id>/buy", type="http", auth="user", methods=["GET"])
    def buy(self, account_id, **_ignored):
        """Off to the platform's buy-credits page for this account."""
        account = _account_or_404(account_id)
        url = request.env["iap.account"].get_credits_url(account.service_name, account_token=account.account_token)
        return request.redirect(url, local=False)
