"""The console's Home (every stuck state the installed addons declare) and its static files."""
from __future__ import annotations

from pathlib import Path

from odoo import http
from odoo.http import request
from werkzeug.utils import send_from_directory

from .. import navigation
from ..pages import render

STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_MAX_AGE = 7 * 24 * 3600  # vendored files carry their version in their name


@navigation.section("home", "Home", "/console", sequence=0)
class ConsoleHome(http.Controller):
    @http.route(["/console", "/console/"], type="http", auth="user", methods=["GET"], readonly=True)
    def home(self):
        """One line per declared check: how many things are stuck, and the link to where they are fixed."""
        results = navigation.attention_results(request.env)
        return render("web_console/home.html", {"results": results}, section="home")

    @http.route("/web_console/static/<path:filename>", type="http", auth="none", methods=["GET"],
                save_session=False)
    def static(self, filename: str):
        """The console's own CSS and scripts (vendored: no CDN, no build step)."""
        response = send_from_directory(STATIC, filename, request.httprequest.environ, max_age=STATIC_MAX_AGE)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
