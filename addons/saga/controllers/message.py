"""``POST /saga/1/message``: the signed callback through which services answer waiting sagas.

The body is JSON ``{"message_id", "type", "business_key", "payload": {...}, "saga_type"?, "timestamp"}``;
the header ``X-Saga-Signature: sha256=<hex>`` is the HMAC-SHA256 of the raw body with the
``saga.callback_secret`` system parameter.  Replays are harmless: a message id is applied once,
and a timestamp older than ``MAX_AGE_S`` is refused so a captured body cannot be replayed later.
Answers: 200 with the outcome, 400 for a malformed body (naming the field), 401 for a missing or
wrong signature or a stale timestamp (nothing recorded).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from .. import inbox

_logger = logging.getLogger(__name__)

MAX_AGE_S = 300
SECRET_PARAMETER = "saga.callback_secret"


def sign(secret: str, body: bytes) -> str:
    """The ``X-Saga-Signature`` header value of ``body`` (for services and tests)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class SagaMessages(http.Controller):
    @http.route("/saga/1/message", type="http", auth="none", methods=["POST"], csrf=False)
    def message(self):
        body = request.httprequest.get_data()
        secret = request.env["ir.config_parameter"].sudo().get_param(SECRET_PARAMETER) or ""
        signature = request.httprequest.headers.get("X-Saga-Signature", "")
        if not secret or not hmac.compare_digest(sign(secret, body), signature):
            return _answer({"error": "missing or invalid X-Saga-Signature"}, 401)
        try:
            message = _parse(body)
        except ValueError as exc:
            return _answer({"error": str(exc)}, 400)
        if abs(time.time() - message["timestamp"]) > MAX_AGE_S:
            return _answer({"error": f"timestamp is more than {MAX_AGE_S} s away from the server's clock"}, 401)
        try:
            result = inbox.receive(request.env, message["message_id"], message["type"], message["business_key"],
                                   message["payload"], message.get("saga_type"), "http")
        except ValidationError as exc:
            return _answer({"error": str(exc)}, 400)
        return _answer(result, 200)


def _parse(body: bytes) -> dict:
    message = inbox.parse(body)
    if not isinstance(message.get("timestamp"), int | float) or isinstance(message.get("timestamp"), bool):
        raise ValueError("field 'timestamp' must be a number (seconds since the epoch)")
    return message


def _answer(data: dict, status: int):
    return request.make_json_response(data, status=status)
