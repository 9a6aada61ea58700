"""Odoo compatibility found installing OCA addons: company checks, cursor reads, IntegrityError, empty records."""
import psycopg2
import pytest

from server.exceptions import UserError, ValidationError

pytestmark = pytest.mark.addons("test_library_api")


def test_check_company_refuses_records_of_another_company(env):
    other = env["res.company"].create({"name": "Branch"})
    member = env["test_library_api.member"].create({"name": "Ann"})
    book = env["test_library_api.book"].create({"name": "Dune", "company_id": other.id})
    Loan = env["test_library_api.loan"]
    with pytest.raises(UserError, match="Incompatible companies"):
        Loan.create({"book_id": book.id, "member_id": member.id, "company_id": env.company.id})
    loan = Loan.create({"book_id": book.id, "member_id": member.id, "company_id": other.id})
    with pytest.raises(UserError, match="Incompatible companies"):
        loan.company_id = env.company
    shared = env["test_library_api.book"].create({"name": "Shared", "company_id": False})
    loan.book_id = shared  # a record of no company fits any company
    assert loan.book_id == shared


def test_cursor_reads_like_odoo(env):
    env.cr.execute("SELECT login FROM res_users WHERE id = %(uid)s", {"uid": 2})
    assert env.cr.fetchall() == [(env["res.users"].browse(2).login,)]
    env.cr.execute("SELECT id, login FROM res_users WHERE id = %s", (2,))
    assert env.cr.dictfetchone() == {"id": 2, "login": env["res.users"].browse(2).login}
    env.cr.execute("UPDATE res_partner SET comment = comment WHERE id = %s", (1,))
    assert env.cr.rowcount == 1


def test_integrity_errors_are_validation_errors_and_driver_errors(env):
    import sqlite3

    book = env["test_library_api.book"].create({"name": "Dune"})
    member = env["test_library_api.member"].create({"name": "Ann"})
    env["test_library_api.loan"].create({"book_id": book.id, "member_id": member.id})
    with pytest.raises(ValidationError) as info:
        member.unlink()  # a loan requires it (ondelete restrict of a required many2one)
    assert isinstance(info.value, (psycopg2.IntegrityError, sqlite3.IntegrityError))
    assert isinstance(info.value, psycopg2.IntegrityError)


def test_fields_of_no_record_are_empty(env):
    nobody = env["test_library_api.book"]
    assert nobody.name is False and nobody.pages == 0 and not nobody.author_id and not nobody.loan_ids
    with pytest.raises(ValueError, match="singleton"):
        env["test_library_api.book"].create([{"name": "a"}, {"name": "b"}]).name  # noqa: B018
