"""The payment request to the external payment provider, and the result it sends back.

The provider is asked over HTTP (``POST ticket_order.payment_url`` with the order, the amount and
the callback URL, authenticated by ``ticket_order.payment_token``); it answers at once that it took
the request (2xx) and later posts the result, signed, to ``/saga/1/message`` (type
``payment.result``, business key the order id, payload ``{"status": "paid" | "declined",
"reason"?}``).  A refused request (4xx) or no answer is a technical error: the step retries it.
"""
from __future__ import annotations

from collections.abc import Callable

import requests
from odoo.addons.saga.calls import direct

URL_PARAM = "ticket_order.payment_url"
PAYMENT_SECRET_PARAM = "ticket_order.payment_token"
TIMEOUT_S = 10.0
RESULT_TYPE = "payment.result"


class PaymentRequestFailed(Exception):
    """The provider did not take the payment request: a technical error, retried."""


def request_payment(env, order, timeout: float = 0, call: Callable = direct) -> None:
    """Ask the provider to take the payment of ``order``; ``call`` makes the HTTP request (the saga's
    ``ctx.call``: no transaction is open while it travels, and the provider may call back before it
    answers)."""
    parameters = env["ir.config_parameter"].sudo()
    url = parameters.get_param(URL_PARAM) or (parameters.get_param("web.base.url", "").rstrip("/")
                                              + "/ticket_order/demo_payment")
    body = {"orderId": order.uid, "customerId": order.customer_id, "amount": order.amount_cents / 100,
            "amountCents": order.amount_cents,
            "callbackUrl": parameters.get_param("web.base.url", "").rstrip("/") + "/saga/1/message"}
    token = parameters.get_param(PAYMENT_SECRET_PARAM) or ""
    try:
        response = call(requests.post, url, json=body, timeout=timeout or TIMEOUT_S,
                                 headers={"Authorization": f"Bearer {token}"})
    except requests.RequestException as exc:
        raise PaymentRequestFailed(f"payment provider at {url}: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise PaymentRequestFailed(f"payment provider at {url} answered HTTP {response.status_code}")
