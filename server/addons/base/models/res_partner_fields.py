"""The contact fields Odoo 17's base gives ``res.partner`` besides the address (``date``, ``title``,
``function``, ``category_id``, ``state_id``, ``commercial_partner_id``...), and the small models they
point to: titles, tags and industries.

Users delegate to their partner, so ``res.users`` answers all of these too (``user.title``).
"""
from odoo import api, fields, models


class ResPartnerTitle(models.Model):
    _name = "res.partner.title"
    _description = "Partner Title"
    _order = "name"

    name = fields.Char("Title", required=True, translate=True)
    shortcut = fields.Char("Abbreviation", translate=True)


class ResPartnerCategory(models.Model):
    _name = "res.partner.category"
    _description = "Partner Tags"
    _order = "name, id"

    name = fields.Char("Tag Name", required=True, translate=True)
    color = fields.Integer("Color")
    parent_id = fields.Many2one("res.partner.category", "Parent Category", index=True, ondelete="cascade")
    child_ids = fields.One2many("res.partner.category", "parent_id", "Child Tags")
    active = fields.Boolean(default=True)
    partner_ids = fields.Many2many("res.partner", "res_partner_res_partner_category_rel", "category_id",
                                   "partner_id", "Partners", copy=False)

    def _compute_display_name(self):
        """``Parent / Child``, as Odoo shows a tag."""
        for category in self:
            names, current = [], category
            while current:
                names.append(current.name or "")
                current = current.parent_id
            category.display_name = " / ".join(reversed(names))


class ResPartnerIndustry(models.Model):
    _name = "res.partner.industry"
    _description = "Industry"
    _order = "name, id"

    name = fields.Char("Name", translate=True)
    full_name = fields.Char("Full Name", translate=True)
    active = fields.Boolean(default=True)


class ResPartner(models.Model):
    _inherit = "res.partner"

    date = fields.Date(index=True)
    title = fields.Many2one("res.partner.title")
    function = fields.Char("Job Position")
    category_id = fields.Many2many("res.partner.category", "res_partner_res_partner_category_rel", "partner_id",
                                   "category_id", "Tags")
    industry_id = fields.Many2one("res.partner.industry", "Industry")
    employee = fields.Boolean(help="Check this box if this contact is an Employee.")
    color = fields.Integer("Color Index", default=0)
    barcode = fields.Char(help="Use a barcode to identify this contact.", copy=False)
    company_name = fields.Char("Company Name")
    state_id = fields.Many2one("res.country.state", "State", ondelete="restrict")
    country_code = fields.Char(related="country_id.code", string="Country Code")
    parent_name = fields.Char(related="parent_id.name", readonly=True, string="Parent name")
    user_id = fields.Many2one("res.users", "Salesperson", help="The internal user in charge of this contact.")
    company_type = fields.Selection([("person", "Individual"), ("company", "Company")], string="Company Type",
                                    compute="_compute_company_type", inverse="_write_company_type")
    commercial_partner_id = fields.Many2one("res.partner", "Commercial Entity",
                                            compute="_compute_commercial_partner")
    commercial_company_name = fields.Char("Company Name Entity", compute="_compute_commercial_company_name")
    email_formatted = fields.Char("Formatted Email", compute="_compute_email_formatted",
                                  help='Format email address "Name <email@domain>"')
    partner_share = fields.Boolean("Share Partner", compute="_compute_partner_share",
                                   help="A customer without a user, or whose users are all portal or public users.")
    contact_address = fields.Char("Complete Address", compute="_compute_contact_address")

    @api.depends("is_company")
    def _compute_company_type(self):
        for partner in self:
            partner.company_type = "company" if partner.is_company else "person"

    def _write_company_type(self):
        for partner in self:
            partner.is_company = partner.company_type == "company"

    @api.depends("is_company", "parent_id.commercial_partner_id")
    def _compute_commercial_partner(self):
        for partner in self:
            current = partner
            while current.parent_id and not current.is_company:
                current = current.parent_id
            partner.commercial_partner_id = current

    def _compute_commercial_company_name(self):
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.commercial_company_name = commercial.name if commercial.is_company else partner.company_name

    @api.depends("name", "email")
    def _compute_email_formatted(self):
        for partner in self:
            email = (partner.email or "").strip()
            partner.email_formatted = f'"{partner.name or email}" <{email}>' if email else False

    def _compute_partner_share(self):
        for partner in self:
            users = partner.sudo().with_context(active_test=False).user_ids
            partner.partner_share = not users or all(user.share for user in users)

    def _compute_contact_address(self):
        for partner in self:
            city_line = " ".join(part for part in (partner.zip, partner.city) if part)
            lines = (partner.name, partner.street, partner.street2, city_line, partner.state_id.name,
                     partner.country_id.name)
            partner.contact_address = "\n".join(line for line in lines if line)
