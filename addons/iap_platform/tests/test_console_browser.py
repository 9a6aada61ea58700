"""The platform's console pages in a real browser: services, accounts, a hold cancelled from its account."""
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("iap_platform")


def funded_account_with_a_hold(live) -> tuple[int, str]:
    """A new service, an account topped up with 10 credits and a 4-credit hold on it; (account id, service)."""
    client = live.client()
    client.authenticate(live.db, "admin", "admin")
    name = f"console_{uuid.uuid4().hex[:8]}"
    service = client.call_kw("iap.platform.service", "create_service", [name])
    token = f"acct-{uuid.uuid4().hex}"
    client.call_kw("iap.platform.account", "admin_topup", [name, token, 10])
    client.call_kw("iap.platform.transaction", "authorize", [], {
        "account_token": token, "credit": 4, "key": service["key"], "description": "console hold"})
    [account_id] = client.call_kw("iap.platform.account", "search", [[["token", "=", token]]])
    return account_id, token


def test_cancel_a_credit_hold_and_see_the_balance_change(console):
    account_id, token = funded_account_with_a_hold(console.live)
    console.login()
    page = console.page
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Credits").click()
    expect(page.get_by_role("heading", name="Credits: platform services")).to_be_visible()
    console.shoot("services")
    page.get_by_role("button", name="Accounts and balances").click()
    page.get_by_role("link", name=f"#{account_id}", exact=True).click()
    expect(page.locator("#available")).to_have_text("6.0")
    expect(page.locator("#held")).to_have_text("4.0")
    assert token not in page.content()
    console.shoot("account-with-hold")
    page.get_by_role("button", name="Cancel hold").click()
    expect(page.get_by_role("status")).to_contain_text("4 credits released")
    expect(page.locator("#available")).to_have_text("10.0")
    expect(page.locator("#held")).to_have_text("0.0")
    expect(page.get_by_text("No open hold.")).to_be_visible()
    console.shoot("account-after-cancel")


def test_holds_near_expiry_are_on_home(console):
    funded_account_with_a_hold(console.live)
    console.login()
    row = console.page.get_by_role("row", name="Open credit holds near expiry")
    expect(row).to_be_visible()
    console.shoot("home")
    console.goto("/console/credits/holds")
    expect(console.page.get_by_role("heading", name="Open credit holds")).to_be_visible()
    console.shoot("holds")


def test_an_open_quota_shows_next_to_the_holds_and_is_released_from_its_account(console):
    account_id, token = funded_account_with_a_hold(console.live)
    client = console.live.client()
    client.authenticate(console.live.db, "admin", "admin")
    [account] = client.call_kw("iap.platform.account", "read", [[account_id], ["service_id"]])
    service = client.call_kw("iap.platform.service", "rotate_key", [[account["service_id"][0]]])
    quota = client.call_kw("iap.platform.quota", "grant", [], {
        "account_token": token, "credit": 5, "key": service, "idempotency_key": "console-quota"})
    client.call_kw("iap.platform.quota", "report", [], {"token": quota["token"], "key": service, "used": 2})
    console.login()
    console.goto("/console/credits/holds")
    expect(console.page.get_by_role("heading", name="Open quotas")).to_be_visible()
    expect(console.page.locator("tr[data-quota]")).to_have_count(1)
    console.goto(f"/console/credits/accounts/{account_id}")
    page = console.page
    expect(page.locator("#available")).to_have_text("1.0")
    expect(page.locator("#quota")).to_have_text("3.0")
    assert quota["token"] not in page.content()
    console.shoot("account-with-quota")
    page.get_by_role("button", name="Release quota").click()
    expect(page.get_by_role("status")).to_contain_text("3 credits returned, 2 used")
    expect(page.locator("#available")).to_have_text("4.0")
    expect(page.locator("#quota")).to_have_text("0.0")
    expect(page.get_by_text("No open quota.")).to_be_visible()
