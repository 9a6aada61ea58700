"""How a matched route is served: JSON-RPC 2.0 (``type='json'``) or plain HTTP (``type='http'``).

JSON-RPC envelopes are parsed and validated by jsonrpcserver; the answer is
then put in Odoo's shapes: HTTP 200, ``result`` omitted when the endpoint
returns None, errors with ``data.name``/``data.message`` always present,
-32700 for malformed JSON, -32600 for an invalid envelope (batches
included), -32602 for parameters the endpoint does not take or misses.
"""
from __future__ import annotations

import logging

import jsonrpcserver
import werkzeug.exceptions
import werkzeug.wrappers
from jsonrpcserver.main import default_validator
from jsonrpcserver.response import to_serializable_one

from . import errors
from .request import CSRF_FREE_METHODS, Request, Response
from .routing import Endpoint
from .wire import json_dumps, json_loads, no_none

_logger = logging.getLogger(__name__)

JSON_MIMETYPES = ("application/json", "application/json-rpc")
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
ENVELOPE_KEYS = frozenset({"jsonrpc", "method", "params", "id"})


class _EveryMethod:
    """jsonrpcserver's method table: Odoo routes on the URL, so every ``method`` name reaches the endpoint."""

    def __init__(self, handler):
        self.handler = handler

    def __getitem__(self, name):
        return self.handler


def _deserialize(body: bytes):
    data = json_loads(body)
    if isinstance(data, dict) and "id" not in data:
        data["id"] = None  # Odoo answers every request; a missing id is echoed back as null
    return data


def envelope_problem(data) -> str:
    """Why ``data`` is not a JSON-RPC 2.0 request Odoo clients would send (for the error message)."""
    if isinstance(data, list):
        return "batch requests are not supported: send one request per HTTP call"
    if not isinstance(data, dict):
        return f"the body must be a JSON object, not {type(data).__name__}"
    extra = sorted(map(str, set(data) - ENVELOPE_KEYS))
    if extra:
        return f"unexpected member(s) {', '.join(map(repr, extra))}: a request has jsonrpc, method, params, id"
    if data.get("jsonrpc") != "2.0":
        return "'jsonrpc' must be \"2.0\""
    if not isinstance(data.get("method"), str):
        return "'method' must be a string (Odoo clients send \"call\")"
    if "params" in data and not isinstance(data["params"], (dict, list)):
        return "'params' must be an object"
    return "'id' must be a string, a number or null"


def _validate(data):
    """jsonrpcserver's schema check, skipped for the envelope every Odoo client sends (it costs more
    than the rest of the dispatch); anything unusual still goes through the schema."""
    if isinstance(data, list):
        raise ValueError("batch")
    if not _plainly_valid(data):
        default_validator(data)


def _plainly_valid(data) -> bool:
    """Whether ``data`` obviously satisfies jsonrpcserver's request schema (a subset of what it accepts)."""
    return (type(data) is dict and data.keys() <= ENVELOPE_KEYS and data.get("jsonrpc") == "2.0"
            and type(data.get("method")) is str and type(data.get("params", ())) in (dict, list, tuple)
            and type(data.get("id")) in (str, int, float, type(None)))


def _protocol_data(code: int, detail, problem: str) -> dict:
    if code == -32700:
        return errors.protocol_error_data("werkzeug.exceptions.BadRequest", f"Invalid JSON data: {detail}")
    if code == -32600:
        return errors.protocol_error_data("werkzeug.exceptions.BadRequest", f"Invalid JSON-RPC data: {problem}")
    return errors.protocol_error_data("builtins.Exception", str(detail))


def json_envelope(request_id, code: int, message: str, data: dict) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message, "data": data}}


class JsonRPCDispatcher:
    """Serve a ``type='json'`` route."""

    routing_type = "json"

    def __init__(self, request: Request):
        self.request = request
        self.dev_mode = request.app.dev_mode

    def dispatch(self, endpoint: Endpoint, args: dict) -> werkzeug.wrappers.Response:
        httprequest = self.request.httprequest
        if httprequest.mimetype not in JSON_MIMETYPES:
            message = (f"Request inferred type is compatible with ['http'] but {httprequest.path!r} is type='json': "
                       f"send Content-Type application/json")
            data = errors.protocol_error_data("werkzeug.exceptions.BadRequest", message)
            return self.response(json_envelope(None, -32600, "Invalid Request", data), status=400)
        try:
            body = httprequest.get_data()  # kept: request.get_json_data() may read it again
        except werkzeug.exceptions.HTTPException as exc:
            return self.too_large(exc)
        return self.response(self.run(body, endpoint, args))

    def too_large(self, exc: werkzeug.exceptions.HTTPException) -> werkzeug.wrappers.Response:
        """The envelope of a body refused before parsing (413 Content Too Large, or a broken stream's 400)."""
        code, message, data = errors.json_error(exc)
        return self.response(json_envelope(None, code, message, data), status=exc.code or 400)

    def run(self, body: bytes, endpoint: Endpoint, args: dict) -> dict:
        """The response envelope for ``body`` (never raises)."""
        def handler(*positional, **params):  # any name a client sends must be a parameter, even "self"
            return self._call(endpoint, args, positional, params)

        response = jsonrpcserver.dispatch_to_response(
            body, methods=_EveryMethod(handler), deserializer=_deserialize, validator=_validate,
            post_process=to_serializable_one)
        return self._odoo_shape(response, body)

    def _call(self, endpoint: Endpoint, args: dict, positional: tuple, params: dict):
        if positional:
            data = errors.protocol_error_data("builtins.TypeError", "'params' must be an object: Odoo routes take "
                                              "parameters by name")
            return jsonrpcserver.Error(-32602, "Invalid params", data)
        try:
            result = self.request.run_endpoint(endpoint, {**params, **args})
        except Exception as exc:
            errors.log_exception(exc, self.request.httprequest.path)
            return jsonrpcserver.Error(*errors.json_error(exc, self.dev_mode))
        return jsonrpcserver.Success(result)

    def _odoo_shape(self, payload: dict, body: bytes) -> dict:
        if "error" in payload:
            error = payload["error"]
            if not isinstance(error.get("data"), dict):
                problem = envelope_problem(_safe_parse(body)) if error["code"] == -32600 else ""
                error["data"] = _protocol_data(error["code"], error.get("data", ""), problem)
            error["data"] = no_none(error["data"])
        elif payload.get("result") is None:
            del payload["result"]
        else:
            payload["result"] = no_none(payload["result"])
        return payload

    def response(self, payload: dict, status: int = 200) -> werkzeug.wrappers.Response:
        try:
            body = json_dumps(payload)
        except (TypeError, ValueError) as exc:
            _logger.error("%s: the result cannot be sent as JSON: %s", self.request.httprequest.path, exc)
            data = errors.protocol_error_data("builtins.ValueError", f"The result cannot be sent as JSON: {exc}")
            body = json_dumps(json_envelope(payload.get("id"), 200, "Odoo Server Error", data))
        response = Response(body, status=status, content_type=JSON_CONTENT_TYPE)
        self.request.apply_session_cookie(response)
        self.request.future_response.apply(response)
        return response


def _safe_parse(body: bytes):
    try:
        return json_loads(body)
    except ValueError:
        return None


class HttpDispatcher:
    """Serve a ``type='http'`` route: query, form and files are the parameters; CSRF for session POSTs."""

    routing_type = "http"

    def __init__(self, request: Request):
        self.request = request
        self.dev_mode = request.app.dev_mode

    def dispatch(self, endpoint: Endpoint, args: dict) -> werkzeug.wrappers.Response:
        try:
            params = self.params(args)
            self.check_csrf(endpoint, params)
            response = self.to_response(self.request.run_endpoint(endpoint, params, drop_unknown=True))
        except Exception as exc:
            errors.log_exception(exc, self.request.httprequest.path)
            response = self.error_response(exc)
        self.request.apply_session_cookie(response)
        self.request.future_response.apply(response)
        return response

    def params(self, args: dict) -> dict:
        httprequest = self.request.httprequest
        params = {**httprequest.args.to_dict(), **httprequest.form.to_dict(), **httprequest.files.to_dict(), **args}
        params.pop("session_id", None)
        return params

    def check_csrf(self, endpoint: Endpoint, params: dict) -> None:
        """Refuse a state-changing request of a logged-in session without this session's token."""
        if self.request.httprequest.method in CSRF_FREE_METHODS or not endpoint.routing.get("csrf", True):
            return
        token = params.pop("csrf_token", None)
        if self.request.db is None or not self.request.session.get("uid"):
            return
        if not self.request.validate_csrf(token):
            _logger.warning("%s: %s CSRF token", self.request.httprequest.path, "invalid" if token else "no")
            raise werkzeug.exceptions.BadRequest("Session expired (invalid CSRF token)")

    @staticmethod
    def to_response(result) -> werkzeug.wrappers.Response:
        if isinstance(result, werkzeug.wrappers.Response):
            return result
        if isinstance(result, werkzeug.exceptions.HTTPException):
            return result.get_response()
        if result is None:
            return Response(status=204)
        if isinstance(result, (str, bytes)):
            return Response(result)
        raise TypeError(f"an http route must return a Response, str or bytes, not {type(result).__name__}")

    def error_response(self, exc: Exception) -> werkzeug.wrappers.Response:
        if isinstance(exc, errors.SessionExpiredException) and self._has_login_page():
            return self.request.redirect(f"/web/login?redirect={self.request.httprequest.full_path}")
        return errors.http_error(exc, self.dev_mode).get_response()

    def _has_login_page(self) -> bool:
        registry = self.request.registry
        if registry is None:
            return False
        adapter = self.request.app.routing.for_registry(registry).bind("localhost")
        return adapter.test("/web/login", method="GET")


DISPATCHERS = {"json": JsonRPCDispatcher, "http": HttpDispatcher}
