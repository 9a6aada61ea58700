"""Spec 7.11 case 1: authorize then capture all, part, nothing, too much, or "false"/absent (= all)."""
import pytest
from odoo.exceptions import UserError


def test_full_capture_moves_the_hold_to_provider_and_commission(env, platform, service, fund, ledger_of):
    customer = fund("tok", 10)
    token = platform.authorize(account_token="tok", credit=4, key=service.key, description="4 lookups", ttl=1)
    assert token.startswith("iaptx_") and len(token) == 38
    assert (customer.available, customer.held) == (60_000, 40_000)
    result = platform.capture(token=token, key=service.key, credit_to_capture=4)
    assert result == {"token": token, "state": "captured", "authorized": 4.0, "captured": 4.0, "released": 0.0,
                      "provider_share": 3.0, "commission": 1.0, "replayed": False, "mismatch": False}
    assert (customer.available, customer.held) == (60_000, 0)
    assert ledger_of(token) == {f"customer:{customer.id}:available": -40_000, f"customer:{customer.id}:held": 0,
                                f"service:{service.record.id}:revenue": 30_000, "platform:commission": 10_000}


def test_partial_capture_releases_the_remainder(platform, service, fund):
    customer = fund("tok", 10)
    token = platform.authorize(account_token="tok", credit=5, key=service.key)
    result = platform.capture(token=token, key=service.key, credit_to_capture=2)
    assert (result["captured"], result["released"], result["state"]) == (2.0, 3.0, "captured")
    assert (customer.available, customer.held) == (80_000, 0)


def test_capture_zero_is_a_release(platform, service, fund):
    customer = fund("tok", 3)
    token = platform.authorize(account_token="tok", credit=3, key=service.key)
    result = platform.capture(token=token, key=service.key, credit_to_capture=0)
    assert (result["state"], result["captured"], result["released"], result["commission"]) == (
        "cancelled", 0.0, 3.0, 0.0)
    assert (customer.available, customer.held) == (30_000, 0)


def test_capture_more_than_authorized_is_refused_and_changes_nothing(platform, service, fund):
    customer = fund("tok", 10)
    token = platform.authorize(account_token="tok", credit=2, key=service.key)
    with pytest.raises(UserError) as caught:
        platform.capture(token=token, key=service.key, credit_to_capture=2.0001)
    assert caught.value.code == "capture_exceeds_authorization"
    assert "authorized 2" in str(caught.value)
    assert (customer.available, customer.held) == (80_000, 20_000)


@pytest.mark.parametrize("requested", [False, None, "absent"])
def test_capture_false_or_absent_captures_everything(platform, service, fund, requested):
    """Odoo's docs send ``credit or False``: False (and nothing at all) mean the full amount."""
    fund("tok", 1)
    token = platform.authorize(account_token="tok", credit=1, key=service.key)
    kwargs = {} if requested == "absent" else {"credit_to_capture": requested}
    assert platform.capture(token=token, key=service.key, **kwargs)["captured"] == 1.0


def test_fractional_credits_are_exact(platform, service, fund):
    customer = fund("tok", 0.3)
    token = platform.authorize(account_token="tok", credit=0.1, key=service.key)
    platform.authorize(account_token="tok", credit=0.2, key=service.key)
    result = platform.capture(token=token, key=service.key, credit_to_capture=0.1)
    assert (result["provider_share"], result["commission"]) == (0.075, 0.025)
    assert (customer.available, customer.held) == (0, 2_000)


def test_wrong_key_or_foreign_token_is_not_found(env, platform, service, fund):
    fund("tok", 1)
    token = platform.authorize(account_token="tok", credit=1, key=service.key)
    other = env["iap.platform.service"].create_service("other_service_x")
    with pytest.raises(UserError) as caught:
        platform.capture(token=token, key=other["key"])
    assert (type(caught.value).__name__, caught.value.code) == ("AccessError", "transaction_not_found")
    with pytest.raises(UserError) as caught:
        platform.cancel(token=token, key="iapk_wrong")
    assert (type(caught.value).__name__, caught.value.code) == ("AccessError", "invalid_service_key")
