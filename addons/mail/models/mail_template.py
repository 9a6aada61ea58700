"""Mail templates (Odoo's ``mail.template``): Jinja2 in a sandbox, one mail per record.

Fields are Jinja2 templates rendered with ``object`` (the record), ``user``
(the current user), ``ctx`` (the context) and ``format_date``.  The body is
HTML and autoescaped; the subject and addresses are plain text.  A template
that fails or tries to reach anything but field values raises a UserError
naming the template and field; nothing is queued then.
"""
from __future__ import annotations

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.addresses import email_split
from ..tools.rendering import render

RENDERED_FIELDS = ("subject", "body_html", "email_from", "email_to", "email_cc", "reply_to", "partner_to")


class MailTemplate(models.Model):
    _name = "mail.template"
    _description = "Email Templates"
    _order = "name"

    name = fields.Char("Name", required=True)
    model_id = fields.Many2one("ir.model", "Applies to", ondelete="cascade")
    model = fields.Char("Related Document Model", index=True, help="Technical name, e.g. res.partner.")
    subject = fields.Char("Subject")
    body_html = fields.Html("Body", default="")
    email_from = fields.Char("From")
    email_to = fields.Char("To (Emails)", help="Comma-separated addresses; a template.")
    email_cc = fields.Char("Cc")
    reply_to = fields.Char("Reply To")
    partner_to = fields.Char("To (Partners)", help="Comma-separated partner ids; a template.")
    mail_server_id = fields.Many2one("ir.mail_server", "Outgoing Mail Server")
    auto_delete = fields.Boolean("Auto Delete", default=True)
    active = fields.Boolean(default=True)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._with_model_name(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._with_model_name(vals))

    def _with_model_name(self, vals: dict) -> dict:
        if vals.get("model_id") and not vals.get("model"):
            vals = {**vals, "model": self.env["ir.model"].browse(vals["model_id"]).model}
        return vals

    # -- rendering ----------------------------------------------------------------------------------------
    def _render_field(self, field_name: str, res_ids: list[int]) -> dict[int, str]:
        """``{res_id: rendered value}`` of one template field for records of the template's model."""
        self.ensure_one()
        records = self._records(res_ids)
        values = {"user": self.env.user, "ctx": dict(self.env.context), "format_date": _format_date}
        where = f"field {field_name!r} of mail template {self.name!r}"
        return {record.id: render(self[field_name], {**values, "object": record}, html=field_name == "body_html",
                                  where=where) for record in records}

    def _records(self, res_ids: list[int]):
        if not self.model or self.model not in self.env.registry.models:
            raise UserError(f"Mail template {self.name!r} applies to no known model ({self.model!r}): "
                            "set its model.")
        records = self.env[self.model].browse(res_ids).exists()
        missing = set(res_ids) - set(records.ids)
        if missing:
            raise UserError(f"Mail template {self.name!r}: {self.model} {sorted(missing)} do(es) not exist.")
        return records

    def generate_email(self, res_ids: list[int] | int, fields_list: list[str] | None = None) -> dict:
        """The rendered values of a mail per record (a single dict when ``res_ids`` is an int)."""
        single = isinstance(res_ids, int)
        ids = [res_ids] if single else list(res_ids)
        rendered = {name: self._render_field(name, ids) for name in fields_list or RENDERED_FIELDS}
        result = {res_id: {name: rendered[name][res_id] for name in rendered} for res_id in ids}
        for values in result.values():
            values["recipient_ids"] = self._partner_ids(values.pop("partner_to", ""))
        return result[ids[0]] if single else result

    def _partner_ids(self, text: str) -> list[int]:
        ids = []
        for item in (text or "").replace(";", ",").split(","):
            item = item.strip()
            if not item:
                continue
            if not item.isdigit():
                raise UserError(f"Mail template {self.name!r}: partner_to must render to partner ids, got {item!r}.")
            ids.append(int(item))
        existing = self.env["res.partner"].browse(ids).exists().ids
        return existing

    # -- sending ------------------------------------------------------------------------------------------
    def send_mail(self, res_id: int, force_send: bool = False, raise_exception: bool = False,
                  email_values: dict | None = None) -> int:
        """Render the template for record ``res_id`` and queue the mail; return the ``mail.mail`` id.

        ``force_send`` sends it at once in this transaction (else the queue
        runner does); ``email_values`` override rendered values.
        """
        self.ensure_one()
        values = self.generate_email(res_id)
        values.update(email_values or {})
        if not values.get("email_to") and not values.get("recipient_ids"):
            raise UserError(f"Mail template {self.name!r} renders no recipient for {self.model} {res_id}: "
                            "fill email_to or partner_to.")
        mail = self.env["mail.mail"].sudo().create(self._mail_values(res_id, values))
        if force_send:
            mail.send(raise_exception=raise_exception)
        return mail.id

    def _mail_values(self, res_id: int, values: dict) -> dict:
        recipients = values.pop("recipient_ids", [])
        mail_values = {**values, "email_to": ", ".join(email_split(values.get("email_to"))) or False,
                       "model": self.model, "res_id": res_id, "auto_delete": self.auto_delete,
                       "mail_server_id": self.mail_server_id.id or False,
                       "recipient_ids": [(6, 0, recipients)]}
        return {key: value for key, value in mail_values.items() if value not in ("", None)}


def _format_date(value, pattern: str = "%Y-%m-%d") -> str:
    return value.strftime(pattern) if value else ""
