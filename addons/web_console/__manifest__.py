{
    "name": "Console",
    "version": "1.0",
    "summary": "A small server-rendered admin console at /console: log in, settings, addons, and the pages addons add",
    "description": "Odoo's /web/login form and session; Home with every stuck state the installed addons declare; "
                   "settings with secrets masked; the addon list with install, upgrade and uninstall plans. "
                   "Addons add their own pages through web_console.navigation. Jinja2 pages with htmx, "
                   "no build step.",
    "category": "Hidden/Tools",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["web"],
    "installable": True,
}
