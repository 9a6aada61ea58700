"""``/iap/1/sale`` (ours): authorize and capture in one request, with the books of both."""
import datetime as dt
import json

import pytest
from odoo import fields
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError
from odoo.exceptions import UserError


def sell(platform, service, **params):
    return platform.sale(**{"account_token": "tok", "credit": 1, "key": service.key, "idempotency_key": "sale-1",
                            **params})


def journals(env, token: str) -> list[tuple[str, dict]]:
    """``[(kind, {account code: amount})]`` of the transaction's journals, in the order they were posted."""
    transaction = env["iap.platform.transaction"].search([("token", "=", token)])
    found: dict[str, tuple[str, dict]] = {}
    for entry in env["iap.platform.ledger.entry"].search([("transaction_id", "=", transaction.id)]):
        found.setdefault(entry.journal, (entry.kind, {}))[1][entry.account_code] = entry.amount
    return list(found.values())


def test_a_sale_charges_the_credit_and_records_the_hold_and_its_capture(env, platform, service, fund):
    customer = fund("tok", 10)
    result = sell(platform, service, credit=4, description="4 lookups", ttl=1)
    assert result == {"token": result["token"], "state": "captured", "authorized": 4.0, "captured": 4.0,
                      "released": 0.0, "provider_share": 3.0, "commission": 1.0, "replayed": False, "mismatch": False}
    assert (customer.available, customer.held) == (60_000, 0)
    available, held = customer._code("available"), customer._code("held")
    assert journals(env, result["token"]) == [
        ("authorize", {available: -40_000, held: 40_000}),
        ("capture", {held: -40_000, f"service:{service.record.id}:revenue": 30_000, "platform:commission": 10_000})]
    status = platform.lookup(key=service.key, idempotency_key="sale-1")
    assert (status["state"], status["authorized"], status["captured"]) == ("captured", 4.0, 4.0)


def test_a_partial_sale_holds_the_credit_and_captures_part_of_it(platform, service, fund):
    customer = fund("tok", 3)
    result = sell(platform, service, credit=3, credit_to_capture=2)
    assert (result["captured"], result["released"], result["commission"]) == (2.0, 1.0, 0.5)
    assert (customer.available, customer.held) == (10_000, 0)


def test_the_hold_must_be_covered_even_for_a_smaller_capture(platform, service, fund):
    customer = fund("tok", 2)
    with pytest.raises(InsufficientCreditError) as caught:
        sell(platform, service, credit=3, credit_to_capture=1)
    assert json.loads(str(caught.value))["missing"] == 1.0
    assert (customer.available, customer.held) == (20_000, 0)


def test_a_sale_of_nothing_releases_everything(platform, service, fund):
    customer = fund("tok", 2)
    result = sell(platform, service, credit=2, credit_to_capture=0)
    assert (result["state"], result["captured"], result["released"]) == ("cancelled", 0.0, 2.0)
    assert (customer.available, customer.held) == (20_000, 0)


def test_a_repeated_sale_returns_the_first_answer_and_moves_nothing(env, platform, service, fund):
    customer = fund("tok", 10)
    first = sell(platform, service, credit=2)
    lines = env["iap.platform.ledger.entry"].search_count([])
    assert sell(platform, service, credit=2) == {**first, "replayed": True, "mismatch": False}
    assert sell(platform, service, credit=2, credit_to_capture=1)["mismatch"] is True
    assert env["iap.platform.ledger.entry"].search_count([]) == lines
    assert (customer.available, customer.held) == (80_000, 0)


@pytest.mark.parametrize("change", [{"credit": 3}, {"account_token": "other"}, {"description": "x"}])
def test_the_same_key_for_another_sale_is_a_conflict(platform, service, fund, change):
    fund("tok", 5)
    fund("other", 5)
    sell(platform, service, credit=2, description="d")
    with pytest.raises(UserError) as caught:
        sell(platform, service, **{"credit": 2, "description": "d", **change})
    assert caught.value.code == "idempotency_conflict"


def test_a_sale_with_the_key_of_an_open_hold_captures_that_hold(platform, service, fund):
    customer = fund("tok", 5)
    token = platform.authorize(account_token="tok", credit=2, key=service.key, idempotency_key="sale-1")
    result = sell(platform, service, credit=2)
    assert (result["token"], result["captured"]) == (token, 2.0)
    assert (customer.available, customer.held) == (30_000, 0)


def test_a_sale_with_the_key_of_an_expired_hold_is_refused(env, platform, service, fund):
    fund("tok", 5)
    token = platform.authorize(account_token="tok", credit=1, key=service.key, idempotency_key="sale-1")
    env.cr.execute("UPDATE iap_platform_transaction SET expires_at = %s WHERE token = %s",
                   (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(hours=1)), token))
    env["iap.platform.transaction"].invalidate_model()
    with pytest.raises(UserError) as caught:
        sell(platform, service)
    assert caught.value.code == "transaction_expired"


def test_insufficient_credit_refuses_the_sale_and_changes_nothing(env, platform, service, fund):
    customer = fund("tok", 1)
    sell(platform, service, idempotency_key="first")
    lines = env["iap.platform.ledger.entry"].search_count([])
    with pytest.raises(InsufficientCreditError) as caught:
        sell(platform, service, idempotency_key="second")
    assert caught.value.code == "insufficient_credit"
    assert env["iap.platform.ledger.entry"].search_count([]) == lines and customer.available == 0


@pytest.mark.parametrize(("params", "code"), [
    ({"idempotency_key": None}, "invalid_params"),
    ({"credit": 0}, "invalid_params"),
    ({"credit": True}, "invalid_params"),
    ({"credit_to_capture": 2}, "capture_exceeds_authorization"),
    ({"key": "iapk_wrong"}, "invalid_service_key"),
])
def test_refusals_move_nothing(env, platform, service, fund, params, code):
    customer = fund("tok", 5)
    with pytest.raises(UserError) as caught:
        sell(platform, service, **params)
    assert caught.value.code == code
    assert (customer.available, customer.held) == (50_000, 0)
    assert not env["iap.platform.transaction"].search_count([("account_id", "=", customer.id)])


def test_the_sandbox_tokens_sell_without_a_key_in_test_mode(env, platform, service):
    env["ir.config_parameter"].set_param("iap_platform.test_mode", "1")
    result = platform.sale(account_token="111111", credit=1, key="ignored", idempotency_key="k")
    assert result["token"].startswith("iaptx_test_") and result["captured"] == 1.0
    with pytest.raises(InsufficientCreditError) as caught:
        platform.sale(account_token="000111", credit=1, key="ignored", idempotency_key="k")
    assert caught.value.code == "insufficient_credit"
