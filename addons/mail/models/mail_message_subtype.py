"""Message subtypes: what kind of update a message is, and so which followers hear of it."""
from odoo import fields, models


class MailMessageSubtype(models.Model):
    _name = "mail.message.subtype"
    _description = "Message subtypes"
    _order = "sequence, id"

    name = fields.Char("Message Type", required=True)
    description = fields.Text("Description", help="Used as the body of messages of this subtype when empty.")
    internal = fields.Boolean("Internal Only", help="Messages of an internal subtype notify no follower.")
    res_model = fields.Char("Model", help="Empty: the subtype applies to every model.")
    default = fields.Boolean("Default", default=True, help="New followers are subscribed to it.")
    sequence = fields.Integer(default=1)
    hidden = fields.Boolean("Hidden")
