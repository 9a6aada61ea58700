{
    "name": "Test Platform",
    "version": "17.0.1.0.0",
    "category": "Services/Helpdesk",
    "summary": "Shaped like an Odoo 17 addon: views with inheritance, actions, menus, groups, sequence, cron, settings",
    "depends": ["base_setup"],
    "data": [
        "security/test_platform_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/ticket_views.xml",
        "views/ticket_views_inherit.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "license": "LGPL-3",
    "installable": True,
}
