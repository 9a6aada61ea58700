{
    "name": "TCM Contracts",
    "version": "1.0",
    "summary": "Subscription contracts for products, with lifecycle signals for backend plugins",
    "description": "The TCM core: products, packages and contracts (creation, activation, suspension, "
                   "reactivation, cancellation), an audit trail of every lifecycle event, and blinker "
                   "signals that backend plugins (tcm_smt, tcm_telmex, ...) handle.",
    "category": "Sales/Subscriptions",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base", "web_console"],
    "data": ["security/ir.model.access.csv"],
    "demo": ["demo/tcm_demo.xml"],
    "installable": True,
    "application": True,
}
