"""Every console page of every addon, on a database with all addons installed (as the README's run command).

Each page answers 200 for the administrator; the demo user (internal, not an administrator) sees no
Settings, Addons or Credits, and is refused them; no page ever contains a secret's value.
"""
import re

from server.testing_http import all_rules

from .test_http_pages import browser_login

ADMIN_ONLY = ("/console/settings", "/console/addons", "/console/credits", "/console/crons")


def console_pages(live) -> list[str]:
    """The console's GET pages that take no URL parameter (fragments and downloads excluded)."""
    return sorted({rule.rule for rule in all_rules(live) if rule.rule.startswith("/console")
                   and "<" not in rule.rule and (not rule.methods or "GET" in rule.methods)
                   and not rule.rule.endswith(("/preview",))})


def secrets_of(client) -> list[str]:
    rows = client.call_kw("ir.config_parameter", "search_read", [[]], {"fields": ["key", "value"]})
    from odoo.addons.web_console.masking import is_secret_param

    return [row["value"] for row in rows if is_secret_param(row["key"]) and len(row["value"]) >= 8]


def test_every_page_renders_for_the_administrator_without_secrets(all_addons_server):
    client = browser_login(all_addons_server)
    secrets = secrets_of(client)
    assert secrets, "the demo database has secret parameters (database.secret, service keys)"
    pages = console_pages(all_addons_server)
    assert {"/console", "/console/coupons", "/console/credits", "/console/contracts", "/console/iap",
            "/console/smt", "/console/settings", "/console/addons", "/console/jobs", "/console/transfers",
            "/console/crons"} <= set(pages)
    for path in pages:
        answer = client.http.get(all_addons_server.url + path, timeout=60)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        leaked = [secret for secret in secrets if secret in answer.text]
        assert not leaked, f"{path} shows a secret value"


def test_home_lists_the_checks_of_the_installed_addons(all_addons_server):
    client = browser_login(all_addons_server)
    home = client.http.get(all_addons_server.url + "/console", timeout=60).text
    for title in ("Stalled coupon processes", "Failed coupon processes", "Open credit holds near expiry",
                  "Failed SMT subscriptions", "Failed jobs", "Started jobs past their lease", "Failed transfers",
                  "Failing scheduled actions"):
        assert title in home
    assert "The check failed" not in home


def test_a_user_who_is_not_an_administrator_sees_no_settings(all_addons_server):
    client = browser_login(all_addons_server, "demo", "demo")
    home = client.http.get(all_addons_server.url + "/console", timeout=60)
    nav = re.search(r'<nav aria-label="Console">(.*?)</nav>', home.text, re.S).group(1)
    assert "Contracts" in nav and "Settings" not in nav and "Addons" not in nav and "Credits" not in nav
    for path in ADMIN_ONLY:
        answer = client.http.get(all_addons_server.url + path, allow_redirects=False, timeout=60)
        assert answer.status_code == 403, (path, answer.status_code)
    assert "Open credit holds near expiry" not in home.text


def test_a_user_who_is_not_an_administrator_cannot_post_settings_even_with_a_token(all_addons_server):
    client = browser_login(all_addons_server, "demo", "demo")
    home = client.http.get(all_addons_server.url + "/console", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    for path, data in (("/console/settings/parameter", {"key": "web.base.url", "value": "http://evil"}),
                       ("/console/addons/base/upgrade", {}), ("/console/credits/holds/1/cancel", {})):
        answer = client.http.post(all_addons_server.url + path, data={**data, "csrf_token": token},
                                  allow_redirects=False, timeout=60)
        assert answer.status_code == 403 and "reserved to members of" in answer.text, (path, answer.status_code)
