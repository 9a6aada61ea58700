"""``/tcm/`` JSON routes: the contract operations for clients that speak JSON rather than ``execute_kw``.

Each route is a thin layer over the public methods of ``tcm.contract``, run as
the logged-in user (access rights apply) in the request's transaction.  Errors
are the models' ``UserError``s, which the HTTP layer turns into JSON-RPC errors.
"""
from __future__ import annotations

from odoo import http
from odoo.exceptions import MissingError
from odoo.http import request

SUMMARY_FIELDS = ["name", "state", "backend", "partner_id", "user_id", "product_id", "package_id",
                  "date_created", "date_activated", "date_suspended", "date_cancelled"]
EVENT_FIELDS = ["event", "date", "user_id", "backend", "handled_by"]


def _contract(contract_id: int):
    contract = request.env["tcm.contract"].browse(int(contract_id)).exists()
    if not contract:
        raise MissingError(f"Contract {contract_id!r} does not exist (or was deleted): check the id.")
    return contract


def _summary(contract) -> dict:
    """The stored fields plus the seed's representation, for one contract."""
    data = contract.read(SUMMARY_FIELDS)[0]
    data["representation"] = contract.get_representation()
    return data


class TcmController(http.Controller):
    @http.route("/tcm/contract/create", type="json", auth="user")
    def create_contract(self, name: str, product_id: int, package_id: int | None = None,
                        partner_id: int | None = None, user_id: int | None = None) -> dict:
        """Create a contract (plugins act on ``on_contract_create``) and return its summary."""
        vals = {"name": name, "product_id": product_id, "package_id": package_id or False}
        vals.update({key: value for key, value in (("partner_id", partner_id), ("user_id", user_id)) if value})
        return _summary(request.env["tcm.contract"].create(vals))

    @http.route("/tcm/contract/read", type="json", auth="user")
    def read_contracts(self, contract_ids: list[int]) -> list[dict]:
        """Summaries of the given contracts, cancelled ones included."""
        return [_summary(_contract(contract_id)) for contract_id in contract_ids]

    @http.route("/tcm/contract/activate", type="json", auth="user")
    def activate(self, contract_id: int) -> dict:
        _contract(contract_id).action_activate()
        return _summary(_contract(contract_id))

    @http.route("/tcm/contract/suspend", type="json", auth="user")
    def suspend(self, contract_id: int) -> dict:
        _contract(contract_id).action_suspend()
        return _summary(_contract(contract_id))

    @http.route("/tcm/contract/reactivate", type="json", auth="user")
    def reactivate(self, contract_id: int) -> dict:
        _contract(contract_id).action_reactivate()
        return _summary(_contract(contract_id))

    @http.route("/tcm/contract/cancel", type="json", auth="user")
    def cancel(self, contract_id: int) -> dict:
        _contract(contract_id).action_cancel()
        return _summary(_contract(contract_id))

    @http.route("/tcm/contract/history", type="json", auth="user")
    def history(self, contract_id: int) -> list[dict]:
        """The audit trail of one contract, oldest first: who did what, when, and which plugins acted."""
        return _contract(contract_id).event_ids.read(EVENT_FIELDS)
