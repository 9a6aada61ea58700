"""Credit quotas: granted against the balance like holds, charged at each report, the rest returned at the end.

Every test ends with the books checked (the ``service`` fixture): journals balance, ``quota_held`` equals
what open quotas have left, revenue and commission equal the shares of what was used.
"""
import datetime as dt
import json

import pytest
from odoo import fields
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError
from odoo.exceptions import AccessError, UserError

UNIT = 10_000


@pytest.fixture
def quotas(env):
    return env["iap.platform.quota"]


def grant(quotas, service, credit=20, key="g1", **extra):
    return quotas.grant(account_token="tok", credit=credit, key=service.key, idempotency_key=key, **extra)


def revenue(env, service) -> tuple[int, int]:
    balances = env["iap.platform.ledger.entry"]._balances()
    return balances.get(f"service:{service.record.id}:revenue", 0), balances.get("platform:commission", 0)


def _age(env, token: str) -> None:
    env.cr.execute("UPDATE iap_platform_quota SET expires_at = %s WHERE token = %s",
                   (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(seconds=1)), token))
    env["iap.platform.quota"].invalidate_model()


def test_a_grant_is_held_against_the_balance_like_a_hold(env, quotas, service, fund):
    customer = fund("tok", 100)
    quota = grant(quotas, service, validity=60, description="ISBN lookups")
    assert quota["token"].startswith("iapq_") and quota["state"] == "open"
    assert (quota["granted"], quota["used"], quota["remaining"], quota["replayed"]) == (20.0, 0.0, 20.0, False)
    assert 55 <= quota["expires_in"] <= 60
    assert (customer.available, customer.held, customer.quota_held) == (80 * UNIT, 0, 20 * UNIT)


def test_what_is_available_is_granted_down_to_the_minimum(env, quotas, service, fund):
    customer = fund("tok", 3)
    assert grant(quotas, service, credit=20, min_credit=1)["granted"] == 3.0
    with pytest.raises(InsufficientCreditError) as caught:
        grant(quotas, service, credit=20, key="g2", min_credit=1)
    details = json.loads(str(caught.value))
    assert (caught.value.code, details["available"], details["held"]) == ("insufficient_credit", 0, 3.0)
    assert customer.available == 0


def test_a_quota_takes_the_credits_a_hold_would_need(env, quotas, platform, service, fund):
    fund("tok", 20)
    grant(quotas, service, credit=20)
    with pytest.raises(InsufficientCreditError):
        platform.authorize(account_token="tok", credit=1, key=service.key)


def test_reports_are_cumulative_and_charge_with_the_commission_exact_at_each_report(env, quotas, service, fund):
    fund("tok", 100)
    token = grant(quotas, service)["token"]
    before = revenue(env, service)
    for used, share in ((3, 2.25), (3, 2.25), (1, 2.25), (7, 5.25), (7.0001, 5.2500)):
        answer = quotas.report(token=token, key=service.key, used=used)
        assert answer["provider_share"] == share
    assert quotas.search([("token", "=", token)]).reports == 3  # a total not above the last one changes nothing
    share, fee = revenue(env, service)
    assert (share - before[0], fee - before[1]) == (52_500, 17_501)  # 25 % of 7.0001, the remainder to the platform


def test_a_release_charges_the_last_use_and_returns_the_rest(env, quotas, service, fund):
    customer = fund("tok", 100)
    token = grant(quotas, service)["token"]
    quotas.report(token=token, key=service.key, used=4)
    released = quotas.release(token=token, key=service.key, used=10)
    assert (released["state"], released["used"], released["released"], released["remaining"]) == \
        ("closed", 10.0, 10.0, 0.0)
    assert (customer.available, customer.quota_held) == (90 * UNIT, 0)
    assert revenue(env, service) == (75_000, 25_000)
    again = quotas.release(token=token, key=service.key, used=10)
    assert (again["replayed"], again["mismatch"]) == (True, False)
    assert quotas.release(token=token, key=service.key, used=12)["mismatch"] is True
    assert customer.available == 90 * UNIT


def test_a_release_without_use_returns_everything_since_the_last_report(env, quotas, service, fund):
    customer = fund("tok", 100)
    token = grant(quotas, service)["token"]
    quotas.report(token=token, key=service.key, used=2)
    assert quotas.release(token=token, key=service.key)["used"] == 2.0
    assert customer.available == 98 * UNIT


def test_more_use_than_granted_is_refused(env, quotas, service, fund):
    fund("tok", 100)
    token = grant(quotas, service)["token"]
    with pytest.raises(UserError, match="granted 20 credits") as caught:
        quotas.report(token=token, key=service.key, used=21)
    assert caught.value.code == "quota_exceeded"


def test_an_expired_quota_keeps_its_last_report_and_returns_the_rest_lazily(env, quotas, service, fund):
    customer = fund("tok", 100)
    token = grant(quotas, service)["token"]
    quotas.report(token=token, key=service.key, used=5)
    _age(env, token)
    assert env["iap.platform.account"].balance(account_token="tok", service_name=service.name) == 95.0
    assert (customer.quota_held, quotas.search([("token", "=", token)]).close_reason) == (0, "expired")
    with pytest.raises(UserError, match="expired") as caught:
        quotas.report(token=token, key=service.key, used=8)
    assert caught.value.code == "quota_expired"
    late = quotas.release(token=token, key=service.key, used=8)
    assert (late["state"], late["used"], late["mismatch"]) == ("expired", 5.0, True)
    assert revenue(env, service) == (37_500, 12_500)


def test_the_cron_expires_every_overdue_quota(env, quotas, service, fund):
    fund("tok", 100)
    token = grant(quotas, service)["token"]
    _age(env, token)
    assert quotas.expire_overdue() == 1 and quotas.expire_overdue() == 0


def test_grant_is_idempotent_on_its_key(env, quotas, service, fund):
    customer = fund("tok", 100)
    first = grant(quotas, service, key="same")
    again = grant(quotas, service, key="same")
    assert (again["token"], again["replayed"]) == (first["token"], True)
    assert customer.quota_held == 20 * UNIT
    with pytest.raises(UserError, match="already used") as caught:
        grant(quotas, service, credit=5, key="same")
    assert caught.value.code == "idempotency_conflict"
    with pytest.raises(UserError, match="idempotency_key is required"):
        quotas.grant(account_token="tok", credit=1, key=service.key)


def test_another_service_key_does_not_find_the_quota(env, quotas, service, fund):
    fund("tok", 100)
    token = grant(quotas, service)["token"]
    other = env["iap.platform.service"].create_service("other_quota_service")
    with pytest.raises(AccessError) as caught:
        quotas.report(token=token, key=other["key"], used=1)
    assert caught.value.code == "quota_not_found"


def test_administrators_list_and_release_open_quotas(env, quotas, service, fund):
    customer = fund("tok", 100)
    token = grant(quotas, service)["token"]
    quotas.report(token=token, key=service.key, used=1)
    [listed] = quotas.open_quotas(service.name)
    assert (listed["token"], listed["account_token"], listed["remaining"]) == (token, "tok", 19.0)
    assert quotas.admin_release(token)["released"] == 19.0
    assert quotas.open_quotas(service.name) == [] and customer.available == 99 * UNIT
    demo = env.ref("base.user_demo")
    with pytest.raises(AccessError):
        quotas.with_user(demo).open_quotas()


def test_the_statement_shows_the_quota_journals(env, quotas, service, fund):
    fund("tok", 10)
    token = grant(quotas, service, credit=4)["token"]
    quotas.release(token=token, key=service.key, used=1)
    statement = env["iap.platform.account"].statement(service.name, "tok")
    assert [(line["kind"], line["available"], line["quota"]) for line in statement["lines"]] == [
        ("topup", 10.0, 0.0), ("quota_grant", -4.0, 4.0), ("quota_use", 0.0, -1.0), ("quota_release", 3.0, -3.0)]
    assert (statement["available"], statement["quota"], statement["balance"]) == (9.0, 0.0, 9.0)
