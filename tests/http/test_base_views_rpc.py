"""What a web client and OdooRPC ask for over RPC: menus, views, actions, sequences."""
import pytest

pytestmark = pytest.mark.addons("test_platform")


def test_a_web_client_loads_menus_views_and_actions(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    menus = client.call_kw("ir.ui.menu", "load_menus", [False])
    names = {menu["name"] for key, menu in menus.items() if key != "root"}
    assert {"Tickets", "Settings", "General Settings"} <= names
    action = client.result("/web/action/load", action_id="test_platform.action_ticket")
    assert action["res_model"] == "test_platform.ticket"
    views = client.call_kw("test_platform.ticket", "get_views", [], {"views": action["views"] + [[False, "search"]],
                                                                     "options": {"toolbar": True}})
    assert 'name="priority"' in views["views"]["form"]["arch"]
    assert "priority" in views["models"]["test_platform.ticket"]
    assert client.result("/web/action/load", action_id="test_platform.no_such_action") is False


def test_external_api_reads_views_and_takes_sequence_numbers(live_server):
    client = live_server.client()
    uid = client.rpc("common", "login", live_server.db, "admin", "admin")
    call = lambda *args, **kwargs: client.execute_kw(live_server.db, uid, "admin", *args, **kwargs)  # noqa: E731
    view = call("test_platform.ticket", "get_view", False, "form")
    assert 'name="partner_id"' in view["arch"]
    first = call("ir.sequence", "next_by_code", "test_platform.ticket")
    second = call("ir.sequence", "next_by_code", "test_platform.ticket")
    assert first.startswith("TCK/") and first != second
    assert call("ir.sequence", "next_by_code", "no.such.sequence") is False
