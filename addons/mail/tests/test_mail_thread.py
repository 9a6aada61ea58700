"""mail.thread as addons use it: message_post, followers, notification mails (on res.partner, a mail.thread)."""
from __future__ import annotations

import pytest
from odoo.exceptions import UserError


@pytest.fixture
def thread(env):
    """A record of a model inheriting mail.thread."""
    return env["res.partner"].create({"name": "Customer 1"})


@pytest.fixture
def people(env):
    return env["res.partner"].create([{"name": "Ann", "email": "ann@example.com"},
                                      {"name": "Ben", "email": "ben@example.com"},
                                      {"name": "Cy (no email)"}])


def test_subscribe_is_idempotent_and_unsubscribe_removes(env, thread, people):
    thread.message_subscribe(people.ids)
    thread.message_subscribe(people[:1].ids)
    assert thread.message_partner_ids == people
    assert len(thread.message_follower_ids) == 3
    thread.message_unsubscribe(people[2:].ids)
    assert thread.message_partner_ids == people[:2]
    with pytest.raises(UserError, match="do not exist"):
        thread.message_subscribe([999999])


def test_comment_notifies_followers_but_not_the_author(env, thread, people):
    ann, ben, _cy = people
    thread.message_subscribe(people.ids)
    message = thread.message_post(body="<p>Fixed</p>", subject="Update", message_type="comment", author_id=ann.id)
    assert message in thread.message_ids and message.model == "res.partner" and message.res_id == thread.id
    mails = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    assert mails.mapped("recipient_ids") == ben  # Ann wrote it, Cy has no address
    assert mails.subject == "Update" and mails.body_html == "<p>Fixed</p>" and mails.state == "outgoing"


def test_notes_notify_only_named_partners(env, thread, people):
    ann, ben, _cy = people
    thread.message_subscribe(people.ids)
    note = thread._message_log(body="internal")
    assert not env["mail.mail"].search([("mail_message_id", "=", note.id)])
    named = thread.message_post(body="fyi", partner_ids=[ben.id])
    assert env["mail.mail"].search([("mail_message_id", "=", named.id)]).recipient_ids == ben


def test_follower_subtypes_filter_notifications(env, thread, people):
    ann, ben, _cy = people
    thread.message_subscribe([ann.id], subtype_ids=[env.ref("mail.mt_note").id])
    thread.message_subscribe([ben.id])
    message = thread.message_post(body="hello", message_type="comment")
    assert env["mail.mail"].search([("mail_message_id", "=", message.id)]).recipient_ids == ben


def test_force_send_after_commit(fresh_registry, smtp_server):
    smtp = smtp_server()
    with fresh_registry.cursor() as cr:
        env = fresh_registry.env(cr)
        env["ir.mail_server"].create({"name": "t", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                      "smtp_authentication": "none"})
        env.user.partner_id.email = "admin@example.com"
        record = env["res.partner"].create({"name": "T"})
        ann = env["res.partner"].create({"name": "Ann", "email": "ann@example.com"})
        record.message_subscribe([ann.id])
        record.message_post(body="now", message_type="comment", force_send=True)
        assert smtp.messages == []  # nothing leaves before the commit
    assert [m.envelope_to for m in smtp.messages] == [["ann@example.com"]]


def test_unsupported_arguments_are_refused_by_name(thread):
    with pytest.raises(UserError, match="does not support attachment_ids"):
        thread.message_post(body="x", attachment_ids=[1])
