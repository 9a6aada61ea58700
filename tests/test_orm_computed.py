"""Stored computed fields: recomputed in the same transaction when any dependency changes, in batches."""
import datetime as dt

import pytest

pytestmark = pytest.mark.addons("test_library")


@pytest.fixture
def library(env):
    country = env["res.country"].create({"name": "Testland", "code": "Q1"})
    author = env["test_library.author"].create({"name": "Ann", "country_id": country.id})
    book = env["test_library.book"].create({"name": "Dune", "pages": 600, "author_ids": [(6, 0, author.ids)]})
    member = env["test_library.member"].create({"name": "Max", "member_number": "M1"})
    return {"country": country, "author": author, "book": book, "member": member}


def test_stored_compute_on_create_and_one2many_changes(env, library):
    book, member = library["book"], library["member"]
    assert book.loan_count == 0 and book.is_available
    loan = env["test_library.loan"].create({"book_id": book.id, "member_id": member.id})
    assert (book.loan_count, book.is_available, member.ongoing_loan_count) == (1, False, 1)
    loan.state = "returned"
    assert (book.loan_count, book.is_available, member.ongoing_loan_count) == (1, True, 0)
    loan.unlink()
    assert book.loan_count == 0
    row = env.cr.execute("SELECT loan_count, is_available FROM test_library_book WHERE id = %s", (book.id,)).fetchone()
    assert tuple(row) == (0, True)


def test_many2many_dependency_both_sides(env, library):
    author, book = library["author"], library["book"]
    assert author.book_count == 1
    other = env["test_library.book"].create({"name": "Emma", "pages": 10})
    other.write({"author_ids": [(4, author.id)]})
    assert author.book_count == 2
    author.write({"book_ids": [(3, book.id)]})
    assert author.book_count == 1 and author.book_ids == other


def test_chain_three_levels_deep(env, library):
    """country.code -> author.country_code (stored related) -> book.author_countries -> loan."""
    loan = env["test_library.loan"].create({"book_id": library["book"].id, "member_id": library["member"].id})
    assert loan.book_author_countries == "Q1"
    library["country"].code = "Q2"
    assert library["author"].country_code == "Q2"
    assert library["book"].author_countries == "Q2"
    assert loan.book_author_countries == "Q2"
    row = env.cr.execute("SELECT book_author_countries FROM test_library_loan WHERE id = %s", (loan.id,)).fetchone()
    assert row[0] == "Q2"
    assert env["test_library.loan"].search([("book_author_countries", "=", "Q2")]) == loan


def test_moving_a_line_recomputes_old_and_new_parent(env, library):
    book, member = library["book"], library["member"]
    other = env["test_library.book"].create({"name": "Emma", "pages": 10})
    loan = env["test_library.loan"].create({"book_id": book.id, "member_id": member.id})
    loan.book_id = other
    assert (book.loan_count, other.loan_count) == (0, 1)
    assert loan.book_name == "Emma"


def test_editable_compute_keeps_written_value_until_a_dependency_changes(env, library):
    loan = env["test_library.loan"].create({"book_id": library["book"].id, "member_id": library["member"].id,
                                            "date_start": "2024-01-01"})
    assert loan.date_due == dt.date(2024, 1, 15)
    loan.date_due = "2024-02-01"
    assert loan.date_due == dt.date(2024, 2, 1)
    loan.duration_days = 7
    assert loan.date_due == dt.date(2024, 1, 8)
    given = env["test_library.loan"].create({"book_id": library["book"].id, "member_id": library["member"].id,
                                             "date_start": "2024-01-01", "date_due": "2024-03-01"})
    assert given.date_due == dt.date(2024, 3, 1)


def test_inverse_and_search_of_non_stored_computes(env, library):
    book = library["book"]
    book.price = 10
    assert book.price_with_tax == 12.0
    book.price_with_tax = 24
    assert book.price == 20.0
    short = env["test_library.book"].create({"name": "Short", "pages": 20})
    found = env["test_library.book"].search([("is_long", "=", True), ("id", "in", [book.id, short.id])])
    assert found == book
    assert env["test_library.book"].search([("is_long", "=", False), ("id", "in", [book.id, short.id])]) == short


def test_depends_context_caches_per_context_value(env, library):
    book = library["book"]
    book.price = 5
    assert book.display_price == "5.00 €"
    assert book.with_context(currency_symbol="$").display_price == "5.00 $"
    assert book.display_price == "5.00 €"


def test_compute_sudo_reads_what_the_user_cannot(env, library):
    loan = env["test_library.loan"].create({"book_id": library["book"].id, "member_id": library["member"].id})
    assert loan.reference == "M1/Dune"
    library["member"].member_number = "M9"
    assert loan.reference == "M9/Dune"


def test_creating_many_records_runs_a_bounded_number_of_queries(env, library, count_queries):
    publisher = env["res.partner"].create({"name": "Pub"})
    authors = env["test_library.author"].create([{"name": f"A{i}"} for i in range(20)])
    member = library["member"]
    books = env["test_library.book"].create([{"name": f"B{i}", "pages": i + 1, "publisher_id": publisher.id}
                                             for i in range(50)])
    env.invalidate_all()
    with count_queries() as queries:
        env["test_library.loan"].create([{"book_id": books[i % 50].id, "member_id": member.id}
                                         for i in range(1000)])
    assert len(queries) <= 30, [q[:80] for q in queries]
    assert authors


def test_upgrade_computes_existing_rows(env, library):
    loan = env["test_library.loan"].create({"book_id": library["book"].id, "member_id": library["member"].id})
    env.cr.execute("UPDATE test_library_loan SET book_name = NULL WHERE id = %s", (loan.id,))
    env.invalidate_all()
    from server.orm import recompute
    recompute.compute_added_columns(env, {"test_library.loan": ["book_name"]})
    env.invalidate_all()
    assert loan.book_name == "Dune"


def test_an_upgrade_adding_a_stored_compute_and_a_check_fills_existing_rows(db_backend, database_factory, tmp_path):
    """Install a copy of an addon, add a stored compute and a CHECK to its source, upgrade in a new process."""
    import shutil
    import subprocess
    import sys

    from server.config import ROOT
    from server.modules.loading import load_modules
    from server.modules.registry import Registry

    addons = tmp_path / "addons"
    shutil.copytree(ROOT / "tests" / "addons" / "test_inherit_a", addons / "upgrade_calc")
    for path in (addons / "upgrade_calc").rglob("*.*"):
        if path.suffix in (".py", ".csv", ".xml"):
            text = path.read_text().replace("test.thing", "calc.thing").replace("test_thing", "calc_thing")
            path.write_text(text.replace("test_inherit_a", "upgrade_calc"))
    config = database_factory.empty(db_backend)
    config["addons_path"] = str(addons)
    registry = load_modules(config, init="upgrade_calc")
    with registry.cursor() as cr:
        registry.env(cr)["calc.thing"].create({"name": "kept", "size": 3})
    Registry.forget(registry)
    source = addons / "upgrade_calc" / "models" / "thing.py"
    text = source.read_text().replace("from odoo import fields, models", "from odoo import api, fields, models")
    source.write_text(text.replace("    size = fields.Integer()\n", (
                          "    _sql_constraints = [('size_positive', 'CHECK (size >= 0)', 'Sizes are positive.')]\n\n"
                          "    size = fields.Integer()\n"
                          "    double = fields.Integer(compute='_compute_double', store=True)\n\n"
                          "    @api.depends('size')\n"
                          "    def _compute_double(self):\n"
                          "        for thing in self:\n"
                          "            thing.double = 2 * thing.size\n")))
    result = subprocess.run([sys.executable, "odoo-bin.py", "--db-uri", config.database_uri(), "--addons-path",
                             str(addons), "--data-dir", str(config.data_dir), "-u", "upgrade_calc",
                             "--stop-after-init"], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    database = registry.database
    assert database.execute_sql("SELECT double FROM calc_thing WHERE name = 'kept'").fetchone()[0] == 6
    with pytest.raises(Exception, match="(?i)check|size_positive"):
        database.execute_sql("UPDATE calc_thing SET size = -1 WHERE name = 'kept'")
    database.close()
