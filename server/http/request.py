"""The request object addon code sees as ``odoo.http.request``.

One ``Request`` per HTTP request: it selects the database (session cookie,
else the only visible one), opens the transaction lazily on first use of
``request.cr``/``request.env``, authenticates per the route's ``auth``, calls
the endpoint, saves the session and commits, all in that one transaction.
Whatever fails rolls everything back.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time
from contextvars import ContextVar
from urllib.parse import urlsplit

import werkzeug.exceptions
import werkzeug.utils
import werkzeug.wrappers
from werkzeug.datastructures import Headers
from werkzeug.local import LocalProxy

from ..db import ReadOnlyError
from ..exceptions import AccessError
from ..orm.environment import SUPERUSER_ID, Environment
from .errors import InvalidParams, SessionExpiredException
from .routing import Endpoint
from .session_store import SESSION_LIFETIME, Session, split_sid
from .wire import json_dumps, json_loads, no_none

_logger = logging.getLogger(__name__)

_request_var: ContextVar[Request] = ContextVar("odoo_request")
request: Request = LocalProxy(  # type: ignore[assignment]
    _request_var, unbound_message="odoo.http.request is only available while a request is being served")

CSRF_FREE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_TOKEN_LIFETIME = 48 * 3600


class Response(werkzeug.wrappers.Response):
    """An HTTP response; HTML unless told otherwise (Odoo's ``http.Response``)."""

    default_mimetype = "text/html"


class FutureResponse:
    """Headers and cookies an endpoint adds before its response exists (applied to whatever is sent)."""

    def __init__(self):
        self.headers = Headers()
        self.cookies: list[tuple[tuple, dict]] = []

    def set_cookie(self, *args, **kwargs) -> None:
        self.cookies.append((args, kwargs))

    def apply(self, response) -> None:
        response.headers.extend(self.headers)
        for args, kwargs in self.cookies:
            response.set_cookie(*args, **kwargs)


class Request:
    """The current request: ``db``, ``env``, ``session``, ``params``, ``httprequest``."""

    def __init__(self, app, httprequest: werkzeug.wrappers.Request):
        self.app = app
        self.httprequest = httprequest
        self.db: str | None = None
        self.registry = None
        self.params: dict = {}
        self.endpoint: Endpoint | None = None
        self.rule = None
        self.rule_args: dict = {}
        self.future_response = FutureResponse()
        self._cr = None
        self._readonly = False
        self._env: Environment | None = None
        self._uid: int | None = None
        self._context: dict = {}
        self._session: Session | None = None
        self._session_saved = False
        self._sid, self._sid_explicit = self._find_sid()

    def _find_sid(self) -> tuple[str | None, bool]:
        """Odoo's lookup order: ``?session_id=``, ``X-Openerp-Session-Id``, then the cookie."""
        explicit = self.httprequest.args.get("session_id") or self.httprequest.headers.get("X-Openerp-Session-Id")
        if explicit:
            return explicit, True
        return self.httprequest.cookies.get("session_id"), False

    # -- database ---------------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return self.httprequest.host or ""

    def select_database(self) -> None:
        """Use the session's database if visible, else the only visible one, else none."""
        parts = split_sid(self._sid)
        directory = self.app.databases
        candidate = parts[1] if parts and directory.visible(parts[1], self.host) else None
        name = candidate or directory.monodb(self.host)
        if name:
            try:
                self.use_database(name)
            except Exception:  # a broken database must not take the nodb routes down with it
                _logger.exception("database %s cannot be opened; serving without a database", name)
                self.db = self.registry = None

    def use_database(self, name: str) -> None:
        """Serve the rest of this request on database ``name`` (ends any transaction on the previous one)."""
        if name == self.db:
            return
        registry = self.app.databases.registry(name, self.host)
        self.app.session_store.ensure_table(registry)
        self.close(commit=True)
        self.db, self.registry = name, registry
        if self._session is not None and self._session.db != name:
            self._session = self.app.session_store.new(name)

    @property
    def cr(self):
        """The request's transaction, begun on first use."""
        if self._cr is None:
            if self.registry is None:
                raise RuntimeError("This request has no database: only auth='none' routes can be served")
            self._cr = self.registry.cursor(readonly=self._readonly)
        return self._cr

    @property
    def env(self) -> Environment:
        """The environment of the authenticated user (uid None for ``auth='none'`` routes)."""
        if self._env is None:
            self._env = Environment(self.cr, self._uid, self._context)
        return self._env

    @property
    def uid(self) -> int | None:
        return self._uid

    @property
    def context(self) -> dict:
        return dict(self._context)

    def update_env(self, user=None, context: dict | None = None, su: bool | None = None) -> None:
        """Switch the request's user and/or context (the transaction stays the same)."""
        if user is not None:
            self._uid = user.id if hasattr(user, "_ids") else user
        if context is not None:
            self._context = dict(context)
        self._env = None if su is None else Environment(self.cr, self._uid, self._context, su=su)

    def update_context(self, **overrides) -> None:
        self.update_env(context={**self._context, **overrides})

    # -- transaction --------------------------------------------------------------------------------
    def close(self, commit: bool = False) -> None:
        """End the transaction (commit or roll back); idempotent."""
        cr, self._cr, self._env = self._cr, None, None
        if cr is not None:
            cr.close(commit=commit)

    # -- session --------------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The session, loaded from its database on first use (a new one if none is valid)."""
        if self._session is None:
            self._session = self._load_session()
        return self._session

    def _load_session(self) -> Session:
        parts = split_sid(self._sid)
        if parts and self.db and parts[1] == self.db:
            found = self.app.session_store.get(self.cr, self._sid, explicit=self._sid_explicit)
            if found is not None:
                return found
        return self.app.session_store.new(self.db)

    def save_session(self) -> None:
        """Write the session in the request's transaction if it changed (or is due for a refresh)."""
        session = self._session
        if session is None or self.db is None or not self.endpoint.routing.get("save_session", True):
            return
        if session.needs_touch(time.time()):
            session.touch()
        if session.is_dirty and (session.db == self.db or session.is_deleted):
            self.app.session_store.save(self.cr, session)
            self._session_saved = True

    def apply_session_cookie(self, response) -> None:
        """Send the session cookie if the session was saved; expire it if the session is gone."""
        session = self._session
        if session is None or session.is_explicit:
            return
        options = {"path": "/", "httponly": True, "samesite": "Lax", "secure": self.httprequest.scheme == "https"}
        if self._session_saved and session.sid:
            response.set_cookie("session_id", session.sid, max_age=SESSION_LIFETIME, **options)
        elif self._sid and not session.sid and not self._sid_explicit:
            response.delete_cookie("session_id", **options)

    def authenticate(self, db: str, login: str, password: str) -> int:
        """Log ``login`` in on ``db``: new session id, user context; AccessDenied if refused."""
        self.use_database(db)
        users = Environment(self.cr, SUPERUSER_ID, {})["res.users"]
        uid = users.authenticate(login, password, self.user_agent_env())
        session = self.session
        session.rotate()
        session.db = db
        session.update(uid=uid, login=login, session_token=self.session_token(uid))
        session.context = users.with_user(uid).context_get()
        self.update_env(user=uid, context=session.context)
        return uid

    def user_agent_env(self) -> dict:
        """What Odoo's ``Session.authenticate`` tells ``res.users.authenticate`` about the browser:
        ``base_location`` is the address it reached us at (``scheme://host:port``)."""
        environ = self.httprequest.environ
        return {"interactive": True, "base_location": self.httprequest.url_root.rstrip("/"),
                "HTTP_HOST": environ.get("HTTP_HOST", ""), "REMOTE_ADDR": environ.get("REMOTE_ADDR", "")}

    def session_token(self, uid: int) -> str:
        """A token that changes when the user's login, password or active flag does (kills old sessions)."""
        row = self.cr.execute(
            "SELECT u.login, u.password, u.active, p.value FROM res_users u "
            "LEFT JOIN ir_config_parameter p ON p.key = %s WHERE u.id = %s", ("database.secret", uid)).fetchone()
        if row is None:
            return ""
        login, password, active, secret = row
        message = f"{uid}|{login}|{password}|{bool(active)}".encode()
        return hmac.new((secret or "").encode(), message, hashlib.sha256).hexdigest()

    # -- authentication -------------------------------------------------------------------------------
    def authenticate_route(self, routing: dict) -> None:
        """Apply the route's ``auth`` and ``groups``; SessionExpiredException/AccessError if refused."""
        auth = routing["auth"]
        if auth == "none":
            self.update_env(user=None)
            return
        uid = self._session_uid()
        if uid is None:
            if auth == "user":
                raise SessionExpiredException()
            self.update_env(user=self.app.public_uid(self.registry, self.cr), context={})
        else:
            self.update_env(user=uid, context=self.session.get("context") or {})
        if routing.get("groups"):
            self._check_groups(routing["groups"])

    def _session_uid(self) -> int | None:
        session = self.session
        uid = session.get("uid")
        if not uid:
            return None
        if not hmac.compare_digest(str(session.get("session_token") or ""), self.session_token(uid)):
            _logger.info("session of uid %s is no longer valid (credentials changed): logged out", uid)
            session.logout(keep_db=True)
            return None
        return uid

    def _check_groups(self, groups: str) -> None:
        names = [g.strip() for g in groups.split(",") if g.strip()]
        user = self.env.user
        if not any(user.has_group(name) for name in names):
            raise AccessError(f"The page {self.httprequest.path} is reserved to members of {', '.join(names)}",
                              groups=names)

    # -- calling the endpoint -----------------------------------------------------------------------------
    def run_endpoint(self, endpoint: Endpoint, params: dict, drop_unknown: bool = False):
        """Authenticate, call ``endpoint(**params)``, save the session and commit; roll back on error.

        A ``readonly`` route runs on a read-only cursor first (Odoo 18); if it
        writes after all, everything is undone and it runs again read-write.
        """
        self.params = params
        if self._cr is None and self.registry is not None and self._is_readonly(endpoint):
            self._readonly = True
            try:
                return self._run_endpoint(endpoint, params, drop_unknown)
            except ReadOnlyError as exc:
                _logger.info("%s wrote on a read-only cursor (%s): retried read-write", self.httprequest.path, exc)
                self._forget_attempt()
        return self._run_endpoint(endpoint, params, drop_unknown)

    def _run_endpoint(self, endpoint: Endpoint, params: dict, drop_unknown: bool):
        try:
            self.authenticate_route(endpoint.routing)
            result = endpoint(**self.bind_params(endpoint, params, drop_unknown))
            self.save_session()
            self.close(commit=True)
        except BaseException:
            self.close(commit=False)
            raise
        return result

    def _is_readonly(self, endpoint: Endpoint) -> bool:
        """The route's ``readonly``: a flag, or Odoo's ``readonly(controller, rule, args)`` deciding per call."""
        readonly = endpoint.routing.get("readonly", False)
        if callable(readonly):
            controller = getattr(endpoint.method, "__self__", None)
            readonly = readonly(controller, self.rule, self.rule_args)
        return bool(readonly)

    def _forget_attempt(self) -> None:
        """Undo what a read-only attempt left in memory (user, session, response headers) before the retry."""
        self._readonly = False
        self._uid, self._context, self._env = None, {}, None
        self._session, self._session_saved = None, False
        self.future_response = FutureResponse()

    def bind_params(self, endpoint: Endpoint, params: dict, drop_unknown: bool) -> dict:
        """The keyword arguments for ``endpoint``; InvalidParams names what is unknown or missing.

        An endpoint taking ``**options`` accepts any name, but its required parameters are still required.
        """
        if endpoint.takes_any:
            self._check_required(endpoint, params)
            return params
        params = dict(params)
        if isinstance(params.get("context"), dict) and "context" not in endpoint.names:
            self.update_context(**params.pop("context"))  # Odoo 16 clients send a top-level context
        unknown = sorted(set(params) - endpoint.names)
        if unknown and drop_unknown:
            params = {k: v for k, v in params.items() if k in endpoint.names}
        elif unknown:
            raise InvalidParams(f"{self.httprequest.path} got unexpected parameter(s) {_quoted(unknown)}; "
                                f"it takes: {', '.join(sorted(endpoint.names)) or 'no parameters'}")
        self._check_required(endpoint, params)
        return params

    def _check_required(self, endpoint: Endpoint, params: dict) -> None:
        missing = [name for name in endpoint.required if name not in params]
        if missing:
            raise InvalidParams(f"{self.httprequest.path} is missing required parameter(s) {_quoted(missing)}")

    def get_json_data(self):
        """The request's body parsed as JSON (Odoo's ``request.get_json_data()``)."""
        return json_loads(self.httprequest.get_data())

    # -- CSRF -------------------------------------------------------------------------------------------
    def csrf_token(self, time_limit: int | None = CSRF_TOKEN_LIFETIME) -> str:
        """A token for forms posted back within ``time_limit`` seconds by this session."""
        max_ts = str(int(time.time() + time_limit)) if time_limit else ""
        return f"{self._csrf_hmac(max_ts)}o{max_ts}"

    def validate_csrf(self, token) -> bool:
        if not isinstance(token, str) or "o" not in token:
            return False
        signature, _, max_ts = token.rpartition("o")
        if max_ts and (not max_ts.isdigit() or int(max_ts) < time.time()):
            return False
        return hmac.compare_digest(signature, self._csrf_hmac(max_ts))

    def _csrf_hmac(self, max_ts: str) -> str:
        row = self.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", ("database.secret",)).fetchone()
        secret = (row[0] if row else "") or ""
        message = f"{self.session.sid or ''}{max_ts}".encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()

    # -- responses ------------------------------------------------------------------------------------------
    def make_response(self, data, headers=None, cookies: dict | None = None, status: int = 200) -> Response:
        response = Response(data, status=status, headers=headers)
        for name, value in (cookies or {}).items():
            response.set_cookie(name, value)
        return response

    def make_json_response(self, data, headers=None, cookies: dict | None = None, status: int = 200) -> Response:
        response = self.make_response(json_dumps(no_none(data)), headers, cookies, status)
        response.mimetype = "application/json"
        return response

    def redirect(self, location: str, code: int = 303, local: bool = True) -> werkzeug.wrappers.Response:
        """Redirect; with ``local`` an absolute URL to another site is reduced to its path (no open redirect)."""
        if local:
            parts = urlsplit(location)
            location = parts._replace(scheme="", netloc="").geturl() or "/"
        return werkzeug.utils.redirect(location, code, Response=Response)

    def not_found(self, description: str | None = None) -> werkzeug.exceptions.NotFound:
        return werkzeug.exceptions.NotFound(description)

    def render(self, template: str, qcontext: dict | None = None, status: int = 200, headers=None) -> Response:
        """Render ``'<addon>.<name>'`` (file ``<addon>/templates/<name>.html``, Jinja2, autoescaped)."""
        html = self.app.templates.render(self.registry, template, {"request": self, **(qcontext or {})})
        return self.make_response(html, headers=headers, status=status)


def _quoted(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)
