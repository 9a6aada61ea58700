import datetime

import pytz
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _name = "res.partner"
    _description = "Contact"
    _order = "name, id"

    name = fields.Char(index=True, required=True)
    ref = fields.Char("Reference", index=True)
    active = fields.Boolean(default=True)
    is_company = fields.Boolean("Is a Company", default=False)
    parent_id = fields.Many2one("res.partner", "Related Company", index=True)
    child_ids = fields.One2many("res.partner", "parent_id", "Contact")
    email = fields.Char()
    phone = fields.Char()
    mobile = fields.Char()
    website = fields.Char()
    street = fields.Char()
    street2 = fields.Char()
    zip = fields.Char()
    city = fields.Char()
    country_id = fields.Many2one("res.country", "Country", ondelete="restrict")
    vat = fields.Char("Tax ID")
    comment = fields.Text("Notes")
    lang = fields.Char("Language", default="en_US")
    tz = fields.Char("Timezone")
    tz_offset = fields.Char(compute="_compute_tz_offset", string="Timezone offset")
    company_id = fields.Many2one("res.company", "Company", index=True)
    user_ids = fields.One2many("res.users", "partner_id", "Users")
    type = fields.Selection([("contact", "Contact"), ("invoice", "Invoice Address"),
                             ("delivery", "Delivery Address"), ("other", "Other Address")], default="contact")

    @api.depends("tz")
    def _compute_tz_offset(self):
        for partner in self:
            try:
                zone = pytz.timezone(partner.tz or "GMT")
            except pytz.UnknownTimeZoneError:
                zone = pytz.utc
            partner.tz_offset = datetime.datetime.now(zone).strftime("%z")

    @api.constrains("parent_id")
    def _check_parent_id(self):
        for partner in self:
            seen, current = {partner.id}, partner.parent_id
            while current:
                if current.id in seen:
                    raise ValidationError("You cannot create recursive Partner hierarchies.")
                seen.add(current.id)
                current = current.parent_id

    def _compute_display_name(self):
        for partner in self:
            name = partner.name or ""
            if partner.parent_id and not partner.is_company:
                name = f"{partner.parent_id.name}, {name}"
            partner.display_name = name
