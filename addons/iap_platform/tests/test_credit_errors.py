"""Spec 7.11 case 7: unknown, disabled and banned accounts, and the sandbox tokens of test mode."""
import json

import pytest
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError

ODOO_KEYS = {"title", "message", "base_url", "service_name", "credit", "trial"}


def _credit_error(call) -> dict:
    with pytest.raises(InsufficientCreditError) as caught:
        call()
    message = json.loads(str(caught.value))
    assert ODOO_KEYS <= set(message)
    assert message["code"] == caught.value.code == caught.value.data["code"]
    return message


def test_unknown_token_is_no_account(platform, service):
    message = _credit_error(lambda: platform.authorize(account_token="never-seen", credit=1, key=service.key))
    assert (message["code"], message["service_name"], message["credit"], message["trial"]) == (
        "no_account", service.name, 1.0, False)
    assert message["title"] == "Insufficient Balance"
    assert message["base_url"].endswith("/iap/1/credit")


def test_disabled_token_is_account_disabled_even_with_credits(platform, service, fund):
    fund("tok+disabled", 5)
    message = _credit_error(lambda: platform.authorize(account_token="tok+disabled", credit=1, key=service.key))
    assert message["code"] == "account_disabled"
    assert "+disabled" in message["message"]


def test_banned_account_is_account_disabled(platform, service, fund):
    fund("tok", 5).write({"state": "banned"})
    assert _credit_error(lambda: platform.authorize(account_token="tok", credit=1, key=service.key))["code"] == \
        "account_disabled"


def test_trial_is_offered_then_granted_once_per_database(env, platform, service):
    service.record.write({"trial_credits": 20_000})
    message = _credit_error(lambda: platform.authorize(account_token="t1", credit=5, key=service.key))
    assert message["trial"] is True
    assert platform.authorize(account_token="t1", credit=2, key=service.key, dbuuid="db-1")
    other_token = _credit_error(lambda: platform.authorize(account_token="t2", credit=1, key=service.key,
                                                           dbuuid="db-1"))
    assert (other_token["code"], other_token["trial"]) == ("no_account", False)


@pytest.fixture
def test_mode(env):
    env["ir.config_parameter"].set_param("iap_platform.test_mode", "1")


def test_sandbox_tokens_ignore_the_key(platform, test_mode):
    assert _credit_error(lambda: platform.authorize(account_token="000000", credit=1, key="anything"))["code"] == \
        "no_account"
    assert _credit_error(lambda: platform.authorize(account_token="000111", credit=1, key=""))["code"] == \
        "insufficient_credit"
    token = platform.authorize(account_token="111111", credit=1, key="whatever")
    assert token.startswith("iaptx_test_")
    assert platform.capture(token=token, key="whatever", credit_to_capture=1)["state"] == "captured"
    assert platform.cancel(token=token, key=None)["state"] == "cancelled"


def test_sandbox_tokens_are_ordinary_tokens_outside_test_mode(env, platform, service):
    env["ir.config_parameter"].set_param("iap_platform.test_mode", False)
    assert _credit_error(lambda: platform.authorize(account_token="111111", credit=1, key=service.key))["code"] == \
        "no_account"
    with pytest.raises(Exception) as caught:
        platform.authorize(account_token="111111", credit=1, key="wrong")
    assert caught.value.code == "invalid_service_key"
