{
    "name": "IAP Platform",
    "version": "1.0",
    "summary": "The In-App Purchase bank: services, customer credit accounts, holds, captures, a ledger",
    "description": "Odoo's iap.odoo.com role on our server: providers register services (a secret key shown "
                   "once), customers buy credit packs, providers authorize / capture / cancel holds over "
                   "Odoo's exact JSON-RPC wire format, the platform takes its commission at capture, and every "
                   "movement is an append-only double-entry ledger journal in integer units. Holds count "
                   "against balances, expire lazily at their TTL, and are idempotent end to end.",
    "category": "Hidden/Tools",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["iap", "web_console"],
    "data": ["security/ir.model.access.csv"],
    "demo": ["demo/iap_platform_demo.xml"],
    "post_init_hook": "install_guards",
    "uninstall_hook": "remove_guards",
    "installable": True,
    "application": True,
}
