"""Outgoing mails (Odoo's ``mail.mail``): queued, sent over SMTP, retried, and marked sent or failed.

A mail is ``outgoing`` until delivered (``sent``) or given up (``exception``,
with ``failure_type`` and ``failure_reason``).  A temporary failure (the
server cannot be reached, a 4xx answer) keeps it ``outgoing`` with
``scheduled_date`` pushed back, until ``mail.mail.max_attempts`` (system
parameter, default 3) attempts have failed; a permanent one (5xx, no
recipient, refused login) fails it at once.

``send()`` delivers in the caller's transaction, as Odoo's does.  The queue
runner (the cron ``mail.ir_cron_mail_scheduler_action``, ``odoo-bin.py mail
send-queue``; ``tools/queue_runner.py``) splits the work so that no
transaction stays open during the SMTP dialogue: ``_claim_due`` and
``_prepare_outgoing`` in one transaction, each mail's delivery outside any,
its ``_record_results`` in one of its own right after.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from odoo import api, fields, models

from ..tools.addresses import build_message, email_split, format_partner, invalid_addresses
from .ir_mail_server import MailDeliveryException, SmtpSettings, deliver_message, open_session

_logger = logging.getLogger(__name__)

STATES = [("outgoing", "Outgoing"), ("sent", "Sent"), ("received", "Received"), ("exception", "Delivery Failed"),
          ("cancel", "Cancelled")]
FAILURE_TYPES = [("unknown", "Unknown error"), ("mail_email_invalid", "Invalid email address"),
                 ("mail_email_missing", "Missing email address"), ("mail_from_missing", "Missing from address"),
                 ("mail_smtp", "Connection failed (outgoing mail server problem)")]
DEFAULT_MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=1)
CLAIM_LEASE = timedelta(minutes=10)


@dataclass
class OutgoingMail:
    """One mail ready for the SMTP dialogue: its messages and the server settings (no database needed)."""

    mail_id: int
    settings: SmtpSettings | None
    messages: list = field(default_factory=list)
    error: MailDeliveryException | None = None


class MailMail(models.Model):
    _name = "mail.mail"
    _description = "Outgoing Mails"
    _order = "id desc"
    _rec_name = "subject"

    mail_message_id = fields.Many2one("mail.message", "Message", ondelete="cascade", index=True)
    subject = fields.Char("Subject")
    body_html = fields.Text("Rich-text Contents")
    email_from = fields.Char("From")
    reply_to = fields.Char("Reply-To")
    email_to = fields.Text("To", help="Comma-separated addresses")
    email_cc = fields.Char("Cc")
    recipient_ids = fields.Many2many("res.partner", "mail_mail_res_partner_rel", "mail_mail_id", "res_partner_id",
                                     string="To (Partners)")
    model = fields.Char("Related Document Model", index=True)
    res_id = fields.Integer("Related Document ID")
    message_id = fields.Char("Message-Id", readonly=True, copy=False)
    headers = fields.Json("Headers", copy=False)
    mail_server_id = fields.Many2one("ir.mail_server", "Outgoing mail server", ondelete="set null")
    state = fields.Selection(STATES, "Status", readonly=True, copy=False, default="outgoing", index=True)
    failure_type = fields.Selection(FAILURE_TYPES, "Failure type", copy=False)
    failure_reason = fields.Text("Failure Reason", readonly=True, copy=False)
    attempt_count = fields.Integer("Attempts", readonly=True, copy=False, default=0)
    scheduled_date = fields.Datetime("Scheduled Send Date", copy=False,
                                     help="Not sent before this moment; empty: as soon as possible.")
    date_sent = fields.Datetime("Sent on", readonly=True, copy=False)
    claimed_until = fields.Datetime("Claimed by a queue runner until", readonly=True, copy=False)
    auto_delete = fields.Boolean("Auto Delete", help="Delete the mail once it has been sent.")

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([{"message_id": f"<{uuid.uuid4().hex}@odoo-style>", **vals} for vals in vals_list])

    def mark_outgoing(self) -> bool:
        """Queue failed or cancelled mails again, with a fresh count of attempts."""
        return self.write({"state": "outgoing", "attempt_count": 0, "failure_reason": False, "failure_type": False,
                           "scheduled_date": False, "claimed_until": False})

    def cancel(self) -> bool:
        return self.write({"state": "cancel"})

    # -- the queue -------------------------------------------------------------------------------------
    @api.model
    def process_email_queue(self, ids: list[int] | None = None) -> int:
        """Send the due outgoing mails (of ``ids`` only, when given) in this transaction; how many were tried."""
        due = self._due_mails(limit=10000)
        if ids:
            due = due.filtered(lambda mail: mail.id in set(ids))
        due.send()
        return len(due)

    def _due_mails(self, limit: int | None = None):
        now = fields.Datetime.now()
        return self.search([("state", "=", "outgoing"), "|", ("scheduled_date", "=", False),
                            ("scheduled_date", "<=", now)], limit=limit, order="id")

    @api.model
    def _claim_due(self, limit: int = 100, ids: list[int] | None = None):
        """Lease due mails (or these ``ids``, due or not) to this runner (``_claim_lease``).

        Two runners never send the same mail: what one claimed, the other skips until the lease ends.

        One conditional UPDATE per batch: under PostgreSQL's read-committed and
        SQLite's single writer, a row another runner claimed meanwhile no
        longer matches, so it is not claimed twice.
        """
        now = fields.Datetime.now()
        due = self._due_mails(limit=limit) if ids is None else self.browse(ids).exists().filtered(
            lambda mail: mail.state == "outgoing")
        candidates = [mail.id for mail in due if not mail.claimed_until or mail.claimed_until < now]
        if not candidates:
            return self.browse()
        token = fields.Datetime.to_string(now + self._claim_lease())
        marks = ", ".join(["%s"] * len(candidates))
        self.env.cr.execute(
            f"UPDATE mail_mail SET claimed_until = %s WHERE state = 'outgoing' AND id IN ({marks}) "
            "AND (claimed_until IS NULL OR claimed_until < %s)",
            (token, *candidates, fields.Datetime.to_string(now)))
        self.invalidate_model(["claimed_until"])
        return self.browse(candidates).filtered(lambda mail: fields.Datetime.to_string(mail.claimed_until) == token)

    @api.model
    def _cron_send_queue(self, batch_size: int = 100) -> None:
        """The job of the cron ``mail.ir_cron_mail_scheduler_action``: the queue runner, in the cron's cursor.

        The cron thread gives the job its transaction; the runner commits it after the claim and after
        each mail's outcome (``CommittedSteps``), and none is open during the SMTP dialogues.
        """
        from ..tools.queue_runner import send_queue
        from ..tools.transaction_steps import CommittedSteps

        run = send_queue(CommittedSteps(self.sudo().env), batch_size=batch_size)
        if run.sent or run.retried or run.failed:
            _logger.info("mail queue: sent %d, to retry later %d, failed %d", run.sent, run.retried, run.failed)

    # -- sending -----------------------------------------------------------------------------------------
    def send(self, auto_commit: bool = False, raise_exception: bool = False) -> bool:
        """Send these mails now, whatever their schedule; record each outcome.

        ``raise_exception``: re-raise the first delivery failure (after
        recording it) instead of only recording it.  ``auto_commit`` commits
        after each mail (for callers that own the transaction).
        """
        outgoing = self.filtered(lambda mail: mail.state == "outgoing")._prepare_outgoing()
        deliver_all(outgoing)
        for item in outgoing:
            self._record_results([item])
            if auto_commit:
                self.env.cr.commit()
        failure = next((item.error for item in outgoing if item.error), None)
        if raise_exception and failure:
            raise failure
        return True

    def _prepare_outgoing(self) -> list[OutgoingMail]:
        """The messages and server settings of each mail; a mail that cannot be built carries its error."""
        prepared = []
        for mail in self:
            item = OutgoingMail(mail.id, None)
            try:
                item.settings = self.env["ir.mail_server"].smtp_settings(mail.mail_server_id.id or None)
                item.messages = mail._build_messages()
            except MailDeliveryException as exc:
                item.error = exc
            prepared.append(item)
        return prepared

    def _build_messages(self) -> list:
        """One message for ``email_to`` and one per recipient partner (each sees only their own address)."""
        self.ensure_one()
        email_from = self.email_from or self._default_from()
        if not email_from:
            raise MailDeliveryException("the mail has no sender: set email_from or the company's email",
                                        temporary=False, failure_type="mail_from_missing")
        invalid = invalid_addresses(self.email_to) + invalid_addresses(self.email_cc)
        if invalid:
            raise MailDeliveryException(f"invalid email address(es): {', '.join(invalid)}", temporary=False,
                                        failure_type="mail_email_invalid")
        audiences = ([email_split(self.email_to)] if self.email_to else []) + [
            [format_partner(partner.name, partner.email)] for partner in self.recipient_ids if partner.email]
        if not audiences:
            raise MailDeliveryException("the mail has no recipient with an email address", temporary=False,
                                        failure_type="mail_email_missing")
        return [self._message_for(email_from, to, cc=self.email_cc if index == 0 else None)
                for index, to in enumerate(audiences)]

    def _message_for(self, email_from: str, to: list[str], cc: str | None):
        return build_message(email_from, to, self.subject or "", self.body_html or "", email_cc=email_split(cc),
                             reply_to=self.reply_to, subtype="html", headers=self.headers or {},
                             message_id=self.message_id)

    def _default_from(self) -> str | None:
        """The company's address, else Odoo's ``mail.default.from`` (``@mail.catchall.domain`` added if bare)."""
        company = self.env.user.company_id or self.env["res.company"].search([], limit=1)
        if company.email:
            return format_partner(company.name, company.email)
        params = self.env["ir.config_parameter"].sudo()
        default_from = params.get_param("mail.default.from")
        if default_from and "@" not in default_from and params.get_param("mail.catchall.domain"):
            default_from = f"{default_from}@{params.get_param('mail.catchall.domain')}"
        return default_from or None

    @api.model
    def _record_results(self, outgoing: list[OutgoingMail]) -> None:
        """Write each mail's outcome: sent, retried later, or failed for good."""
        for item in outgoing:
            mail = self.browse(item.mail_id).exists()
            if mail:
                mail._record_failure(item.error) if item.error else mail._record_success()

    def _record_success(self) -> None:
        if self.auto_delete:
            self.unlink()
            return
        self.write({"state": "sent", "date_sent": fields.Datetime.now(), "failure_reason": False,
                    "failure_type": False, "claimed_until": False, "attempt_count": self.attempt_count + 1})

    def _record_failure(self, error: MailDeliveryException) -> None:
        attempts = self.attempt_count + 1
        limit = self._max_attempts()
        retry = error.temporary and attempts < limit
        reason = f"attempt {attempts}/{limit}: {error}" if error.temporary else str(error)
        _logger.warning("mail %s: %s%s", self.id, reason, " (will retry)" if retry else "")
        values = {"attempt_count": attempts, "failure_reason": reason, "claimed_until": False,
                  "failure_type": error.failure_type}
        if retry:
            values["scheduled_date"] = fields.Datetime.now() + RETRY_DELAY * 2 ** (attempts - 1)
        else:
            values["state"] = "exception"
        self.write(values)

    def _claim_lease(self) -> timedelta:
        """``mail.mail.claim_seconds`` (default 600): how long a runner that died keeps its mails."""
        value = self.env["ir.config_parameter"].sudo().get_param("mail.mail.claim_seconds")
        return timedelta(seconds=int(value)) if value and value.isdigit() and int(value) > 0 else CLAIM_LEASE

    def _max_attempts(self) -> int:
        value = self.env["ir.config_parameter"].sudo().get_param("mail.mail.max_attempts")
        try:
            return max(1, int(value)) if value else DEFAULT_MAX_ATTEMPTS
        except ValueError:
            return DEFAULT_MAX_ATTEMPTS


class SmtpSessions:
    """The SMTP sessions of one run, one per server, closed when the ``with`` block ends.

    ``deliver(item)`` runs one mail's SMTP dialogues (no database access) and records any error on the
    item.  A server that cannot be reached is tried once per run: its other mails get the same
    (temporary) error instead of waiting for the timeout again.
    """

    def __init__(self):
        self.sessions: dict[int, object] = {}

    def __enter__(self) -> SmtpSessions:
        return self

    def __exit__(self, *exc) -> None:
        for session in self.sessions.values():
            if not isinstance(session, MailDeliveryException):
                _close(session)
        self.sessions.clear()

    def deliver(self, item: OutgoingMail) -> None:
        if item.error is None:
            item.error = self._deliver_one(item)

    def _deliver_one(self, item: OutgoingMail) -> MailDeliveryException | None:
        session = self._session(item.settings)
        if isinstance(session, MailDeliveryException):
            return session
        try:
            for message in item.messages:
                deliver_message(session, message)
        except MailDeliveryException as exc:
            if exc.temporary:  # the session may be unusable: the next mail reconnects
                _close(self.sessions.pop(item.settings.server_id))
            return exc
        return None

    def _session(self, settings: SmtpSettings):
        if settings.server_id not in self.sessions:
            try:
                self.sessions[settings.server_id] = open_session(settings)
            except MailDeliveryException as exc:
                self.sessions[settings.server_id] = exc
        return self.sessions[settings.server_id]


def deliver_all(outgoing: list[OutgoingMail]) -> None:
    """Run the SMTP dialogues of ``outgoing`` (no database access), errors recorded on each item."""
    with SmtpSessions() as sessions:
        for item in outgoing:
            sessions.deliver(item)


def _close(session) -> None:
    try:
        session.quit()
    except Exception:  # the session is being dropped either way
        session.close()
