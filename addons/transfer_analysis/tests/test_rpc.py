"""Client programs over JSON-RPC: execute_kw on transfer.transfer and the /transfer/1/submit route."""
from __future__ import annotations

import uuid

import pytest
from odoo.testing_http import RpcError

pytestmark = pytest.mark.addons("transfer_analysis")


def _key() -> str:
    return "rpc-" + uuid.uuid4().hex[:10]


def test_execute_kw_creates_and_reads_transfers(live_server):
    client = live_server.client()
    uid = client.rpc("common", "authenticate", live_server.db, "admin", "admin", {})
    key = _key()
    transfer_id = client.execute_kw(live_server.db, uid, "admin", "transfer.transfer", "create",
                                    {"key": key, "answer_ids": [(0, 0, {"sequence": 1, "url": "https://a/1.wav"})]})
    [row] = client.execute_kw(live_server.db, uid, "admin", "transfer.transfer", "read", [transfer_id],
                              ["key", "state", "answer_ids"])
    assert row["key"] == key and row["state"] == "new" and len(row["answer_ids"]) == 1
    with pytest.raises(RpcError) as info:
        client.execute_kw(live_server.db, uid, "admin", "transfer.transfer", "create", {"key": key})
    assert info.value.name == "odoo.exceptions.ValidationError" and "already exists" in str(info.value)
    result = client.execute_kw(live_server.db, uid, "admin", "transfer.transfer", "submit", key, ["https://a/1.wav"])
    assert result == {"id": transfer_id, "key": key, "state": "new", "repeated": True}


def test_submit_route_is_idempotent_and_reports_bad_input(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    key = _key()
    first = client.result("/transfer/1/submit", key=key, answers=["https://a/1.wav", "https://a/2.wav"])
    assert first["repeated"] is False and first["state"] == "new"
    assert client.result("/transfer/1/submit", key=key, answers=[])["repeated"] is True
    status = client.result("/transfer/1/status", key=key)
    assert [a["url"] for a in status["answers"]] == ["https://a/1.wav", "https://a/2.wav"]
    with pytest.raises(RpcError) as info:
        client.result("/transfer/1/submit", key=_key(), answers="not a list")
    assert info.value.name == "odoo.exceptions.UserError" and "must be a list" in str(info.value)
    envelope = client.call("/transfer/1/submit", {"answers": []})
    assert envelope["error"]["code"] == -32602 and "key" in envelope["error"]["message"] + str(envelope["error"])


def test_submit_needs_a_session(live_server):
    envelope = live_server.client().call("/transfer/1/submit", {"key": _key(), "answers": []})
    assert envelope["error"]["code"] == 100
