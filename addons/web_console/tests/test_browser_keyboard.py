"""The console with the keyboard alone, in a real browser: log in, skip to the content, reach the pages;
every control of the console's own pages has a label."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("web_console")
PAGES = ("/console", "/console/settings", "/console/addons", "/console/crons")
#: Controls without a name of their own for assistive technology (label, aria-label, or a button's text).
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
  .map(el => el.outerHTML.slice(0, 120))"""


def test_log_in_and_move_around_with_the_keyboard(console):
    page = console.page
    console.goto("/web/login?redirect=/console")
    expect(page.get_by_label("Login")).to_be_focused()  # autofocus
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("admin")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console$"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    console.shoot("keyboard-home")
    page.keyboard.press("Shift+Tab")  # back into the navigation, then along it to a section
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Addons":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Addons")).to_be_visible()


def test_every_control_has_a_label(console):
    console.login()
    for path in PAGES:
        console.goto(path)
        assert console.page.evaluate(UNLABELLED) == [], path
