"""``iap.account``: one token per service, created so that it survives the caller's rollback."""
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from odoo import SUPERUSER_ID
from odoo.api import Environment


@pytest.fixture
def service_name():
    """A service name of the test's own (an account may be committed outside the test's transaction)."""
    return f"svc_{uuid.uuid4().hex[:10]}"


def test_get_creates_one_account_per_service(env, service_name):
    account = env["iap.account"].get(service_name)
    assert len(account.account_token) == 32
    assert env["iap.account"].get(service_name) == account
    assert not env["iap.account"].get("never_" + service_name, force_create=False)


def test_the_created_account_survives_the_callers_rollback(fresh_registry, service_name):
    """PostgreSQL commits it on its own; SQLite recreates the very same (derived) token."""
    with fresh_registry.cursor() as cr:
        token = Environment(cr, SUPERUSER_ID, {})["iap.account"].get(service_name).account_token
        cr.rollback()
        assert Environment(cr, SUPERUSER_ID, {})["iap.account"].get(service_name).account_token == token


def test_company_specific_accounts_come_first(env, service_name):
    shared = env["iap.account"].create({"service_name": service_name})
    mine = env["iap.account"].create({"service_name": service_name, "company_ids": [(6, 0, env.company.ids)]})
    assert env["iap.account"].get(service_name) == mine
    mine.unlink()
    assert env["iap.account"].get(service_name) == shared


def test_a_neutralized_database_disables_new_tokens(env, service_name):
    env["ir.config_parameter"].set_param("database.is_neutralized", "1")
    assert env["iap.account"].get(service_name).account_token.endswith("+disabled")
    existing = env["iap.account"].create({"service_name": "other_" + service_name, "account_token": "abc"})
    env["iap.account"]._neutralize()
    assert existing.account_token == "abc+disabled"


def test_get_credits_url_is_odoos_query_string(env, service_name):
    env["ir.config_parameter"].set_param("iap.endpoint", "https://iap.example.com/")
    url = env["iap.account"].get_credits_url(service_name, credit=3, trial=True, account_token="tok")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "iap.example.com", "/iap/1/credit")
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "dbuuid": env["ir.config_parameter"].get_param("database.uuid"), "service_name": service_name,
        "account_token": "tok", "credit": "3", "trial": "True"}
    assert env["iap.account"].get_credits_url(service_name, base_url="https://b/x").startswith("https://b/x?")


def test_get_credits_asks_the_platform(env, fake_iap, service_name):
    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    assert env["iap.account"].get_credits(service_name) == 0  # no account: no call
    token = env["iap.account"].get(service_name).account_token
    fake_iap.routes["/iap/1/balance"] = lambda params: 12.5
    assert env["iap.account"].get_credits(service_name) == 12.5
    assert fake_iap.calls[-1][1]["account_token"] == token
    del fake_iap.routes["/iap/1/balance"]  # the server now fails: -1, as Odoo answers
    assert env["iap.account"].get_credits(service_name) == -1


def test_buy_credits_opens_the_platform_page(env, service_name):
    account = env["iap.account"].get(service_name)
    action = account.action_buy_credits()
    assert action["type"] == "ir.actions.act_url" and account.account_token in action["url"]
