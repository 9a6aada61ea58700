import logging

from odoo import http
from odoo.exceptions import AccessDenied

_logger = logging.getLogger(__name__)


class Database(http.Controller):
    @http.route("/web/database/list", type="json", auth="none")
    def list(self):
        """The databases this client may use ([] if they cannot be listed); AccessDenied if listing is off."""
        if not http.request.app.config.get("list_db"):
            raise AccessDenied("The database list is disabled on this server (--no-database-list)")
        try:
            return http.db_list()
        except Exception:  # the database server does not answer: clients expect a list
            _logger.warning("cannot list databases", exc_info=True)
            return []
