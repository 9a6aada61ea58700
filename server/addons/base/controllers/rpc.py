"""Odoo's external API: ``/jsonrpc``, ``/xmlrpc/2/<service>`` (integer faults), ``/xmlrpc/<service>`` (string faults).

None of them uses or writes the session: every call carries its database and
credentials.  The services are in ``odoo.service``.
"""
from odoo import http
from odoo.http import errors, request, wire
from odoo.service import dispatch_rpc


class RPC(http.Controller):
    """The routes of Odoo's ``odoo/addons/base/controllers/rpc.py``."""

    @http.route("/xmlrpc/<service>", auth="none", methods=["POST"], csrf=False, save_session=False)
    def xmlrpc_1(self, service):
        """Legacy XML-RPC (odoo-client-lib's default): faults have string codes."""
        return self._serve_xmlrpc(service, legacy=True)

    @http.route("/xmlrpc/2/<service>", auth="none", methods=["POST"], csrf=False, save_session=False)
    def xmlrpc_2(self, service):
        """XML-RPC of the External API documentation: faults have integer codes."""
        return self._serve_xmlrpc(service, legacy=False)

    @http.route("/jsonrpc", type="json", auth="none", save_session=False)
    def jsonrpc(self, service, method, args):
        return dispatch_rpc(request.app.rpc_context(request), service, method, args)

    def _serve_xmlrpc(self, service: str, legacy: bool):
        try:
            params, method = wire.xmlrpc_loads(request.httprequest.get_data(cache=False))
            result = dispatch_rpc(request.app.rpc_context(request), service, method, params)
            body = wire.xmlrpc_response(result)
        except Exception as exc:  # every failure is a fault, still HTTP 200
            errors.log_exception(exc, request.httprequest.path)
            body = wire.xmlrpc_fault_response(errors.xmlrpc_fault(exc, legacy, request.app.dev_mode))
        return http.Response(body, mimetype="text/xml")
