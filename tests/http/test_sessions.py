"""Sessions stored in the database: cookie attributes, rotation at login, expiry, logout, invalidation."""
import hashlib
import time

import pytest

from server.testing_http import JsonRpcClient

pytestmark = pytest.mark.addons("http_test")


def login(live_server, login="admin", password="admin") -> tuple[JsonRpcClient, dict]:
    client = live_server.client()
    info = client.authenticate(live_server.db, login, password)
    return client, info


def session_rows(live_server) -> list[tuple]:
    with live_server.registry().cursor() as cr:
        return cr.execute("SELECT sid_hash, data, expiration FROM http_session").fetchall()


def test_authenticate_sets_a_strict_cookie_and_no_sid_in_body(live_server):
    client = live_server.client()
    response = client.http.post(client.url + "/web/session/authenticate", timeout=10, json={
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"db": live_server.db, "login": "admin", "password": "admin"}})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session_id=")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"):
        assert attribute in cookie
    result = response.json()["result"]
    assert result["uid"] == 2 and result["username"] == "admin" and result["db"] == live_server.db
    assert result["user_context"] == {"lang": "en_US", "tz": False, "uid": 2}
    assert "session_id" not in result
    assert client.http.cookies["session_id"] not in response.text


def test_only_a_hash_of_the_sid_is_stored(live_server):
    client, _info = login(live_server)
    token = client.http.cookies["session_id"].partition(".")[0]
    hashes = {row[0] for row in session_rows(live_server)}
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert not any(token in row[1] for row in session_rows(live_server))


def test_session_lasts_seven_days(live_server):
    client, _info = login(live_server)
    token = client.http.cookies["session_id"].partition(".")[0]
    expiration = {row[0]: row[2] for row in session_rows(live_server)}[hashlib.sha256(token.encode()).hexdigest()]
    assert abs(expiration - (time.time() + 7 * 24 * 3600)) < 60


def test_login_rotates_the_session_id(live_server):
    client = live_server.client()
    client.result("/http_test/session_note", note="before login")
    before = client.http.cookies["session_id"]
    client.authenticate(live_server.db, "admin", "admin")
    after = client.http.cookies["session_id"]
    assert before != after
    stale = live_server.client()
    stale.http.cookies.set("session_id", before)
    assert stale.result("/http_test/session_note") is False


def test_session_serves_user_routes_until_destroyed(live_server):
    client, _info = login(live_server)
    assert client.result("/http_test/whoami")["uid"] == 2
    assert client.result("/web/session/get_session_info")["uid"] == 2
    sid = client.http.cookies["session_id"]
    response = client.http.post(client.url + "/web/session/destroy", timeout=10,
                                json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})
    assert "result" not in response.json()
    assert 'session_id=""' in response.headers["Set-Cookie"] or "Max-Age=0" in response.headers["Set-Cookie"]
    replay = live_server.client()
    replay.http.cookies.set("session_id", sid)
    error = replay.call("/web/session/check")["error"]
    assert error["code"] == 100 and error["message"] == "Odoo Session Expired"
    assert error["data"] == {**error["data"], "name": "odoo.http.SessionExpiredException",
                             "message": "Session expired"}


def test_wrong_password_is_access_denied(live_server):
    error = live_server.client().call("/web/session/authenticate", {
        "db": live_server.db, "login": "admin", "password": "wrong"})["error"]
    assert error["code"] == 200
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied" and error["data"]["message"] == "Access Denied"


def test_unknown_database_is_refused(live_server):
    error = live_server.client().call("/web/session/authenticate", {
        "db": "../../etc/passwd", "login": "admin", "password": "admin"})["error"]
    assert error["data"]["name"] == "odoo.exceptions.AccessError"
    assert error["data"]["message"] == "Database not found."


def test_password_change_ends_other_sessions(fresh_live_server):
    client, _info = login(fresh_live_server, "demo", "demo")
    admin, _info = login(fresh_live_server)
    admin.call_kw("res.users", "write", [[demo_uid(admin)], {"password": "n3w-pass"}])
    assert client.call("/http_test/whoami")["error"]["code"] == 100


def demo_uid(admin: JsonRpcClient) -> int:
    return admin.call_kw("res.users", "search", [[["login", "=", "demo"]]])[0]


def test_explicit_session_header_is_honoured_and_never_set_as_cookie(live_server):
    client, _info = login(live_server)
    sid = client.http.cookies["session_id"]
    other = live_server.client()
    response = other.http.post(other.url + "/web/session/get_session_info", timeout=10,
                               headers={"X-Openerp-Session-Id": sid},
                               json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})
    assert response.json()["result"]["uid"] == 2
    assert "Set-Cookie" not in response.headers


def test_expired_session_is_refused(live_server):
    client, _info = login(live_server)
    token = client.http.cookies["session_id"].partition(".")[0]
    with live_server.registry().cursor() as cr:
        cr.execute("UPDATE http_session SET expiration = %s WHERE sid_hash = %s",
                   (time.time() - 1, hashlib.sha256(token.encode()).hexdigest()))
    assert client.call("/http_test/whoami")["error"]["code"] == 100


@pytest.mark.parametrize("cookie", ["garbage", "x" * 64 + ".other_db", "A" * 64 + ".{db}"])
def test_forged_cookies_are_anonymous(live_server, cookie):
    client = live_server.client()
    client.http.cookies.set("session_id", cookie.format(db=live_server.db))
    assert client.call("/http_test/whoami")["error"]["code"] == 100
    assert client.result("/http_test/echo")["uid"] == public_uid(live_server)


def public_uid(live_server) -> int:
    with live_server.registry().cursor() as cr:
        return cr.execute("SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'public_user'"
                          ).fetchone()[0]


def test_public_session_keeps_values(live_server):
    client = live_server.client()
    assert client.result("/http_test/session_note", note="remember me") == "remember me"
    assert client.result("/http_test/session_note") == "remember me"
    assert live_server.client().result("/http_test/session_note") is False


def test_each_session_finds_its_own_database(db_backend, database_factory, live_server_factory):
    first, second = (database_factory.create(db_backend, ("http_test", "web")).database_name() for _ in range(2))
    config = database_factory.config(db_name=f"{first},{second}")
    if db_backend == "postgresql":
        config.options.update(db_host="127.0.0.1", db_user="postgres")
    live = live_server_factory.start(config)
    try:
        anonymous = live.client()
        assert anonymous.result("/web/database/list") == sorted([first, second])
        assert anonymous.post("/http_test/echo", "{}").status_code == 404  # no database: auth='none' routes only
        admin, demo = live.client(), live.client()
        admin.authenticate(first, "admin", "admin")
        demo.authenticate(second, "demo", "demo")
        assert admin.result("/http_test/whoami")["db"] == first
        assert {k: v for k, v in demo.result("/http_test/whoami").items() if k in ("db", "login")} == {
            "db": second, "login": "demo"}
        partner = admin.result("/http_test/create", name="Only In First")
        assert demo.call_kw("res.partner", "search", [[["id", "=", partner], ["name", "=", "Only In First"]]]) == []
    finally:
        live.stop()
