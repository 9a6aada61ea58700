from . import controllers, models, tools

# Odoo 14+ re-exports the helpers under their pre-14 names (``from odoo.addons.iap import jsonrpc``).
from .tools.iap_tools import InsufficientCreditError
from .tools.iap_tools import iap_authorize as authorize
from .tools.iap_tools import iap_cancel as cancel
from .tools.iap_tools import iap_capture as capture
from .tools.iap_tools import iap_charge as charge
from .tools.iap_tools import iap_get_endpoint as get_endpoint
from .tools.iap_tools import iap_jsonrpc as jsonrpc
