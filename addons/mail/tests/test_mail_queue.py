"""mail.mail: queued, sent over real SMTP, retried on temporary failures, failed for good otherwise."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from odoo import fields
from odoo.config import ROOT


def _mail(env, **values):
    return env["mail.mail"].create({"subject": "Report", "body_html": "<p>Done</p>", "email_from": "bot@example.com",
                                    "email_to": "ops@example.com", **values})


def test_process_email_queue_sends_due_mails_only(env, smtp_server, mail_server):
    smtp = smtp_server()
    mail_server(smtp.port)
    due = _mail(env)
    later = _mail(env, scheduled_date=fields.Datetime.now() + timedelta(hours=1))
    assert env["mail.mail"].process_email_queue() == 1
    assert (due.state, later.state) == ("sent", "outgoing")
    assert due.date_sent and due.attempt_count == 1
    [received] = smtp.messages
    assert received["Subject"] == "Report" and received["Message-Id"] == due.message_id


def test_each_partner_gets_a_message_of_their_own(env, smtp_server, mail_server):
    smtp = smtp_server()
    mail_server(smtp.port)
    partners = env["res.partner"].create([{"name": "Ann", "email": "ann@example.com"},
                                          {"name": "Ben", "email": "ben@example.com"}])
    _mail(env, email_to=False, recipient_ids=[(6, 0, partners.ids)]).send()
    assert sorted(m.envelope_to[0] for m in smtp.messages) == ["ann@example.com", "ben@example.com"]
    assert all(len(m.envelope_to) == 1 for m in smtp.messages)
    assert smtp.messages[0]["To"] in ('"Ann" <ann@example.com>', "Ann <ann@example.com>",
                                      '"Ben" <ben@example.com>', "Ben <ben@example.com>")


def test_unreachable_server_is_retried_then_the_mail_fails(env, mail_server, closed_port):
    mail_server(closed_port)
    env["ir.config_parameter"].set_param("mail.mail.max_attempts", "3")
    mail = _mail(env)
    for attempt in (1, 2):
        mail.send()
        assert (mail.state, mail.attempt_count) == ("outgoing", attempt)
        assert mail.failure_reason.startswith(f"attempt {attempt}/3: cannot connect")
        assert mail.scheduled_date > fields.Datetime.now()
    assert env["mail.mail"].process_email_queue() == 0  # not due again yet
    mail.send()
    assert (mail.state, mail.failure_type) == ("exception", "mail_smtp")
    assert mail.failure_reason.startswith("attempt 3/3")


def test_refused_recipient_fails_at_once_and_temporary_refusal_retries(env, smtp_server, mail_server):
    permanent = smtp_server(rcpt_answer="550 5.1.1 no such user")
    server = mail_server(permanent.port)
    mail = _mail(env, mail_server_id=server.id)
    mail.send()
    assert mail.state == "exception" and "550" in mail.failure_reason and "no such user" in mail.failure_reason
    busy = smtp_server(rcpt_answer="451 4.3.0 try again later")
    mail = _mail(env, mail_server_id=mail_server(busy.port).id)
    mail.send()
    assert mail.state == "outgoing" and "451" in mail.failure_reason


def test_bad_addresses_and_missing_recipients_fail_without_smtp(env, mail_server, closed_port):
    mail_server(closed_port)
    invalid = _mail(env, email_to="not-an-address")
    nobody = _mail(env, email_to=False)
    (invalid | nobody).send()
    assert (invalid.state, invalid.failure_type) == ("exception", "mail_email_invalid")
    assert (nobody.state, nobody.failure_type) == ("exception", "mail_email_missing")


def test_auto_delete_and_mark_outgoing(env, smtp_server, mail_server, closed_port):
    smtp = smtp_server()
    server = mail_server(smtp.port)
    gone = _mail(env, auto_delete=True)
    gone.send()
    assert not gone.exists() and len(smtp.messages) == 1
    failed = _mail(env, email_to="bad")
    failed.send()
    failed.mark_outgoing()
    failed.write({"email_to": "ops@example.com", "mail_server_id": server.id})
    failed.send()
    assert failed.state == "sent"


def test_queue_runner_claims_sends_and_records_in_transactions_of_its_own(fresh_registry, smtp_server):
    from odoo.addons.mail.tools.queue_runner import send_queue

    smtp = smtp_server()
    with fresh_registry.cursor() as cr:
        env = fresh_registry.env(cr)
        env["ir.mail_server"].create({"name": "t", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                      "smtp_authentication": "none"})
        env["mail.mail"].create([{"subject": f"m{i}", "email_from": "bot@example.com",
                                  "email_to": f"u{i}@example.com"} for i in range(5)] +
                                [{"subject": "bad", "email_from": "bot@example.com", "email_to": "nope"}])
    run = send_queue(fresh_registry, batch_size=2)
    assert (run.sent, run.retried, run.failed) == (5, 0, 1)
    assert sorted(m["Subject"] for m in smtp.messages) == [f"m{i}" for i in range(5)]
    assert send_queue(fresh_registry).sent == 0  # nothing sent twice
    with fresh_registry.cursor() as cr:
        states = {m.subject: m.state for m in fresh_registry.env(cr)["mail.mail"].search([])}
    assert states == {**{f"m{i}": "sent" for i in range(5)}, "bad": "exception"}


def test_send_queue_command(db_backend, database_factory, smtp_server):
    config = database_factory.create(db_backend, ("mail",))
    from odoo.modules.registry import Registry

    smtp = smtp_server()
    registry = Registry.open(config)
    with registry.cursor() as cr:
        env = registry.env(cr)
        env["ir.mail_server"].create({"name": "t", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                      "smtp_authentication": "none"})
        env["mail.mail"].create({"subject": "cli", "email_from": "bot@example.com", "email_to": "a@example.com"})
    base = [sys.executable, "odoo-bin.py", "mail", "--db-uri", config["db_uri"], "--addons-path",
            config["addons_path"], "--data-dir", str(config.data_dir)]
    result = subprocess.run([*base[:3], "send-queue", *base[3:]], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sent 1, to retry later 0, failed 0"
    assert [m["Subject"] for m in smtp.messages] == ["cli"]
