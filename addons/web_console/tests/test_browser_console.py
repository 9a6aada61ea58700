"""The console's own pages in a real browser: log in and out, access per group, secrets, addons."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("web_console")


def test_log_in_and_out(console):
    console.login()
    expect(console.page.get_by_role("heading", name="Needs attention")).to_be_visible()
    expect(console.page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings")).to_be_visible()
    console.shoot("home")
    console.page.get_by_role("button", name="Log out").click()
    console.page.wait_for_url(re.compile(r".*/web/login.*"))
    expect(console.page.get_by_role("heading", name="Log in")).to_be_visible()
    console.shoot("login")
    console.goto("/console")
    expect(console.page).to_have_url(re.compile(r".*/web/login\?redirect=.*"))


def test_wrong_password_is_shown_on_the_form(console):
    console.goto("/web/login")
    console.page.get_by_label("Login").fill("admin")
    console.page.get_by_label("Password").fill("not-the-password")
    console.page.get_by_role("button", name="Log in").click()
    expect(console.page.get_by_role("alert")).to_have_text("Wrong login or password.")
