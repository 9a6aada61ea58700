"""Related fields: any depth, stored or not, readonly unless said otherwise, attributes from the target."""
import pytest

pytestmark = pytest.mark.addons("test_library")


@pytest.fixture
def book(env):
    country = env["res.country"].create({"name": "Relatedland", "code": "Q3"})
    publisher = env["res.partner"].create({"name": "Pub", "country_id": country.id, "city": "Oslo"})
    return env["test_library.book"].create({"name": "Dune", "pages": 10, "publisher_id": publisher.id})


def test_related_value_follows_a_path_of_any_depth(env, book):
    assert book.publisher_country_code == "Q3"
    book.publisher_id.country_id.code = "Q4"
    assert book.publisher_country_code == "Q4"
    book.publisher_id = False
    assert book.publisher_country_code is False


def test_related_field_is_searchable_and_sortable(env, book):
    other = env["test_library.book"].create({"name": "Emma", "pages": 3})
    found = env["test_library.book"].search([("publisher_country_code", "=", "Q3"), ("id", "in", [book.id, other.id])])
    assert found == book
    ordered = env["test_library.book"].search([("id", "in", [book.id, other.id])], order="publisher_city desc")
    assert ordered.ids == [book.id, other.id]


def test_attributes_come_from_the_target(env):
    description = env["test_library.book"].fields_get(["publisher_country_code", "publisher_city"])
    assert description["publisher_country_code"]["string"] == env["res.country"].fields_get(["code"])["code"]["string"]
    assert description["publisher_country_code"]["readonly"] is True
    assert description["publisher_country_code"]["related"] == "publisher_id.country_id.code"
    assert description["publisher_city"]["readonly"] is False
    loan = env["test_library.loan"].fields_get(["book_name"])["book_name"]
    assert loan["string"] == "Title" and loan["store"] is True


def test_readonly_false_related_writes_the_target(env, book):
    book.publisher_city = "Bergen"
    assert book.publisher_id.city == "Bergen"


def test_readonly_related_is_not_written_through(env, book):
    book.write({"publisher_country_code": "ZZ"})
    assert book.publisher_id.country_id.code == "Q3"


def test_stored_related_follows_its_target(env, book):
    member = env["test_library.member"].create({"name": "Ike"})
    loan = env["test_library.loan"].create({"book_id": book.id, "member_id": member.id})
    assert (loan.book_name, loan.member_name) == ("Dune", "Ike")
    book.name = "Dune II"
    member.partner_id.name = "Ike B"
    row = env.cr.execute("SELECT book_name, member_name FROM test_library_loan WHERE id = %s", (loan.id,)).fetchone()
    assert tuple(row) == ("Dune II", "Ike B")


def test_constraint_on_a_related_field_runs_when_its_path_changes(env, book):
    from server.exceptions import ValidationError

    korea = env["res.country"].search([("code", "=", "KP")]) or env["res.country"].create({"name": "K", "code": "KP"})
    publisher = env["res.partner"].create({"name": "KPub", "country_id": korea.id})
    with pytest.raises(ValidationError, match="cannot be catalogued"):
        book.publisher_id = publisher
