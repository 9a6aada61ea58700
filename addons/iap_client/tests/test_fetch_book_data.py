"""``fetch_book_data`` against a fake provider: what it sends, what it fills, and every way it can fail."""
import json

import pytest
from odoo.addons.iap.tests.fake_iap import CREDIT_ERROR, OdooError, RawReply
from odoo.addons.iap.tools.iap_tools import IAPTimeoutError, InsufficientCreditError
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry

from server.orm.environment import SUPERUSER_ID, Environment

FOUND = {"status": "found", "charged": 1.0, "data": {
    "name": "The Hunger Games", "isbn": "9780439023481", "date_release": "2008-01-01", "cover_image": False,
    "authors": ["Suzanne Collins"]}}


def new_book(env, isbn="978-0-439-02348-1"):
    book = env["library.book"].create({"isbn": isbn})
    env.cr.commit()
    return book


def answer_with(fake_provider, *answers):
    """The provider answers these in turn: a dict, or an exception ``OdooError``/``RawReply`` to raise."""
    pending = list(answers)

    def route(params):
        reply = pending.pop(0) if len(pending) > 1 else pending[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    fake_provider.routes["/get_book_data"] = route


def test_a_found_book_is_filled_from_the_answer_and_keeps_its_isbn_as_typed(client, fake_provider):
    answer_with(fake_provider, FOUND)
    book = new_book(client)
    assert book.fetch_book_data() is True
    assert (book.name, book.isbn, str(book.date_release)) == ("The Hunger Games", "978-0-439-02348-1", "2008-01-01")
    assert book.author_ids.mapped("name") == ["Suzanne Collins"] and not book.iap_request_id


def test_the_call_carries_the_account_token_the_isbn_a_request_id_and_the_database(client, fake_provider):
    answer_with(fake_provider, FOUND)
    new_book(client).fetch_book_data()
    ((path, params),) = fake_provider.calls
    account = client["iap.account"].get("book_isbn")
    assert path == "/get_book_data" and params["account_token"] == account.account_token
    assert params["isbn_number"] == "978-0-439-02348-1" and len(params["request_id"]) == 32
    assert params["dbuuid"] == client["ir.config_parameter"].get_param("database.uuid")


def test_the_request_id_is_committed_before_the_call(client, fake_provider):
    """The provider reads the client's database while it is called: the request id is there, unlocked."""
    seen = []

    def route(params):
        with Registry.open(client.registry.config).cursor() as cr:  # another connection, as another process
            books = Environment(cr, SUPERUSER_ID, {})["library.book"]
            seen.append(books.search([("iap_request_id", "!=", False)]).mapped("iap_request_id"))
        return FOUND

    fake_provider.routes["/get_book_data"] = route
    new_book(client).fetch_book_data()
    assert seen == [[fake_provider.calls[0][1]["request_id"]]]


def test_a_missing_isbn_is_refused_without_calling(client, fake_provider):
    with pytest.raises(UserError, match="Please add an ISBN number to 'Book"):
        client["library.book"].create({"name": False}).fetch_book_data()
    assert fake_provider.calls == []


def test_an_invalid_isbn_is_refused_without_calling(client, fake_provider):
    with pytest.raises(UserError, match="'9780439023482'.*not valid"):
        new_book(client, "9780439023482").fetch_book_data()
    assert fake_provider.calls == []


def test_a_book_not_found_is_a_warning_and_the_next_fetch_is_a_new_request(client, fake_provider):
    answer_with(fake_provider, {"status": "not found", "charged": 0.0})
    book = new_book(client)
    action = book.fetch_book_data()
    assert action["tag"] == "display_notification" and "nothing was charged" in action["params"]["message"]
    assert not book.name and not book.iap_request_id


def test_a_timeout_is_retried_once_with_the_same_request_id(client, fake_provider):
    answer_with(fake_provider, RawReply(200, json.dumps({"jsonrpc": "2.0", "result": FOUND}), delay=1.5), FOUND)
    book = new_book(client)
    assert book.fetch_book_data() is True
    first, second = (params for _path, params in fake_provider.calls)
    assert first == second and book.name == "The Hunger Games"


def test_two_timeouts_fail_and_keep_the_request_id_for_the_next_fetch(client, fake_provider):
    slow = RawReply(200, "{}", delay=1.5)
    answer_with(fake_provider, slow, slow, FOUND)
    book = new_book(client)
    with pytest.raises(IAPTimeoutError, match="timed out"):
        book.fetch_book_data()
    client.cr.rollback()  # what the failed request's transaction does
    request_id = book.iap_request_id
    assert request_id and book.fetch_book_data() is True
    assert [params["request_id"] for _path, params in fake_provider.calls] == [request_id] * 3


def test_changing_the_isbn_forgets_a_pending_request(client, fake_provider):
    book = new_book(client)
    book.iap_request_id = "pending"
    book.isbn = "9780743273565"
    assert not book.iap_request_id


def test_insufficient_credit_carries_the_buy_link_and_a_safe_body(client, fake_provider):
    message = {"title": "Insufficient Balance", "message": "Buy credits", "base_url": "https://iap.test/iap/1/credit",
               "service_name": "book_isbn", "credit": 1, "trial": False,
               "body": '<p onclick="x()">Offer<script>steal()</script></p>'}
    answer_with(fake_provider, OdooError(CREDIT_ERROR, json.dumps(message)))
    with pytest.raises(InsufficientCreditError) as caught:
        new_book(client).fetch_book_data()
    details = json.loads(str(caught.value))
    token = client["iap.account"].get("book_isbn").account_token
    assert details["url"].startswith("https://iap.test/iap/1/credit?") and f"account_token={token}" in details["url"]
    assert "service_name=book_isbn" in details["url"] and details["body"] == "<p>Offer</p>"


def test_the_providers_refusal_reaches_the_user(client, fake_provider):
    answer_with(fake_provider, OdooError("odoo.exceptions.AccessError", "The ISBN service is not configured"))
    with pytest.raises(AccessError, match="not configured"):
        new_book(client).fetch_book_data()


def test_the_cookbooks_silent_inactive_status_becomes_an_error(client, fake_provider):
    answer_with(fake_provider, {"status": "service is not active"})
    with pytest.raises(UserError, match="not configured yet.*iap_client.endpoint"):
        new_book(client).fetch_book_data()


def test_the_endpoint_defaults_to_the_local_server(client):
    client["ir.config_parameter"].set_param("iap_client.endpoint", False)
    book = client["library.book"].create({"isbn": "9780439023481"})
    url, _params, timeout = book._book_data_request(client["iap.account"].get("book_isbn"))
    assert url == "http://localhost:8069/get_book_data" and timeout == 0.5
