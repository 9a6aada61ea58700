"""API keys: generated once, stored as a hash, usable instead of the password, listed and revoked by their owner."""
import hashlib
import xmlrpc.client

import pytest

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
