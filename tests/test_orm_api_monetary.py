"""``fields.Monetary`` rounded by its record's currency, and ``precompute=True`` computed before the INSERT."""
import pytest

from server.orm.onchange import NewId

pytestmark = pytest.mark.addons("test_library_api")


def test_amounts_are_rounded_by_the_records_currency(env):
    Book = env["test_library_api.book"]
    usd, jpy = env.ref("base.USD"), env.ref("base.JPY")
    book = Book.create({"name": "Dollars", "list_price": 12.3456})
    assert book.currency_id == usd and book.list_price == 12.35
    yen = Book.create({"name": "Yen", "currency_id": jpy.id, "list_price": 1234.56})
    assert yen.list_price == 1235.0
    yen.list_price = 99.5
    assert yen.list_price == 100.0  # half away from zero, as Odoo's currency.round
    book.write({"currency_id": jpy.id, "list_price": 3.4})  # the currency written alongside counts
    assert book.list_price == 3.0
    assert Book.search([("list_price", ">", 50), ("id", "in", (book + yen).ids)]) == yen


def test_currency_field_names_another_field(env):
    book = env["test_library_api.book"].create({"name": "Deposit", "deposit": 1.23456})
    assert book.deposit == 1.23456  # no currency: kept as given
    book.write({"deposit_currency_id": env.ref("base.KWD").id, "deposit": 1.23456})
    assert book.deposit == 1.235
    described = env["test_library_api.book"].fields_get(["deposit", "list_price"])
    assert described["deposit"]["type"] == "monetary"
    assert described["deposit"]["currency_field"] == "deposit_currency_id"
    assert described["list_price"]["currency_field"] == "currency_id"


def test_a_monetary_field_needs_its_currency_field():
    from server.orm import fields, models

    class Wrong(models.Model):
        _name = "test.wrong.monetary"
        _register = False
        amount = fields.Monetary()

    Wrong._fields = {"amount": Wrong.amount}
    with pytest.raises(TypeError, match="currency field 'currency_id' does not exist"):
        Wrong.amount.setup(Wrong)


def test_precomputed_values_are_inserted_with_the_row(env, count_queries):
    Book = env["test_library_api.book"]
    with count_queries() as queries:
        books = Book.create([{"name": f"P{n}", "list_price": 10.0 + n} for n in range(50)])
    table = Book._table
    writes = [q for q in queries if table in q and q.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("INSERT"), writes
    assert books[3].price_with_tax == 15.67  # 13 * 1.2051, rounded to the dollar's cents
    books[3].list_price = 20
    assert books[3].price_with_tax == 24.1  # and recomputed when a dependency changes afterwards


def test_precompute_runs_on_new_records_once_for_the_batch(env, monkeypatch):
    Book = type(env["test_library_api.book"])
    calls = []
    original = Book._compute_price_with_tax

    def spy(self):
        calls.append(tuple(self._ids))
        return original(self)

    monkeypatch.setattr(Book, "_compute_price_with_tax", spy)
    env["test_library_api.book"].create([{"name": "A", "list_price": 1}, {"name": "B", "list_price": 2}])
    assert len(calls) == 1 and all(isinstance(i, NewId) for i in calls[0]) and len(calls[0]) == 2
