"""read_group and _read_group: groups, date granularities, aggregates, lazy, order, rules."""
import datetime as dt

import pytest

from server.exceptions import ValidationError

pytestmark = pytest.mark.addons("test_library_api")


@pytest.fixture
def books(env):
    Partner = env["res.partner"]
    herbert, austen = Partner.create({"name": "Herbert"}), Partner.create({"name": "Austen"})
    Book = env["test_library_api.book"]
    rows = [("Dune", herbert, 600, 9.5, "available", "2024-01-15"),
            ("Children of Dune", herbert, 400, 8.0, "available", "2024-01-31"),
            ("Emma", austen, 300, 5.0, "draft", "2024-02-03"),
            ("Persuasion", austen, 250, 4.5, "available", "2024-05-20"),
            ("Notes", False, 10, 1.0, "draft", False)]
    return [Book.create({"name": n, "author_id": a.id if a else False, "pages": p, "price": pr, "state": s,
                         "published": d}) for n, a, p, pr, s, d in rows], herbert, austen


def test_read_group_by_many2one_with_aggregates(env, books):
    _records, herbert, austen = books
    groups = env["test_library_api.book"].read_group([], ["price:sum", "pages:max"], ["author_id"])
    assert [g["author_id"] for g in groups] == [(austen.id, "Austen"), (herbert.id, "Herbert"), False]
    assert [g["author_id_count"] for g in groups] == [2, 2, 1]
    assert [g["price"] for g in groups] == [9.5, 17.5, 1.0]
    assert [g["pages"] for g in groups] == [300, 600, 10]
    assert groups[0]["__domain"] == [("author_id", "=", austen.id)]
    assert env["test_library_api.book"].search_count(groups[2]["__domain"]) == 1


def test_plain_fields_use_their_group_operator(env, books):
    groups = env["test_library_api.book"].read_group([], ["pages", "price", "name"], ["state"])
    by_state = {g["state"]: g for g in groups}
    assert by_state["available"]["pages"] == pytest.approx((600 + 400 + 250) / 3)  # group_operator="avg"
    assert by_state["available"]["price"] == pytest.approx(22.0)  # numbers: sum by default
    assert "name" not in by_state["draft"]
    assert by_state["draft"]["state_count"] == 2


@pytest.mark.parametrize("granularity, labels, counts", [
    ("month", ["January 2024", "February 2024", "May 2024", False], [2, 1, 1, 1]),
    ("quarter", ["Q1 2024", "Q2 2024", False], [3, 1, 1]),
    ("year", ["2024", False], [4, 1]),
    ("day", ["15 Jan 2024", "31 Jan 2024", "03 Feb 2024", "20 May 2024", False], [1, 1, 1, 1, 1]),
])
def test_date_granularities(env, books, granularity, labels, counts):
    groups = env["test_library_api.book"].read_group([], ["price:sum"], [f"published:{granularity}"])
    assert [g[f"published:{granularity}"] for g in groups] == labels
    assert [g["published_count"] for g in groups] == counts


def test_week_groups_start_on_monday_and_carry_their_range(env, books):
    rows = env["test_library_api.book"]._read_group([("published", "!=", False)], ["published:week"], ["__count"])
    assert rows == [(dt.date(2024, 1, 15), 1), (dt.date(2024, 1, 29), 2), (dt.date(2024, 5, 20), 1)]
    groups = env["test_library_api.book"].read_group([("published", "!=", False)], [], ["published:month"])
    assert groups[0]["__range"] == {"published:month": {"from": "2024-01-01", "to": "2024-02-01"}}
    assert groups[0]["__domain"] == ["&", "&", ("published", ">=", "2024-01-01"), ("published", "<", "2024-02-01"),
                                     ("published", "!=", False)]
    assert env["test_library_api.book"].search_count(groups[0]["__domain"]) == 2


def test_lazy_and_not_lazy(env, books):
    Book = env["test_library_api.book"]
    lazy = Book.read_group([], ["price:sum"], ["state", "author_id"])
    assert {g["state"] for g in lazy} == {"available", "draft"}
    assert all(g["__context"] == {"group_by": ["author_id"]} for g in lazy)
    full = Book.read_group([], ["price:sum"], ["state", "author_id"], lazy=False)
    assert len(full) == 4 and all("__count" in g and "author_id" in g for g in full)


def test_read_group_server_form_returns_records_and_values(env, books):
    _records, herbert, austen = books
    rows = env["test_library_api.book"]._read_group(
        [("author_id", "!=", False)], ["author_id"], ["price:sum", "__count", "name:array_agg", "id:recordset"],
        order="price:sum desc")
    assert [(r[0], r[1], r[2]) for r in rows] == [(herbert, 17.5, 2), (austen, 9.5, 2)]
    assert sorted(rows[0][3]) == ["Children of Dune", "Dune"]
    assert rows[1][4]._name == "test_library_api.book" and len(rows[1][4]) == 2
    totals = env["test_library_api.book"]._read_group([], [], ["pages:sum", "__count"])
    assert totals == [(1560, 5)]


def test_order_limit_offset(env, books):
    Book = env["test_library_api.book"]
    groups = Book.read_group([], ["price:sum"], ["state"], orderby="price desc")
    assert [g["state"] for g in groups] == ["available", "draft"]
    groups = Book.read_group([], ["price:sum"], ["state"], orderby="state_count asc", limit=1)
    assert [g["state"] for g in groups] == ["draft"]
    groups = Book.read_group([], [], ["author_id"], offset=1, limit=1)
    assert len(groups) == 1 and groups[0]["author_id"][1] == "Herbert"


def test_rules_apply_to_groups(env, books):
    reader = env["res.users"].create({"name": "Reader", "login": "reader", "groups_id": [
        (6, 0, [env.ref("test_library_api.group_reader").id])]})
    books[0][0].state = "hidden"
    groups = env["test_library_api.book"].with_user(reader).read_group([], [], ["state"])
    assert {g["state"]: g["state_count"] for g in groups} == {"available": 2, "draft": 2}


def test_bad_specs_are_refused(env):
    Book = env["test_library_api.book"]
    with pytest.raises(ValidationError, match="unknown field"):
        Book.read_group([], [], ["nope"])
    with pytest.raises(ValidationError, match="granularity"):
        Book.read_group([], [], ["published:fortnight"])
    with pytest.raises(ValidationError, match="aggregate function"):
        Book._read_group([], ["state"], ["price:median"])
    with pytest.raises(ValidationError, match="one2many"):
        Book.read_group([], [], ["loan_ids"])
    with pytest.raises(ValidationError, match="not stored"):
        Book.read_group([], [], ["summary"])


def test_datetimes_are_grouped_in_the_context_time_zone(env, books):
    member = env["test_library_api.member"].create({"name": "Ann"})
    Loan = env["test_library_api.loan"]
    late_may = Loan.create({"book_id": books[0][0].id, "member_id": member.id, "returned_at": "2024-05-31 23:30:00"})
    Loan.create({"book_id": books[0][1].id, "member_id": member.id, "returned_at": "2024-05-10 12:00:00"})
    domain = [("returned_at", "!=", False)]
    in_utc = Loan.read_group(domain, [], ["returned_at:month"])
    assert [(g["returned_at:month"], g["returned_at_count"]) for g in in_utc] == [("May 2024", 2)]
    paris = Loan.with_context(tz="Europe/Paris")
    groups = paris.read_group(domain, [], ["returned_at:month"])
    assert [(g["returned_at:month"], g["returned_at_count"]) for g in groups] == [("May 2024", 1), ("June 2024", 1)]
    june = groups[1]
    assert june["__range"]["returned_at:month"] == {"from": "2024-05-31 22:00:00", "to": "2024-06-30 22:00:00"}
    assert Loan.search(june["__domain"]) == late_may
    [(hour, _count)] = paris._read_group([("id", "=", late_may.id)], ["returned_at:hour"], ["__count"])
    assert hour == dt.datetime(2024, 6, 1, 1, 0)  # local time, as Odoo's _read_group gives it


def test_fields_reserved_to_groups_cannot_be_grouped_sorted_or_aggregated(env, books):
    from server.exceptions import AccessError

    reader = env["res.users"].create({"name": "Reader", "login": "reader", "groups_id": [
        (6, 0, [env.ref("test_library_api.group_reader").id])]})
    Book = env["test_library_api.book"].with_user(reader)
    with pytest.raises(AccessError, match="group by"):
        Book.read_group([], [], ["purchase_price"])
    with pytest.raises(AccessError, match="purchase_price"):
        Book.read_group([], ["purchase_price:sum"], ["state"])
    with pytest.raises(AccessError, match="sort on"):
        Book.search([], order="purchase_price desc")
    assert Book.search([], order="name") and env["test_library_api.book"].search([], order="purchase_price")
