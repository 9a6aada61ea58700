"""Version numbers the server reports to clients.

Clients branch on the major version (OdooRPC logs in through ``/jsonrpc``
from 10 on; newer clients switch to the JSON-2 API from 19 on), so we report
the Odoo series whose wire surface we implement.
"""
version_info = (17, 0, 0, "final", 0, "")
serie = "17.0"
version = "17.0"
product_name = "Odoo-style addon server"
