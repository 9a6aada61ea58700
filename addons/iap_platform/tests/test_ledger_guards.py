"""The books cannot be edited: the ORM refuses, and so does the database for plain SQL."""
import peewee
import pytest
from odoo.exceptions import UserError, ValidationError


def test_ledger_lines_cannot_be_changed_or_deleted_through_the_orm(env, service, fund):
    fund("tok", 1)
    line = env["iap.platform.ledger.entry"].search([], limit=1)
    with pytest.raises(UserError, match="append-only"):
        line.write({"amount": 0})
    with pytest.raises(UserError, match="append-only"):
        line.unlink()


@pytest.mark.parametrize("statement", [
    "UPDATE iap_platform_ledger_entry SET amount = amount + 1",
    "DELETE FROM iap_platform_ledger_entry",
])
def test_the_database_refuses_to_rewrite_the_ledger(env, service, fund, statement):
    fund("tok", 1)
    with pytest.raises(peewee.DatabaseError, match="append-only"), env.cr.savepoint():
        env.cr.execute(statement)


def test_the_database_refuses_a_negative_balance(env, service, fund):
    account = fund("tok", 1)
    with pytest.raises(peewee.DatabaseError), env.cr.savepoint():
        env.cr.execute("UPDATE iap_platform_account SET available = -1 WHERE id = %s", (account.id,))


def test_an_unbalanced_journal_is_refused(env):
    with pytest.raises(ValidationError, match="Unbalanced"):
        env["iap.platform.ledger.entry"]._post("topup", [("platform:sales", -5), ("customer:1:available", 4)])
