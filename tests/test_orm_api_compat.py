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


def test_register_hook_runs_once_when_a_process_loads_the_registry(registry):
    from odoo.addons.test_library_api.models.library_member import REGISTER_HOOK_CALLS

    from server.modules.registry import Registry

    other_process = Registry(registry.config, registry.db_name, registry.uri)
    try:
        other_process.load_installed()
        before = REGISTER_HOOK_CALLS.count(registry.db_name)
        for _request in range(2):
            with other_process.cursor() as cr:
                cr.rollback()
        assert REGISTER_HOOK_CALLS.count(registry.db_name) == before + 1
    finally:
        other_process.dispose()


def test_environment_is_a_mapping_of_models_and_api_propagate(env):
    from odoo import api

    assert env.get("res.partner")._name == "res.partner" and env.get("no.such.model") is None
    assert "res.partner" in env.keys() and len(env) == len(list(env)) and env["base"]._name == "base"

    @api.model
    def original(self):
        return 1

    def patched(self):
        return 2

    assert api.propagate(original, patched) is patched and patched._api == "model"


def test_odoo_magic_columns(env):
    from odoo import models

    assert models.MAGIC_COLUMNS == ["id", "create_uid", "create_date", "write_uid", "write_date"]


def test_custom_models_and_fields_are_refused_at_run_time(env):
    with pytest.raises(UserError, match="custom models are not supported"):
        env["ir.model"].create({"name": "Test Model", "model": "x_test.model"})
    model = env["ir.model"].search([("model", "=", "res.partner")])
    with pytest.raises(UserError, match="custom fields are not supported"):
        env["ir.model.fields"].create({"name": "x_colour", "model": "res.partner", "model_id": model.id,
                                       "ttype": "char"})


def test_one2many_lines_follow_the_field_domain(env):
    book = env["test_library_api.book"].create({"name": "Dune"})
    member = env["test_library_api.member"].create({"name": "Ann"})
    Loan = env["test_library_api.loan"]
    paid = Loan.create({"book_id": book.id, "member_id": member.id, "fee": 2.0})
    Loan.create({"book_id": book.id, "member_id": member.id, "fee": 0.0})
    assert book.paid_loan_ids == paid and len(book.loan_ids) == 2
