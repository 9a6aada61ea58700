"""Attachments: the content-addressed filestore, mimetypes, access through the attached record,
attachment fields, garbage collection."""
import base64
import hashlib

import pytest

from server.exceptions import AccessError, ValidationError
from server.orm.environment import SUPERUSER_ID, Environment

pytestmark = pytest.mark.addons("test_platform")
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
                       "60e6kgAAAABJRU5ErkJggg==")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def make_user(env, login: str, *groups: str):
    return env["res.users"].create({"name": login, "login": login,
                                    "groups_id": [(6, 0, [env.ref(g).id for g in groups])]})


def test_content_is_stored_once_under_its_sha1(env):
    raw = b"same bytes in two attachments"
    first = env["ir.attachment"].create({"name": "a.txt", "datas": b64(raw)})
    second = env["ir.attachment"].create({"name": "b.txt", "raw": raw})
    sha1 = hashlib.sha1(raw).hexdigest()
    assert first.checksum == second.checksum == sha1
    assert first.store_fname == second.store_fname == f"{sha1[:2]}/{sha1}"
    path = first._full_path(first.store_fname)
    assert path.read_bytes() == raw
    assert path.parent.parent.name == env.cr.dbname and path.parent.parent.parent.name == "filestore"
    assert (first.file_size, first.raw, base64.b64decode(first.datas)) == (len(raw), raw, raw)
    assert first.read(["datas"])[0]["datas"] == b64(raw)


def test_mimetype_comes_from_the_content_then_the_name(env):
    attachments = env["ir.attachment"]
    assert attachments.create({"name": "no-extension", "raw": PNG}).mimetype == "image/png"
    assert attachments.create({"name": "notes.csv", "raw": b"a,b\n1,2\n"}).mimetype == "text/csv"
    assert attachments.create({"name": "notes", "raw": "plain text, é".encode()}).mimetype == "text/plain"
    assert attachments.create({"name": "blob", "raw": b"\x00\xff\x00\x13"}).mimetype == "application/octet-stream"
    assert attachments.create({"name": "given", "raw": PNG, "mimetype": "image/x-mine"}).mimetype == "image/x-mine"
    with pytest.raises(ValidationError, match="base64"):
        attachments.create({"name": "bad", "datas": "%%%"})
    with pytest.raises(ValidationError, match="base64"):
        attachments.create({"name": "bad", "datas": "abcde"})  # not a whole base64 text
    quoted = attachments.create({"name": "quoted", "datas": str(base64.b64encode(b"bytes"))})  # "b'Ynl0ZXM='"
    assert quoted.file_size == 6  # the quotes skipped, the "b" kept: what Odoo stores for this text too


def test_active_content_from_a_non_admin_is_stored_as_plain_text(env):
    user = make_user(env, "uploader", "base.group_user")
    page = b"<html><script>alert(1)</script></html>"
    mine = env(user=user.id, su=False)["ir.attachment"].create({"name": "x.html", "raw": page})
    assert mine.sudo().mimetype == "text/plain"
    assert env["ir.attachment"].create({"name": "y.html", "raw": page}).mimetype == "text/html"


def test_access_follows_the_attached_record(env):
    ticket = env["test_platform.ticket"].create({"name": "secret ticket"})
    partner = env["res.partner"].create({"name": "Visible"})
    on_ticket = env["ir.attachment"].create({"name": "t", "raw": b"t", "res_model": ticket._name, "res_id": ticket.id})
    on_partner = env["ir.attachment"].create({"name": "p", "raw": b"p", "res_model": "res.partner",
                                              "res_id": partner.id})
    orphan = env["ir.attachment"].create({"name": "o", "raw": b"o"})
    public = env["ir.attachment"].create({"name": "pub", "raw": b"pub", "public": True})
    user_env = env(user=make_user(env, "employee", "base.group_user").id, su=False)
    attachments = user_env["ir.attachment"]
    assert attachments.browse(on_partner.id).read(["name"])[0]["name"] == "p"
    assert attachments.browse(public.id).raw == b"pub"
    for forbidden in (on_ticket, orphan):
        with pytest.raises(AccessError):
            attachments.browse(forbidden.id).read(["name"])
    found = attachments.search([("id", "in", [on_ticket.id, on_partner.id, orphan.id, public.id])])
    assert set(found.ids) == {on_partner.id, public.id}
    with pytest.raises(AccessError):
        attachments.create({"name": "x", "raw": b"x", "res_model": ticket._name, "res_id": ticket.id})
    own = attachments.create({"name": "mine", "raw": b"mine"})
    assert attachments.browse(own.id).raw == b"mine"


def test_attachment_fields_live_in_ir_attachment(env):
    tickets = env["test_platform.ticket"]
    assert tickets.fields_get(["document"])["document"]["attachment"] is True
    assert "document" not in tickets._table_model._meta.fields
    ticket = tickets.create({"name": "with file", "document": b64(PNG)})
    stored = env["ir.attachment"].search([("res_model", "=", ticket._name), ("res_id", "=", ticket.id),
                                          ("res_field", "=", "document")])
    assert len(stored) == 1 and stored.raw == PNG and stored.mimetype == "image/png"
    assert ticket.read(["document"])[0]["document"] == b64(PNG)
    ticket.write({"document": b64(b"version 2")})
    ticket.invalidate_recordset()
    assert base64.b64decode(ticket.document) == b"version 2" and stored.exists()
    ticket.write({"document": False})
    assert not stored.exists()
    ticket.write({"document": b64(b"again")})
    ticket.unlink()
    assert not env["ir.attachment"].search([("res_model", "=", "test_platform.ticket"), ("res_id", "=", ticket.id)])


def test_garbage_collection_removes_unreferenced_files_only(fresh_registry):
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        kept = env["ir.attachment"].create({"name": "kept", "raw": b"kept content"})
        dropped = env["ir.attachment"].create({"name": "dropped", "raw": b"dropped content"})
        kept_path, dropped_path = kept._full_path(kept.store_fname), dropped._full_path(dropped.store_fname)
        dropped.unlink()
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        assert env["ir.attachment"]._gc_file_store() == 0  # younger than the grace period
        assert env["ir.attachment"]._gc_file_store(grace_seconds=-1) == 1
    assert kept_path.exists() and not dropped_path.exists()
