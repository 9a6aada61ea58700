"""Every user reads the catalogue; only librarians (administrators among them) change it or fetch book data."""
import pytest
from odoo.exceptions import AccessError

from .test_fetch_book_data import FOUND, answer_with, new_book


def test_a_user_reads_the_catalogue_but_cannot_rewrite_it(env):
    book = env["library.book"].create({"name": "Catalogued", "isbn": "9780439023481"})
    as_demo = book.with_user(env.ref("base.user_demo"))
    assert as_demo.read(["name"])[0]["name"] == "Catalogued"
    for change in (lambda b: b.write({"name": "rewritten"}), lambda b: b.unlink(),
                   lambda b: b.create({"name": "planted"})):
        with pytest.raises(AccessError):
            change(as_demo)
    assert book.name == "Catalogued"
    assert not env["library.book"].search([("name", "=", "planted")])


def test_administrators_are_librarians(env):
    admin = env.ref("base.user_admin")
    assert admin.has_group("iap_client.group_librarian")
    assert not env.ref("base.user_demo").has_group("iap_client.group_librarian")
    book = env["library.book"].with_user(admin).create({"name": "New arrival"})
    book.write({"name": "Renamed"})
    assert book.name == "Renamed"


def test_a_user_who_may_not_change_the_book_is_refused_before_anything_is_sent(client, fake_provider):
    answer_with(fake_provider, FOUND)
    book = new_book(client)
    book.iap_request_id = "an-earlier-request"  # nothing left to write before the call: the check must come first
    client.cr.commit()
    with pytest.raises(AccessError):
        book.with_user(client.ref("base.user_demo")).fetch_book_data()
    assert fake_provider.calls == []
    assert book.name is False


def test_a_librarian_fetches_book_data(client, fake_provider):
    answer_with(fake_provider, FOUND)
    book = new_book(client)
    librarian = client.ref("base.user_demo")
    librarian.groups_id = [(4, client.ref("iap_client.group_librarian").id)]
    client.cr.commit()
    assert book.with_user(librarian).fetch_book_data() is True
    assert book.name == "The Hunger Games"
