{
    "name": "TCM Telmex Backend",
    "version": "1.0",
    "summary": "TCM backend plugin for Telmex: logs contract creation and cancellation (the seed's second plugin)",
    "category": "Sales/Subscriptions",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["tcm_core"],
    "data": [],
    "installable": True,
}
