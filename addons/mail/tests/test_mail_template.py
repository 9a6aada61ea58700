"""mail.template: Jinja2 in a sandbox, rendered per record, queued as mail.mail."""
from __future__ import annotations

import pytest
from odoo.exceptions import UserError


@pytest.fixture
def partner(env):
    return env["res.partner"].create({"name": "Ann <Admin>", "email": "ann@example.com", "city": "Lyon"})


def _template(env, **values):
    return env["mail.template"].create({
        "name": "Welcome", "model_id": env["ir.model"].search([("model", "=", "res.partner")]).id,
        "subject": "Hello {{ object.name }}", "email_from": "bot@example.com", "email_to": "{{ object.email }}",
        "body_html": "<p>Dear {{ object.name }}, from {{ object.city or 'nowhere' }}</p>", **values})


def test_send_mail_renders_and_queues(env, partner):
    template = _template(env)
    assert template.model == "res.partner"
    mail = env["mail.mail"].browse(template.send_mail(partner.id))
    assert mail.state == "outgoing" and mail.model == "res.partner" and mail.res_id == partner.id
    assert mail.subject == "Hello Ann <Admin>"  # plain text: not escaped
    assert mail.body_html == "<p>Dear Ann &lt;Admin&gt;, from Lyon</p>"  # HTML: escaped
    assert mail.email_to == "ann@example.com"


def test_force_send_delivers_now(env, partner, smtp_server, mail_server):
    smtp = smtp_server()
    mail_server(smtp.port)
    _template(env, auto_delete=False).send_mail(partner.id, force_send=True)
    [received] = smtp.messages
    assert received["Subject"] == "Hello Ann <Admin>"


def test_partner_to_adds_recipients(env, partner):
    other = env["res.partner"].create({"name": "Ben", "email": "ben@example.com"})
    template = _template(env, email_to=False, partner_to="{{ object.id }}," + str(other.id))
    mail = env["mail.mail"].browse(template.send_mail(partner.id))
    assert mail.recipient_ids == partner | other


@pytest.mark.parametrize("source", [
    "{{ object.env.cr }}",
    "{{ object.sudo() }}",
    "{{ object.write({'name': 'x'}) }}",
    "{{ object.__class__ }}",
    "{{ ''.__class__.__mro__ }}",
])
def test_sandbox_refuses_anything_but_fields(env, partner, source):
    template = _template(env, body_html=source)
    with pytest.raises(UserError, match="Failed to render field 'body_html' of mail template 'Welcome'"):
        template.send_mail(partner.id)
    assert partner.name == "Ann <Admin>"
    assert not env["mail.mail"].search([("res_id", "=", partner.id), ("model", "=", "res.partner")])


def test_broken_templates_and_bad_targets_are_user_errors(env, partner):
    with pytest.raises(UserError, match="Failed to render field 'subject'"):
        _template(env, subject="{{ object.name ").send_mail(partner.id)
    with pytest.raises(UserError, match="Failed to render"):
        _template(env, subject="{{ object.no_such_field }}").send_mail(partner.id)
    with pytest.raises(UserError, match=r"res.partner \[999999\] do\(es\) not exist"):
        _template(env).send_mail(999999)
    with pytest.raises(UserError, match="renders no recipient"):
        _template(env, email_to="").send_mail(partner.id)
