from odoo import http
from odoo.http import request
from odoo.service.model import call_kw, get_model, is_readonly


class DataSet(http.Controller):
    def _call_kw_readonly(self, rule, args) -> bool:
        """Odoo 18's test: the called method is ``@api.readonly`` (then no transaction is opened)."""
        return is_readonly(request.registry, request.params.get("model"), request.params.get("method"))

    @http.route(["/web/dataset/call_kw", "/web/dataset/call_kw/<path:path>"], type="json", auth="user",
                readonly=_call_kw_readonly)
    def call_kw(self, model, method, args, kwargs, path=None):
        """Call a model method as the session's user (``path`` is cosmetic, for logs)."""
        return call_kw(get_model(request.env, model), method, args, kwargs)
    @http.route(["/web/dataset/call_button", "/web/dataset/call_button/<path:path>"], type="json", auth="user")
    def call_button(self, model, method, args, kwargs, path=None):
        """Like call_kw, for buttons: an action dictionary or False."""
        result = call_kw(get_model(request.env, model), method, args, kwargs)
        return result if isinstance(result, dict) else False
