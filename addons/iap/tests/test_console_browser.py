"""The client's IAP accounts in the console, in a real browser, with the platform on the same server (the
one-server demo): the balance comes from the platform, Buy credits opens the restyled /iap/1/credit page."""
import re

import pytest
from playwright.sync_api import expect

from server.orm.environment import SUPERUSER_ID, Environment

pytestmark = pytest.mark.addons("iap_isbn_demo")
TOKEN = "demo-isbn-client-token"


@pytest.fixture
def console_server(fresh_live_server):
    """The demo's three roles on one server: the client's IAP endpoint is this server."""
    with fresh_live_server.registry().cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        for key in ("iap.endpoint", "iap_client.endpoint", "web.base.url"):
            env["ir.config_parameter"].set_param(key, fresh_live_server.url)
    return fresh_live_server


def test_balance_and_buy_credits_link(console):
    console.login()
    page = console.page
    page.get_by_role("navigation", name="Console").get_by_role("link", name="IAP accounts").click()
    row = page.locator('tr[data-service="book_isbn"]')
    balance = row.locator(".balance")
    expect(balance).to_be_visible()
    before = float(balance.get_attribute("data-credits"))
    assert before >= 10
    assert TOKEN not in page.content()
    console.shoot("iap-accounts")
    row.get_by_role("button", name="Buy credits").click()
    page.wait_for_url(re.compile(r".*/iap/1/credit\?.*"))
    console.shoot("credit-page")
    page.get_by_role("button", name=re.compile(r"^Buy ")).first.click()
    expect(page.get_by_role("status")).to_contain_text("credits added")
    console.shoot("credit-page-bought")
    console.goto("/console/iap")
    balance = page.locator('tr[data-service="book_isbn"] .balance')
    expect(balance).to_be_visible()
    assert float(balance.get_attribute("data-credits")) > before
