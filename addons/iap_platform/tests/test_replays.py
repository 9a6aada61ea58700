"""Spec 7.11 case 2: capture and cancel are idempotent on the transaction; closed states refuse the rest."""
import pytest
from odoo.exceptions import UserError


def test_capture_twice_replays_without_a_second_journal(env, platform, service, fund, ledger_of):
    customer = fund("tok", 10)
    token = platform.authorize(account_token="tok", credit=3, key=service.key)
    first = platform.capture(token=token, key=service.key, credit_to_capture=2)
    lines = env["iap.platform.ledger.entry"].search_count([])
    again = platform.capture(token=token, key=service.key, credit_to_capture=2)
    assert again == {**first, "replayed": True, "mismatch": False}
    assert env["iap.platform.ledger.entry"].search_count([]) == lines
    assert (customer.available, customer.held) == (80_000, 0)


def test_capture_replay_with_another_amount_is_flagged_and_changes_nothing(platform, service, fund):
    customer = fund("tok", 10)
    token = platform.authorize(account_token="tok", credit=3, key=service.key)
    platform.capture(token=token, key=service.key, credit_to_capture=2)
    replay = platform.capture(token=token, key=service.key, credit_to_capture=1)
    assert (replay["replayed"], replay["mismatch"], replay["captured"]) == (True, True, 2.0)
    assert platform.capture(token=token, key=service.key)["mismatch"] is True  # absent means all 3
    assert customer.available == 80_000


def test_cancel_twice_replays(platform, service, fund):
    customer = fund("tok", 2)
    token = platform.authorize(account_token="tok", credit=2, key=service.key)
    assert platform.cancel(token=token, key=service.key) == {
        "token": token, "state": "cancelled", "released": 2.0, "replayed": False}
    assert platform.cancel(token=token, key=service.key) == {
        "token": token, "state": "cancelled", "released": 2.0, "replayed": True}
    assert (customer.available, customer.held) == (20_000, 0)


def test_cancel_after_capture_is_already_captured(platform, service, fund):
    fund("tok", 2)
    token = platform.authorize(account_token="tok", credit=2, key=service.key)
    platform.capture(token=token, key=service.key)
    with pytest.raises(UserError) as caught:
        platform.cancel(token=token, key=service.key)
    assert (type(caught.value).__name__, caught.value.code) == ("UserError", "already_captured")


def test_capture_after_cancel_is_transaction_cancelled(platform, service, fund):
    fund("tok", 2)
    token = platform.authorize(account_token="tok", credit=2, key=service.key)
    platform.cancel(token=token, key=service.key)
    with pytest.raises(UserError) as caught:
        platform.capture(token=token, key=service.key, credit_to_capture=1)
    assert caught.value.code == "transaction_cancelled"


def test_zero_capture_replays_as_a_capture_and_cancels_as_a_replay(platform, service, fund):
    fund("tok", 2)
    token = platform.authorize(account_token="tok", credit=2, key=service.key)
    first = platform.capture(token=token, key=service.key, credit_to_capture=0)
    assert platform.capture(token=token, key=service.key, credit_to_capture=0) == {**first, "replayed": True}
    assert platform.cancel(token=token, key=service.key)["replayed"] is True
