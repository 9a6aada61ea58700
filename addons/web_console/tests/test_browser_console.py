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


def nav(console):
    return console.page.get_by_role("navigation", name="Console")


def test_a_user_who_is_not_an_administrator_sees_no_settings_and_no_secrets(console):
    console.login("demo")
    expect(nav(console).get_by_role("link", name="Home")).to_be_visible()
    expect(nav(console).get_by_role("link", name="Settings")).to_have_count(0)
    expect(nav(console).get_by_role("link", name="Addons")).to_have_count(0)
    console.shoot("home-demo-user")
    answer = console.goto("/console/settings")
    assert answer.status == 403
    assert "database.secret" not in console.page.content()


def test_system_parameters_secret_values_are_masked_and_replaceable(console):
    console.login()
    nav(console).get_by_role("link", name="Settings").click()
    page = console.page
    page.get_by_label("New parameter key").fill("console_browser.api_token")
    page.get_by_label("New parameter value").fill("tok-visible-nowhere-1")
    page.get_by_role("button", name="Add parameter").click()
    row = page.locator('tr[data-key="console_browser.api_token"]')
    expect(row.locator("td.value")).to_have_text("••••••••")
    assert "tok-visible-nowhere-1" not in page.content()
    row.get_by_label("New value of console_browser.api_token").fill("tok-visible-nowhere-2")
    row.get_by_role("button", name="Save").click()
    expect(page.locator('tr[data-key="console_browser.api_token"] td.value')).to_have_text("••••••••")
    assert "tok-visible-nowhere" not in page.content()
    page.get_by_label("New parameter key").fill("has space")
    page.get_by_label("New parameter value").fill("1")
    page.get_by_role("button", name="Add parameter").click()
    expect(page.get_by_role("alert")).to_contain_text("contains spaces")
    console.shoot("settings")

