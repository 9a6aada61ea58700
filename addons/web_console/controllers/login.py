"""Odoo's ``/web/login`` form (GET shows it, POST logs in) and a POST logout for the console.

As in Odoo, the form posts ``login``, ``password``, ``redirect`` and ``csrf_token``.  The token is bound
to a session saved when the form is shown, so a login cannot be forged from another site; the session id
changes at login (``request.authenticate`` rotates it).
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessDenied
from odoo.http import request

from ..pages import render

_logger = logging.getLogger(__name__)

DEFAULT_TARGET = "/console"


def safe_target(redirect) -> str:
    """A local path to go to after login: anything else (another site, a scheme) becomes the console."""
    target = str(redirect or "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return DEFAULT_TARGET
    return target


class ConsoleLogin(http.Controller):
    @http.route("/web/login", type="http", auth="none", methods=["GET", "POST"], csrf=False)
    def web_login(self, redirect=None, login="", password="", **_ignored):
        """The login form; on a valid POST, a new session and a redirect to ``redirect`` (local only)."""
        target = safe_target(redirect)
        if request.db is None:
            return self._form(target, login, "No database is available on this server.", status=503)
        if request.httprequest.method == "GET":
            if request.session.get("uid"):
                return request.redirect(target)
            if not request.session.sid and not _ignored.get("cookie_check"):
                # The form's CSRF token is bound to the session: save one first, then show the form.
                request.session["login_form"] = True
                return request.redirect(f"/web/login?{urlencode({'redirect': target, 'cookie_check': 1})}")
            return self._form(target, login)
        if not request.validate_csrf(request.httprequest.form.get("csrf_token")):
            return self._form(target, login, "The form expired: please log in again.", status=400)
        try:
            request.authenticate(request.db, login, password)
        except AccessDenied:
            _logger.info("console login refused for %r", login)
            return self._form(target, login, "Wrong login or password.", status=401)
        return request.redirect(target)

    def _form(self, target: str, login: str, error: str = "", status: int = 200):
        return render("web_console/login.html", {"redirect": target, "login": login, "error": error},
                      status=status)

    @http.route("/console/logout", type="http", auth="user", methods=["POST"])
    def logout(self):
        """Log out (the session is deleted); a POST with the CSRF token, so no other site can log you out."""
        request.session.logout(keep_db=True)
        return request.redirect("/web/login")
