"""Contracts in the console: the list, one contract with its history and its lifecycle buttons.

The buttons are the contract's own transitions (``TRANSITIONS``): only those allowed in the contract's
state are offered, and a refusal from the model is shown as it is worded there.  Backend plugins add a
panel to a contract's page by overriding ``ContractConsole._panels`` in a controller subclass (Odoo's
controller inheritance), as ``tcm_smt`` does for its SMT subscription.
"""
from __future__ import annotations

from urllib.parse import urlencode

from odoo import http
from odoo.addons.web_console import navigation
from odoo.addons.web_console.pages import Listing, int_param, render
from odoo.exceptions import MissingError, UserError
from odoo.http import request

from ..models.tcm_contract import STATES, TRANSITIONS

COLUMNS = {"name": "name", "state": "state, name", "created": "date_created", "backend": "backend, name"}
BUTTONS = {"activate": "Activate", "suspend": "Suspend", "reactivate": "Reactivate", "cancel": "Cancel contract"}


def contract_or_404(contract_id):
    contract = request.env["tcm.contract"].with_context(active_test=False).browse(
        int_param(contract_id, "contract id")).exists()
    if not contract:
        raise MissingError(f"Contract {contract_id} does not exist")
    return contract


def allowed_events(contract) -> list[str]:
    """The lifecycle events the contract's state allows (the model still has the last word)."""
    return [event for event, transition in TRANSITIONS.items()
            if contract.state in transition.allowed and not (event == "activate" and contract.activated)]


@navigation.section("contracts", "Contracts", "/console/contracts", sequence=50, model="tcm.contract")
class ContractConsole(http.Controller):
    @http.route("/console/contracts", type="http", auth="user", methods=["GET"], readonly=True)
    def contracts(self, **params):
        domain = []
        if params.get("state") in dict(STATES):
            domain.append(("state", "=", params["state"]))
        query = (params.get("q") or "").strip()
        if query:
            domain += ["|", ("name", "ilike", query), ("partner_id.name", "ilike", query)]
        contracts = request.env["tcm.contract"].with_context(active_test=False)
        listing = Listing.search(contracts, domain, params, COLUMNS, "created", default_desc=True)
        return render("tcm_core/console/contracts.html", {"listing": listing, "states": STATES, "search": query,
                                                         "state": params.get("state", "")}, section="contracts")

    @http.route("/console/contracts/<contract_id>", type="http", auth="user", methods=["GET"], readonly=True)
    def contract(self, contract_id, notice="", error="", **_ignored):
        contract = contract_or_404(contract_id)
        can_write = request.env["tcm.contract"].check_access_rights("write", raise_exception=False)
        return render("tcm_core/console/contract.html", {
            "contract": contract, "events": contract.event_ids.sorted(lambda e: (e.date, e.id), reverse=True),
            "buttons": [(event, BUTTONS[event]) for event in allowed_events(contract)] if can_write else [],
            "panels": self._panels(contract), "notice": notice, "error": error}, section="contracts")

    def _panels(self, contract) -> list[tuple[str, dict]]:
        """``(template, values)`` of the extra sections a backend plugin shows on a contract's page."""
        return []

    @http.route("/console/contracts/<contract_id>/<string:event>", type="http", auth="user", methods=["POST"])
    def transition(self, contract_id, event, **_ignored):
        if event not in TRANSITIONS:
            return request.not_found(f"Unknown contract event {event!r}: use {', '.join(TRANSITIONS)}")
        contract = contract_or_404(contract_id)
        try:
            with request.env.cr.savepoint():
                getattr(contract, f"action_{event}")()
            query = {"notice": f"Contract {contract.name!r}: {event} done."}
        except UserError as exc:
            query = {"error": str(exc)}
        return request.redirect(f"/console/contracts/{contract.id}?{urlencode(query)}")
