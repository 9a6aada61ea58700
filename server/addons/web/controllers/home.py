from odoo import http
from odoo.http import request

INDEX = ("<!DOCTYPE html><html><head><title>Odoo-style addon server</title></head><body>"
         "<p>This server speaks Odoo's JSON-RPC and XML-RPC: see /web/webclient/version_info.</p></body></html>")


class Home(http.Controller):
    @http.route("/", type="http", auth="none", methods=["GET"], save_session=False)
    def index(self):
        """A page that answers 200 (clients probe ``HEAD /`` to tell a server is there)."""
        return http.Response(INDEX)

    @http.route("/web/health", type="http", auth="none", save_session=False)
    def health(self, db_server_status=False):
        """``{"status": "pass"}``; with ``db_server_status`` the database is queried too (503 if it fails)."""
        status, code = {"status": "pass"}, 200
        if db_server_status:
            status["db_server_status"] = self._database_answers()
            if not status["db_server_status"]:
                status, code = {**status, "status": "fail"}, 503
        return request.make_json_response(status, status=code, headers={"Cache-Control": "no-store"})

    @staticmethod
    def _database_answers() -> bool:
        try:
            if request.db:
                request.cr.execute("SELECT 1")
            else:
                request.app.databases.all_names(refresh=True)
            return True
        except Exception:  # any failure means: not healthy
            return False
