"""Contracts and SMT subscriptions in the console, in a real browser: lifecycle buttons, history, and a
failed SMT subscription (no SMT endpoint configured) shown on Home, on the contract and in the list."""
import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("tcm_smt")


def new_smt_contract(live) -> str:
    client = live.client()
    client.authenticate(live.db, "admin", "admin")
    [product] = client.call_kw("tcm.product", "search", [[["payment_backend", "=", "smt"]]], {"limit": 1})
    partner = client.call_kw("res.partner", "create", [{"name": "Console customer"}])
    name = f"CONSOLE-{uuid.uuid4().hex[:6].upper()}"
    client.call_kw("tcm.contract", "create", [{"name": name, "partner_id": partner, "product_id": product}])
    return name


def test_contract_lifecycle_and_a_failed_smt_subscription(console):
    name = new_smt_contract(console.live)
    console.login()
    page = console.page
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Contracts").click()
    page.get_by_label("Contract or customer").fill(name)
    page.get_by_role("button", name="Filter").click()
    console.shoot("contracts")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("button", name="Activate")).to_have_count(0)  # SMT contracts start activated
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_role("status")).to_contain_text("suspend done")
    expect(page.get_by_role("heading", name=re.compile(name))).to_contain_text("suspended")
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("heading", name=re.compile(name))).to_contain_text("open")
    history = page.locator("table").last
    expect(history.locator("tbody tr")).to_have_count(3)
    expect(history).to_contain_text("reactivate")
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("SMT subscription"))).to_contain_text("failed")
    expect(page.get_by_role("alert")).to_contain_text("SMT endpoint is not configured")
    console.shoot("contract")
    console.goto("/console")
    row = page.get_by_role("row", name=re.compile("Failed SMT subscriptions"))
    row.get_by_role("link").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    console.shoot("smt-subscriptions")
