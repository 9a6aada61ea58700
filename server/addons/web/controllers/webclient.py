from odoo import http
from odoo.service.common import version_info


class WebClient(http.Controller):
    @http.route("/web/webclient/version_info", type="json", auth="none")
    def version_info(self):
        """What OdooRPC's constructor reads first: ``server_version`` decides its login path."""
        return version_info()
