"""The ``/tcm/contract/*`` JSON routes over real HTTP, and the same operations through ``/jsonrpc``.

The server is shared by these tests (each backend has its own), so every
test names its contracts uniquely and reads back only what it created.
"""
import uuid

import pytest

from server.testing_http import RpcError

pytestmark = pytest.mark.addons("tcm_smt", "tcm_telmex")


def logged_in(live_server, login: str = "demo"):
    """A client with a session of ``login`` (test databases use the login as password); and its uid."""
    client = live_server.client()
    uid = client.authenticate(live_server.db, login, login)["uid"]
    return client, uid


def product_id(client, backend: str) -> int:
    """The demo product whose payment backend is ``backend``."""
    [found] = client.call_kw("tcm.product", "search", [[["payment_backend", "=", backend]]], {"limit": 1})
    return found


def unique_name(prefix: str = "R") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(client, backend: str = "telmex", **values) -> dict:
    return client.result("/tcm/contract/create", name=values.pop("name", unique_name()),
                         product_id=product_id(client, backend), **values)


def test_create_activate_read_and_cancel_through_the_routes(live_server):
    client, uid = logged_in(live_server)
    name = unique_name("C")
    created = create(client, name=name)
    assert (created["name"], created["state"], created["backend"]) == (name, "open", "telmex")
    assert created["user_id"][0] == uid and created["date_created"] and not created["date_activated"]
    assert created["representation"] == {"active": True, "activated": False, "name": name, "backend": "telmex"}

    activated = client.result("/tcm/contract/activate", contract_id=created["id"])
    assert activated["representation"]["activated"] is True and activated["date_activated"]
    assert client.result("/tcm/contract/read", contract_ids=[created["id"]]) == [activated]

    cancelled = client.result("/tcm/contract/cancel", contract_id=created["id"])
    assert (cancelled["state"], cancelled["representation"]["active"]) == ("cancelled", False)
    assert cancelled["date_cancelled"]
    [read_back] = client.result("/tcm/contract/read", contract_ids=[created["id"]])
    assert read_back["state"] == "cancelled", "a cancelled (inactive) contract can still be read"


def test_history_is_the_audit_trail_oldest_first(live_server):
    client, uid = logged_in(live_server)
    contract_id = create(client)["id"]
    for operation in ("activate", "suspend", "reactivate", "cancel"):
        client.result(f"/tcm/contract/{operation}", contract_id=contract_id)
    history = client.result("/tcm/contract/history", contract_id=contract_id)
    assert [event["event"] for event in history] == ["create", "activate", "suspend", "reactivate", "cancel"]
    assert {event["user_id"][0] for event in history} == {uid}
    assert {event["backend"] for event in history} == {"telmex"}
    # tcm_telmex only handles creation and cancellation
    assert [event["handled_by"] for event in history] == ["tcm_telmex", False, False, False, "tcm_telmex"]
    dates = [event["date"] for event in history]
    assert dates == sorted(dates)


def test_a_plugin_acts_on_a_contract_created_through_the_route(live_server):
    client, _uid = logged_in(live_server)
    name = unique_name("SMT")
    created = create(client, backend="smt", name=name)
    assert created["representation"] == {"active": True, "activated": True, "name": name,
                                         "backend": {"name": "smt", "contract": name}}
    [event] = client.result("/tcm/contract/history", contract_id=created["id"])
    assert (event["event"], event["handled_by"]) == ("create", "tcm_smt")


def test_a_refused_transition_is_a_user_error_envelope_naming_the_contract(live_server):
    client, _uid = logged_in(live_server)
    name = unique_name("C")
    contract_id = create(client, name=name)["id"]
    client.result("/tcm/contract/cancel", contract_id=contract_id)
    envelope = client.call("/tcm/contract/cancel", {"contract_id": contract_id})
    assert "result" not in envelope
    error = envelope["error"]
    assert (error["code"], error["message"]) == (200, "Odoo Server Error")
    assert error["data"]["name"] == "odoo.exceptions.UserError"
    assert error["data"]["exception_type"] == "user_error"
    assert f"Contract {name!r} is already cancelled" in error["data"]["message"]
    events = client.result("/tcm/contract/history", contract_id=contract_id)
    assert [event["event"] for event in events] == ["create", "cancel"], "a refusal writes no event"


def test_an_unknown_contract_is_a_missing_error_naming_the_id(live_server):
    client, _uid = logged_in(live_server)
    error = client.call("/tcm/contract/activate", {"contract_id": 987654321})["error"]
    assert (error["code"], error["data"]["name"]) == (200, "odoo.exceptions.MissingError")
    assert "Contract 987654321 does not exist" in error["data"]["message"]


def test_an_anonymous_call_is_session_expired_and_creates_nothing(live_server):
    admin, _uid = logged_in(live_server, "admin")
    name = unique_name("ANON")
    error = live_server.client().call("/tcm/contract/create", {
        "name": name, "product_id": product_id(admin, "telmex")})["error"]
    assert (error["code"], error["message"]) == (100, "Odoo Session Expired")
    assert error["data"]["name"] == "odoo.http.SessionExpiredException"
    assert admin.call_kw("tcm.contract", "search_count", [[["name", "=", name]]],
                         {"context": {"active_test": False}}) == 0


def test_the_same_operations_through_jsonrpc_execute_kw(live_server):
    rpc = live_server.client()
    db = live_server.db
    uid = rpc.rpc("common", "login", db, "demo", "demo")

    def execute(model, method, *args, **kwargs):
        return rpc.execute_kw(db, uid, "demo", model, method, *args, **kwargs)

    [telmex] = execute("tcm.product", "search", [["payment_backend", "=", "telmex"]], limit=1)
    name = unique_name("KW")
    contract_id = execute("tcm.contract", "create", {"name": name, "product_id": telmex})
    assert execute("tcm.contract", "action_activate", [contract_id]) is True
    assert execute("tcm.contract", "get_representation", [contract_id]) == {
        "active": True, "activated": True, "name": name, "backend": "telmex"}
    assert execute("tcm.contract", "action_cancel", [contract_id]) is True
    with pytest.raises(RpcError) as refused:
        execute("tcm.contract", "action_cancel", [contract_id])
    assert (refused.value.code, refused.value.name) == (200, "odoo.exceptions.UserError")
    assert f"Contract {name!r} is already cancelled" in str(refused.value)

    # the routes see the same contract and the same audit trail
    client, _uid = logged_in(live_server)
    [summary] = client.result("/tcm/contract/read", contract_ids=[contract_id])
    assert (summary["state"], summary["user_id"][0]) == ("cancelled", uid)
    history = client.result("/tcm/contract/history", contract_id=contract_id)
    assert [event["event"] for event in history] == ["create", "activate", "cancel"]
