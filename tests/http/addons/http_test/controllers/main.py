"""One route per behaviour the HTTP tests check (auth modes, groups, errors, sessions, CSRF, templates)."""
import os
import time

import werkzeug.exceptions
from odoo import http
from odoo.exceptions import AccessDenied, UserError
from odoo.http import request


class HttpTest(http.Controller):
    @http.route("/http_test/echo", type="json", auth="public")
    def echo(self, **params):
        return {"uid": request.env.uid, "params": params, "by": "http_test"}

    @http.route("/http_test/partner_by_ref", type="json", auth="public", readonly=True)
    def partner_by_ref(self, ref):
        """One indexed lookup (``res_partner.ref``): the benchmark's public route, read-only."""
        partner = request.env["res.partner"].sudo().search([("ref", "=", ref)], limit=1)
        return {"id": partner.id, "name": partner.name} if partner else False

    @http.route("/http_test/readonly_writer", type="json", auth="public", readonly=True)
    def readonly_writer(self, name, swallow=False):
        """Declared read-only, yet writes: the first attempt is refused and the call runs again read-write."""
        attempt = {"readonly": request.cr.readonly}
        try:
            partner = request.env["res.partner"].sudo().create({"name": name})
        except Exception:
            if not swallow:
                raise
            return {"created": False, **attempt}  # a careless endpoint: the refusal must still be noticed
        return {"created": partner.id, **attempt}

    @http.route("/http_test/cursor_mode", type="json", auth="public", readonly=True)
    def cursor_mode(self):
        return {"readonly": request.cr.readonly, "partners": request.env["res.partner"].sudo().search_count([])}

    @http.route("/http_test/whoami", type="json", auth="user")
    def whoami(self):
        user = request.env.user
        return {"uid": user.id, "login": user.login, "pid": os.getpid(), "db": request.db}

    @http.route("/http_test/check_password", type="json", auth="none")
    def check_password(self, uid, password):
        """The external API's credential check, and which process made it (each caches what it verified)."""
        try:
            request.env["res.users"].sudo().check_credentials_of(uid, password)
            accepted = True
        except AccessDenied:
            accepted = False
        return {"accepted": accepted, "pid": os.getpid()}

    @http.route("/http_test/admin_only", type="json", auth="user", groups="base.group_system")
    def admin_only(self):
        return {"uid": request.env.uid}

    @http.route("/http_test/fail", type="json", auth="public")
    def fail(self):
        raise ValueError("boom: an unexpected failure")

    @http.route("/http_test/user_error", type="json", auth="public")
    def user_error(self):
        raise UserError("Nothing to do: the list is empty")

    @http.route("/http_test/not_found", type="json", auth="public")
    def not_found(self):
        raise werkzeug.exceptions.NotFound()

    @http.route("/http_test/create", type="json", auth="user")
    def create(self, name):
        return request.env["res.partner"].create({"name": name}).id

    @http.route("/http_test/create_then_fail", type="json", auth="user")
    def create_then_fail(self, name):
        request.env["res.partner"].create({"name": name})
        raise UserError("Refused after creating: nothing must be left")

    @http.route("/http_test/sleep", type="json", auth="none")
    def sleep(self, seconds):
        time.sleep(min(float(seconds), 3))
        return os.getpid()

    @http.route("/http_test/session_note", type="json", auth="public")
    def session_note(self, note=None):
        if note is not None:
            request.session["note"] = note
        return request.session.get("note", False)

    @http.route("/http_test/form", type="http", auth="user", methods=["POST"])
    def form(self, name):
        partner = request.env["res.partner"].create({"name": name})
        return f"created {partner.id}"

    @http.route("/http_test/csrf_token", type="http", auth="user", methods=["GET"])
    def csrf_token(self):
        return request.csrf_token()

    @http.route("/http_test/page", type="http", auth="public", methods=["GET"])
    def page(self, name="world"):
        return request.render("http_test.hello", {"name": name, "user": request.env.user})

    @http.route("/http_test/cors", type="json", auth="none", cors="*")
    def cors(self):
        return True
