"""General settings: the fields of Odoo 17's base_setup that do not need other business addons."""
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    company_id = fields.Many2one("res.company", "Company", required=True,
                                 default=lambda self: self.env.company.id or False)
    company_name = fields.Char("Company Name", compute="_compute_company_information")
    company_informations = fields.Text("Company Information", compute="_compute_company_information")
    user_default_rights = fields.Boolean("Default Access Rights", config_parameter="base_setup.default_user_rights")
    show_effect = fields.Boolean("Show Effect", config_parameter="base_setup.show_effect")
    group_multi_currency = fields.Boolean("Multi-Currencies", implied_group="base.group_multi_currency")
    module_base_import = fields.Boolean("Allow users to import data from CSV/XLS/XLSX/ODS files")
    module_google_calendar = fields.Boolean("Allow the users to synchronize their calendar with Google Calendar")
    module_microsoft_calendar = fields.Boolean("Allow the users to synchronize their calendar with Outlook Calendar")
    module_mail_plugin = fields.Boolean("Allow integration with the mail plugins")
    module_auth_oauth = fields.Boolean("Use external authentication providers (OAuth)")
    module_auth_ldap = fields.Boolean("LDAP Authentication")
    module_account_inter_company_rules = fields.Boolean("Manage Inter Company")
    module_voip = fields.Boolean("Asterisk (VoIP)")
    module_web_unsplash = fields.Boolean("Unsplash Image Library")
    module_partner_autocomplete = fields.Boolean("Partner Autocomplete")
    module_base_geolocalize = fields.Boolean("GeoLocalize")
    module_google_recaptcha = fields.Boolean("reCAPTCHA")
    company_count = fields.Integer("Number of Companies", compute="_compute_counts")
    active_user_count = fields.Integer("Number of Active Users", compute="_compute_counts")
    language_count = fields.Integer("Number of Languages", compute="_compute_counts")

    def _compute_company_information(self):
        for settings in self:
            company = settings.company_id
            settings.company_name = company.name or False
            lines = [company.name or "", company.partner_id.email or "" if "partner_id" in company._fields else ""]
            settings.company_informations = "\n".join(line for line in lines if line) or False

    def _compute_counts(self):
        env = self.env
        companies = env["res.company"].sudo().search_count([])
        users = len(env["res.users"].sudo().search([]).filtered(lambda u: not u.share))
        languages = env["res.lang"].sudo().search_count([]) if "res.lang" in env else 1
        for settings in self:
            settings.company_count, settings.active_user_count, settings.language_count = companies, users, languages

    def open_company(self):
        """The form of the settings' company."""
        return {"type": "ir.actions.act_window", "name": "My Company", "view_mode": "form",
                "res_model": "res.company", "res_id": self.company_id.id, "target": "current"}

    @api.model
    def open_default_user(self):
        return {"type": "ir.actions.act_window", "res_model": "res.users", "view_mode": "form",
                "res_id": self.env.ref("base.default_user", raise_if_not_found=False).id
                if self.env.ref("base.default_user", raise_if_not_found=False) else False}
