"""Odoo 11-13's module path for the IAP helpers: ``from odoo.addons.iap.models import iap``.

Providers written for those versions (the ISBN cookbook among them) call ``iap.charge(...)`` and
``iap.jsonrpc(...)``; these names are the ``iap_tools`` functions, unchanged.
"""
from ..tools.iap_tools import InsufficientCreditError
from ..tools.iap_tools import iap_authorize as authorize
from ..tools.iap_tools import iap_cancel as cancel
from ..tools.iap_tools import iap_capture as capture
from ..tools.iap_tools import iap_charge as charge
from ..tools.iap_tools import iap_get_endpoint as get_endpoint
from ..tools.iap_tools import iap_jsonrpc as jsonrpc

__all__ = ["InsufficientCreditError", "authorize", "cancel", "capture", "charge", "get_endpoint", "jsonrpc"]
