"""Installing an addon from the console's list, in a real browser, on a database of the test's own."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("web_console")


def nav(console):
    return console.page.get_by_role("navigation", name="Console")


@pytest.fixture
def console_server(fresh_live_server):
    """Installing an addon changes the database: these tests get a server of their own."""
    return fresh_live_server


def test_install_an_addon_from_the_list(console):
    console.login()
    nav(console).get_by_role("link", name="Addons").click()
    page = console.page
    page.get_by_label("Name contains").fill("tcm_core")
    page.get_by_role("button", name="Filter").click()
    row = page.locator('tr[data-addon="tcm_core"]')
    expect(row).to_contain_text("uninstalled")
    console.shoot("addons")
    row.get_by_role("button", name="Install").click()
    expect(page.get_by_role("heading", name="Install tcm_core")).to_be_visible()
    expect(page.locator("ol.plan")).to_contain_text("tcm_core")
    console.shoot("addon-plan")
    page.get_by_role("button", name=re.compile(r"Install \d+ addon")).click()
    expect(page.locator('tr[data-addon="tcm_core"]')).to_contain_text("installed")
    expect(page.get_by_role("status")).to_contain_text("Done: install of tcm_core")
    expect(nav(console).get_by_role("link", name="Contracts")).to_be_visible()
    nav(console).get_by_role("link", name="Contracts").click()
    expect(page.get_by_role("heading", name="Contracts")).to_be_visible()
    console.shoot("contracts")
