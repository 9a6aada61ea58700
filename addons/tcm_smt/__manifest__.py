{
    "name": "TCM SMT Backend",
    "version": "1.0",
    "summary": "TCM backend plugin for SMT: activates contracts and keeps SMT subscriptions in sync over HTTP",
    "category": "Sales/Subscriptions",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["tcm_core"],
    "data": ["security/ir.model.access.csv", "security/tcm_smt_security.xml", "data/ir_config_parameter.xml",
             "data/tcm_smt_cron.xml"],
    "external_dependencies": {"python": ["requests"]},
    "installable": True,
}
