"""Spec 7.11 case 4: holds count against the balance, and the refusal says how much is held."""
import json

import pytest
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError


def test_a_second_hold_beyond_the_balance_is_refused_naming_the_held_credit(platform, service, fund):
    fund("tok", 1)
    platform.authorize(account_token="tok", credit=1, key=service.key)
    with pytest.raises(InsufficientCreditError) as caught:
        platform.authorize(account_token="tok", credit=1, key=service.key)
    message = json.loads(str(caught.value))
    assert (message["code"], message["held"], message["available"], message["missing"]) == (
        "insufficient_credit", 1.0, 0.0, 1.0)
    assert "1 on hold" in message["message"]
    assert caught.value.data == {"code": "insufficient_credit", "retryable": False}


def test_released_holds_are_available_again(platform, service, fund):
    fund("tok", 1)
    token = platform.authorize(account_token="tok", credit=1, key=service.key)
    platform.cancel(token=token, key=service.key)
    assert platform.authorize(account_token="tok", credit=1, key=service.key)


def test_balance_reports_available_credits_only(env, platform, service, fund):
    fund("tok", 5)
    platform.authorize(account_token="tok", credit=2, key=service.key)
    assert env["iap.platform.account"].balance(account_token="tok", service_name=service.name) == 3.0
