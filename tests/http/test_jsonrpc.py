"""Odoo's JSON-RPC envelopes on type='json' routes: success, errors, protocol errors, transactions."""
import json

import pytest

pytestmark = pytest.mark.addons("http_test")


def envelope(client, path, body, **kwargs):
    response = client.post(path, body if isinstance(body, (bytes, str)) else json.dumps(body), **kwargs)
    return response, response.json()


def test_success_echoes_id_and_is_json(live_server):
    client = live_server.client()
    response, payload = envelope(client, "/web/webclient/version_info",
                                 {"jsonrpc": "2.0", "method": "call", "params": {}, "id": "abc-1"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert payload == {"jsonrpc": "2.0", "id": "abc-1", "result": {
        "server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""],
        "server_serie": "17.0", "protocol_version": 1}}


def test_method_name_is_ignored_and_missing_id_answers_null(live_server):
    _, payload = envelope(live_server.client(), "/http_test/echo", {"jsonrpc": "2.0", "method": "whatever",
                                                                     "params": {"a": 1}})
    assert payload["id"] is None
    assert payload["result"]["params"] == {"a": 1}


def test_none_result_omits_the_result_key(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    payload = client.call("/web/session/check")
    assert payload == {"jsonrpc": "2.0", "id": payload["id"]}


def test_user_error_envelope(live_server):
    payload = live_server.client().call("/http_test/user_error")
    assert "result" not in payload
    assert payload["error"]["code"] == 200
    assert payload["error"]["message"] == "Odoo Server Error"
    data = payload["error"]["data"]
    assert data["name"] == "odoo.exceptions.UserError"
    assert data["message"] == "Nothing to do: the list is empty"
    assert data["arguments"] == ["Nothing to do: the list is empty"]
    assert data["context"] == {} and data["exception_type"] == "user_error"
    assert data["debug"] == ""


def test_unexpected_error_has_no_traceback_in_production(live_server):
    response = live_server.client().post("/http_test/fail", json.dumps({"jsonrpc": "2.0", "method": "call",
                                                                          "params": {}, "id": 1}))
    assert response.status_code == 200
    data = response.json()["error"]["data"]
    assert data["name"] == "builtins.ValueError" and data["message"] == "boom: an unexpected failure"
    assert data["debug"] == "" and "Traceback" not in response.text


def test_dev_mode_sends_the_traceback(db_backend, database_factory, live_server_factory):
    config = database_factory.create(db_backend, ("http_test", "web"))
    config.options["dev_mode"] = "all"
    live = live_server_factory.start(config)
    try:
        data = live.client().call("/http_test/fail")["error"]["data"]
    finally:
        live.stop()
    assert data["debug"].startswith("Traceback (most recent call last)")
    assert "boom: an unexpected failure" in data["debug"]


def test_not_found_inside_a_route_is_code_404(live_server):
    error = live_server.client().call("/http_test/not_found")["error"]
    assert error["code"] == 404 and error["message"] == "404: Not Found"
    assert error["data"]["name"] == "werkzeug.exceptions.NotFound"


def test_malformed_json_is_parse_error(live_server):
    response, payload = envelope(live_server.client(), "/http_test/echo", b'{"jsonrpc": "2.0", "method": ')
    assert response.status_code == 200
    assert payload["id"] is None
    assert payload["error"]["code"] == -32700
    assert payload["error"]["data"]["message"].startswith("Invalid JSON data")


@pytest.mark.parametrize("body, reason", [
    ([{"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}], "batch requests are not supported"),
    ({"jsonrpc": "1.0", "method": "call", "params": {}, "id": 1}, "'jsonrpc' must be"),
    ({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1, "extra": 1}, "unexpected member(s) 'extra'"),
    ({"jsonrpc": "2.0", "params": {}, "id": 1}, "'method' must be a string"),
    ({"jsonrpc": "2.0", "method": "call", "params": 3, "id": 1}, "'params' must be an object"),
    ("[]", "batch requests are not supported"),
    ("42", "must be a JSON object"),
])
def test_invalid_envelope_is_invalid_request(live_server, body, reason):
    _, payload = envelope(live_server.client(), "/http_test/echo", body)
    assert payload["error"]["code"] == -32600
    assert reason in payload["error"]["data"]["message"]


def test_positional_params_are_invalid_params(live_server):
    _, payload = envelope(live_server.client(), "/web/session/authenticate",
                          {"jsonrpc": "2.0", "method": "call", "params": ["db", "admin", "admin"], "id": 7})
    assert payload["id"] == 7 and payload["error"]["code"] == -32602
    assert "by name" in payload["error"]["data"]["message"]


def test_unknown_and_missing_params_are_named(live_server):
    client = live_server.client()
    unknown = client.call("/web/session/authenticate", {"db": live_server.db, "login": "admin",
                                                        "password": "admin", "colour": "red"})["error"]
    assert unknown["code"] == -32602 and "'colour'" in unknown["data"]["message"]
    missing = client.call("/web/session/authenticate", {"db": live_server.db})["error"]
    assert missing["code"] == -32602
    assert "'login'" in missing["data"]["message"] and "'password'" in missing["data"]["message"]


def test_wrong_content_type_is_refused_without_500(live_server):
    response = live_server.client().post("/http_test/echo", "{}", content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["error"]["data"]["message"].startswith("Request inferred type is compatible")


def test_unknown_path_is_404(live_server):
    response = live_server.client().post("/no/such/route", "{}")
    assert response.status_code == 404


def test_endpoint_error_rolls_back_its_writes(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    error = client.call("/http_test/create_then_fail", {"name": "Rollback Probe"})["error"]
    assert error["data"]["message"] == "Refused after creating: nothing must be left"
    assert client.call_kw("res.partner", "search_count", [[["name", "=", "Rollback Probe"]]]) == 0
    created = client.result("/http_test/create", name="Commit Probe")
    assert client.call_kw("res.partner", "search", [[["name", "=", "Commit Probe"]]]) == [created]


def test_access_log_line(live_server, caplog):
    with caplog.at_level("INFO", logger="server.http.access"):
        live_server.client().call("/web/webclient/version_info")
    lines = [r.getMessage() for r in caplog.records if r.name == "server.http.access"]
    assert any(" POST /web/webclient/version_info 200 " in line and line.endswith("ms") for line in lines)
