"""ir.mail_server against real SMTP servers: plain, login, STARTTLS, SSL, and the password kept secret."""
from __future__ import annotations

import pytest
from odoo.addons.mail.models.ir_mail_server import MailDeliveryException
from odoo.exceptions import AccessError, UserError


def _send_one(env, server_id: int, to: str = "bob@example.com") -> str:
    Server = env["ir.mail_server"]
    message = Server.build_email("alice@example.com", [to], "Hello", "<p>Hi <b>Bob</b></p>", subtype="html")
    return Server.send_email(message, mail_server_id=server_id)


def test_plain_server_receives_html_and_text(env, smtp_server, mail_server):
    smtp = smtp_server()
    server = mail_server(smtp.port)
    message_id = _send_one(env, server.id)
    [received] = smtp.messages
    assert received["Message-Id"] == message_id
    assert received.envelope_to == ["bob@example.com"]
    assert "Hi Bob" in received.get_body(("plain",)).get_content()
    assert "<b>Bob</b>" in received.get_body(("html",)).get_content()


def test_login_accepted_and_refused(env, smtp_server, mail_server):
    smtp = smtp_server(login=("robot", "s3cret"))
    good = mail_server(smtp.port, smtp_authentication="login", smtp_user="robot", smtp_pass="s3cret")
    _send_one(env, good.id)
    assert len(smtp.messages) == 1
    bad = mail_server(smtp.port, smtp_authentication="login", smtp_user="robot", smtp_pass="wrong")
    with pytest.raises(MailDeliveryException) as info:
        _send_one(env, bad.id)
    assert not info.value.temporary and "refused the login" in str(info.value)
    assert "wrong" not in str(info.value)


def test_starttls_with_a_private_ca(env, smtp_server, mail_server, ca_file):
    smtp = smtp_server(login=("robot", "s3cret"), starttls=True)
    server = mail_server(smtp.port, smtp_encryption="starttls", smtp_ca_file=ca_file, smtp_authentication="login",
                         smtp_user="robot", smtp_pass="s3cret")
    _send_one(env, server.id)
    assert len(smtp.messages) == 1
    assert [login for _mechanism, login in smtp.logins] == ["robot"]


def test_starttls_refuses_an_unknown_certificate(env, smtp_server, mail_server):
    smtp = smtp_server(starttls=True)
    server = mail_server(smtp.port, smtp_encryption="starttls")
    with pytest.raises(MailDeliveryException, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        _send_one(env, server.id)
    assert smtp.messages == []


def test_starttls_without_verification_when_asked(env, smtp_server, mail_server):
    smtp = smtp_server(starttls=True)
    server = mail_server(smtp.port, smtp_encryption="starttls", smtp_verify_certificate=False)
    _send_one(env, server.id)
    assert len(smtp.messages) == 1


def test_implicit_ssl(env, smtp_server, mail_server, ca_file):
    smtp = smtp_server(implicit_tls=True)
    server = mail_server(smtp.port, smtp_encryption="ssl", smtp_ca_file=ca_file)
    _send_one(env, server.id)
    assert len(smtp.messages) == 1


def test_test_smtp_connection(env, smtp_server, mail_server, closed_port):
    smtp = smtp_server()
    action = mail_server(smtp.port).test_smtp_connection()
    assert action["params"]["title"] == "Connection Test Successful!"
    with pytest.raises(UserError, match="Connection Test Failed"):
        mail_server(closed_port).test_smtp_connection()


def test_password_is_never_read_back(env, mail_server):
    server = mail_server(2525, smtp_authentication="login", smtp_user="robot", smtp_pass="s3cret")
    assert server.read(["smtp_pass"])[0]["smtp_pass"] is False
    assert server.smtp_pass == "s3cret"  # server code can still use it
    assert env["ir.mail_server"].smtp_settings(server.id).password == "s3cret"
    assert "s3cret" not in repr(env["ir.mail_server"].smtp_settings(server.id))


def test_non_admin_cannot_see_mail_servers(env, mail_server):
    mail_server(2525, smtp_pass="s3cret")
    demo = env["res.users"].create({"name": "Plain user", "login": "plain_mail_user",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    with pytest.raises(AccessError):
        env["ir.mail_server"].with_user(demo).search_read([], ["smtp_pass"])
    with pytest.raises(AccessError):
        env["ir.mail_server"].with_user(demo).smtp_settings()


def test_no_server_configured(env):
    env["ir.mail_server"].search([]).unlink()
    with pytest.raises(MailDeliveryException, match="no outgoing mail server"):
        env["ir.mail_server"].connect()
