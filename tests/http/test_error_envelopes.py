"""Errors, never a 500 (issue #17, finding 5): each bad request gets the refusal a client can act on.

* ids JSON-RPC cannot echo (``1e400`` is infinity once parsed) are -32600;
* routes taking ``**options`` still refuse missing parameters with -32602;
* text the database cannot store is a ValidationError, never a driver error;
* domain values and ``limit``/``offset`` are checked before SQL: no driver message, no SQL text;
* all of them are logged at INFO, without a traceback.
"""
import json
import logging

import pytest
import requests

from server.testing_http import RpcError

pytestmark = pytest.mark.addons("http_hardening_test")

SQL_WORDS = ("SELECT", "WHERE", "psycopg2", "sqlite3", "DataError", "out of range for type", "bigint")


@pytest.fixture(autouse=True)
def no_error_logged(caplog):
    """Every refusal here is a client error: nothing at ERROR (no traceback) in the server's log."""
    caplog.set_level(logging.INFO)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith(("server", "odoo"))]


def raw_call(live, path: str, body: str) -> requests.Response:
    return requests.post(live.url + path, data=body, headers={"Content-Type": "application/json"}, timeout=30)


def error_of(call) -> dict:
    with pytest.raises(RpcError) as caught:
        call()
    return caught.value.error


def assert_no_sql(error: dict) -> None:
    text = json.dumps(error)
    assert not any(word in text for word in SQL_WORDS), text


# -- ids ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("request_id", ["1e400", "-1e400", "true", "[1]", '{"a": 1}'])
def test_ids_json_rpc_cannot_echo_are_invalid_requests(live_server, request_id):
    body = f'{{"jsonrpc": "2.0", "method": "call", "params": {{}}, "id": {request_id}}}'
    response = raw_call(live_server, "/http_hardening_test/pong", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["error"]["code"] == -32600 and answer["id"] is None
    assert "id" in answer["error"]["data"]["message"]


@pytest.mark.parametrize("request_id", ["1", "1.5", '"abc"', "null", str(2 ** 70)])
def test_ids_json_rpc_allows_are_echoed(live_server, request_id):
    body = f'{{"jsonrpc": "2.0", "method": "call", "params": {{}}, "id": {request_id}}}'
    answer = raw_call(live_server, "/http_hardening_test/pong", body).json()
    assert "result" in answer and answer["id"] == json.loads(request_id)


# -- **options routes --------------------------------------------------------------------------------
def test_a_route_taking_options_still_refuses_missing_parameters(live_server):
    client = live_server.client()
    error = error_of(lambda: client.result("/http_hardening_test/options"))
    assert error["code"] == -32602 and "'name'" in error["data"]["message"]
    error = error_of(lambda: client.result("/http_hardening_test/options", count=3, colour="red"))
    assert error["code"] == -32602
    assert client.result("/http_hardening_test/options", name="x", colour="red") == {
        "name": "x", "count": 1, "options": {"colour": "red"}}


# -- text the database cannot store ----------------------------------------------------------------------
@pytest.mark.parametrize("text", ["lone \ud800 surrogate", "\udfff", "pair \ud83d and half"])
def test_unpaired_surrogates_are_refused_with_a_validation_error(live_server, text):
    client = live_server.client()
    error = error_of(lambda: client.execute_kw(live_server.db, 2, "admin", "res.partner", "create", {"name": text}))
    assert error["data"]["name"] == "odoo.exceptions.ValidationError"
    assert "surrogate" in error["data"]["message"]
    assert_no_sql(error)


def test_nul_characters_are_refused_with_a_validation_error(live_server):
    client = live_server.client()
    error = error_of(lambda: client.execute_kw(live_server.db, 2, "admin", "res.partner", "create",
                                               {"name": "nul\x00inside"}))
    assert error["data"]["name"] == "odoo.exceptions.ValidationError" and "NUL" in error["data"]["message"]
    assert_no_sql(error)


# -- domain values, limit and offset ---------------------------------------------------------------------
BAD_DOMAINS = {
    "text for an id": [("id", "in", ["abc"])],
    "an id past 32 bits": [("id", "in", [2 ** 70])],
    "a huge id compared": [("id", ">", 2 ** 40)],
    "an object in a list": [("name", "in", [{"a": 1}])],
    "a nested list": [("id", "in", [[1, 2]])],
    "not a date": [("create_date", "in", ["not a date"])],
    "text for a boolean list": [("is_company", "in", ["yes"])],
    "a boolean for a text": [("name", "in", [True])],
    "text for a many2one list": [("country_id", "in", [1, "two"])],
}


@pytest.mark.parametrize("case", sorted(BAD_DOMAINS))
def test_malformed_domain_values_are_refused_before_sql(live_server, case):
    client = live_server.client()
    domain = [list(term) for term in BAD_DOMAINS[case]]
    for method in ("search", "search_count"):
        error = error_of(lambda m=method: client.execute_kw(live_server.db, 2, "admin", "res.partner", m, domain))
        assert error["data"]["name"] == "odoo.exceptions.ValidationError", error
        assert domain[0][0] in error["data"]["message"]
        assert_no_sql(error)


def test_values_the_column_takes_in_another_spelling_still_match(live_server):
    client = live_server.client()
    db = live_server.db
    partner_id = client.execute_kw(db, 2, "admin", "res.partner", "create", {"name": "Spelled 42", "ref": "42"})
    for domain in ([["id", "in", [str(partner_id)]]], [["ref", "=", 42]], [["id", "=", float(partner_id)]]):
        assert client.execute_kw(db, 2, "admin", "res.partner", "search", domain) == [partner_id], domain


@pytest.mark.parametrize("bound", ["limit", "offset"])
@pytest.mark.parametrize("value", [2 ** 70, -1, "10", 1.5])
def test_limit_and_offset_out_of_range_are_clear_validation_errors(live_server, bound, value):
    client = live_server.client()
    for method in ("search", "search_read"):
        error = error_of(lambda m=method: client.execute_kw(live_server.db, 2, "admin", "res.partner", m, [],
                                                             **{bound: value}))
        assert error["data"]["name"] == "odoo.exceptions.ValidationError"
        assert bound in error["data"]["message"]
        assert_no_sql(error)


# -- domains that are not lists (Odoo 17: an assertion of its domain normaliser) ----------------------------
DOMAIN_FORM = "Domains to normalize must have a 'domain' form: a list or tuple of domain components"


@pytest.mark.parametrize("domain", [False, None, "[]", 7, {}], ids=["False", "None", "text", "int", "dict"])
def test_a_domain_that_is_not_a_list_is_refused_as_odoo_17_refuses_it(live_server, domain):
    client = live_server.client()
    for method in ("search", "search_count"):
        error = error_of(lambda m=method: client.execute_kw(live_server.db, 2, "admin", "res.partner", m, domain))
        assert (error["data"]["name"], error["data"]["message"]) == ("builtins.AssertionError", DOMAIN_FORM)


def test_search_read_without_a_domain_reads_everything_as_in_odoo(live_server):
    client = live_server.client()
    db = live_server.db
    expected = client.execute_kw(db, 2, "admin", "res.partner", "search_count", [])
    for domain in (None, False):
        assert len(client.execute_kw(db, 2, "admin", "res.partner", "search_read", domain, ["id"])) == expected
