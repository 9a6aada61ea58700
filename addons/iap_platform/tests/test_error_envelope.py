"""Spec 7.11 case 8: every platform error, in Odoo's envelope, is classified right by Odoo's own clients.

``odoo_14``, ``odoo_17`` and ``odoo_18`` are copies of the error branch of Odoo's ``iap_jsonrpc`` in those
versions: they look only at the last segment of ``error.data.name`` (the HTTP status is 200).
"""
import json

import pytest
from odoo.addons.iap.tools import iap_tools
from odoo.addons.iap_platform.tools.errors import ERRORS, error_data, platform_error

GENERIC = "AccessError(generic)"


def odoo_14(response: dict) -> tuple[str, str]:
    """14.0-16.0: the three known names are re-raised; anything else is a ConnectionError -> generic."""
    name = response["error"]["data"].get("name").rpartition(".")[-1]
    message = response["error"]["data"].get("message")
    if name in ("InsufficientCreditError", "AccessError", "UserError"):
        return name, message
    return GENERIC, ""


def odoo_17(response: dict) -> tuple[str, str]:
    """17.0: as 14.0, plus ReadTimeout -> ValidationError."""
    if response["error"]["data"].get("name").rpartition(".")[-1] == "ReadTimeout":
        return "ValidationError", ""
    return odoo_14(response)


def odoo_18(response: dict) -> tuple[str, str]:
    """18.0+: only the credit error is re-raised; everything else is IAPServerError -> generic AccessError."""
    name = response["error"]["data"].get("name").rpartition(".")[-1]
    if name == "InsufficientCreditError":
        return name, response["error"]["data"].get("message")
    return GENERIC, ""


def envelope(exc: BaseException) -> dict:
    """What the HTTP layer sends (HTTP 200), through JSON and back."""
    body = {"jsonrpc": "2.0", "id": None,
            "error": {"code": 200, "message": "Odoo Server Error", "data": error_data(exc)}}
    return json.loads(json.dumps(body))


def raised(code: str) -> BaseException:
    if ERRORS[code][0] is iap_tools.InsufficientCreditError:
        return platform_error(code, json.dumps({"title": "Insufficient Balance", "message": "m", "base_url": "u",
                                                "service_name": "s", "credit": 1, "trial": False}))
    return platform_error(code, f"message of {code}")


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_error_code_is_classified_by_every_odoo_version(code):
    cls = ERRORS[code][0].__name__
    response = envelope(raised(code))
    data = response["error"]["data"]
    assert set(data) >= {"name", "message", "arguments", "context", "debug", "code", "retryable"}
    assert (data["code"], data["retryable"]) == (code, ERRORS[code][1])
    expected_14 = cls if cls != "IAPServerError" else GENERIC
    assert odoo_14(response)[0] == odoo_17(response)[0] == expected_14
    assert odoo_18(response)[0] == (cls if cls == "InsufficientCreditError" else GENERIC)
    if cls == "InsufficientCreditError":
        assert json.loads(odoo_14(response)[1])["service_name"] == "s"  # iap_authorize json.loads it


def test_names_are_odoo_dotted_paths():
    assert envelope(raised("no_account"))["error"]["data"]["name"] == \
        "odoo.addons.iap.tools.iap_tools.InsufficientCreditError"
    assert envelope(raised("invalid_params"))["error"]["data"]["name"] == "odoo.exceptions.UserError"
    assert envelope(raised("transaction_not_found"))["error"]["data"]["name"] == "odoo.exceptions.AccessError"
    assert envelope(raised("internal_error"))["error"]["data"]["name"] == \
        "odoo.addons.iap.tools.iap_tools.IAPServerError"


def test_an_unexpected_exception_leaks_nothing_and_is_retryable():
    data = envelope(KeyError("secret internals"))["error"]["data"]
    assert (data["code"], data["retryable"]) == ("internal_error", True)
    assert "secret" not in json.dumps(data)


def test_our_client_keeps_code_and_retryable():
    for code in ("transaction_expired", "request_in_progress", "insufficient_credit"):
        exc = iap_tools.error_from_response("http://p", envelope(raised(code))["error"])
        assert (exc.code, exc.retryable) == (code, ERRORS[code][1])


def test_a_live_platform_error_serialises(platform, service):
    with pytest.raises(Exception) as caught:
        platform.capture(token="iaptx_unknown", key=service.key)
    assert odoo_14(envelope(caught.value)) == ("AccessError", str(caught.value))


def test_a_plain_odoo_serializer_still_carries_code_and_retryable():
    """Odoo's serialize_exception sends name, message, arguments and context only: the code rides in context."""
    exc = raised("request_in_progress")
    plain = {"name": "odoo.addons.iap.tools.iap_tools.IAPServerError", "message": str(exc),
             "arguments": list(exc.args), "context": exc.context, "debug": ""}
    parsed = iap_tools.error_from_response("http://p", {"code": 200, "message": "Odoo Server Error", "data": plain})
    assert (parsed.code, parsed.retryable) == ("request_in_progress", True)
