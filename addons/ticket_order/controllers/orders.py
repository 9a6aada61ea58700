"""The seed's order API: ``POST /orders`` (returns the order id) and ``GET /orders`` (with statuses).

Plain JSON over HTTP, as the seed's Spring controller: the body is the ``CreateOrderRequest``
itself, not a JSON-RPC envelope.  A bad body gets HTTP 400 ``{"error": ..., "field": ...}``
(``field`` when one is to blame) and starts nothing.  The routes are public (``auth='public'``),
as the seed's are, and act through the models with ``sudo()``; ``GET /orders/<id>`` shows one order.
"""
from __future__ import annotations

import json

from odoo import http
from odoo.http import request

from ..models.ticket_order import InvalidOrder

MAX_BODY = 256 * 1024


class Orders(http.Controller):
    @http.route("/orders", type="http", auth="public", methods=["POST"], csrf=False)
    def create_order(self):
        raw = request.httprequest.get_data()
        if len(raw) > MAX_BODY:
            return _error("the order body is too large", None, 413)
        try:
            body = json.loads(raw)
        except ValueError:
            return _error("the body is not JSON", None)
        try:
            order_uid = request.env["ticket.order"].sudo().place(body)
        except InvalidOrder as exc:
            return _error(str(exc), exc.field)
        response = request.make_response(order_uid, headers={"Content-Type": "text/plain; charset=utf-8"},
                                         status=201)
        return response

    @http.route("/orders", type="http", auth="public", methods=["GET"], readonly=True)
    def list_orders(self, limit: str = "100", status: str = ""):
        if not limit.isdigit() or not 0 < int(limit) <= 1000:
            return _error("limit must be an integer from 1 to 1000", "limit")
        domain = [("status", "=", status)] if status else []
        orders = request.env["ticket.order"].sudo().search(domain, limit=int(limit))
        return request.make_json_response(orders.as_response())

    @http.route("/orders/<string:order_uid>", type="http", auth="public", methods=["GET"], readonly=True)
    def show_order(self, order_uid: str):
        order = request.env["ticket.order"].sudo().search([("uid", "=", order_uid)], limit=1)
        if not order:
            return _error(f"no order {order_uid}", "id", 404)
        return request.make_json_response(order.as_response()[0])


def _error(message: str, field: str | None, status: int = 400):
    return request.make_json_response({"error": message, **({"field": field} if field else {})}, status=status)
