"""The plain baseline's payment callback: the provider posts here, the finish job is enqueued."""
import json

from odoo import http
from odoo.http import request


class PlainPaymentCallback(http.Controller):
    @http.route("/bench_saga_baseline/paid", type="http", auth="none", methods=["POST"], csrf=False)
    def paid(self):
        order_uid = json.loads(request.httprequest.get_data())["orderId"]
        request.env["ticket.order"].sudo().search([("uid", "=", order_uid)], limit=1)._bench_paid()
        return request.make_json_response({"ok": True})
