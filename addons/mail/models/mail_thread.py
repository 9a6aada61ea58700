"""``mail.thread``: the mixin that gives a model a message log, followers and notification mails.

An addon writes ``_inherit = ['mail.thread']`` on its model, as on Odoo, and
gets ``message_post``, ``message_subscribe``/``message_unsubscribe``,
``_message_log`` and the computed ``message_ids``/``message_follower_ids``.
A posted message of a non-internal subtype (``mail.mt_comment``) mails every
follower subscribed to that subtype, plus the partners named in
``partner_ids``, never the author.  The mails are queued ``mail.mail``
records (sent by the queue runner), or sent right after the commit with
``force_send=True``, so no transaction waits for SMTP.
"""
from __future__ import annotations

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.addresses import format_partner

DEFAULT_SUBTYPE = "mail.mt_note"


class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _description = "Email Thread"

    message_ids = fields.One2many("mail.message", "res_id", compute="_compute_message_ids", string="Messages")
    message_follower_ids = fields.One2many("mail.followers", "res_id", compute="_compute_message_follower_ids",
                                           string="Followers")
    message_partner_ids = fields.Many2many("res.partner", compute="_compute_message_partner_ids",
                                           string="Followers (Partners)")

    def _compute_message_ids(self):
        for record in self:
            record.message_ids = self.env["mail.message"].search([("model", "=", record._name),
                                                                  ("res_id", "=", record.id)])

    def _compute_message_follower_ids(self):
        for record in self:
            record.message_follower_ids = self.env["mail.followers"].search([("res_model", "=", record._name),
                                                                            ("res_id", "=", record.id)])

    def _compute_message_partner_ids(self):
        for record in self:
            record.message_partner_ids = record.message_follower_ids.mapped("partner_id")

    # -- followers ------------------------------------------------------------------------------------
    def message_subscribe(self, partner_ids: list[int] | None = None, subtype_ids: list[int] | None = None) -> bool:
        """Make partners follow these records (default subtypes unless ``subtype_ids``); idempotent."""
        partners = self.env["res.partner"].browse(partner_ids or []).exists()
        missing = set(partner_ids or []) - set(partners.ids)
        if missing:
            raise UserError(f"Cannot subscribe partners {sorted(missing)}: they do not exist.")
        subtypes = self._subtypes_for(subtype_ids)
        Followers = self.env["mail.followers"].sudo()
        for record in self:
            current = {f.partner_id.id: f for f in Followers.search([("res_model", "=", self._name),
                                                                    ("res_id", "=", record.id)])}
            for partner in partners:
                if partner.id in current:
                    if subtype_ids is not None:
                        current[partner.id].write({"subtype_ids": [(6, 0, subtypes.ids)]})
                    continue
                Followers.create({"res_model": self._name, "res_id": record.id, "partner_id": partner.id,
                                  "subtype_ids": [(6, 0, subtypes.ids)]})
        return True

    def _subtypes_for(self, subtype_ids: list[int] | None):
        Subtype = self.env["mail.message.subtype"].sudo()
        if subtype_ids is not None:
            return Subtype.browse(subtype_ids).exists()
        return Subtype.search([("default", "=", True), "|", ("res_model", "=", False),
                               ("res_model", "=", self._name)])

    def message_unsubscribe(self, partner_ids: list[int] | None = None) -> bool:
        """Stop partners following these records."""
        self.env["mail.followers"].sudo().search([("res_model", "=", self._name), ("res_id", "in", self.ids),
                                                  ("partner_id", "in", partner_ids or [])]).unlink()
        return True

    # -- posting --------------------------------------------------------------------------------------
    def message_post(self, body: str = "", subject: str | None = None, message_type: str = "notification",
                     subtype_xmlid: str | None = None, subtype_id: int | None = None,
                     partner_ids: list[int] | None = None, author_id: int | None = None,
                     email_from: str | None = None, parent_id: int | None = None, body_is_html: bool = True,
                     force_send: bool = False, **kwargs):
        """Log a message on one record and notify its followers; return the ``mail.message``.

        Arguments Odoo also takes and we do not handle (attachments, ...)
        are refused by name rather than silently dropped.
        """
        self.ensure_one()
        if kwargs:
            raise UserError(f"message_post does not support {', '.join(sorted(kwargs))} here.")
        subtype = self._subtype(subtype_xmlid, subtype_id, message_type)
        author = self._author(author_id)
        message = self.env["mail.message"].sudo().create({
            "model": self._name, "res_id": self.id, "record_name": self.display_name, "body": body or "",
            "subject": subject, "message_type": message_type, "subtype_id": subtype.id, "author_id": author.id,
            "email_from": email_from or (format_partner(author.name, author.email) if author.email else False),
            "partner_ids": [(6, 0, partner_ids or [])], "parent_id": parent_id or False,
        })
        self._notify_by_email(message, subtype, force_send)
        return message

    def _message_log(self, body: str = "", subject: str | None = None, message_type: str = "notification"):
        """A note in the record's log that notifies no one."""
        return self.message_post(body=body, subject=subject, message_type=message_type,
                                 subtype_xmlid=DEFAULT_SUBTYPE)

    def _subtype(self, subtype_xmlid: str | None, subtype_id: int | None, message_type: str):
        if subtype_id:
            subtype = self.env["mail.message.subtype"].browse(subtype_id).exists()
            if not subtype:
                raise UserError(f"Message subtype {subtype_id} does not exist.")
            return subtype
        xmlid = subtype_xmlid or ("mail.mt_comment" if message_type == "comment" else DEFAULT_SUBTYPE)
        return self.env.ref(xmlid if "." in xmlid else f"mail.{xmlid}")

    def _author(self, author_id: int | None):
        if author_id:
            return self.env["res.partner"].browse(author_id)
        return self.env.user.partner_id

    def _notify_by_email(self, message, subtype, force_send: bool) -> None:
        partners = self._notified_partners(message, subtype)
        if not partners:
            return
        Mail = self.env["mail.mail"].sudo()
        mails = Mail.browse()
        for partner in partners:
            mails |= Mail.create({
                "mail_message_id": message.id, "subject": message.subject or message.record_name,
                "body_html": message.body, "email_from": message.email_from, "model": self._name,
                "res_id": self.id, "recipient_ids": [(6, 0, [partner.id])], "auto_delete": True,
            })
        if force_send:
            self._send_after_commit(mails.ids)

    def _notified_partners(self, message, subtype):
        partners = message.partner_ids
        if not subtype.internal:
            followers = self.env["mail.followers"].sudo().search([
                ("res_model", "=", self._name), ("res_id", "=", self.id)])
            partners |= followers.filtered(lambda f: subtype in f.subtype_ids).mapped("partner_id")
        return partners.filtered(lambda p: p.email and p != message.author_id)

    def _send_after_commit(self, mail_ids: list[int]) -> None:
        """Send the mails once this transaction has committed, in a transaction of their own."""
        registry = self.env.registry

        def send():
            from ..tools.queue_runner import send_mails
            send_mails(registry, mail_ids)
        self.env.cr.postcommit.append(send)
