"""Outgoing mail servers (Odoo's ``ir.mail_server``): SMTP with STARTTLS or SSL, and login.

``connect()`` opens an authenticated SMTP session, ``build_email()`` makes
an RFC 5322 message and ``send_email()`` delivers one.  The password is a
secret field: server code uses it, ``read()`` and RPC never return it.
Certificates are verified by default (Odoo does not verify them); a server
with a private CA names its bundle in ``smtp_ca_file``.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.addresses import build_message, envelope_recipients

SMTP_TIMEOUT = 30
ENCRYPTIONS = [("none", "None"), ("starttls", "TLS (STARTTLS)"), ("ssl", "SSL/TLS")]


class MailDeliveryException(Exception):
    """A mail could not be handed to the SMTP server; ``temporary`` says whether trying again may work."""

    def __init__(self, message: str, temporary: bool = True, failure_type: str = "mail_smtp"):
        super().__init__(message)
        self.temporary = temporary
        self.failure_type = failure_type


class IrMailServer(models.Model):
    _name = "ir.mail_server"
    _description = "Mail Server"
    _order = "sequence, id"

    name = fields.Char("Name", required=True)
    from_filter = fields.Char("FROM Filtering",
                              help="Domain or address this server sends for; empty: any sender.")
    smtp_host = fields.Char("SMTP Server", required=True)
    smtp_port = fields.Integer("SMTP Port", required=True, default=25)
    smtp_authentication = fields.Selection([("login", "Username"), ("none", "None")], "Authenticate with",
                                           required=True, default="login")
    smtp_user = fields.Char("Username")
    smtp_pass = fields.Char("Password", secret=True, copy=False)
    smtp_encryption = fields.Selection(ENCRYPTIONS, "Connection Encryption", required=True, default="none")
    smtp_verify_certificate = fields.Boolean("Verify the server certificate", default=True)
    smtp_ca_file = fields.Char("CA bundle", help="Path of a PEM CA bundle; empty: the system's CAs.")
    smtp_debug = fields.Boolean("Debugging",
                                help="Print the SMTP dialogue after the login on stderr (never the AUTH exchange).")
    sequence = fields.Integer(default=10, help="Lower is tried first when a mail names no server.")
    active = fields.Boolean(default=True)

    # -- connecting --------------------------------------------------------------------------------
    @api.model
    def connect(self, mail_server_id: int | None = None) -> smtplib.SMTP:
        """An open, authenticated SMTP session on the given server (else the first active one).

        Raises ``MailDeliveryException`` when there is no server, the server
        cannot be reached, TLS fails or the login is refused.
        """
        return open_session(self.smtp_settings(mail_server_id))

    @api.model
    def smtp_settings(self, mail_server_id: int | None = None) -> SmtpSettings:
        """What ``open_session`` needs, read now, so that the SMTP dialogue can run outside any transaction."""
        self.check_access_rights("read")
        server = self.sudo()._server_for(mail_server_id)
        return SmtpSettings(server.id, server.name, server.smtp_host, server.smtp_port, server.smtp_encryption,
                            server.smtp_user if server.smtp_authentication == "login" else None,
                            server.smtp_pass or "", server.smtp_verify_certificate, server.smtp_ca_file or None,
                            server.smtp_debug)

    def _server_for(self, mail_server_id: int | None):
        if mail_server_id:
            server = self.browse(mail_server_id).exists()
            if not server:
                raise MailDeliveryException(f"mail server {mail_server_id} does not exist", temporary=False)
            return server
        server = self.search([], limit=1)
        if not server:
            raise MailDeliveryException("no outgoing mail server is configured: create an ir.mail_server record")
        return server

    # -- messages ------------------------------------------------------------------------------------
    @api.model
    def build_email(self, email_from: str, email_to: list[str] | str, subject: str, body: str,
                    email_cc: list[str] | None = None, reply_to: str | None = None, subtype: str = "plain",
                    headers: dict | None = None, message_id: str | None = None, body_alternative=None):
        """An ``email.message.EmailMessage`` ready for ``send_email`` (``subtype='html'`` for an HTML body)."""
        return build_message(email_from, email_to, subject, body, email_cc=email_cc, reply_to=reply_to,
                             subtype=subtype, headers=headers, message_id=message_id,
                             body_alternative=body_alternative)

    @api.model
    def send_email(self, message, mail_server_id: int | None = None, smtp_session: smtplib.SMTP | None = None) -> str:
        """Deliver ``message``; return its Message-Id.

        Uses ``smtp_session`` when given (left open), else connects and quits.
        Raises ``MailDeliveryException``: temporary for 4xx answers and lost
        connections, permanent for 5xx answers and messages without recipients.
        """
        if not envelope_recipients(message):
            raise MailDeliveryException("the mail has no recipient (To, Cc or Bcc)", temporary=False,
                                        failure_type="mail_email_missing")
        session = smtp_session or self.connect(mail_server_id)
        try:
            deliver_message(session, message)
        finally:
            if smtp_session is None:
                _quietly_close(session)
        return message["Message-Id"]

    # -- operator action -------------------------------------------------------------------------------
    def test_smtp_connection(self) -> dict:
        """Connect and log in to each server; a notification action, or UserError naming the failure."""
        for server in self:
            try:
                session = open_session(self.smtp_settings(server.id))
            except MailDeliveryException as exc:
                raise UserError(f"Connection Test Failed! Here is what we got instead:\n {exc}",
                                mail_server=server.name) from None
            _quietly_close(session)
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"title": "Connection Test Successful!", "message": "Everything seems properly set up!",
                           "type": "success", "sticky": False}}


@dataclass(frozen=True)
class SmtpSettings:
    """One server's connection settings (the password is never part of the repr)."""

    server_id: int
    name: str
    host: str
    port: int
    encryption: str
    user: str | None
    password: str = field(repr=False)
    verify_certificate: bool = True
    ca_file: str | None = None
    debug: bool = False


def open_session(settings: SmtpSettings) -> smtplib.SMTP:
    """Connect, secure and log in as ``settings`` say; ``MailDeliveryException`` on any failure."""
    try:
        return _open(settings)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailDeliveryException(f"mail server {settings.name!r} refused the login of {settings.user!r}: "
                                    f"{exc.smtp_code} {_text(exc.smtp_error)}", temporary=False) from exc
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        raise MailDeliveryException(f"cannot connect to mail server {settings.name!r} "
                                    f"({settings.host}:{settings.port}): {exc}") from exc


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.encryption == "ssl":
        session = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT,
                                   context=_ssl_context(settings))
    else:
        session = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    try:
        session.ehlo_or_helo_if_needed()
        if settings.encryption == "starttls":
            session.starttls(context=_ssl_context(settings))
            session.ehlo()
        if settings.user:
            session.login(settings.user, settings.password)
        session.set_debuglevel(1 if settings.debug else 0)  # after the login: the AUTH exchange is never printed
    except BaseException:
        _quietly_close(session)
        raise
    return session


def _ssl_context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.ca_file)
    if not settings.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def deliver_message(session: smtplib.SMTP, message) -> None:
    """Hand ``message`` to an open session; ``MailDeliveryException`` (temporary or not) when refused."""
    recipients = envelope_recipients(message)
    if not recipients:
        raise MailDeliveryException("the mail has no recipient (To, Cc or Bcc)", temporary=False,
                                    failure_type="mail_email_missing")
    try:
        refused = session.send_message(message, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailDeliveryException(f"every recipient was refused: {_refusals(exc.recipients)}",
                                    temporary=_all_temporary(exc.recipients)) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailDeliveryException(f"the mail server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                                    temporary=400 <= exc.smtp_code < 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailDeliveryException(f"the connection to the mail server failed: {exc}") from exc
    if refused:
        raise MailDeliveryException(f"some recipients were refused: {_refusals(refused)}", temporary=False)


def _refusals(recipients: dict) -> str:
    return "; ".join(f"{address}: {code} {_text(text)}" for address, (code, text) in recipients.items())


def _all_temporary(recipients: dict) -> bool:
    return all(400 <= code < 500 for code, _text_ in recipients.values())


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _quietly_close(session: smtplib.SMTP) -> None:
    try:
        session.quit()
    except (OSError, smtplib.SMTPException):
        session.close()
