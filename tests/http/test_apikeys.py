"""API keys: generated once, stored as a hash, usable instead of the password, listed and revoked by their owner."""
import hashlib
import xmlrpc.client

import pytest

from server.testing_http import RpcError

pytestmark = pytest.mark.addons("http_test")


def generate(live_server, login: str, password: str, name: str = "script") -> str:
    uid = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/common").login(live_server.db, login, password)
    models = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/object")
    return models.execute_kw(live_server.db, uid, password, "res.users.apikeys", "generate", [name])


def test_key_replaces_the_password_and_only_its_hash_is_stored(fresh_live_server):
    live = fresh_live_server
    key = generate(live, "demo", "demo")
    assert len(key) == 40
    common = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/common")
    uid = common.authenticate(live.db, "demo", key, {})
    assert uid and uid != 2
    models = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/object")
    assert models.execute_kw(live.db, uid, key, "res.partner", "search_count", [[]]) > 0
    with live.registry().cursor() as cr:
        stored = [row[0] for row in cr.execute("SELECT key_hash FROM res_users_apikeys").fetchall()]
    assert stored == [hashlib.sha256(key.encode()).hexdigest()]
    [row] = models.execute_kw(live.db, uid, key, "res.users.apikeys", "search_read", [[]], {"fields": ["name",
                                                                                                    "key_hash"]})
    assert row["name"] == "script" and row["key_hash"] is False


def test_keys_are_private_to_their_owner_and_revocation_is_immediate(fresh_live_server):
    live = fresh_live_server
    demo_key = generate(live, "demo", "demo", "demo's key")
    generate(live, "admin", "admin", "admin's key")
    models = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/object")
    demo_uid = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/common").login(live.db, "demo", demo_key)
    visible = models.execute_kw(live.db, demo_uid, demo_key, "res.users.apikeys", "search_read", [[]],
                                {"fields": ["name"]})
    assert [row["name"] for row in visible] == ["demo's key"]
    assert len(models.execute_kw(live.db, 2, "admin", "res.users.apikeys", "search", [[]])) == 2
    admin_key_id = models.execute_kw(live.db, 2, "admin", "res.users.apikeys", "search",
                                     [[["name", "=", "admin's key"]]])
    with pytest.raises(xmlrpc.client.Fault) as fault:
        models.execute_kw(live.db, demo_uid, demo_key, "res.users.apikeys", "revoke", [admin_key_id])
    assert fault.value.faultCode == 4
    with pytest.raises(xmlrpc.client.Fault):
        models.execute_kw(live.db, demo_uid, demo_key, "res.users.apikeys", "create", [{"name": "x"}])
    models.execute_kw(live.db, demo_uid, demo_key, "res.users.apikeys", "revoke", [[visible[0]["id"]]])
    with pytest.raises(xmlrpc.client.Fault) as fault:
        models.execute_kw(live.db, demo_uid, demo_key, "res.partner", "search_count", [[]])
    assert fault.value.faultCode == 3
    assert models.execute_kw(live.db, demo_uid, "demo", "res.partner", "search_count", [[]]) > 0


def test_key_of_an_archived_user_is_refused(fresh_live_server):
    live = fresh_live_server
    key = generate(live, "demo", "demo")
    models = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/object")
    demo_uid = models.execute_kw(live.db, 2, "admin", "res.users", "search", [[["login", "=", "demo"]]])[0]
    models.execute_kw(live.db, 2, "admin", "res.users", "write", [[demo_uid], {"active": False}])
    with pytest.raises(xmlrpc.client.Fault) as fault:
        models.execute_kw(live.db, demo_uid, key, "res.partner", "search_count", [[]])
    assert fault.value.faultCode == 3


def make_key_as_the_web_client(client, password: str) -> dict:
    """Odoo 17's *New API Key* button: the description wizard, the identity check, then the key's action."""
    description_id = client.call_kw("res.users.apikeys.description", "create", [{"name": "web key"}])
    action = client.result("/web/dataset/call_button", model="res.users.apikeys.description", method="make_key",
                           args=[[description_id]], kwargs={})
    if action["res_model"] == "res.users.identitycheck":
        client.call_kw("res.users.identitycheck", "write", [[action["res_id"]], {"password": password}])
        action = client.result("/web/dataset/call_button", model="res.users.identitycheck", method="run_check",
                               args=[[action["res_id"]]], kwargs={})
    return action


def test_the_web_client_makes_a_key_after_an_identity_check(fresh_live_server):
    live = fresh_live_server
    client = live.client()
    client.authenticate(live.db, "demo", "demo")
    description_id = client.call_kw("res.users.apikeys.description", "create", [{"name": "web key"}])
    check = client.result("/web/dataset/call_button", model="res.users.apikeys.description", method="make_key",
                          args=[[description_id]], kwargs={})
    assert (check["res_model"], check["target"]) == ("res.users.identitycheck", "new")
    client.call_kw("res.users.identitycheck", "write", [[check["res_id"]], {"password": "wrong"}])
    with pytest.raises(RpcError, match="Incorrect Password"):
        client.result("/web/dataset/call_button", model="res.users.identitycheck", method="run_check",
                      args=[[check["res_id"]]], kwargs={})
    assert client.call_kw("res.users.identitycheck", "read", [[check["res_id"]], ["password", "request"]]) == [
        {"id": check["res_id"], "password": False, "request": False}]
    action = make_key_as_the_web_client(client, "demo")
    assert (action["res_model"], action["target"]) == ("res.users.apikeys.show", "new")
    key = action["context"]["default_key"]
    assert xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/common").authenticate(live.db, "demo", key, {})
    again = make_key_as_the_web_client(client, "not needed: confirmed a moment ago")
    assert again["res_model"] == "res.users.apikeys.show" and again["context"]["default_key"] != key


def test_an_api_key_does_not_confirm_an_identity_nor_runs_another_users_check(fresh_live_server):
    live = fresh_live_server
    key = generate(live, "demo", "demo")
    demo = live.client()
    demo.authenticate(live.db, "demo", "demo")
    description_id = demo.call_kw("res.users.apikeys.description", "create", [{"name": "second"}])
    check = demo.result("/web/dataset/call_button", model="res.users.apikeys.description", method="make_key",
                        args=[[description_id]], kwargs={})
    demo.call_kw("res.users.identitycheck", "write", [[check["res_id"]], {"password": key}])
    with pytest.raises(RpcError, match="Incorrect Password"):
        demo.result("/web/dataset/call_button", model="res.users.identitycheck", method="run_check",
                    args=[[check["res_id"]]], kwargs={})
    admin = live.client()
    admin.authenticate(live.db, "admin", "admin")
    with pytest.raises(RpcError) as refused:
        admin.result("/web/dataset/call_button", model="res.users.identitycheck", method="run_check",
                     args=[[check["res_id"]]], kwargs={})
    assert refused.value.name == "odoo.exceptions.AccessDenied"
