{
    "name": "Initial Setup Tools",
    "version": "1.0",
    "category": "Hidden",
    "summary": "General settings (Settings > General Settings), as Odoo's base_setup, which many addons extend",
    "description": "The General Settings form: companies, users' default rights, languages, integrations.",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base", "web"],
    "data": ["views/res_config_settings_views.xml"],
    "installable": True,
}
