"""IAP calls from this server to itself, served in-process instead of over HTTP.

Why: the one-server setup (platform, provider and client on one server and database) makes IAP calls to
itself: the client asks the provider for a book, the provider sells it at the platform.  Over HTTP each
call needs a free worker while the caller's worker waits; with ``--workers 2`` two parallel lookups take
both workers and the calls they make wait for a worker that never comes.  A call to this very server and
database is therefore handed to the WSGI application directly, in a thread of its own: the same routing,
database selection, authentication, transaction (committed or rolled back by the called route alone,
exactly as over HTTP: nothing half-written if either side fails), error envelope and timeout, but no
socket and no worker slot.  On SQLite the caller must hold no write lock during the call, as over HTTP
(``release_write_lock``); the called route opens its own connection in its own thread.

"This very server and database" means all of:

* the URL's origin (scheme, host, port) is one of this server's own: the origin the current request was
  sent to (its ``Host``), ``web.base.url`` when the caller knows it, or a loopback address on the port the
  request arrived on;
* the database a session-less request to that host selects (``dbfilter``, monodb) is the caller's;
* that database serves the URL's route (for ``/iap/1/*``: ``iap_platform`` is installed there).

Anything else (another server, another database, no current request: cron, CLI) goes over HTTP.
"""
from __future__ import annotations

import io
import json
import logging
import threading
from urllib.parse import urlsplit

import requests
import werkzeug.exceptions
import werkzeug.test
from requests.structures import CaseInsensitiveDict

_logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of ``url``, loopback names folded into one; None if it is no http(s) URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    host = "localhost" if host in LOOPBACK_HOSTS else host
    return parts.scheme, host, port or DEFAULT_PORTS[parts.scheme]


def current_request():
    """The request this thread serves, or None (cron, CLI, a thread of its own)."""
    from odoo.http import request

    try:
        return request._get_current_object()
    except RuntimeError:
        return None


def this_server_url(env) -> str:
    """This server's address as its clients reach it, without a trailing slash.

    The origin of the request being served on ``env``'s database (right whatever port or name the
    server runs on), else the ``web.base.url`` parameter, else localhost on the configured HTTP port.
    What ``iap.endpoint`` and the ISBN client's endpoint default to: our platform and provider are
    addons of this very server unless configured elsewhere.
    """
    req = current_request()
    if req is not None and req.registry is env.registry:
        return req.httprequest.host_url.rstrip("/")
    base = env["ir.config_parameter"].sudo().get_param("web.base.url")
    if base:
        return base.rstrip("/")
    return f"http://localhost:{env.registry.config.get('http_port') or 8069}"


def own_origins(req, base_urls=()) -> set:
    """The origins that reach this server: the request's own, ``base_urls`` (``web.base.url``), loopback."""
    environ = req.httprequest.environ
    origins = {_origin(req.httprequest.host_url), *(_origin(url) for url in base_urls if url)}
    port = environ.get("SERVER_PORT")
    if port and str(port).isdigit():
        origins.add((environ.get("wsgi.url_scheme", "http"), "localhost", int(port)))
    return origins - {None}


def local_application(url: str, base_urls=()):
    """The application to serve ``url`` in-process, if it targets this server and database; else None."""
    req = current_request()
    target = _origin(url)
    if req is None or req.registry is None or target is None or target not in own_origins(req, base_urls):
        return None
    host = urlsplit(url).netloc
    if req.app.databases.monodb(host) != req.db:
        return None  # over HTTP the call would land in another database (or none)
    try:
        req.app.routing.for_registry(req.registry).bind(host).match(urlsplit(url).path or "/", method="POST")
    except werkzeug.exceptions.HTTPException:
        return None  # this database does not serve that route
    return req.app


class InProcessClient:
    """What ``iap_tools`` posts with (``post(url, json=, timeout=)`` -> ``requests.Response``), in-process."""

    def __init__(self, app):
        self.app = app

    def post(self, url: str, json=None, timeout=None) -> requests.Response:  # noqa: A002 (requests' name)
        """Serve the call in a thread of its own; ``requests``' ReadTimeout if it does not answer in time.

        As over HTTP, a call that times out still runs to its end (and commits) in its thread.
        """
        environ = _environ(url, json)
        outcome: dict = {}
        thread = threading.Thread(target=self._serve, args=(environ, outcome), daemon=True,
                                  name=f"iap-self-call {urlsplit(url).path}")
        thread.start()
        thread.join(_read_timeout(timeout))
        if thread.is_alive():
            raise requests.exceptions.ReadTimeout(f"in-process call to {url} did not answer in {timeout} s")
        if "error" in outcome:
            raise requests.exceptions.ConnectionError(f"in-process call to {url} failed: {outcome['error']}")
        return response_of(url, *outcome["answer"])

    def _serve(self, environ: dict, outcome: dict) -> None:
        try:
            app_iter, status, headers = werkzeug.test.run_wsgi_app(self.app, environ, buffered=True)
            outcome["answer"] = (status, headers, b"".join(app_iter))
        except Exception as exc:  # the application answers every request; this is the transport failing
            _logger.exception("in-process IAP call to %s failed", environ.get("PATH_INFO"))
            outcome["error"] = exc


def _environ(url: str, payload) -> dict:
    parts = urlsplit(url)
    builder = werkzeug.test.EnvironBuilder(
        path=parts.path or "/", query_string=parts.query, base_url=f"{parts.scheme}://{parts.netloc}",
        method="POST", data=json.dumps(payload), content_type="application/json",
        environ_base={"REMOTE_ADDR": "127.0.0.1"})
    try:
        return builder.get_environ()
    finally:
        builder.close()


def response_of(url: str, status: str, headers, body: bytes) -> requests.Response:
    """A ``requests.Response`` for an answer received otherwise (in-process, or by ``http_client``)."""
    response = requests.Response()
    response.status_code = int(status.split()[0])
    response.reason = status.partition(" ")[2]
    response.headers = CaseInsensitiveDict(dict(headers))
    response.raw = io.BytesIO(body)
    response._content = body
    response.url = url
    response.encoding = "utf-8"
    return response


def _read_timeout(timeout) -> float | None:
    if isinstance(timeout, tuple):
        return timeout[-1]
    return timeout
