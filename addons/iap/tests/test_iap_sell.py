"""``iap_sell`` (ours): a hold and its capture in one platform request, retried safely, Odoo's credit error."""
import json

import pytest
from odoo.addons.iap.tests.fake_iap import RawReply
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError, charge_captured, iap_sell


def test_one_request_carries_odoos_authorize_payload_and_the_capture(env, fake_iap, fake_platform):
    sold = iap_sell(env, "key1", "tok", 3, dbuuid="db-1", description="three", ttl=1, credit_to_capture=2)
    [(path, params)] = fake_iap.calls
    assert path == "/iap/1/sale" and len(params.pop("idempotency_key")) == 32
    assert params == {"account_token": "tok", "credit": 3, "credit_to_capture": 2, "key": "key1",
                      "description": "three", "ttl": 1, "dbuuid": "db-1"}
    assert (sold["state"], sold["captured"]) == ("captured", 2) and fake_platform.balance == 8


def test_without_credit_to_capture_the_whole_credit_is_captured(env, fake_iap, fake_platform):
    iap_sell(env, "k", "tok", 2)
    assert "credit_to_capture" not in fake_iap.calls[0][1] and fake_platform.balance == 8


def test_a_transient_failure_is_retried_with_the_same_key_and_charged_once(env, fake_iap, fake_platform):
    fake_platform.failures["/iap/1/sale"] = [RawReply(503)]
    iap_sell(env, "k", "tok", 1, idempotency_key="req-42")
    assert [params["idempotency_key"] for _path, params in fake_iap.calls] == ["req-42", "req-42"]
    assert fake_platform.balance == 9


def test_a_repeated_key_is_answered_from_the_first_sale(env, fake_platform):
    first = iap_sell(env, "k", "tok", 1, idempotency_key="req-1")
    assert iap_sell(env, "k", "tok", 1, idempotency_key="req-1") == {**first, "replayed": True}
    assert fake_platform.balance == 9


def test_insufficient_credit_gets_the_rendered_credit_template_as_body(env, fake_platform):
    fake_platform.balance = 0
    with pytest.raises(InsufficientCreditError) as caught:
        iap_sell(env, "k", "tok", 1, credit_template="iap.no_credit")
    message = json.loads(str(caught.value))
    assert message["title"] == "Insufficient Balance" and "Not enough credits" in message["body"]


def test_a_new_sale_is_signalled_as_a_capture_and_a_replay_is_not(env, fake_platform):
    captured = []

    def remember(sender, token, credit, **_payload):
        captured.append((token, credit))

    with charge_captured.connected_to(remember):
        sold = iap_sell(env, "k", "tok", 1, idempotency_key="req-1")
        iap_sell(env, "k", "tok", 1, idempotency_key="req-1")
    assert captured == [(sold["token"], 1)]


@pytest.mark.parametrize("credit", [0, -1, True, "1", None])
def test_a_sale_needs_a_positive_number(env, fake_iap, credit):
    with pytest.raises(ValueError, match="positive number"):
        iap_sell(env, "k", "tok", credit)
    assert fake_iap.calls == []
