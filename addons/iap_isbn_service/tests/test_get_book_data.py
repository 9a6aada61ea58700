"""``/get_book_data``'s logic against Odoo's own IAP platform (a fake that knows authorize, capture and cancel
only, with Odoo's parameters): found books charged, books not found and failed lookups cancelled, refusals
before any credit is touched, a retried request id answered again without a new charge.

Both charging settings that Odoo's platform serves are run: ``odoo`` (capture while the client waits) and
``deferred`` (the capture queued with the answer, sent once it commits).
"""
import hashlib
import json

import peewee
import pytest
from odoo.addons.iap.tests.fake_iap import ODOO_PARAMS, OdooError
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError
from odoo.exceptions import AccessError, UserError

from .common import send_queued

TOKEN = "client-token"
KEY = "iapk_demo_book_isbn_key"
HUNGER_GAMES = "9780439023481"
GATSBY = "9780743273565"
UNKNOWN = "9780000000002"


def serve(env, isbn=HUNGER_GAMES, request_id=None, token=TOKEN, dbuuid=None):
    """One request, as the route runs it: served, then committed; then whatever was queued is sent."""
    answer = env["book.data.request"]._serve_one(token, isbn, request_id, dbuuid)
    env.cr.commit()
    send_queued(env)
    return answer


def platform_calls(fake_iap) -> list[tuple[str, set]]:
    return [(path, set(params) - {"idempotency_key"}) for path, params in fake_iap.calls]


def test_a_found_book_is_charged_one_credit_with_odoos_payloads(provider, fake_iap, odoo_platform, charging):
    answer = serve(provider, "978-0-439-02348-1", dbuuid="db-1")
    assert answer == {"status": "found", "charged": 1.0, "data": {
        "name": "The Hunger Games", "isbn": HUNGER_GAMES, "date_release": "2008-01-01", "cover_image": False,
        "authors": ["Suzanne Collins"]}}
    assert platform_calls(fake_iap) == [("/iap/1/authorize", ODOO_PARAMS["/iap/1/authorize"]),
                                        ("/iap/1/capture", ODOO_PARAMS["/iap/1/capture"])]
    (_path, authorize), (_capture, capture) = fake_iap.calls
    assert {k: authorize[k] for k in ODOO_PARAMS["/iap/1/authorize"]} == {
        "account_token": TOKEN, "credit": 1, "key": KEY, "description": f"Book data for ISBN {HUNGER_GAMES}",
        "ttl": 1, "dbuuid": "db-1"}
    assert capture == {"token": next(iter(odoo_platform.charged)), "key": KEY, "credit_to_capture": 1}
    assert odoo_platform.accounts[TOKEN] == 9


def test_a_book_not_found_is_a_normal_answer_and_its_hold_is_cancelled(provider, fake_iap, odoo_platform, charging):
    assert serve(provider, UNKNOWN, request_id="req-1") == {"status": "not found", "charged": 0.0}
    assert [path for path, _keys in platform_calls(fake_iap)] == ["/iap/1/authorize", "/iap/1/cancel"]
    assert len(odoo_platform.cancelled) == 1 and odoo_platform.accounts[TOKEN] == 10
    assert not provider["book.data.request"].search([])  # a free answer is not kept: asked again, given again


def test_a_failing_lookup_cancels_the_hold_and_reaches_the_client(provider, fake_iap, odoo_platform, charging):
    provider.cr.execute("ALTER TABLE book_info RENAME TO book_info_away")  # the catalogue cannot be read
    provider.cr.commit(write_lock=False)
    with pytest.raises(peewee.DatabaseError, match="book_info"):
        serve(provider)
    provider.cr.rollback()
    assert [path for path, _keys in platform_calls(fake_iap)] == ["/iap/1/authorize", "/iap/1/cancel"]
    assert odoo_platform.accounts[TOKEN] == 10 and not odoo_platform.charged


@pytest.mark.parametrize("isbn", ["9780439023482", "12345", "", None])
def test_an_invalid_isbn_is_refused_before_any_credit_is_touched(provider, fake_iap, charging, isbn):
    with pytest.raises(UserError, match="Invalid ISBN") as caught:
        serve(provider, isbn)
    assert caught.value.code == "invalid_isbn" and fake_iap.calls == []


def test_without_a_service_key_every_request_is_refused_as_not_configured(provider, fake_iap, charging):
    provider["ir.config_parameter"].set_param("iap.isbn_service_key", False)
    with pytest.raises(AccessError, match="not configured.*iap.isbn_service_key") as caught:
        serve(provider)
    assert caught.value.code == "service_not_configured" and fake_iap.calls == []


def test_an_unknown_charging_setting_is_refused_as_not_configured(provider, fake_iap, odoo_platform):
    provider["ir.config_parameter"].set_param("iap_isbn_service.charging", "later")
    with pytest.raises(AccessError, match="'later', which is not one of odoo, deferred, quota"):
        serve(provider)
    assert fake_iap.calls == []


def test_a_request_without_account_token_is_refused_uncharged(provider, fake_iap, charging):
    with pytest.raises(UserError, match="account_token is required"):
        serve(provider, token="")
    assert fake_iap.calls == []


def test_insufficient_credit_reaches_the_client_with_the_offer_as_body(provider, fake_iap, odoo_platform, charging):
    odoo_platform.accounts[TOKEN] = 0
    with pytest.raises(InsufficientCreditError) as caught:
        serve(provider)
    details = json.loads(str(caught.value))
    assert details["title"] == "Insufficient Balance" and "Library ISBN" in details["body"]
    assert [path for path, _keys in platform_calls(fake_iap)] == ["/iap/1/authorize"]


def test_a_retried_request_id_gets_the_first_answer_without_asking_the_platform(provider, fake_iap, odoo_platform,
                                                                               charging):
    first = serve(provider, request_id="req-1")
    calls = len(fake_iap.calls)
    assert serve(provider, "0439023483", request_id="req-1") == first
    assert len(fake_iap.calls) == calls and odoo_platform.accounts[TOKEN] == 9


def test_the_hold_is_keyed_by_token_and_request_id_and_the_token_is_not_stored(provider, fake_iap, charging):
    serve(provider, request_id="req-1")
    expected = hashlib.sha256(f"{TOKEN}:req-1".encode()).hexdigest()
    assert fake_iap.calls[0][1]["idempotency_key"] == expected  # ignored by Odoo's platform, used by ours
    stored = provider["book.data.request"].search([])
    assert stored.request_key == expected and TOKEN not in json.dumps(stored.read()[0], default=str)
    assert (stored.response["charged"], stored.charged) == (1.0, 1.0)


def test_a_capture_refused_for_good_fails_the_request_or_the_queued_capture(provider, fake_iap, odoo_platform,
                                                                            charging):
    odoo_platform.failures["/iap/1/capture"] = [OdooError("odoo.exceptions.UserError", "no such transaction")]
    if charging == "odoo":  # the client is told, and gets no book
        with pytest.raises(UserError, match="no such transaction"):
            serve(provider, request_id="req-1")
        provider.cr.rollback()
        assert not provider["book.data.request"].search([])
    else:  # the client got its book; the operator sees the capture that failed
        assert serve(provider, request_id="req-1")["status"] == "found"
        op = provider["iap.pending.op"].search([])
        assert (op.operation, op.state, op.last_error) == ("capture", "failed", "no such transaction")


def test_the_same_request_id_for_another_isbn_is_a_conflict(provider, odoo_platform, charging):
    serve(provider, request_id="req-1")
    with pytest.raises(UserError, match="'req-1' was already used") as caught:
        serve(provider, UNKNOWN, request_id="req-1")
    assert caught.value.code == "idempotency_conflict" and odoo_platform.accounts[TOKEN] == 9


def test_the_same_request_id_from_another_account_is_another_request(provider, odoo_platform, charging):
    serve(provider, request_id="req-1")
    assert serve(provider, UNKNOWN, request_id="req-1", token="other-token")["status"] == "not found"


def test_answers_are_kept_24_hours(provider, odoo_platform, charging):
    serve(provider, request_id="req-1")
    provider.cr.execute("UPDATE book_data_request SET expires_at = %s", ("2000-01-01 00:00:00",))
    assert provider["book.data.request"]._purge_expired() == 1
    serve(provider, GATSBY, request_id="req-2")
    assert provider["book.data.request"].search([]).mapped("fingerprint") == [GATSBY]


def test_the_purge_goes_through_the_expired_answers_in_batches(provider, odoo_platform, charging):
    for number in range(3):
        serve(provider, request_id=f"old-{number}")
    provider.cr.execute("UPDATE book_data_request SET expires_at = %s", ("2000-01-01 00:00:00",))
    serve(provider, GATSBY, request_id="new")
    assert provider["book.data.request"]._purge_expired(batch=2) == 3
    assert provider["book.data.request"].search([]).mapped("fingerprint") == [GATSBY]
