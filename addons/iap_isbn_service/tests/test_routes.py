"""The routes over real HTTP, as an IAP client's ``iap_jsonrpc`` sees them: HTTP 200, Odoo's error envelope."""
import json

import pytest
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError, iap_jsonrpc
from odoo.exceptions import AccessError, UserError

from server.testing_http import RpcError

from .common import set_param

HUNGER_GAMES = "9780439023481"


@pytest.fixture
def provider_server(live_server, fake_iap, odoo_platform):
    """The shared provider server (this addon and web), its platform being Odoo's (``odoo_platform``)."""
    set_param(live_server, "iap.endpoint", fake_iap.url)
    set_param(live_server, "iap.isbn_service_key", odoo_platform.key)
    return live_server


def test_a_found_book_over_json_rpc(provider_server, odoo_platform):
    answer = iap_jsonrpc(provider_server.url + "/get_book_data",
                         params={"account_token": "tok", "isbn_number": "9780439023481", "request_id": "r-1",
                                 "sent_by_a_newer_client": True})
    assert answer["status"] == "found" and answer["data"]["name"] == "The Hunger Games" and answer["charged"] == 1.0


def test_refusals_travel_as_odoo_errors_with_their_code(provider_server):
    with pytest.raises(RpcError) as caught:
        provider_server.client().result("/get_book_data", account_token="tok", isbn_number="9780439023482")
    data = caught.value.error["data"]
    assert data["name"] == "odoo.exceptions.UserError" and data["context"] == {"code": "invalid_isbn"}
    with pytest.raises(UserError, match="Invalid ISBN"):
        iap_jsonrpc(provider_server.url + "/get_book_data", params={"account_token": "tok", "isbn_number": "1"})


def test_a_missing_parameter_is_a_user_error_naming_it(provider_server):
    with pytest.raises(UserError, match="send the book's ISBN"):
        iap_jsonrpc(provider_server.url + "/get_book_data", params={"account_token": "tok"})


def test_the_unset_key_reaches_clients_as_access_error(provider_server):
    set_param(provider_server, "iap.isbn_service_key", False)
    with pytest.raises(AccessError, match="not configured"):
        iap_jsonrpc(provider_server.url + "/get_book_data", params={"account_token": "t", "isbn_number": HUNGER_GAMES})


def test_the_credit_error_keeps_its_class_path_and_json_message(provider_server, odoo_platform):
    odoo_platform.accounts["t"] = 0
    with pytest.raises(RpcError) as caught:
        provider_server.client().result("/get_book_data", account_token="t", isbn_number="9780439023481")
    assert caught.value.name == "odoo.addons.iap.tools.iap_tools.InsufficientCreditError"
    assert "Library ISBN" in json.loads(caught.value.error["data"]["message"])["body"]
    with pytest.raises(InsufficientCreditError):
        iap_jsonrpc(provider_server.url + "/get_book_data", params={"account_token": "t", "isbn_number": HUNGER_GAMES})


def test_many_books_over_json_rpc(provider_server, odoo_platform):
    answer = iap_jsonrpc(provider_server.url + "/get_books_data",
                         params={"account_token": "t", "isbn_numbers": ["9780439023481", "9780000000002"]})
    assert answer["charged"] == 1.0 and answer["results"]["9780000000002"] == {"status": "not found"}
