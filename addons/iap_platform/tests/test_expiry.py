"""Spec 7.11 case 3: a hold past its TTL is released by the next operation touching it, no sweeper needed."""
import datetime as dt

import pytest
from odoo import fields
from odoo.exceptions import UserError
from odoo.tools.sql import index_exists


def _age(env, token: str, hours: float = 2) -> None:
    """Move a transaction's deadline into the past, as if ``hours`` had gone by since it was due."""
    env.cr.execute("UPDATE iap_platform_transaction SET expires_at = %s WHERE token = %s",
                   (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(hours=hours)), token))
    env["iap.platform.transaction"].invalidate_model()


def test_capture_after_the_ttl_is_refused_and_the_hold_was_released(env, platform, service, fund):
    customer = fund("tok", 1)
    token = platform.authorize(account_token="tok", credit=1, key=service.key, ttl=1)
    _age(env, token)
    with pytest.raises(UserError) as caught:
        platform.capture(token=token, key=service.key)
    assert caught.value.code == "transaction_expired"
    assert (customer.available, customer.held) == (10_000, 0)
    status = platform.lookup(key=service.key, token=token)
    assert (status["state"], status["close_reason"]) == ("expired", "ttl")


def test_an_expired_hold_frees_credit_for_the_next_authorize(env, platform, service, fund):
    fund("tok", 1)
    stale = platform.authorize(account_token="tok", credit=1, key=service.key)
    _age(env, stale)
    fresh = platform.authorize(account_token="tok", credit=1, key=service.key)
    assert fresh != stale
    assert platform.cancel(token=stale, key=service.key) == {
        "token": stale, "state": "expired", "released": 1.0, "replayed": True}


def test_balance_and_lookup_expire_lazily(env, platform, service, fund):
    customer = fund("tok", 1)
    token = platform.authorize(account_token="tok", credit=1, key=service.key)
    assert env["iap.platform.account"].balance(account_token="tok", service_name=service.name) == 0
    _age(env, token)
    assert env["iap.platform.account"].balance(account_token="tok", service_name=service.name) == 1.0
    assert customer.held == 0


def test_the_optional_sweeper_expires_every_overdue_hold(env, platform, service, fund):
    fund("a", 1)
    fund("b", 1)
    tokens = [platform.authorize(account_token=t, credit=1, key=service.key) for t in ("a", "b")]
    for token in tokens:
        _age(env, token)
    assert platform.expire_overdue() == 2
    assert platform.expire_overdue() == 0


def test_ttl_seconds_wins_and_a_long_ttl_is_lowered_to_the_service_maximum(env, platform, service, fund):
    fund("tok", 2)
    service.record.write({"max_ttl_hours": 24})
    short = platform.authorize(account_token="tok", credit=1, key=service.key, ttl=1, ttl_seconds=90)
    long = platform.authorize(account_token="tok", credit=1, key=service.key, ttl=4320)
    now = fields.Datetime.now()
    by_token = {t.token: t for t in platform.search([("token", "in", [short, long])])}
    assert dt.timedelta(seconds=85) <= by_token[short].expires_at - now <= dt.timedelta(seconds=91)
    assert by_token[long].expires_at - now <= dt.timedelta(hours=24)


@pytest.mark.parametrize("table, index", [("iap_platform_transaction", "iap_platform_transaction_live_hold_index"),
                                          ("iap_platform_quota", "iap_platform_quota_open_quota_index")])
def test_the_overdue_lookup_of_every_money_operation_reads_only_the_live_rows(env, table, index):
    """Every authorize, capture and report asks whether the account has overdue holds or quotas: the
    question reads a partial index of the live rows, not every row the account ever had."""
    state = "authorized" if table == "iap_platform_transaction" else "open"
    where = f"account_id = 1 AND state = '{state}' AND expires_at <= '2026-01-01'"
    if env.cr.database.dialect == "sqlite":
        plan = " ".join(str(row[-1]) for row in env.cr.execute(f"EXPLAIN QUERY PLAN SELECT id FROM {table} "
                                                                  f"WHERE {where} ORDER BY id").fetchall())
    else:
        env.cr.execute("SET LOCAL enable_seqscan = off")  # a small table: make the planner show its choice
        plan = " ".join(row[0] for row in env.cr.execute(f"EXPLAIN SELECT id FROM {table} WHERE {where}").fetchall())
    assert index in plan


def test_who_created_or_wrote_a_row_is_not_indexed(env):
    """As on Odoo: create_uid and write_uid are shown, not searched, and each index is work at every write."""
    assert not index_exists(env.cr, "iap_platform_transaction__create_uid_index")
    assert not index_exists(env.cr, "iap_platform_ledger_entry__write_uid_index")
    assert index_exists(env.cr, "iap_platform_transaction__account_id_index")  # other many2ones still are
