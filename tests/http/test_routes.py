"""Controllers and routes: installed addons only, overrides, auth modes, groups, CSRF, templates, CORS."""
import re

import pytest

from server.http import route
from server.http.routing import build_map

pytestmark = pytest.mark.addons("http_test")


def test_route_returns_the_function_unchanged_and_refuses_unknown_arguments():
    def endpoint():
        return 1

    assert route("/x", type="json")(endpoint) is endpoint
    assert endpoint.original_routing == {"type": "json", "routes": ["/x"]}
    with pytest.raises(TypeError, match="unknown argument"):
        route("/x", typ="json")
    with pytest.raises(TypeError, match="auth='nobody'"):
        route("/x", auth="nobody")


def test_routes_of_addons_not_installed_are_not_served(live_server):
    assert live_server.client().post("/http_test_extra/ping", "{}").status_code == 404
    assert live_server.client().result("/http_test/echo")["by"] == "http_test"


@pytest.mark.addons("http_test_extra")
def test_subclass_of_an_installed_addon_overrides_the_route(live_server):
    assert live_server.client().result("/http_test/echo", x=1) == {
        "uid": live_server.client().result("/http_test/echo")["uid"], "params": {"x": 1}, "by": "http_test_extra"}
    assert "pid" in live_server.client().result("/http_test_extra/ping")


def test_map_of_a_module_set_only_has_its_routes():
    urls = {rule.rule for rule in build_map(["base", "web"]).iter_rules()}
    assert {"/jsonrpc", "/xmlrpc/2/<service>", "/web/session/authenticate", "/"} <= urls
    assert not any(url.startswith("/http_test") for url in urls)
    nodb = {rule.rule for rule in build_map(["base", "web"], nodb_only=True).iter_rules()}
    assert "/web/dataset/call_kw" not in nodb and "/web/webclient/version_info" in nodb


def test_public_route_runs_as_the_public_user_or_the_session_user(live_server):
    anonymous = live_server.client().result("/http_test/echo")["uid"]
    assert anonymous not in (None, False, 1, 2)
    client = live_server.client()
    client.authenticate(live_server.db, "demo", "demo")
    assert client.result("/http_test/echo")["uid"] == client.result("/http_test/whoami")["uid"]


def test_group_restricted_route(live_server):
    demo = live_server.client()
    demo.authenticate(live_server.db, "demo", "demo")
    error = demo.call("/http_test/admin_only")["error"]
    assert error["data"]["name"] == "odoo.exceptions.AccessError"
    assert "reserved to members of base.group_system" in error["data"]["message"]
    admin = live_server.client()
    admin.authenticate(live_server.db, "admin", "admin")
    assert admin.result("/http_test/admin_only") == {"uid": 2}


def test_http_post_of_a_session_user_needs_its_csrf_token(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    refused = client.http.post(client.url + "/http_test/form", data={"name": "No Token"}, timeout=10)
    assert refused.status_code == 400 and "invalid CSRF token" in refused.text
    forged = client.http.post(client.url + "/http_test/form", data={"name": "Bad", "csrf_token": "0" * 64 + "o"},
                              timeout=10)
    assert forged.status_code == 400
    token = client.http.get(client.url + "/http_test/csrf_token", timeout=10).text
    accepted = client.http.post(client.url + "/http_test/form", data={"name": "With Token", "csrf_token": token},
                                timeout=10)
    assert accepted.status_code == 200 and re.fullmatch(r"created \d+", accepted.text)
    other = live_server.client()
    other.authenticate(live_server.db, "admin", "admin")
    stolen = other.http.post(other.url + "/http_test/form", data={"name": "Stolen", "csrf_token": token},
                             timeout=10)
    assert stolen.status_code == 400


def test_http_user_route_without_session_is_401(live_server):
    client = live_server.client()
    response = client.http.get(client.url + "/http_test/csrf_token", timeout=10)
    assert response.status_code == 401


def test_template_rendering_escapes_values(live_server):
    client = live_server.client()
    response = client.http.get(client.url + "/http_test/page", params={"name": "<b>you</b>"}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "Hello &lt;b&gt;you&lt;/b&gt;, from Public user." in response.text


def test_cors_route_answers_preflight(live_server):
    client = live_server.client()
    preflight = client.http.options(client.url + "/http_test/cors", timeout=10)
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    response = client.post("/http_test/cors", '{"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}')
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.json()["result"] is True


def test_head_root_health_and_database_list(live_server):
    client = live_server.client()
    assert client.http.head(client.url + "/", timeout=10).status_code == 200
    health = client.http.get(client.url + "/web/health", params={"db_server_status": 1}, timeout=10)
    assert health.json() == {"status": "pass", "db_server_status": True}
    assert client.result("/web/database/list") == [live_server.db]


def test_database_list_can_be_disabled(db_backend, database_factory, live_server_factory):
    config = database_factory.create(db_backend, ("http_test", "web"))
    config.options["list_db"] = False
    live = live_server_factory.start(config)
    try:
        error = live.client().call("/web/database/list")["error"]
        fault = live.client().call("/jsonrpc", {"service": "db", "method": "list", "args": []})["error"]
    finally:
        live.stop()
    assert error["data"]["name"] == fault["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_session_modules_lists_installed_addons(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    assert {"base", "web", "http_test"} <= set(client.result("/web/session/modules"))


def test_logout_route_redirects_locally(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    response = client.http.get(client.url + "/web/session/logout", params={"redirect": "https://evil.example/x"},
                               allow_redirects=False, timeout=10)
    assert response.status_code == 303 and response.headers["Location"] == "/x"
    assert client.call("/web/session/check")["error"]["code"] == 100
