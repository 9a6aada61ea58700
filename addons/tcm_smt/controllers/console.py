"""SMT in the console: failed subscriptions on Home, their list with Retry, and a panel on each contract."""
from __future__ import annotations

from urllib.parse import urlencode

from odoo import http
from odoo.addons.tcm_core.controllers.console import ContractConsole
from odoo.addons.web_console import navigation
from odoo.addons.web_console.pages import Listing, int_param, render
from odoo.exceptions import MissingError, UserError
from odoo.http import request

from ..models.tcm_smt_subscription import STATES

COLUMNS = {"id": "id", "state": "state, id", "attempts": "attempts", "synced": "date_synced"}


@navigation.attention("Failed SMT subscriptions", model="tcm.smt.subscription", sequence=50)
def failed_subscriptions(env) -> navigation.Attention:
    count = env["tcm.smt.subscription"].search_count([("state", "=", "failed")])
    return navigation.Attention(count, "/console/smt?state=failed", "Fix the cause, then retry them")


class SmtContractConsole(ContractConsole):
    def _panels(self, contract) -> list[tuple[str, dict]]:
        subscriptions = request.env["tcm.smt.subscription"].search([("contract_id", "=", contract.id)])
        panels = super()._panels(contract)
        if subscriptions:
            panels.append(("tcm_smt/console/contract_panel.html", {"subscription": subscriptions[0]}))
        return panels


@navigation.section("smt", "SMT", "/console/smt", sequence=51, model="tcm.smt.subscription")
class SmtConsole(http.Controller):
    @http.route("/console/smt", type="http", auth="user", methods=["GET"], readonly=True)
    def subscriptions(self, **params):
        domain = [("state", "=", params["state"])] if params.get("state") in dict(STATES) else []
        listing = Listing.search(request.env["tcm.smt.subscription"], domain, params, COLUMNS, "id",
                                 default_desc=True)
        return render("tcm_smt/console/subscriptions.html", {
            "listing": listing, "states": STATES, "state": params.get("state", ""),
            "can_retry": request.env["tcm.smt.subscription"].check_access_rights("write", raise_exception=False),
            "notice": params.get("notice", ""), "error": params.get("error", "")}, section="smt")

    @http.route("/console/smt/<subscription_id>/retry", type="http", auth="user", methods=["POST"])
    def retry(self, subscription_id, back="", **_ignored):
        """Send the subscription to SMT again after this request commits."""
        subscription = request.env["tcm.smt.subscription"].browse(
            int_param(subscription_id, "subscription id")).exists()
        if not subscription:
            raise MissingError(f"SMT subscription {subscription_id} does not exist")
        try:
            with request.env.cr.savepoint():
                subscription.action_retry()
            query = {"notice": f"{subscription.display_name}: sent to SMT again."}
        except UserError as exc:
            query = {"error": str(exc)}
        target = back if back.startswith("/console/") else "/console/smt"
        return request.redirect(f"{target}{'&' if '?' in target else '?'}{urlencode(query)}")
