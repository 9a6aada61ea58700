import os

from odoo import http
from odoo.addons.http_test.controllers.main import HttpTest


class HttpTestExtended(HttpTest):
    @http.route()
    def echo(self, **params):
        """Same URL as the parent's route: this method answers only where this addon is installed."""
        result = super().echo(**params)
        result["by"] = "http_test_extra"
        return result


class Extra(http.Controller):
    @http.route("/http_test_extra/ping", type="json", auth="public")
    def ping(self):
        return {"pid": os.getpid()}
