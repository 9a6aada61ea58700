"""The methods Odoo 17 clients and addons call: web_read, web_search_read, search_fetch, archiving,
with_company, grouped, _rec_names_search, name_create, copy."""
import pytest

from server.exceptions import AccessError, ValidationError

pytestmark = pytest.mark.addons("test_library_api")


@pytest.fixture
def library(env):
    author = env["res.partner"].create({"name": "Herbert"})
    Book = env["test_library_api.book"]
    dune = Book.create({"name": "Dune", "isbn": "111", "pages": 600, "author_id": author.id, "state": "available"})
    emma = Book.create({"name": "Emma", "isbn": "222", "pages": 300})
    member = env["test_library_api.member"].create({"name": "Ann"})
    loans = env["test_library_api.loan"].create([
        {"book_id": dune.id, "member_id": member.id, "date_start": "2024-01-02", "fee": 1.0},
        {"book_id": dune.id, "member_id": member.id, "date_start": "2024-03-04", "fee": 2.0},
    ])
    return dune, emma, author, loans


def test_web_read_follows_the_specification(env, library):
    dune, _emma, author, loans = library
    [values] = dune.web_read({
        "name": {}, "pages": {}, "published": {},
        "author_id": {"fields": {"display_name": {}}},
        "loan_ids": {"fields": {"fee": {}, "date_start": {}}, "order": "date_start asc"},
    })
    assert values == {"id": dune.id, "name": "Dune", "pages": 600, "published": False,
                      "author_id": {"id": author.id, "display_name": "Herbert"},
                      "loan_ids": [{"id": loans[0].id, "fee": 1.0, "date_start": "2024-01-02"},
                                   {"id": loans[1].id, "fee": 2.0, "date_start": "2024-03-04"}]}
    [plain] = dune.web_read({"author_id": {}, "loan_ids": {}})
    assert plain["author_id"] == author.id and sorted(plain["loan_ids"]) == sorted(loans.ids)
    [limited] = dune.web_read({"loan_ids": {"fields": {"fee": {}}, "limit": 1, "order": "date_start desc"}})
    assert limited["loan_ids"] == [{"id": loans[1].id, "fee": 2.0}, {"id": loans[0].id}]
    with pytest.raises(ValidationError, match="Invalid field"):
        dune.web_read({"nope": {}})


def test_web_search_read_pages_and_counts(env, library):
    Book = env["test_library_api.book"]
    result = Book.web_search_read([], {"name": {}}, limit=1, order="name")
    assert result == {"length": 2, "records": [{"id": library[0].id, "name": "Dune"}]}
    assert Book.web_search_read([("name", "=", "none")], {"name": {}}) == {"length": 0, "records": []}
    assert Book.web_search_read([], {"name": {}}, offset=1, limit=5)["length"] == 2


def test_web_save_and_web_read_group(env, library):
    Book = env["test_library_api.book"]
    [saved] = Book.web_save({"name": "New"}, {"name": {}, "state": {}})
    assert saved["name"] == "New" and saved["state"] == "draft"
    result = Book.web_read_group([], ["pages:sum"], ["state"], limit=1)
    assert result["length"] == 2 and len(result["groups"]) == 1


def test_search_fetch_loads_the_fields_with_the_search(env, library):
    records = env["test_library_api.book"].search_fetch([("pages", ">", 0)], ["name", "pages"], order="name")
    assert records.mapped("name") == ["Dune", "Emma"]


def test_archiving(env, library):
    dune, emma, _author, _loans = library
    Book = env["test_library_api.book"]
    dune.action_archive()
    assert not dune.active and Book.search([]) == emma
    (dune | emma).toggle_active()
    assert dune.active and not emma.active
    emma.action_unarchive()
    assert emma.active
    with pytest.raises(ValidationError, match="no 'active' field"):
        env["test_library_api.loan"].search([]).action_archive()


def test_with_company_sets_env_company(env, library):
    other = env["res.company"].create({"name": "Branch"})
    main = env.company
    book = library[0].with_company(other)
    assert book.env.company == other
    assert book.env.context["allowed_company_ids"][0] == other.id
    assert library[0].with_company(main).env.company == main
    user = env["res.users"].create({"name": "U", "login": "u", "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    with pytest.raises(AccessError, match="companies"):
        library[0].with_user(user).with_company(other).env.company  # noqa: B018  (not one of the user's companies)


def test_grouped(env, library):
    dune, emma, _author, loans = library
    groups = (dune | emma).grouped("state")
    assert groups == {"available": dune, "draft": emma}
    assert loans.grouped(lambda loan: loan.fee > 1.5) == {False: loans[0], True: loans[1]}


def test_rec_names_search_and_name_create(env, library, monkeypatch):
    Book = env["test_library_api.book"]
    assert [name for _id, name in Book.name_search("Du")] == ["Dune"]
    monkeypatch.setattr(type(Book), "_rec_names_search", ["name", "isbn"])
    assert [name for _id, name in Book.name_search("222")] == ["Emma"]
    assert {name for _id, name in Book.name_search("222", operator="not ilike")} == {"Dune"}
    book_id, name = Book.name_create("Persuasion")
    assert name == "Persuasion" and Book.browse(book_id).state == "draft"


def test_copy_skips_copy_false_fields(env, library):
    dune = library[0]
    duplicate = dune.copy()
    assert duplicate.name == "Dune" and duplicate.pages == 600 and duplicate.isbn is False


def test_a_copy_starts_from_the_default_state(env, library):
    dune = library[0]
    dune.state = "available"
    assert dune.copy().state == "draft"  # as Odoo's copy_data: a copy of a cancelled order is a draft
    assert dune.copy({"state": "hidden"}).state == "hidden"


def test_search_count_with_a_limit_counts_up_to_it_in_one_query(env, library, count_queries):
    """Odoo 17's ``search_count(domain, limit)``: at most ``limit``, counted by the database."""
    Book = env["test_library_api.book"]
    with count_queries() as queries:
        counts = (Book.search_count([], limit=1), Book.search_count([], limit=5), Book.search_count([]))
    assert counts == (1, 2, 2)
    assert len(queries) == 3 and all("COUNT" in sql.upper() for sql in queries)
