"""A demo payment provider, so the README's curl completes an order on one server.

``POST /ticket_order/demo_payment`` takes the payment request and answers 202 at once; a moment
later it posts the signed result to the request's ``callbackUrl``, as a real provider would.  It
approves, or declines when ``ticket_order.demo_payment_decision`` is ``decline``; ``none`` sends no
result (the order then waits until its payment timeout).  It writes nothing to the database (a
read-only route): the result is sent from a thread, after the saga's transaction has committed.
Not for production: a result lost with the process is a payment timeout.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid

import requests
from odoo import http
from odoo.addons.saga.controllers.message import SECRET_PARAMETER, sign
from odoo.http import request

from ..services.payment import RESULT_TYPE

_logger = logging.getLogger(__name__)

DECISION_PARAM = "ticket_order.demo_payment_decision"
DELAY_S = 0.2


class DemoPaymentProvider(http.Controller):
    @http.route("/ticket_order/demo_payment", type="http", auth="none", methods=["POST"], csrf=False, readonly=True)
    def pay(self):
        try:
            body = json.loads(request.httprequest.get_data())
            order_uid, callback = str(body["orderId"]), str(body["callbackUrl"])
        except (ValueError, KeyError, TypeError):
            return request.make_json_response({"error": "orderId and callbackUrl are required"}, status=400)
        parameters = request.env["ir.config_parameter"].sudo()
        decision = parameters.get_param(DECISION_PARAM) or "approve"
        if decision != "none":
            result = {"status": "declined", "reason": "INSUFFICIENT CREDIT"} if decision == "decline" else \
                {"status": "paid", "transaction": uuid.uuid4().hex}
            secret = parameters.get_param(SECRET_PARAMETER) or ""
            threading.Thread(target=send_result, args=(callback, secret, order_uid, result), daemon=True).start()
        return request.make_json_response({"accepted": True}, status=202)


def send_result(callback: str, secret: str, order_uid: str, result: dict, delay: float = DELAY_S) -> None:
    """Post the signed ``payment.result`` of ``order_uid`` to ``callback`` (a few tries)."""
    time.sleep(delay)
    body = json.dumps({"message_id": f"demo-pay-{order_uid}", "type": RESULT_TYPE, "business_key": order_uid,
                       "saga_type": "ticket_order", "payload": result, "timestamp": time.time()}).encode()
    for attempt in range(5):
        try:
            response = requests.post(callback, data=body, timeout=30, headers={
                "Content-Type": "application/json", "X-Saga-Signature": sign(secret, body)})
            if response.status_code == 200:
                return
            _logger.warning("demo payment: callback %s answered %s", callback, response.status_code)
        except requests.RequestException as exc:
            _logger.warning("demo payment: callback %s failed: %s", callback, exc)
        time.sleep(0.5 * 2 ** attempt)
