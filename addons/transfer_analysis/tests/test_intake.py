"""Receiving transfers: new, repeated (the unique key), old, malformed; the JSON-RPC intake; the states."""
from __future__ import annotations

import pytest
from odoo.exceptions import UserError, ValidationError

from .conftest import make_item


@pytest.fixture
def source(env):
    return env["transfer.source"].create({"name": "s", "base_url": "http://127.0.0.1:9", "storage_url": "http://st",
                                          "max_age_minutes": 60})


def _events(env, key):
    return env["transfer.event"].search([("key", "=", key)], order="id").mapped("kind")


def test_new_item_is_recorded_with_the_seed_fields(env, source):
    kind, transfer = env["transfer.transfer"].receive_item(source, "K1", make_item(key="UID1"))
    assert kind == "NEW" and transfer.state == "new"
    assert (transfer.uid, transfer.questionnaire_key, transfer.person_key, transfer.account_key,
            transfer.user_key) == ("UID1", "q1", "p1", "c1", "u1")
    assert transfer.raw_item["key_encuesta"] == "q1" and transfer.date
    assert _events(env, "K1") == ["NEW"]


def test_second_arrival_is_repeated_by_the_unique_key(env, source):
    Transfer = env["transfer.transfer"]
    Transfer.receive_item(source, "K2", make_item())
    kind, again = Transfer.receive_item(source, "K2", make_item())
    assert kind == "REPEATED" and not again
    assert Transfer.search_count([("key", "=", "K2")]) == 1
    assert _events(env, "K2") == ["NEW", "REPEATED"]
    with pytest.raises(ValidationError, match="already exists"):
        Transfer.create({"key": "K2"})


def test_old_items_are_ignored_by_the_sources_age(env, source):
    kind, transfer = env["transfer.transfer"].receive_item(source, "OLD1", make_item(age_minutes=61))
    assert kind == "OLD" and transfer.state == "ignored_old"
    kind, transfer = env["transfer.transfer"].receive_item(source, "MS", make_item(date=None, date_inicio=0))
    assert kind == "OLD"  # date_inicio is the fallback (1970 is old)
    kind, transfer = env["transfer.transfer"].receive_item(
        source, "JS", make_item(date=int(make_item()["date"]) * 1000))
    assert kind == "NEW"  # JavaScript milliseconds are understood


@pytest.mark.parametrize("item, reason", [
    ("not an object", "not an object"),
    (["a"], "not an object"),
    (make_item(date="yesterday"), "not unix seconds"),
])
def test_malformed_items_are_recorded_as_errors(env, source, item, reason):
    kind, transfer = env["transfer.transfer"].receive_item(source, "BAD", item)
    assert kind == "ERR" and not transfer
    event = env["transfer.event"].search([("key", "=", "BAD")], limit=1)
    assert event.kind == "ERR" and reason in event.detail
    assert not env["transfer.transfer"].search([("key", "=", "BAD")])


def test_submit_is_idempotent_and_records_answers(env):
    Transfer = env["transfer.transfer"]
    first = Transfer.submit("RPC1", ["https://a/1.wav", {"url": "https://a/2.wav"}], person_name="Ana")
    assert first["repeated"] is False and first["state"] == "new"
    transfer = Transfer.browse(first["id"])
    assert transfer.answer_ids.mapped("url") == ["https://a/1.wav", "https://a/2.wav"]
    again = Transfer.submit("RPC1", ["https://a/1.wav"])
    assert again == {**first, "repeated": True}
    assert len(transfer.answer_ids) == 2


def test_submit_without_answers_fails_with_the_reason(env):
    result = env["transfer.transfer"].submit("RPC2", [])
    transfer = env["transfer.transfer"].browse(result["id"])
    assert transfer.state == "failed" and "no answers" in transfer.error
    assert _events(env, "RPC2") == ["NEW", "ERR"]


@pytest.mark.parametrize("answers, message", [
    ("https://a/1.wav", "must be a list"),
    (["ftp://a/1.wav"], "not an http"),
    ([{"no": "url"}], "not an http"),
])
def test_submit_refuses_bad_answers(env, answers, message):
    with pytest.raises(UserError, match=message):
        env["transfer.transfer"].submit("RPC3", answers)
    assert not env["transfer.transfer"].search([("key", "=", "RPC3")])


def test_state_machine_refusals_name_the_state(env):
    transfer = env["transfer.transfer"].browse(env["transfer.transfer"].submit("SM", ["https://a/1.wav"])["id"])
    with pytest.raises(UserError, match="'SM' is new: only failed transfers can be retried"):
        transfer.action_retry()
    transfer._fail("boom")
    transfer.action_retry()
    assert transfer.state == "queued" and not transfer.error
    assert _events(env, "SM")[-1] == "RETRY"
    assert env["transfer.transfer"].status_counts()["queued"] >= 1
