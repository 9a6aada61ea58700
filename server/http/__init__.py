"""HTTP for addons, under Odoo's names: ``from odoo import http``; ``from odoo.http import request, route``.

* ``http.Controller`` and ``@http.route(...)`` declare endpoints (see ``routing.route``);
* ``http.request`` is the current request (``.env``, ``.session``, ``.params``,
  ``.httprequest``, ``.db``, ``make_response``, ``make_json_response``,
  ``redirect``, ``render``, ``csrf_token``);
* ``http.Response`` is an HTML response by default;
* ``http.Application`` is the WSGI application the servers run.
"""
from __future__ import annotations

from .application import Application
from .errors import InvalidParams, SessionExpiredException, serialize_exception
from .request import Request, Response, request
from .routing import Controller, Endpoint, route
from .session_store import SESSION_LIFETIME, Session

__all__ = ["Application", "Controller", "Endpoint", "InvalidParams", "Request", "Response", "SESSION_LIFETIME",
           "Session", "SessionExpiredException", "db_filter", "db_list", "request", "route", "serialize_exception"]


def db_list(host: str | None = None) -> list[str]:
    """The databases visible to the current request (Odoo's ``http.db_list``)."""
    return request.app.databases.list(request.host if host is None else host)


def db_filter(dbs: list[str], host: str | None = None) -> list[str]:
    """``dbs`` restricted to those the current request may use (Odoo's ``http.db_filter``)."""
    directory = request.app.databases
    host = request.host if host is None else host
    return [name for name in dbs if directory.visible(name, host)]
