"""new() records and onchange() as Odoo 17's web client calls it (values, changed fields, field spec)."""
import pytest

pytestmark = pytest.mark.addons("test_library_api")

SPEC = {"name": {}, "pages": {}, "state": {}, "summary": {}, "company_id": {"fields": {"display_name": {}}},
        "author_id": {"fields": {"display_name": {}}}}


def test_new_records_live_in_the_cache_only(env):
    Book = env["test_library_api.book"]
    book = Book.new({"name": "Draft", "pages": 12})
    assert not book.id and book.name == "Draft" and book.summary == "Draft (12 pages)"
    book.pages = 20
    assert book.summary == "Draft (20 pages)"  # computed again from the new value
    assert Book.search_count([]) == 0
    dune = Book.create({"name": "Dune", "pages": 600})
    edited = Book.new({"pages": 601}, origin=dune)
    assert edited.name == "Dune" and edited.pages == 601 and edited._origin == dune
    assert dune.pages == 600


def test_first_call_answers_defaults_for_every_field(env):
    result = env["test_library_api.book"].onchange({}, [], SPEC)
    value = result["value"]
    assert value["state"] == "draft" and value["name"] is False and value["pages"] == 0
    assert value["company_id"] == {"id": env.company.id, "display_name": env.company.name}
    assert value["author_id"] is False
    assert value["summary"] == "False (0 pages)"


def test_a_change_answers_what_changed_with_it(env):
    result = env["test_library_api.book"].onchange({"name": "Dune", "pages": 600, "state": "draft"}, ["pages"],
                                                   SPEC)
    assert result["value"] == {"summary": "Dune (600 pages)"}
    assert "warning" not in result


def test_onchange_methods_run_and_their_warnings_come_back(env):
    result = env["test_library_api.book"].onchange({"name": "Tome", "pages": 1500, "state": "draft"}, ["pages"],
                                                   SPEC)
    assert result["value"]["state"] == "hidden"
    assert result["value"]["summary"] == "Tome (1500 pages)"
    assert result["warning"]["title"] == "Long book"


def test_onchange_on_an_existing_record_starts_from_its_values(env):
    dune = env["test_library_api.book"].create({"name": "Dune", "pages": 600})
    result = dune.onchange({"name": "Dune Messiah"}, ["name"], SPEC)
    assert result["value"] == {"summary": "Dune Messiah (600 pages)"}
    assert dune.name == "Dune"  # nothing written


def test_x2many_lines_come_back_as_commands(env):
    member = env["test_library_api.member"].create({"name": "Ann"})
    dune = env["test_library_api.book"].create({"name": "Dune"})
    spec = {"name": {}, "loan_ids": {"fields": {"fee": {}, "member_id": {}}}}
    result = env["test_library_api.book"].onchange(
        {"name": "X", "loan_ids": [(0, "virtual_1", {"fee": 2.0, "member_id": member.id})]}, [], spec)
    assert result["value"]["loan_ids"] == [(5,), (0, "virtual_1", {"fee": 2.0, "member_id": member.id})]
    loan = env["test_library_api.loan"].create({"book_id": dune.id, "member_id": member.id, "fee": 1.0})
    result = dune.onchange({"loan_ids": [(1, loan.id, {"fee": 3.0})]}, ["loan_ids"], spec)
    assert result["value"] == {"loan_ids": [(1, loan.id, {"fee": 3.0})]}
    assert loan.fee == 1.0
