"""The inventory service's HTTP face, for sagas running on another server (bearer-token auth).

``POST /inventory/booking {"orderId", "orderEntries": {code: qty}}`` -> 200 ``{"reserved"}``, or 409
``{"error": "out_of_stock", "code", "wanted", "available"}``; ``/inventory/release`` and
``/inventory/sell {"orderId"}``.  The token is ``ticket_order.inventory_token``; without one set,
the routes refuse everything (401).
"""
from __future__ import annotations

import hmac
import json

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from ..models.ticket_inventory import OutOfStock
from ..services.inventory import TOKEN_PARAM


class InventoryService(http.Controller):
    @http.route("/inventory/booking", type="http", auth="none", methods=["POST"], csrf=False)
    def booking(self):
        return _serve(lambda inventory, body: {"reserved": inventory.reserve(body["orderId"], body["orderEntries"])},
                      ("orderId", "orderEntries"))

    @http.route("/inventory/release", type="http", auth="none", methods=["POST"], csrf=False)
    def release(self):
        return _serve(lambda inventory, body: {"released": inventory.release(body["orderId"])}, ("orderId",))

    @http.route("/inventory/sell", type="http", auth="none", methods=["POST"], csrf=False)
    def sell(self):
        return _serve(lambda inventory, body: {"sold": inventory.sell(body["orderId"])}, ("orderId",))


def _serve(operation, required: tuple[str, ...]):
    token = request.env["ir.config_parameter"].sudo().get_param(TOKEN_PARAM) or ""
    given = request.httprequest.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(token, given):
        return request.make_json_response({"error": "unauthorized"}, status=401)
    try:
        body = json.loads(request.httprequest.get_data())
    except ValueError:
        return request.make_json_response({"error": "the body is not JSON"}, status=400)
    if not isinstance(body, dict) or any(name not in body for name in required):
        return request.make_json_response({"error": f"the body needs {', '.join(required)}"}, status=400)
    if "orderEntries" in body and not isinstance(body["orderEntries"], dict):
        return request.make_json_response({"error": "orderEntries must be an object"}, status=400)
    try:
        return request.make_json_response(operation(request.env["ticket.inventory"].sudo(), body))
    except OutOfStock as exc:
        return request.make_json_response({"error": "out_of_stock", "code": exc.code, "wanted": exc.wanted,
                                           "available": exc.available}, status=409)
    except ValidationError as exc:
        return request.make_json_response({"error": str(exc)}, status=400)
