"""Acceptance: a client, the ISBN provider and the IAP platform as three real servers, each with its own
database, talking JSON-RPC over 127.0.0.1 exactly as in production, for each way the provider charges:
Odoo's protocol, one round trip with the capture deferred, and credit quotas."""
import json
import time

import pytest
from odoo.addons.isbn_provider_testkit.hooks import PAUSES_AFTER_CAPTURE

from server.testing_http import RpcError

from .common import CLIENT_TIMEOUT

CREDIT_ERROR = "odoo.addons.iap.tools.iap_tools.InsufficientCreditError"
HUNGER_GAMES, GATSBY, UNKNOWN = "9780439023481", "9780743273565", "9780000000002"
JOURNALS = {"odoo": ["authorize", "capture"], "deferred": ["authorize", "capture"],
            "quota": ["quota_grant", "quota_use", "quota_release"]}


@pytest.fixture(params=["odoo", "deferred", "quota"])
def charging(request, servers):
    """The provider charges this way for the test; what it owes the platform is settled after it."""
    servers.charge_with(request.param)
    yield request.param
    servers.settle()
    servers.charge_with("deferred")


def test_fetch_book_data_fills_the_book_and_moves_exactly_one_credit(servers, charging):
    token = servers.new_client_token()
    servers.fund(token, 5)
    revenue, commission = servers.revenue_and_commission()
    book = servers.new_book("0-439-02348-3")
    assert servers.fetch(book) is True
    assert servers.read_book(book) == {"name": "The Hunger Games", "isbn": "0-439-02348-3",  # as typed
                                       "date_release": "2008-01-01", "authors": ["Suzanne Collins"],
                                       "iap_request_id": False}
    servers.settle()
    assert servers.available(token) == 4
    assert servers.revenue_and_commission() == (revenue + 7500, commission + 2500)  # 0.75 and 0.25 credit
    if charging != "quota":
        assert servers.transactions(token) == [{"state": "captured", "captured": 10_000, "authorized": 10_000}]
    assert servers.journal_kinds(token) == JOURNALS[charging]


def test_an_unknown_isbn_is_reported_and_costs_nothing(servers, charging):
    token = servers.new_client_token()
    servers.fund(token, 1)
    ledger = servers.ledger()
    answer = servers.fetch(servers.new_book(UNKNOWN))
    assert answer["tag"] == "display_notification" and "nothing was charged" in answer["params"]["message"]
    servers.settle()
    assert servers.available(token) == 1 and servers.ledger() == ledger


def test_an_invalid_isbn_is_refused_by_the_client_and_by_the_provider_uncharged(servers, charging):
    token = servers.new_client_token()
    servers.fund(token, 1)
    ledger = servers.ledger()
    with pytest.raises(RpcError, match="is not valid") as caught:
        servers.fetch(servers.new_book("9780439023482"))
    assert caught.value.name == "odoo.exceptions.UserError"
    with pytest.raises(RpcError, match="Invalid ISBN") as caught:
        servers.provider.client().result("/get_book_data", account_token=token, isbn_number="9780439023482")
    assert caught.value.error["data"]["context"] == {"code": "invalid_isbn"}
    assert servers.available(token) == 1 and servers.ledger() == ledger


def test_a_provider_without_its_key_answers_service_not_configured(servers, charging):
    token = servers.new_client_token()
    servers.fund(token, 1)
    ledger = servers.ledger()
    servers.set_param(servers.provider, "iap.isbn_service_key", False)
    try:
        with pytest.raises(RpcError, match="not configured") as caught:
            servers.fetch(servers.new_book(HUNGER_GAMES))
    finally:
        servers.set_param(servers.provider, "iap.isbn_service_key", "iapk_demo_book_isbn_key")
    assert caught.value.name == "odoo.exceptions.AccessError"
    assert servers.available(token) == 1 and servers.ledger() == ledger


def test_an_unknown_account_token_gets_the_credit_error_with_a_buy_link(servers, charging):
    token = servers.new_client_token()
    ledger = servers.ledger()
    with pytest.raises(RpcError) as caught:
        servers.fetch(servers.new_book(HUNGER_GAMES))
    assert caught.value.name == CREDIT_ERROR
    details = json.loads(caught.value.error["data"]["message"])
    assert details["code"] == "no_account" and "Library ISBN" in details["body"]
    assert details["url"].startswith(servers.platform.url + "/iap/1/credit?")
    assert f"account_token={token}" in details["url"]
    assert servers.ledger() == ledger


def test_exhausted_credits_are_refused_with_what_is_missing(servers, charging):
    token = servers.new_client_token()
    servers.fund(token, 1)
    assert servers.fetch(servers.new_book(HUNGER_GAMES)) is True
    servers.settle()
    ledger = servers.ledger()
    with pytest.raises(RpcError) as caught:
        servers.fetch(servers.new_book(HUNGER_GAMES))
    details = json.loads(caught.value.error["data"]["message"])
    assert caught.value.name == CREDIT_ERROR and details["code"] == "insufficient_credit" and details["missing"] == 1
    servers.settle()
    assert servers.available(token) == 0 and servers.ledger() == ledger


def test_a_retried_request_id_gets_the_first_answer_and_pays_once_even_with_no_credit_left(servers, charging):
    """With a quota the retry is charged like a new call and gives its charge back on finding the first
    answer; once the account is empty, it is still answered from the stored answer."""
    token = servers.new_client_token()
    servers.fund(token, 2)

    def lookup(request_id: str, isbn: str = HUNGER_GAMES) -> dict:
        return servers.provider.client().result("/get_book_data", account_token=token, isbn_number=isbn,
                                                 request_id=request_id)

    first = lookup("first")
    assert first["status"] == "found" and first["charged"] == 1.0
    assert lookup("first") == first
    assert lookup("second", GATSBY)["charged"] == 1.0  # the retry did not take the second credit
    assert lookup("first") == first  # nothing left to charge: answered from the store all the same
    with pytest.raises(RpcError) as caught:
        lookup("third")
    assert caught.value.name == CREDIT_ERROR
    servers.settle()
    assert servers.available(token) == 0


def test_a_timeout_after_the_capture_is_retried_with_the_same_request_id_and_charged_once(servers):
    """Odoo's protocol, where the capture happens while the client waits (with a deferred capture or a
    quota, the retry would wait for the first attempt's commit, then be answered from it)."""
    servers.charge_with("odoo")
    token = servers.new_client_token()
    servers.fund(token, 3)
    answered_before = servers.provider_answers()
    servers.set_param(servers.client, "iap_client.timeout", 1)
    PAUSES_AFTER_CAPTURE.append(2.5)  # the first answer leaves the provider after the client gave up
    try:
        book = servers.new_book(HUNGER_GAMES)
        assert servers.fetch(book) is True
    finally:
        servers.set_param(servers.client, "iap_client.timeout", CLIENT_TIMEOUT)
        servers.charge_with("deferred")
        PAUSES_AFTER_CAPTURE.clear()
    time.sleep(2)  # let the first, paused attempt finish too
    assert servers.transactions(token) == [{"state": "captured", "captured": 10_000, "authorized": 10_000}]
    assert servers.available(token) == 2
    (answer,) = servers.provider_answers()[len(answered_before):]  # both attempts share one stored answer
    assert answer["data"]["name"] == servers.read_book(book)["name"] and answer["charged"] == 1.0


def test_the_cookbook_provider_code_charges_through_iap_charge(servers):
    """The seed's route: ``with iap.charge(request.env, service_key, account_token, 1, credit_template=...)``."""
    token = servers.new_client_token()
    servers.fund(token, 2)
    answer = servers.provider.client().result("/seed/get_book_data", account_token=token, isbn_number=HUNGER_GAMES)
    assert answer["status"] == "found" and answer["data"]["name"] == "The Hunger Games"
    assert servers.available(token) == 1
