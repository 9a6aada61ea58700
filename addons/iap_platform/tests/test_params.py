"""Wire parameters are checked before anything moves: each refusal is invalid_params naming the parameter."""
import math
from decimal import Decimal

import pytest
from odoo.addons.iap_platform.tools.money import to_units
from odoo.exceptions import UserError


@pytest.mark.parametrize("credit", [True, False, None, "1", -1, 0, 0.00004, math.nan, math.inf, 10**13, [1]])
def test_bad_credit_amounts_are_refused(platform, service, fund, credit):
    fund("tok", 1)
    with pytest.raises(UserError) as caught:
        platform.authorize(account_token="tok", credit=credit, key=service.key)
    assert caught.value.code == "invalid_params" and "credit" in str(caught.value)


@pytest.mark.parametrize("change, name", [
    ({"account_token": ""}, "account_token"), ({"account_token": 42}, "account_token"),
    ({"account_token": "x" * 65}, "account_token"), ({"description": "d" * 257}, "description"),
    ({"ttl": 0}, "ttl"), ({"ttl": True}, "ttl"), ({"ttl_seconds": 59}, "ttl_seconds"),
    ({"idempotency_key": "k" * 256}, "idempotency_key"),
])
def test_bad_parameters_are_refused(platform, service, fund, change, name):
    fund("tok", 1)
    with pytest.raises(UserError) as caught:
        platform.authorize(**{"account_token": "tok", "credit": 1, "key": service.key, **change})
    assert caught.value.code == "invalid_params" and name in str(caught.value)


@pytest.mark.parametrize("credit, units", [(1, 10_000), (0.1, 1_000), (0.00015, 2), (0.00025, 2),
                                           (1.00005, 10_000), (2.5, 25_000), (Decimal("0.3"), 3_000)])
def test_amounts_are_units_rounded_half_even_to_four_decimals(credit, units):
    assert to_units(credit) == units


def test_a_negative_capture_is_refused(platform, service, fund):
    fund("tok", 1)
    token = platform.authorize(account_token="tok", credit=1, key=service.key)
    with pytest.raises(UserError) as caught:
        platform.capture(token=token, key=service.key, credit_to_capture=-1)
    assert caught.value.code == "invalid_params"
