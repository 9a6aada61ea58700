"""``/iap/1/capture_batch`` (ours): the captures of a provider's outbox in one request, each with its own answer."""
import datetime as dt

import pytest
from odoo import fields
from odoo.addons.iap_platform.models.iap_platform_capture_batch import MAX_CAPTURES
from odoo.exceptions import AccessError, UserError


def _authorize(platform, service, credit=1):
    return platform.authorize(account_token="tok", credit=credit, key=service.key, ttl=1)


def test_each_capture_of_a_batch_is_answered_as_alone_and_one_refusal_fails_only_itself(env, platform, service, fund,
                                                                                       ledger_of):
    customer = fund("tok", 10)
    full, part, zero, repeat = (_authorize(platform, service, 2) for _i in range(4))
    platform.capture(token=repeat, key=service.key, credit_to_capture=1)
    expired = _authorize(platform, service, 1)
    env.cr.execute("UPDATE iap_platform_transaction SET expires_at = %s WHERE token = %s",
                   (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(hours=2)), expired))
    env["iap.platform.transaction"].invalidate_model()
    answer = platform.capture_batch(key=service.key, captures=[
        {"token": full, "credit_to_capture": 2}, {"token": part, "credit_to_capture": 1},
        {"token": "iaptx_" + "0" * 32, "credit_to_capture": 1}, {"token": zero, "credit_to_capture": 0},
        {"token": repeat, "credit_to_capture": 1}, {"token": expired, "credit_to_capture": 1},
        {"token": full, "credit_to_capture": 3}])
    results = answer["results"]
    assert [line["token"] for line in results] == [full, part, "iaptx_" + "0" * 32, zero, repeat, expired, full]
    assert (results[0]["result"]["captured"], results[0]["result"]["commission"]) == (2.0, 0.5)
    assert (results[1]["result"]["captured"], results[1]["result"]["released"]) == (1.0, 1.0)
    assert results[2]["error"]["code"] == "transaction_not_found" and "result" not in results[2]
    assert results[3]["result"]["state"] == "cancelled"
    assert results[4]["result"]["replayed"] is True
    assert results[5]["error"]["code"] == "transaction_expired"
    assert results[6]["result"]["replayed"] is True and results[6]["result"]["mismatch"] is True
    # captured 2 + 1 + 1 (the earlier capture of ``repeat``); the expired hold was released and stays so
    assert (customer.available, customer.held) == (60_000, 0)
    assert platform.lookup(key=service.key, token=expired)["state"] == "expired"
    assert ledger_of(full)[f"service:{service.record.id}:revenue"] == 15_000


def test_a_batch_over_several_accounts_settles_each_and_expires_each_account_s_overdue_holds(env, platform, service,
                                                                                             fund):
    """The batch locks each account once and expires its overdue holds once, as each capture does alone."""
    first, second = fund("tok", 10), fund("tok-2", 10)
    ones = [_authorize(platform, service, 1) for _i in range(2)]
    twos = [platform.authorize(account_token="tok-2", credit=2, key=service.key, ttl=1) for _i in range(2)]
    overdue = platform.authorize(account_token="tok-2", credit=3, key=service.key, ttl=1)  # not in the batch
    env.cr.execute("UPDATE iap_platform_transaction SET expires_at = %s WHERE token = %s",
                   (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(hours=2)), overdue))
    env["iap.platform.transaction"].invalidate_model()
    other = env["iap.platform.service"].create_service(f"svc_{service.name}_other")
    env["iap.platform.account"].admin_topup(other["technical_name"], "tok", 5)
    foreign = platform.authorize(account_token="tok", credit=1, key=other["key"], ttl=1)
    answer = platform.capture_batch(key=service.key, captures=[
        {"token": twos[0], "credit_to_capture": 2}, {"token": ones[0], "credit_to_capture": 1},
        {"token": foreign, "credit_to_capture": 1}, {"token": twos[1], "cancel": True},
        {"token": ones[1], "credit_to_capture": 0}])
    results = answer["results"]
    assert [line.get("result", {}).get("state") for line in results] == \
        ["captured", "captured", None, "cancelled", "cancelled"]
    assert results[2]["error"]["code"] == "transaction_not_found"  # another service's hold: not this key's
    assert (first.available, first.held) == (90_000, 0)
    assert (second.available, second.held) == (80_000, 0)  # 2 captured; the cancelled 2 and the overdue 3 back
    assert platform.lookup(key=service.key, token=overdue)["state"] == "expired"
    assert platform.lookup(key=other["key"], token=foreign)["state"] == "authorized"


def test_a_bad_key_refuses_the_whole_batch_and_captures_nothing(platform, service, fund):
    customer = fund("tok", 5)
    token = _authorize(platform, service, 2)
    with pytest.raises(AccessError) as caught:
        platform.capture_batch(key="not-the-key", captures=[{"token": token, "credit_to_capture": 2}])
    assert caught.value.code == "invalid_service_key"
    assert (customer.available, customer.held) == (30_000, 20_000)


@pytest.mark.parametrize("captures", [None, [], "tok", [["tok", 1]], [{"token": "t"}] * (MAX_CAPTURES + 1)],
                         ids=["none", "empty", "text", "lists", "too-many"])
def test_a_malformed_batch_is_invalid_params(platform, service, captures):
    with pytest.raises(UserError) as caught:
        platform.capture_batch(key=service.key, captures=captures)
    assert caught.value.code == "invalid_params" and str(MAX_CAPTURES) in str(caught.value)


def test_a_cancel_in_the_batch_releases_its_hold_as_the_cancel_route_does(platform, service, fund):
    customer = fund("tok", 10)
    charged, freed, captured_before = (_authorize(platform, service, 2) for _i in range(3))
    platform.capture(token=captured_before, key=service.key, credit_to_capture=1)
    answer = platform.capture_batch(key=service.key, captures=[
        {"token": charged, "credit_to_capture": 2}, {"token": freed, "cancel": True}, {"token": freed, "cancel": True},
        {"token": captured_before, "cancel": True}])
    results = answer["results"]
    assert results[0]["result"]["captured"] == 2.0
    assert (results[1]["result"]["state"], results[1]["result"]["replayed"]) == ("cancelled", False)
    assert results[2]["result"]["replayed"] is True  # a repeated cancel replays, as on /iap/1/cancel
    assert results[3]["error"]["code"] == "already_captured"
    assert (customer.available, customer.held) == (70_000, 0)  # 10 - 2 - 1 credits, nothing left held


@pytest.mark.parametrize("item", [{"cancel": "yes"}, {"cancel": True, "credit_to_capture": 1}],
                         ids=["not-a-boolean", "cancel-and-capture"])
def test_an_ambiguous_cancel_is_refused_alone_and_settles_nothing(platform, service, fund, item):
    customer = fund("tok", 5)
    token = _authorize(platform, service, 2)
    answer = platform.capture_batch(key=service.key, captures=[{"token": token, **item}])
    assert answer["results"][0]["error"]["code"] == "invalid_params"
    assert (customer.available, customer.held) == (30_000, 20_000)
