"""Spec 7.11 case 5 (sequential part): authorize is idempotent on (service, idempotency_key)."""
import pytest
from odoo.exceptions import UserError


def test_same_key_and_request_returns_the_same_token_and_one_hold(platform, service, fund):
    customer = fund("tok", 5)
    request = {"account_token": "tok", "credit": 2, "key": service.key, "description": "d", "idempotency_key": "k1"}
    first = platform.authorize(**request)
    assert platform.authorize(**request) == first
    assert (customer.available, customer.held) == (30_000, 20_000)


def test_same_key_still_answers_the_token_after_capture(platform, service, fund):
    fund("tok", 5)
    request = {"account_token": "tok", "credit": 2, "key": service.key, "idempotency_key": "k1"}
    token = platform.authorize(**request)
    platform.capture(token=token, key=service.key)
    assert platform.authorize(**request) == token


@pytest.mark.parametrize("change", [{"credit": 3}, {"account_token": "other"}, {"description": "x"}, {"ttl": 2}])
def test_same_key_with_another_request_is_a_conflict(platform, service, fund, change):
    fund("tok", 5)
    request = {"account_token": "tok", "credit": 2, "key": service.key, "idempotency_key": "k1", "ttl": 1}
    token = platform.authorize(**request)
    with pytest.raises(UserError) as caught:
        platform.authorize(**{**request, **change})
    assert caught.value.code == "idempotency_conflict"
    assert token in str(caught.value)


def test_keys_are_per_service(env, platform, service, fund):
    fund("tok", 5)
    other = env["iap.platform.service"].create_service("second_service_y")
    env["iap.platform.account"].admin_topup("second_service_y", "tok", 5)
    mine = platform.authorize(account_token="tok", credit=1, key=service.key, idempotency_key="shared")
    theirs = platform.authorize(account_token="tok", credit=1, key=other["key"], idempotency_key="shared")
    assert mine != theirs


def test_lookup_by_idempotency_key_reconciles_after_a_timeout(platform, service, fund):
    fund("tok", 5)
    token = platform.authorize(account_token="tok", credit=2, key=service.key, idempotency_key="lost-answer")
    status = platform.lookup(key=service.key, idempotency_key="lost-answer")
    assert (status["token"], status["state"], status["authorized"]) == (token, "authorized", 2.0)
    assert status["expires_at"].endswith("Z") and status["closed_at"] is None
