"""The WSGI application: one ``Request`` per call, routed on the database's installed addons.

``Application(config)`` is what both servers (threaded werkzeug, gunicorn
prefork) run.  Its state lives on the instance: the database directory, the
session store, routing maps per set of installed addons, templates.  Nothing
escapes ``__call__`` as a traceback: an unexpected error is logged and
answered 500 (with the traceback in the body only in ``--dev`` mode).
"""
from __future__ import annotations

import logging
import time
from weakref import WeakKeyDictionary

import werkzeug.exceptions
import werkzeug.wrappers

from ..config import Config
from ..exceptions import AccessError
from ..service import RpcContext
from . import errors
from .databases import DatabaseDirectory
from .dispatchers import DISPATCHERS
from .request import Request, Response, _request_var
from .routing import RoutingMaps
from .session_store import SessionStore
from .templates import Templates

_logger = logging.getLogger(__name__)
_access_logger = logging.getLogger("server.http.access")

# Until a route is matched no body is read; then the route's limit applies (``body_limit``).
MAX_CONTENT_LENGTH = 128 * 1024 * 1024
DEFAULT_BODY_LIMIT = 10 * 1024 * 1024
CORS_HEADERS = "Origin, X-Requested-With, Content-Type, Accept, Authorization, X-Openerp-Session-Id"


class HTTPRequest(werkzeug.wrappers.Request):
    max_content_length = MAX_CONTENT_LENGTH
    max_form_memory_size = 16 * 1024 * 1024
    body_limit: int | None = None

    def limit_body(self, limit: int) -> None:
        """Refuse bodies past ``limit`` bytes, chunked ones too (werkzeug would cut those silently at its
        ``max_content_length``: one byte more is read to tell a body of exactly ``limit`` from a longer one)."""
        self.body_limit = limit
        self.max_content_length = limit + 1

    def get_data(self, *args, **kwargs):
        data = super().get_data(*args, **kwargs)
        if self.body_limit is not None and len(data) > self.body_limit:
            raise werkzeug.exceptions.RequestEntityTooLarge(
                f"The request body is larger than this route accepts ({self.body_limit} bytes).")
        return data


class Application:
    """``Application(config)(environ, start_response)``; see the module docstring."""

    def __init__(self, config: Config):
        self.config = config
        self.dev_mode = config.dev_mode
        self.databases = DatabaseDirectory(config)
        self.session_store = SessionStore()
        self.routing = RoutingMaps()
        self.templates = Templates()
        self._public_uids: WeakKeyDictionary = WeakKeyDictionary()

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request = Request(self, HTTPRequest(environ))
        token = _request_var.set(request)
        try:
            response = self.serve(request)
        except Exception as exc:  # the last line of defence
            errors.log_exception(exc, request.httprequest.path)
            response = errors.http_error(exc, self.dev_mode)
        finally:
            request.close(commit=False)
            _request_var.reset(token)
        if isinstance(response, werkzeug.exceptions.HTTPException):
            response = response.get_response(environ)
        self.log_access(request, response.status_code, started)
        return response(environ, start_response)

    def serve(self, request: Request):
        """Match the URL on the request database's routes (the nodb routes without one) and dispatch."""
        request.select_database()
        routing_map = self.routing.for_registry(request.registry) if request.registry else self.routing.nodb()
        try:
            rule, args = routing_map.bind_to_environ(request.httprequest.environ).match(return_rule=True)
        except werkzeug.exceptions.HTTPException as exc:
            return exc
        request.endpoint = endpoint = rule.endpoint
        request.rule, request.rule_args = rule, args
        too_large = self.limit_body(request, endpoint.routing)
        if too_large is not None:
            return too_large
        preflight = self.cors_preflight(endpoint.routing, request)
        if preflight is not None:
            return preflight
        response = DISPATCHERS[endpoint.routing["type"]](request).dispatch(endpoint, args)
        if endpoint.routing.get("cors"):
            response.headers["Access-Control-Allow-Origin"] = endpoint.routing["cors"]
        return response

    def body_limit(self, routing: dict) -> int:
        """The largest body ``routing``'s route accepts: its ``max_content_length``, else ``--limit-request-body``."""
        declared = routing.get("max_content_length")
        if declared:
            return int(declared)
        return int(self.config.get("limit_request_body") or DEFAULT_BODY_LIMIT)

    def limit_body(self, request: Request, routing: dict):
        """Bound what may be read of the body; answer 413 at once when ``Content-Length`` is past the limit.

        A chunked body (no ``Content-Length``) is cut by werkzeug when it reaches the limit: reading it
        raises ``RequestEntityTooLarge``, which every dispatcher answers with 413.
        """
        limit = self.body_limit(routing)
        httprequest = request.httprequest
        httprequest.limit_body(limit)
        length = httprequest.content_length
        if length is None or length <= limit:
            return None
        _logger.info("%s: body of %d bytes refused (limit %d)", httprequest.path, length, limit)
        too_large = werkzeug.exceptions.RequestEntityTooLarge(
            f"The request body ({length} bytes) is larger than this route accepts ({limit} bytes).")
        if routing.get("type") == "json":
            return DISPATCHERS["json"](request).too_large(too_large)
        return too_large

    @staticmethod
    def cors_preflight(routing: dict, request: Request) -> Response | None:
        if not routing.get("cors") or request.httprequest.method != "OPTIONS":
            return None
        methods = ", ".join(routing.get("methods") or ["GET", "POST"])
        return Response(status=204, headers={
            "Access-Control-Allow-Origin": routing["cors"], "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": CORS_HEADERS, "Access-Control-Max-Age": "86400"})

    def warm_up(self) -> None:
        """Open the configured databases' registries and routing maps before the first request."""
        for name in self.databases.explicit_names() or ():
            try:
                self.routing.for_registry(self.databases.registry(name))
            except Exception:  # the first request will report it
                _logger.warning("database %s could not be opened at start-up", name, exc_info=True)

    def public_uid(self, registry, cr) -> int:
        """The id of ``base.public_user`` in ``registry``'s database (cached per registry)."""
        uid = self._public_uids.get(registry)
        if uid is None:
            row = cr.execute("SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s",
                             ("base", "public_user")).fetchone()
            if not row:
                raise AccessError("This database has no public user (base.public_user): log in first")
            uid = self._public_uids[registry] = row[0]
        return uid

    def rpc_context(self, request: Request) -> RpcContext:
        """What the RPC services may use for ``request`` (its host matters for ``dbfilter``)."""
        current = (request.db, request.registry) if request.registry is not None else None
        return RpcContext(self.databases, request.host, current)

    @staticmethod
    def log_access(request: Request, status: int, started: float) -> None:
        httprequest = request.httprequest
        _access_logger.info("%s %s %s %s %.1fms", httprequest.remote_addr, httprequest.method, httprequest.path,
                            status, (time.perf_counter() - started) * 1000)
