{
    "name": "In-App Purchases",
    "version": "1.0",
    "summary": "IAP accounts of a client database, and the tools providers charge credits with",
    "description": "The iap.account model (one token per service, created so that it survives rollbacks), "
                   "Odoo's iap_tools (iap_jsonrpc, iap_authorize, iap_capture, iap_cancel, iap_charge, "
                   "InsufficientCreditError) wire-compatible with Odoo's IAP platform and ours "
                   "(iap_platform), and a durable outbox retrying captures and cancels that failed.",
    "category": "Hidden/Tools",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base", "web_console"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
