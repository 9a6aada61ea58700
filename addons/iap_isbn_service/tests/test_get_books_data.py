"""``/get_books_data``: one credit held per distinct ISBN, only the books found captured (Odoo's protocol)."""
import pytest
from odoo.exceptions import UserError

from .common import send_queued

HUNGER_GAMES, GATSBY, UNKNOWN = "9780439023481", "9780743273565", "9780000000002"


def serve_many(env, isbns, request_id=None):
    answer = env["book.data.request"]._serve_many("client-token", isbns, request_id)
    send_queued(env)
    return answer


def test_the_hold_covers_each_isbn_and_the_capture_the_books_found(provider, fake_iap, odoo_platform, charging):
    answer = serve_many(provider, [HUNGER_GAMES, "0-7432-7356-7", UNKNOWN])
    assert answer["charged"] == 2.0
    assert answer["results"]["0-7432-7356-7"]["data"]["name"] == "The Great Gatsby"
    assert answer["results"][HUNGER_GAMES]["status"] == "found"
    assert answer["results"][UNKNOWN] == {"status": "not found"}
    (authorize_path, authorize), (capture_path, capture) = fake_iap.calls
    assert (authorize_path, authorize["credit"]) == ("/iap/1/authorize", 3)
    assert (capture_path, capture["credit_to_capture"]) == ("/iap/1/capture", 2)
    assert odoo_platform.accounts["client-token"] == 8


def test_two_forms_of_one_isbn_are_charged_once(provider, fake_iap, odoo_platform, charging):
    answer = serve_many(provider, [GATSBY, "0743273567"])
    assert answer["charged"] == 1.0 and fake_iap.calls[0][1]["credit"] == 1
    assert answer["results"][GATSBY] == answer["results"]["0743273567"]


def test_nothing_found_releases_the_hold(provider, fake_iap, odoo_platform, charging):
    assert serve_many(provider, [UNKNOWN])["charged"] == 0.0
    assert fake_iap.paths() == ["/iap/1/authorize", "/iap/1/cancel"]
    assert odoo_platform.accounts["client-token"] == 10


def test_one_invalid_isbn_refuses_the_whole_request_uncharged(provider, fake_iap, charging):
    with pytest.raises(UserError, match="'9780439023482'"):
        serve_many(provider, [HUNGER_GAMES, "9780439023482"])
    assert fake_iap.calls == []


def test_a_retried_list_request_is_answered_again_uncharged(provider, fake_iap, odoo_platform, charging):
    first = serve_many(provider, [HUNGER_GAMES, GATSBY], request_id="batch-1")
    calls = len(fake_iap.calls)
    assert serve_many(provider, [GATSBY, HUNGER_GAMES], request_id="batch-1") == first
    assert len(fake_iap.calls) == calls and odoo_platform.accounts["client-token"] == 8
