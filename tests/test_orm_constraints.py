"""SQL constraints on both backends, @api.constrains on dotted names, @api.ondelete, many2one ondelete."""
from types import SimpleNamespace

import pytest

from server.exceptions import UserError, ValidationError
from server.orm import constraints

pytestmark = pytest.mark.addons("test_library")


@pytest.fixture
def loan(env):
    book = env["test_library.book"].create({"name": "Dune", "pages": 10, "isbn": "111"})
    member = env["test_library.member"].create({"name": "Max"})
    return env["test_library.loan"].create({"book_id": book.id, "member_id": member.id})


def test_check_constraint_refuses_bad_data_with_its_message(env):
    with pytest.raises(ValidationError, match="^A book cannot have a negative number of pages.$"):
        env["test_library.book"].create({"name": "Bad", "pages": -1})
    book = env["test_library.book"].create({"name": "Good", "pages": 1})
    with pytest.raises(ValidationError, match="negative number of pages"):
        book.pages = -5
    assert book.pages == 1


def test_unique_constraint_message(env, loan):
    with pytest.raises(ValidationError, match="^This ISBN is already registered.$"):
        env["test_library.book"].create({"name": "Twin", "pages": 1, "isbn": "111"})


def test_check_added_to_an_existing_table_keeps_rows_and_references(env):
    """SQLite cannot ALTER a CHECK in: the table's definition is rewritten; rows referring to it stay."""
    cr = env.cr
    cr.execute("CREATE TABLE legacy_shelf (id INTEGER PRIMARY KEY, width INTEGER)")
    cr.execute("CREATE TABLE legacy_slot (id INTEGER PRIMARY KEY, "
               "shelf_id INTEGER REFERENCES legacy_shelf (id) ON DELETE CASCADE)")
    cr.execute("INSERT INTO legacy_shelf (id, width) VALUES (1, 5)")
    cr.execute("INSERT INTO legacy_slot (id, shelf_id) VALUES (1, 1)")
    model = SimpleNamespace(_name="legacy.shelf", _table="legacy_shelf", _module="test_library",
                            _sql_constraints=[("width_positive", "CHECK (width > 0)", "Width must be positive.")])
    constraints.sync_checks(cr.database, model)
    constraints.sync_checks(cr.database, model)  # idempotent
    assert cr.execute("SELECT COUNT(*) FROM legacy_slot").fetchone()[0] == 1
    assert cr.execute("SELECT width FROM legacy_shelf").fetchone()[0] == 5
    with pytest.raises(Exception, match="(?i)check"), cr.savepoint():
        cr.execute("INSERT INTO legacy_shelf (id, width) VALUES (2, -1)")


def test_check_refused_while_existing_rows_break_it(env):
    env.cr.execute("CREATE TABLE legacy_rack (id INTEGER PRIMARY KEY, width INTEGER)")
    env.cr.execute("INSERT INTO legacy_rack (id, width) VALUES (1, -3)")
    model = SimpleNamespace(_name="legacy.rack", _table="legacy_rack", _module="test_library",
                            _sql_constraints=[("width_positive", "CHECK (width > 0)", "Width must be positive.")])
    with pytest.raises(UserError, match="1 existing rows of legacy_rack break it"):
        constraints.sync_checks(env.cr.database, model)


def test_unsupported_sql_constraint_is_refused(env):
    model = SimpleNamespace(_name="legacy.rack", _table="legacy_rack", _module="test_library")
    with pytest.raises(Exception, match="SQL constraint 'EXCLUDE .*' is not supported"):
        constraints.parse(model, "EXCLUDE USING gist (period WITH &&)")


def test_constrains_on_a_dotted_name_runs_when_its_first_field_changes(env, loan):
    empty = env["test_library.book"].create({"name": "Blank", "pages": 0})
    with pytest.raises(ValidationError, match="without pages cannot be lent"):
        loan.book_id = empty


def test_ondelete_method_refuses_and_is_skipped_at_uninstall(env, loan):
    with pytest.raises(UserError, match="on loan cannot be deleted"):
        loan.book_id.unlink()
    loan.state = "returned"
    book = loan.book_id
    with pytest.raises(ValidationError, match="another record requires"):  # ondelete='restrict' on the loan
        book.unlink()
    assert book.exists()


def test_ondelete_at_uninstall_false_is_not_run_when_uninstalling(env, loan):
    book = loan.book_id
    loan.unlink()
    env["test_library.loan"].create({"book_id": book.id, "member_id": env["test_library.member"].search([]).id})
    with pytest.raises(ValidationError, match="another record requires"):
        book.with_context(uninstall=True).unlink()  # the ondelete check skipped: the foreign key refuses


def test_many2one_cascade_and_set_null(env, loan):
    publisher = env["res.partner"].create({"name": "Pub"})
    book = loan.book_id
    book.publisher_id = publisher
    publisher.unlink()
    assert not book.publisher_id
    member = loan.member_id
    member.unlink()
    assert not loan.exists()
    assert book.loan_count == 0 and book.is_available
