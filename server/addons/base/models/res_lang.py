"""Languages (``res.lang``): en_US (``base.lang_en``) active, the others installable with the
``base.language.install`` wizard.  Formats (dates, numbers, direction) are per language, as Odoo's;
translations of terms are not part of this server."""
import json

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ResLang(models.Model):
    _name = "res.lang"
    _description = "Languages"
    _order = "active desc, name"
    _sql_constraints = [("name_uniq", "unique(name)", "The name of the language must be unique!"),
                        ("code_uniq", "unique(code)", "The code of the language must be unique!"),
                        ("url_code_uniq", "unique(url_code)", "The URL code of the language must be unique!")]

    name = fields.Char(required=True)
    code = fields.Char("Locale Code", required=True, help="This field is used to set/get locales for user")
    iso_code = fields.Char("ISO code", help="This ISO code is the name of po files to use for translations")
    url_code = fields.Char("URL Code", required=True, help="The Lang Code displayed in the URL")
    active = fields.Boolean()
    direction = fields.Selection([("ltr", "Left-to-Right"), ("rtl", "Right-to-Left")], required=True, default="ltr")
    date_format = fields.Char(required=True, default="%m/%d/%Y")
    time_format = fields.Char(required=True, default="%H:%M:%S")
    week_start = fields.Selection([(str(n), day) for n, day in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), start=1)],
        "First Day of Week", required=True, default="7")
    grouping = fields.Char("Separator Format", required=True, default="[]")
    decimal_point = fields.Char("Decimal Separator", required=True, default=".", trim=False)
    thousands_sep = fields.Char("Thousands Separator", default=",", trim=False)

    @api.constrains("grouping")
    def _check_grouping(self):
        for lang in self:
            try:
                if not all(isinstance(n, int) for n in json.loads(lang.grouping)):
                    raise ValueError
            except (ValueError, TypeError):
                raise ValidationError(f"Language {lang.name!r}: the separator format must be like [3,2,-1] or "
                                      "[3,0]") from None

    @api.model
    def get_installed(self) -> list:
        """``[(code, name)]`` of the active languages, as Odoo answers."""
        return [(lang.code, lang.name) for lang in self.sudo().search([("active", "=", True)], order="name")]

    @api.model
    def get_available(self) -> list:
        return [(lang.code, lang.iso_code, lang.name, lang.active)
                for lang in self.sudo().with_context(active_test=False).search([], order="name")]

    @api.model
    def _lang_get(self, code: str):
        return self.with_context(active_test=False).search([("code", "=", code)], limit=1)

    @api.model
    def _activate_lang(self, code: str):
        """Activate the language ``code``; UserError naming the code if there is none."""
        lang = self._lang_get(code)
        if not lang:
            raise UserError(f"No language with code {code!r}: see res.lang for the codes")
        if not lang.active:
            lang.write({"active": True})
        return lang

    def write(self, vals):
        if vals.get("active") is False and "en_US" in self.mapped("code") and \
                not self.search_count([("active", "=", True), ("code", "not in", self.mapped("code"))]):
            raise UserError("At least one language must stay active.")
        return super().write(vals)


class BaseLanguageInstall(models.TransientModel):
    _name = "base.language.install"
    _description = "Install Language"

    lang_ids = fields.Many2many("res.lang", "res_lang_install_rel", "language_wizard_id", "lang_id", "Languages",
                                required=True)
    overwrite = fields.Boolean("Overwrite Existing Terms")

    def lang_install(self):
        """Activate the chosen languages (their formats; terms are not translated on this server)."""
        self.ensure_one()
        if not self.lang_ids:
            raise UserError("Choose at least one language to install")
        self.lang_ids.sudo().write({"active": True})
        return {"type": "ir.actions.client", "tag": "reload"}
