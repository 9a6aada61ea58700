"""Messages: what was said or logged on a record (``model``, ``res_id``), by whom, to whom."""
from __future__ import annotations

from odoo import api, fields, models

MESSAGE_TYPES = [("email", "Email"), ("comment", "Comment"), ("notification", "System notification"),
                 ("user_notification", "User Specific Notification")]


class MailMessage(models.Model):
    _name = "mail.message"
    _description = "Message"
    _order = "id desc"
    _rec_name = "record_name"

    subject = fields.Char("Subject")
    body = fields.Html("Contents", default="")
    date = fields.Datetime("Date", default=lambda self: fields.Datetime.now())
    model = fields.Char("Related Document Model", index=True)
    res_id = fields.Integer("Related Document ID", index=True)
    record_name = fields.Char("Message Record Name")
    message_type = fields.Selection(MESSAGE_TYPES, "Type", required=True, default="email")
    subtype_id = fields.Many2one("mail.message.subtype", "Subtype", ondelete="set null", index=True)
    parent_id = fields.Many2one("mail.message", "Parent Message", ondelete="set null", index=True)
    author_id = fields.Many2one("res.partner", "Author", ondelete="set null", index=True)
    email_from = fields.Char("From")
    reply_to = fields.Char("Reply-To")
    partner_ids = fields.Many2many("res.partner", "mail_message_res_partner_rel", "mail_message_id",
                                   "res_partner_id", string="Recipients")
    message_id = fields.Char("Message-Id", index=True, readonly=True, copy=False)
    mail_server_id = fields.Many2one("ir.mail_server", "Outgoing mail server")
    mail_ids = fields.One2many("mail.mail", "mail_message_id", "Mails sent for it")

    @api.model
    def messages_of(self, model: str, res_id: int):
        """The messages of one record, newest first."""
        return self.search([("model", "=", model), ("res_id", "=", res_id)])
