"""``iap_jsonrpc`` against a fake server speaking Odoo's envelopes: results, every error shape, transport."""
import json

import pytest
from odoo.addons.iap.tests.fake_iap import CREDIT_ERROR, OdooError, RawReply
from odoo.addons.iap.tools.iap_tools import IAPServerError, IAPTimeoutError, InsufficientCreditError, iap_jsonrpc
from odoo.exceptions import AccessError, UserError


def serve(fake_iap, answer):
    """Route ``/x`` to ``answer`` (a value, or an exception to raise) and return its URL."""
    def handler(params):
        if isinstance(answer, Exception):
            raise answer
        return answer
    fake_iap.routes["/x"] = handler
    return fake_iap.url + "/x"


def test_the_request_is_odoo_json_rpc_and_the_result_is_unwrapped(fake_iap):
    url = serve(fake_iap, {"ok": 1})
    assert iap_jsonrpc(url, params={"a": 1}) == {"ok": 1}
    assert fake_iap.calls == [("/x", {"a": 1})]


def test_insufficient_credit_keeps_its_json_message_and_data(fake_iap):
    message = json.dumps({"title": "Insufficient Balance", "message": "m", "credit": 1})
    url = serve(fake_iap, OdooError(CREDIT_ERROR, message, code="insufficient_credit"))
    with pytest.raises(InsufficientCreditError) as caught:
        iap_jsonrpc(url)
    assert json.loads(str(caught.value))["credit"] == 1
    assert caught.value.data["name"] == CREDIT_ERROR
    assert (caught.value.code, caught.value.retryable) == ("insufficient_credit", False)


@pytest.mark.parametrize("name, cls", [("odoo.exceptions.AccessError", AccessError),
                                       ("odoo.exceptions.UserError", UserError)])
def test_access_and_user_errors_keep_the_server_message(fake_iap, name, cls):
    url = serve(fake_iap, OdooError(name, "Transaction expired", code="transaction_expired"))
    with pytest.raises(cls, match="Transaction expired") as caught:
        iap_jsonrpc(url)
    assert type(caught.value) is cls and caught.value.code == "transaction_expired"


@pytest.mark.parametrize("error", [
    OdooError("builtins.KeyError", "boom"),
    OdooError(None, "no name"),
    OdooError("odoo.addons.iap.tools.iap_tools.IAPServerError", "busy", code="request_in_progress", retryable=True),
    RawReply(200, json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "no data"}})),
    RawReply(200, json.dumps({"jsonrpc": "2.0", "id": 1, "error": "a string"})),
])
def test_unknown_or_missing_error_names_become_a_generic_access_error(fake_iap, error):
    url = serve(fake_iap, error)
    with pytest.raises(AccessError, match="An error occurred while reaching") as caught:
        iap_jsonrpc(url)
    assert isinstance(caught.value.__cause__, IAPServerError)
    if error.args == ("busy",):
        assert (caught.value.code, caught.value.retryable) == ("request_in_progress", True)


@pytest.mark.parametrize("reply, retryable", [
    (RawReply(503, "down"), True), (RawReply(404, "nope"), False), (RawReply(200, "<html>"), False),
    (RawReply(200, "[1, 2]"), False),
])
def test_http_and_payload_failures_are_access_errors(fake_iap, reply, retryable):
    url = serve(fake_iap, reply)
    with pytest.raises(AccessError, match="returned an error") as caught:
        iap_jsonrpc(url)
    assert caught.value.retryable is retryable


def test_a_timeout_is_its_own_retryable_error(fake_iap):
    url = serve(fake_iap, RawReply(200, "{}", delay=0.5))
    with pytest.raises(IAPTimeoutError, match="timed out") as caught:
        iap_jsonrpc(url, timeout=0.1)
    assert caught.value.retryable is True


def test_an_unreachable_server_is_a_retryable_access_error(fake_iap):
    url = fake_iap.url + "/x"
    fake_iap.server.server_close()
    with pytest.raises(AccessError) as caught:
        iap_jsonrpc(url, timeout=2)
    assert caught.value.retryable is True
