"""``iap_charge(..., charging="quota")`` of a provider database against the live platform.

The provider (a database of the test's own) charges calls against quotas granted by the platform (the
shared live server) and reports them; the platform's books are checked at the end of each test.  The
provider's sender thread may report at any commit: tests assert what holds whoever sends.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace

import pytest
from odoo import fields
from odoo.addons.iap.tests.fake_iap import FakeIap
from odoo.addons.iap.tools import sender
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError, iap_charge
from odoo.exceptions import UserError

from server.config import ROOT
from server.orm.environment import SUPERUSER_ID, Environment

from .test_http import assert_books_balance, fund, new_service, platform_env

pytestmark = pytest.mark.addons("iap_platform")
UNITS = 10_000


@pytest.fixture
def provider(live_server, fresh_registry, make_env):
    """A provider database charging quotas of 5 credits at the live platform, reports every 3 calls."""
    env = make_env(fresh_registry)
    params = env["ir.config_parameter"]
    for key, value in {"iap.endpoint": live_server.url, "iap.quota_credit": 5, "iap.quota_report_every": 3,
                       "iap.quota_report_seconds": 600, "iap.quota_validity": 120}.items():
        params.set_param(key, value)
    env.cr.commit(write_lock=False)
    service = new_service(live_server)
    yield SimpleNamespace(env=env, registry=fresh_registry, live=live_server, service=service,
                          token="quota-" + uuid.uuid4().hex)
    sender.stop_all()
    assert_books_balance(live_server)


def charge(provider, credit=1, commit=True, **kwargs):
    with iap_charge(provider.env, provider.service.key, provider.token, credit, charging="quota", **kwargs) as tx:
        pass
    if commit:
        provider.env.cr.commit(write_lock=False)
    return tx


def store(provider) -> list[dict]:
    with provider.registry.cursor(readonly=True) as cr:
        quotas = Environment(cr, SUPERUSER_ID, {})["iap.quota"].search([], order="id")
        return [{"state": q.state, "granted": q.granted, "used": q.used, "reported": q.reported} for q in quotas]


def platform_quotas(provider) -> list[dict]:
    with platform_env(provider.live) as env:
        quotas = env["iap.platform.quota"].search([("service_id", "=", provider.service.id)], order="id")
        return [{"state": q.state, "granted": q.granted, "used": q.used, "released": q.released} for q in quotas]


def account(provider) -> tuple[int, int]:
    with platform_env(provider.live) as env:
        found = env["iap.platform.account"].search([("service_id", "=", provider.service.id),
                                                   ("token", "=", provider.token)])
        return found.available, found.quota_held


def report_everything(provider, timeout: float = 60) -> None:
    """Make every open quota's report due and send them until none is left to send (the sender may help)."""
    deadline, env = time.monotonic() + timeout, provider.env
    while time.monotonic() < deadline:
        env.cr.commit()
        env.cr.execute("UPDATE iap_quota SET report_due_at = %s WHERE state = %s",
                       (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(seconds=1)), "open"))
        env["iap.quota"]._report_due()  # commits
        env["iap.quota"].invalidate_model()
        left = env["iap.quota"].search_count(["|", ("state", "=", "closing"), ("lease_until", "!=", False)])
        unreported = [q for q in env["iap.quota"].search([("state", "=", "open")]) if q.used > q.reported]
        env.cr.commit(write_lock=False)
        if not left and not unreported:
            return
        time.sleep(0.1)
    raise AssertionError(f"reports still due after {timeout} s: {store(provider)}")


def test_calls_are_charged_in_the_providers_database_against_one_grant(provider):
    fund(provider.live, provider.service, provider.token, 20)
    for _call in range(2):
        charge(provider, commit=False)
    assert store(provider) == []  # not committed yet: the charges commit with what the calls deliver
    provider.env.cr.commit(write_lock=False)
    assert store(provider) == [{"state": "open", "granted": 5 * UNITS, "used": 2 * UNITS, "reported": 0}]
    assert platform_quotas(provider) == [{"state": "open", "granted": 5 * UNITS, "used": 0, "released": 0}]
    assert account(provider) == (15 * UNITS, 5 * UNITS)  # the quota is held against the balance
    charge(provider)
    report_everything(provider)
    assert platform_quotas(provider)[0]["used"] == 3 * UNITS
    assert account(provider) == (15 * UNITS, 2 * UNITS)
    listed = subprocess.run([sys.executable, "odoo-bin.py", "iap-outbox", "quotas", "--db-uri", provider.registry.uri],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "open     granted 5  used 3  reported 3  usable until" in listed.stdout, listed.stderr


def test_a_used_up_quota_is_released_and_the_next_call_gets_a_new_one(provider):
    fund(provider.live, provider.service, provider.token, 12)
    for _call in range(7):
        charge(provider)
    report_everything(provider)
    assert [q["state"] for q in store(provider)] == ["closed", "open"]
    assert platform_quotas(provider) == [{"state": "closed", "granted": 5 * UNITS, "used": 5 * UNITS, "released": 0},
                                         {"state": "open", "granted": 5 * UNITS, "used": 2 * UNITS, "released": 0}]
    assert account(provider) == (2 * UNITS, 3 * UNITS)


def test_what_the_block_does_not_deliver_is_not_charged(provider):
    fund(provider.live, provider.service, provider.token, 10)
    with pytest.raises(LookupError):
        with iap_charge(provider.env, provider.service.key, provider.token, 1, charging="quota"):
            raise LookupError("not found")
    with iap_charge(provider.env, provider.service.key, provider.token, 2, charging="quota") as transaction:
        transaction.credit = 0.5
    with iap_charge(provider.env, provider.service.key, provider.token, 1, charging="quota") as transaction:
        transaction.credit = 0
    with pytest.raises(ValueError, match="exceeds authorization"):
        with iap_charge(provider.env, provider.service.key, provider.token, 1, charging="quota") as transaction:
            transaction.credit = 2
    provider.env.cr.commit(write_lock=False)
    [quota] = store(provider)
    assert quota["used"] == 5_000 and transaction.token.startswith("iapq_")
    report_everything(provider)
    assert platform_quotas(provider)[0]["used"] == 5_000


def test_no_credit_left_is_the_credit_error_with_the_offer(provider):
    fund(provider.live, provider.service, provider.token, 1)
    charge(provider)  # the account had 1 credit: a quota of 1 is granted, not the 5 asked
    assert platform_quotas(provider)[0]["granted"] == UNITS
    with pytest.raises(InsufficientCreditError) as caught:
        charge(provider, credit_template="iap.no_credit")
    details = json.loads(str(caught.value))
    assert (details["code"], details["available"]) == ("insufficient_credit", 0)
    assert details["held"] in (0, 1.0)  # the used-up quota, unless the sender released it first (charging it)
    assert "Not enough credits" in details["body"]
    provider.env.cr.rollback()


def test_a_quota_past_its_local_deadline_is_released_with_its_use(provider):
    fund(provider.live, provider.service, provider.token, 10)
    charge(provider)
    provider.env.cr.commit()
    provider.env.cr.execute("UPDATE iap_quota SET usable_until = %s",
                            (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(seconds=1)),))
    charge(provider)  # no longer charged to the first quota: a second is granted
    report_everything(provider)
    assert [(q["state"], q["used"]) for q in platform_quotas(provider)] == [("closed", UNITS), ("open", UNITS)]
    assert account(provider) == (4 * UNITS, 4 * UNITS)  # 10 - 1 used - 5 in the second quota; it has 4 left


def test_a_quota_the_platform_expired_first_keeps_its_last_report(provider):
    fund(provider.live, provider.service, provider.token, 10)
    for _call in range(4):
        charge(provider)
    report_everything(provider)  # 4 used, reported
    charge(provider)  # a fifth use the platform will never hear of in time
    with platform_env(provider.live) as env:
        env.cr.execute("UPDATE iap_platform_quota SET expires_at = %s WHERE service_id = %s",
                       (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(seconds=1)),
                        provider.service.id))
    report_everything(provider)
    assert [(q["state"], q["used"], q["reported"]) for q in store(provider)] == [("expired", 5 * UNITS, 4 * UNITS)]
    assert platform_quotas(provider) == [{"state": "expired", "granted": 5 * UNITS, "used": 4 * UNITS,
                                          "released": UNITS}]
    with provider.registry.cursor(readonly=True) as cr:
        assert Environment(cr, SUPERUSER_ID, {})["iap.quota"].search([]).unbilled == UNITS


def test_a_platform_without_quotas_is_refused_in_one_line(fresh_registry, make_env):
    env = make_env(fresh_registry)
    with FakeIap().serving() as odoo_like:  # Odoo's platform has no /iap/1/quota/grant: a 404
        env["ir.config_parameter"].set_param("iap.endpoint", odoo_like.url)
        with pytest.raises(UserError, match="does not offer credit quotas.*charging='deferred'"):
            with iap_charge(env, "key", "tok", 1, charging="quota"):
                pytest.fail("nothing to charge against")
