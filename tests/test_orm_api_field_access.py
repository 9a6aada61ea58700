"""Field groups: a field reserved to some groups is invisible and untouchable through the API for others."""
import pytest

from server.exceptions import AccessError

pytestmark = pytest.mark.addons("test_library_api")


@pytest.fixture
def users(env):
    def user(login, group):
        return env["res.users"].create({"name": login.title(), "login": login,
                                        "groups_id": [(6, 0, [env.ref(group).id])]})

    return user("reader", "test_library_api.group_reader"), user("keeper", "test_library_api.group_librarian")


@pytest.fixture
def book(env):
    return env["test_library_api.book"].create({"name": "Dune", "state": "available", "purchase_price": 12.5})


def test_fields_get_hides_the_field_from_others(env, users):
    reader, keeper = users
    Book = env["test_library_api.book"]
    assert "purchase_price" not in Book.with_user(reader).fields_get()
    assert "purchase_price" in Book.with_user(keeper).fields_get()
    assert "purchase_price" in Book.fields_get()


def test_read_skips_it_or_refuses_it_when_asked(env, users, book):
    reader, keeper = users
    assert "purchase_price" not in book.with_user(reader).read()[0]
    with pytest.raises(AccessError, match="purchase_price"):
        book.with_user(reader).read(["name", "purchase_price"])
    with pytest.raises(AccessError, match="purchase_price"):
        book.with_user(reader).search_read([], ["purchase_price"])
    assert book.with_user(keeper).read(["purchase_price"])[0]["purchase_price"] == 12.5
    assert book.with_user(reader).purchase_price == 12.5  # server code still sees it


def test_domains_on_it_are_refused(env, users, book):
    reader, keeper = users
    Book = env["test_library_api.book"]
    assert Book.with_user(keeper).search([("purchase_price", ">", 10)]) == book  # caches the search's SQL...
    with pytest.raises(AccessError, match="search on"):
        Book.with_user(reader).search([("purchase_price", ">", 10)])  # ...which must not serve the reader
    with pytest.raises(AccessError):
        env["test_library_api.loan"].with_user(reader).search([("book_id.purchase_price", ">", 10)])


def test_writes_are_refused(env, users, book):
    reader, keeper = users
    loan_book = book.with_user(keeper)
    loan_book.write({"purchase_price": 20.0})
    assert book.purchase_price == 20.0
    Book = env["test_library_api.book"]
    env["ir.model.access"].create({"name": "reader writes", "model_id": env.ref(
        "test_library_api.model_test_library_api_book").id, "group_id": env.ref(
        "test_library_api.group_reader").id, "perm_read": True, "perm_write": True, "perm_create": True})
    with pytest.raises(AccessError, match="write"):
        book.with_user(reader).write({"purchase_price": 1.0})
    with pytest.raises(AccessError, match="write"):
        Book.with_user(reader).create({"name": "X", "purchase_price": 1.0})
    assert Book.with_user(reader).create({"name": "Y"}).name == "Y"  # defaults of hidden fields are fine
    assert book.purchase_price == 20.0


def test_user_has_groups_follows_odoo_syntax(env, users):
    reader, keeper = users
    Book = env["test_library_api.book"]
    assert Book.with_user(keeper).user_has_groups("test_library_api.group_librarian")
    assert Book.with_user(keeper).user_has_groups("test_library_api.group_reader")  # implied
    assert not Book.with_user(reader).user_has_groups("test_library_api.group_librarian")
    assert not Book.with_user(keeper).user_has_groups("base.group_user,!test_library_api.group_librarian")
    assert Book.with_user(reader).user_has_groups("base.group_user,!test_library_api.group_librarian")
    assert Book.with_user(reader).check_field_access_rights("read", None).count("purchase_price") == 0
