"""Odoo's further field types: Image, Html, Reference, Many2oneReference, Float digits, Selection
selection_add/ondelete, Date and Datetime helpers."""
import base64
import datetime as dt
import io

import pytest
from PIL import Image as PILImage

from server.exceptions import ValidationError
from server.modules.loading import load_modules, uninstall_modules
from server.orm import fields

pytestmark = pytest.mark.addons("test_library_api")


def png(width, height) -> str:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), "red").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_image_is_shrunk_to_its_maximum_size(env):
    book = env["test_library_api.book"].create({"name": "Pic", "cover": png(256, 64)})
    stored = PILImage.open(io.BytesIO(base64.b64decode(book.cover)))
    assert stored.size == (64, 16) and stored.format == "PNG"
    small = png(10, 10)
    book.cover = small
    assert book.read(["cover"])[0]["cover"] == small  # already small enough: kept as is
    with pytest.raises(ValidationError, match="could not be decoded as an image"):
        book.cover = base64.b64encode(b"not an image").decode()


def test_html_is_sanitized_unless_told_not_to(env):
    book = env["test_library_api.book"].create({
        "name": "H", "description": '<p onclick="steal()">Hi<script>alert(1)</script></p>',
        "raw_notes": "<p onclick=\"keep()\">raw</p>"})
    assert book.description == "<p>Hi</p>"
    assert str(book.raw_notes) == '<p onclick="keep()">raw</p>'
    assert type(book.description).__name__ == "Markup"


def test_reference_and_many2one_reference(env):
    member = env["test_library_api.member"].create({"name": "Ann"})
    book = env["test_library_api.book"].create({"name": "R", "source": f"test_library_api.member,{member.id}",
                                                "res_model": "test_library_api.member", "res_id": member.id})
    assert book.source == member
    assert book.read(["source"])[0]["source"] == f"test_library_api.member,{member.id}"
    partner = env["res.partner"].create({"name": "P"})
    book.source = partner
    assert book.source == partner
    assert env["test_library_api.book"].search([("source", "=", f"res.partner,{partner.id}")]) == book
    with pytest.raises(ValidationError, match="Wrong model"):
        book.source = env.user
    assert book.res_id == member.id
    assert env["test_library_api.book"].fields_get(["res_id"])["res_id"]["model_field"] == "res_model"


def test_float_digits_from_decimal_precision(env):
    book = env["test_library_api.book"].create({"name": "W", "weight": 1.23456, "price": 2.675})
    assert book.weight == 1.235 and book.price == 2.68
    assert env["test_library_api.book"].fields_get(["weight"])["weight"]["digits"] == [16, 3]
    env.ref("test_library_api.precision_weight").digits = 1
    book.weight = 1.26
    assert book.weight == 1.3


def test_date_and_datetime_helpers(env):
    day = dt.date(2024, 5, 17)
    assert fields.Date.to_date("2024-05-17") == day and fields.Date.to_string(day) == "2024-05-17"
    assert fields.Date.start_of(day, "month") == dt.date(2024, 5, 1)
    assert fields.Date.end_of(day, "year") == dt.date(2024, 12, 31)
    assert fields.Date.add(day, days=15) == dt.date(2024, 6, 1)
    assert fields.Date.subtract(day, months=5) == dt.date(2023, 12, 17)
    moment = fields.Datetime.to_datetime("2024-05-17 10:30:00")
    assert moment == dt.datetime(2024, 5, 17, 10, 30) and fields.Datetime.to_string(moment) == "2024-05-17 10:30:00"
    assert fields.Datetime.today().time() == dt.time(0, 0)
    local = fields.Datetime.context_timestamp(env["res.partner"].with_context(tz="Europe/Paris"), moment)
    assert local.hour == 12
    assert fields.Date.context_today(env["res.partner"].with_context(tz="Pacific/Kiritimati"),
                                     dt.datetime(2024, 5, 17, 20, 0)) == dt.date(2024, 5, 18)


def test_selection_add_merges_and_ondelete_applies_at_uninstall(db_backend, database_factory):
    config = database_factory.create(db_backend, ("test_library_api",))
    registry = load_modules(config, init="test_library_api_ext")
    with registry.cursor() as cr:
        env = registry.env(cr)
        states = [key for key, _label in env["test_library_api.book"]._fields["state"]._resolve(env)]
        assert states == ["draft", "available", "lost", "hidden", "burnt"]
        Book = env["test_library_api.book"]
        Book.create([{"name": "Lost one", "state": "lost"}, {"name": "Burnt one", "state": "burnt"},
                     {"name": "Fine", "state": "available"}])
        isbn, loans = Book._fields["isbn"], Book._fields["loan_ids"]  # redefined by the extension
        assert (isbn.string, isbn.size, isbn.copy) == ("ISBN-13", 17, False)
        assert (loans.string, loans.comodel_name, loans.inverse_name) == ("All loans", "test_library_api.loan",
                                                                         "book_id")
    registry = uninstall_modules(registry, "test_library_api_ext")
    with registry.cursor() as cr:
        env = registry.env(cr)
        found = {b.name: b.state for b in env["test_library_api.book"].with_context(active_test=False).search([])}
        assert found == {"Lost one": "draft", "Fine": "available"}  # 'set default' and 'cascade'


def test_required_selection_add_needs_a_policy():
    field = fields.Selection(selection_add=[("x", "X")], required=True)
    with pytest.raises(TypeError, match="needs an ondelete policy"):
        field._policies(field, ["x"])
