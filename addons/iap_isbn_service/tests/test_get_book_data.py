"""``/get_book_data``'s logic against a fake platform: refuse before charging, sell only books found (one
platform request, after the lookup), answer a retried request id again without charging again."""
import hashlib
import json

import pytest
from odoo.addons.iap.tests.fake_iap import CREDIT_ERROR, OdooError
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError
from odoo.exceptions import AccessError, UserError

TOKEN = "client-token"
HUNGER_GAMES = "9780439023481"
GATSBY = "9780743273565"
UNKNOWN = "9780000000002"


def serve(env, isbn=HUNGER_GAMES, request_id=None, token=TOKEN, dbuuid=None):
    return env["book.data.request"]._serve_one(token, isbn, request_id, dbuuid)


def test_a_found_book_is_sold_for_one_credit_in_one_platform_request(provider, fake_iap, fake_platform):
    answer = serve(provider, "978-0-439-02348-1", dbuuid="db-1")
    assert answer == {"status": "found", "charged": 1.0, "data": {
        "name": "The Hunger Games", "isbn": HUNGER_GAMES, "date_release": "2008-01-01", "cover_image": False,
        "authors": ["Suzanne Collins"]}}
    [(path, sale)] = fake_iap.calls
    assert path == "/iap/1/sale" and len(sale.pop("idempotency_key")) == 32
    assert sale == {"account_token": TOKEN, "credit": 1, "credit_to_capture": 1, "key": "iapk_demo_book_isbn_key",
                    "description": f"Book data for ISBN {HUNGER_GAMES}", "ttl": 1, "dbuuid": "db-1"}
    assert fake_platform.balance == 9


def test_a_book_not_found_is_a_normal_answer_and_asks_nothing_of_the_platform(provider, fake_iap, fake_platform):
    assert serve(provider, UNKNOWN, request_id="req-1") == {"status": "not found", "charged": 0.0}
    assert fake_iap.calls == [] and fake_platform.balance == 10


@pytest.mark.parametrize("isbn", ["9780439023482", "12345", "", None])
def test_an_invalid_isbn_is_refused_before_any_credit_is_touched(provider, fake_iap, fake_platform, isbn):
    with pytest.raises(UserError, match="Invalid ISBN") as caught:
        serve(provider, isbn)
    assert caught.value.code == "invalid_isbn" and fake_iap.calls == []


def test_without_a_service_key_every_request_is_refused_as_not_configured(provider, fake_iap, fake_platform):
    provider["ir.config_parameter"].set_param("iap.isbn_service_key", False)
    with pytest.raises(AccessError, match="not configured.*iap.isbn_service_key") as caught:
        serve(provider)
    assert caught.value.code == "service_not_configured" and fake_iap.calls == []


def test_a_request_without_account_token_is_refused_uncharged(provider, fake_iap, fake_platform):
    with pytest.raises(UserError, match="account_token is required"):
        serve(provider, token="")
    assert fake_iap.calls == []


def test_insufficient_credit_reaches_the_client_with_the_offer_as_body(provider, fake_iap, fake_platform):
    fake_platform.balance = 0
    with pytest.raises(InsufficientCreditError) as caught:
        serve(provider)
    details = json.loads(str(caught.value))
    assert details["title"] == "Insufficient Balance" and "Library ISBN" in details["body"]
    assert fake_iap.paths() == ["/iap/1/sale"]


def test_a_retried_request_id_gets_the_first_answer_and_repeats_the_same_sale(provider, fake_iap, fake_platform):
    first = serve(provider, request_id="req-1")
    assert serve(provider, "0439023483", request_id="req-1") == first
    (_path, sale), (_again, repeated) = fake_iap.calls
    assert repeated == sale  # the platform answers it from the first sale: charged once
    assert len(fake_platform.captured) == 1 and fake_platform.balance == 9


def test_the_sale_is_keyed_by_token_and_request_id_and_the_token_is_not_stored(provider, fake_iap, fake_platform):
    serve(provider, request_id="req-1")
    expected = hashlib.sha256(f"{TOKEN}:req-1".encode()).hexdigest()
    assert fake_iap.calls[0][1]["idempotency_key"] == expected
    stored = provider["book.data.request"].search([])
    assert stored.request_key == expected and TOKEN not in json.dumps(stored.read()[0], default=str)
    assert stored.sale == {"credit": 1, "credit_to_capture": 1, "description": f"Book data for ISBN {HUNGER_GAMES}"}


def test_the_answer_is_stored_before_the_sale(provider, fake_iap, fake_platform):
    """Whatever happens to the request after the platform is asked, its retry finds the answer and the sale."""
    fake_platform.failures["/iap/1/sale"] = [OdooError("odoo.exceptions.AccessError", "the platform is down")]
    with pytest.raises(AccessError, match="the platform is down"):
        serve(provider, request_id="req-1")
    (stored,) = provider["book.data.request"].search([]).mapped("response")
    assert stored["data"]["name"] == "The Hunger Games" and fake_platform.balance == 10


def test_a_retry_after_a_lost_answer_is_charged_once(provider, fake_iap, fake_platform):
    """The sale went through but the answer was never stored (say the worker died): the same sale again."""
    first = serve(provider, request_id="req-1")
    provider["book.data.request"].search([]).unlink()
    assert serve(provider, request_id="req-1") == first
    assert len(fake_platform.captured) == 1 and fake_platform.balance == 9


def test_the_same_request_id_for_another_isbn_is_a_conflict(provider, fake_iap, fake_platform):
    serve(provider, request_id="req-1")
    with pytest.raises(UserError, match="'req-1' was already used") as caught:
        serve(provider, UNKNOWN, request_id="req-1")
    assert caught.value.code == "idempotency_conflict" and fake_platform.balance == 9


def test_the_same_request_id_from_another_account_is_another_request(provider, fake_iap, fake_platform):
    serve(provider, request_id="req-1")
    assert serve(provider, UNKNOWN, request_id="req-1", token="other-token")["status"] == "not found"


def test_answers_are_kept_24_hours(provider, fake_iap, fake_platform):
    serve(provider, request_id="req-1")
    provider.cr.execute("UPDATE book_data_request SET expires_at = %s", ("2000-01-01 00:00:00",))
    provider["book.data.request"].invalidate_model()
    serve(provider, GATSBY, request_id="req-2")
    assert provider["book.data.request"].search([]).mapped("fingerprint") == [GATSBY]


def test_a_platform_refusal_is_asked_again_on_retry(provider, fake_iap, fake_platform):
    fake_platform.failures["/iap/1/sale"] = [OdooError(CREDIT_ERROR, json.dumps({"title": "x"}))]
    with pytest.raises(InsufficientCreditError):
        serve(provider, request_id="req-1")
    assert serve(provider, request_id="req-1")["status"] == "found" and fake_platform.balance == 9
