"""An account token is its credential: administrators and server code see it, nobody else."""
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from odoo.exceptions import AccessError


@pytest.fixture
def account(env):
    return env["iap.account"].create({"service_name": f"svc_{uuid.uuid4().hex[:10]}",
                                      "account_token": "tok-" + uuid.uuid4().hex})


@pytest.fixture
def demo(env):
    return env.ref("base.user_demo")


@pytest.fixture
def portal(env):
    return env["res.users"].create({"name": "Portal", "login": f"portal_{uuid.uuid4().hex[:6]}",
                                    "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})


def test_an_internal_user_reads_the_account_but_not_its_token(env, account, demo):
    accounts = env["iap.account"].with_user(demo)
    [row] = accounts.search_read([("id", "=", account.id)], ["service_name", "account_token"])
    assert row == {"id": account.id, "service_name": account.service_name, "account_token": False}
    assert accounts.browse(account.id).read()[0]["account_token"] is False
    assert env["iap.account"].browse(account.id).read(["account_token"])[0]["account_token"] == account.account_token


def test_nobody_but_admins_searches_or_sorts_by_token(env, account, demo):
    accounts = env["iap.account"].with_user(demo)
    for domain in ([("account_token", "=like", "tok-%")], ["!", ("account_token", "=", False)]):
        with pytest.raises(AccessError, match="by token"):
            accounts.search_count(domain)
    with pytest.raises(AccessError, match="by token"):
        accounts.search([], order="account_token")
    assert env["iap.account"].search_count([("account_token", "=", account.account_token)]) == 1


def test_only_admins_and_server_code_create_accounts(env, demo, portal):
    service = f"svc_{uuid.uuid4().hex[:10]}"
    for user in (demo, portal):
        with pytest.raises(AccessError):
            env["iap.account"].with_user(user).get(service)
        with pytest.raises(AccessError):
            env["iap.account"].with_user(user).create({"service_name": service})
    assert not env["iap.account"].get(service, force_create=False)
    created = env["iap.account"].with_user(demo).sudo().get(service)  # server code acting for the user
    assert created and env["iap.account"].with_user(demo).get(service) == created  # then found by anyone


def test_the_buy_credits_url_carries_the_token_for_admins_only(env, account, demo, portal):
    def query(user=None):
        accounts = env["iap.account"].with_user(user) if user else env["iap.account"]
        return parse_qs(urlsplit(accounts.get_credits_url(account.service_name, credit=2)).query)
    assert query()["account_token"] == [account.account_token]
    for user in (demo, portal):
        assert "account_token" not in query(user) and query(user)["service_name"] == [account.service_name]
    action = env["iap.account"].with_user(demo).browse(account.id).action_buy_credits()
    assert account.account_token not in action["url"]
