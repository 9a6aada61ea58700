{
    "name": "Web",
    "version": "1.0",
    "summary": "The web client's JSON endpoints: session login/logout, call_kw, version, database list, health",
    "category": "Hidden",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base"],
    "auto_install": True,
    "installable": True,
}
