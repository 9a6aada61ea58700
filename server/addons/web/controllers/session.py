from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request


class Session(http.Controller):
    @http.route("/web/session/authenticate", type="json", auth="none")
    def authenticate(self, db, login, password, base_location=None):
        """Log in: a new ``session_id`` cookie (HttpOnly, SameSite=Lax) and the session info."""
        if not http.db_filter([db]):
            raise AccessError("Database not found.")
        request.session.authenticate(db, login, password)
        return request.env["ir.http"].session_info()

    @http.route("/web/session/get_session_info", type="json", auth="user")
    def get_session_info(self):
        request.session.touch()
        return request.env["ir.http"].session_info()

    @http.route("/web/session/check", type="json", auth="user")
    def check(self):
        """Nothing (no ``result`` key) while the session is valid; error code 100 once it is not."""
        return None

    @http.route("/web/session/modules", type="json", auth="user")
    def modules(self):
        return list(request.registry.loaded_modules)

    @http.route("/web/session/destroy", type="json", auth="user")
    def destroy(self):
        """Log out: the stored session is deleted and the cookie expired."""
        request.session.logout()

    @http.route("/web/session/logout", type="http", auth="none")
    def logout(self, redirect="/"):
        request.session.logout(keep_db=True)
        return request.redirect(redirect, 303)
