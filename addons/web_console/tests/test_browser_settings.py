"""The ISBN service key set from the console's Settings, in a real browser: masked, replaceable, kept."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("iap_isbn_service")

KEY = "isbn-key-from-the-browser-0042"


def test_set_the_isbn_service_key_and_see_it_masked(console):
    console.login()
    console.page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings").click()
    page = console.page
    form = page.locator("#settings-isbn-service-settings")
    key_input = form.get_by_label("ISBN service key", exact=True)
    expect(key_input).to_have_attribute("type", "password")
    key_input.fill(KEY)
    form.get_by_role("button", name="Save").click()
    form = page.locator("#settings-isbn-service-settings")
    expect(form.get_by_role("status")).to_have_text("Saved.")
    expect(form.locator('[data-secret-state="isbn_service_key"]')).to_have_text("set")
    expect(form.get_by_label("ISBN service key", exact=True)).to_have_value("")
    expect(page.locator('tr[data-key="iap.isbn_service_key"] td.value')).to_have_text("••••••••")
    assert KEY not in page.content()
    console.shoot("settings-isbn-key")
    # Saving the form again with the field left empty keeps the key.
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#settings-isbn-service-settings").get_by_role("status")).to_have_text("Saved.")
    params = console.live.registry()
    with params.cursor() as cr:
        row = cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", ("iap.isbn_service_key",)).fetchone()
    assert row[0] == KEY
