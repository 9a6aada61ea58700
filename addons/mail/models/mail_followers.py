"""Followers: which partners hear of which subtypes of messages on a record."""
from odoo import fields, models


class MailFollowers(models.Model):
    _name = "mail.followers"
    _description = "Document Followers"
    _rec_name = "partner_id"
    _sql_constraints = [("mail_followers_res_partner_res_model_id_uniq", "unique(res_model, res_id, partner_id)",
                         "A partner cannot follow the same record twice.")]

    res_model = fields.Char("Related Document Model Name", required=True, index=True)
    res_id = fields.Integer("Related Document ID", required=True, index=True)
    partner_id = fields.Many2one("res.partner", "Related Partner", required=True, ondelete="cascade", index=True)
    subtype_ids = fields.Many2many("mail.message.subtype", "mail_followers_mail_message_subtype_rel",
                                   "mail_followers_id", "mail_message_subtype_id", string="Subtype")
    name = fields.Char(compute="_compute_partner_fields")
    email = fields.Char(compute="_compute_partner_fields")

    def _compute_partner_fields(self):
        for follower in self:
            follower.name = follower.partner_id.name
            follower.email = follower.partner_id.email
