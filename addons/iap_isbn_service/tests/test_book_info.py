"""The catalogue: one book per ISBN whatever form it was typed in, and the answer clients receive."""
import base64

import pytest
from odoo.exceptions import AccessError, ValidationError
from stdnum import isbn as stdnum_isbn


@pytest.fixture
def author(env):
    return env["res.partner"].create({"name": "Test Author"})


def test_a_book_is_stored_with_its_isbn_13(env):
    book = env["book.info"].create({"name": "Oxford", "isbn": "0-19-852663-6"})
    assert book.isbn == "9780198526636"
    book.isbn = "978-3-16-148410-0"
    assert book.isbn == "9783161484100"


def test_an_invalid_isbn_is_refused_naming_the_book(env):
    with pytest.raises(ValidationError, match="Cannot save 'Broken'.*Invalid ISBN '9780743273566'"):
        env["book.info"].create({"name": "Broken", "isbn": "9780743273566"})


def test_the_isbn_10_and_isbn_13_of_a_book_are_the_same_book(env):
    env["book.info"].create({"name": "First", "isbn": "0-306-40615-2"})
    with pytest.raises(ValidationError, match="already has this ISBN"):
        env["book.info"].create({"name": "Second", "isbn": "9780306406157"})


def test_a_found_book_gives_the_cookbook_fields(env, author):
    cover = base64.b64encode(b"\x89PNG fake cover").decode()
    env["book.info"].create({"name": "Typed", "isbn": "9780306406157", "date_release": "2001-02-03",
                             "cover_image": cover, "author_ids": [(6, 0, author.ids)]})
    answer = env["book.info"]._books_data_by_isbn("0-306-40615-2")
    assert answer == {"status": "found", "data": {"name": "Typed", "isbn": "9780306406157",
                                                  "date_release": "2001-02-03", "cover_image": cover,
                                                  "authors": ["Test Author"]}}


def test_an_unknown_or_invalid_isbn_is_not_found(env):
    assert env["book.info"]._books_data_by_isbn("9780000000002") == {"status": "not found"}
    assert env["book.info"]._books_data_by_isbn("not an isbn") == {"status": "not found"}


def test_a_book_without_date_or_cover_sends_false(env):
    env["book.info"].create({"name": "Bare", "isbn": "9780306406157"})
    data = env["book.info"]._books_data_by_isbn("9780306406157")["data"]
    assert (data["date_release"], data["cover_image"], data["authors"]) == (False, False, [])


def test_the_demo_catalogue_has_at_least_30_real_books_with_valid_isbn_13s_and_authors(env):
    books = env["book.info"].search([])
    assert len(books) >= 30
    assert all(len(b.isbn) == 13 and stdnum_isbn.is_valid(b.isbn) and b.author_ids and b.date_release for b in books)
    cookbook = env.ref("iap_isbn_service.book_9781788392013")
    assert cookbook.author_ids.mapped("name") == ["Andrey Volkov", "Salahaldin Juba"]


def test_only_administrators_change_the_catalogue(env):
    book = env["book.info"].search([], limit=1)
    as_demo = book.with_user(env.ref("base.user_demo"))
    assert as_demo.read(["name"])[0]["name"] == book.name  # users read it
    for change in (lambda b: b.write({"name": "Rewritten"}), lambda b: b.unlink(),
                   lambda b: b.create({"name": "Fake", "isbn": "9780306406157"})):
        with pytest.raises(AccessError):
            change(as_demo)
