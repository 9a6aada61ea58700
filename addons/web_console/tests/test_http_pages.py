"""The console over plain HTTP (no browser): login with CSRF, access per group, secrets never in a page."""
import re

import pytest

pytestmark = pytest.mark.addons("web_console")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def browser_login(live_server, login: str = "admin", password: str | None = None):
    """A requests session logged in through the /web/login form, as a browser does."""
    client = live_server.client()
    form = client.http.get(live_server.url + "/web/login", timeout=30)
    assert form.status_code == 200, form.text[:300]
    answer = client.http.post(live_server.url + "/web/login", data={
        "login": login, "password": password or login, "csrf_token": csrf_of(form.text), "redirect": "/console"},
        allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text[:300]
    assert answer.headers["Location"].endswith("/console")
    return client


def test_console_redirects_to_the_login_form(live_server):
    answer = live_server.client().http.get(live_server.url + "/console", allow_redirects=False, timeout=30)
    assert answer.status_code == 303
    assert "/web/login?redirect=" in answer.headers["Location"]


def test_login_then_home_then_logout(live_server):
    client = browser_login(live_server)
    home = client.http.get(live_server.url + "/console", timeout=30)
    assert home.status_code == 200 and "Needs attention" in home.text
    logout = client.http.post(live_server.url + "/console/logout", data={"csrf_token": csrf_of(home.text)},
                              allow_redirects=False, timeout=30)
    assert logout.status_code == 303
    again = client.http.get(live_server.url + "/console", allow_redirects=False, timeout=30)
    assert again.status_code == 303


def test_login_without_the_form_token_is_refused(live_server):
    client = live_server.client()
    client.http.get(live_server.url + "/web/login", timeout=30)
    answer = client.http.post(live_server.url + "/web/login", data={"login": "admin", "password": "admin"},
                              allow_redirects=False, timeout=30)
    assert answer.status_code == 400
    assert "form expired" in answer.text


def test_wrong_password_shows_the_form_again(live_server):
    client = live_server.client()
    form = client.http.get(live_server.url + "/web/login", timeout=30)
    answer = client.http.post(live_server.url + "/web/login", data={
        "login": "admin", "password": "nope", "csrf_token": csrf_of(form.text)}, allow_redirects=False, timeout=30)
    assert answer.status_code == 401 and "Wrong login or password" in answer.text


def test_login_redirect_stays_on_this_site(live_server):
    client = live_server.client()
    form = client.http.get(live_server.url + "/web/login", timeout=30)
    answer = client.http.post(live_server.url + "/web/login", data={
        "login": "admin", "password": "admin", "csrf_token": csrf_of(form.text), "redirect": "//evil.example/x"},
        allow_redirects=False, timeout=30)
    assert answer.headers["Location"].endswith("/console")


def test_a_post_without_csrf_token_is_refused(live_server):
    client = browser_login(live_server)
    answer = client.http.post(live_server.url + "/console/settings/parameter", data={"key": "x.y", "value": "1"},
                              allow_redirects=False, timeout=30)
    assert answer.status_code == 400


def test_secret_parameters_are_never_rendered(live_server):
    client = browser_login(live_server)
    page = client.http.get(live_server.url + "/console/settings", timeout=30)
    token = csrf_of(page.text)
    client.http.post(live_server.url + "/console/settings/parameter",
                     data={"key": "console_test.api_key", "value": "s3cr3t-value-42", "csrf_token": token},
                     timeout=30)
    page = client.http.get(live_server.url + "/console/settings?q=console_test", timeout=30)
    assert "console_test.api_key" in page.text
    assert "s3cr3t-value-42" not in page.text
    database_secret = client.call_kw("ir.config_parameter", "get_param", ["database.secret"])
    everything = client.http.get(live_server.url + "/console/settings?q=database", timeout=30)
    assert "database.secret" in everything.text and database_secret not in everything.text


def test_static_files_are_served(live_server):
    answer = live_server.client().http.get(live_server.url + "/web_console/static/vendor/htmx-2.0.11.min.js",
                                           timeout=30)
    assert answer.status_code == 200 and "htmx" in answer.text[:2000]
    missing = live_server.client().http.get(live_server.url + "/web_console/static/../__init__.py", timeout=30)
    assert missing.status_code == 404


def test_parameters_declared_secret_by_the_model_are_masked_too(env):
    from odoo.addons.web_console.masking import is_secret_param

    assert is_secret_param("database.secret", env) and is_secret_param("x.api_key")
    assert not is_secret_param("web.base.url", env)
    declared = getattr(env["ir.config_parameter"], "_secret_parameter_keys", None)
    if declared is not None:  # the base addon declares secret parameters: every declared one is masked
        assert all(is_secret_param(key, env) for key in declared())
