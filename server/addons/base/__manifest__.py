{
    "name": "Base",
    "version": "1.4",
    "summary": "The kernel every database has: addons, models, external ids, users, groups, partners",
    "category": "Hidden",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": [],
    "data": [
        "data/res_groups.xml",
        "data/res_company.xml",
        "data/res_users.xml",
        "data/res.country.csv",
        "security/ir.model.access.csv",
    ],
    "demo": ["demo/res_partner_demo.xml"],
    "post_init_hook": "init_admin_password",
    "installable": True,
}
