"""Spec 7.11 case 9: ``iap_charge`` holds, captures what the block says, and never loses the original error."""
import datetime as dt
import json

import pytest
from odoo import fields
from odoo.addons.iap.tests.fake_iap import OdooError, RawReply
from odoo.addons.iap.tools import iap_tools
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError, iap_charge
from odoo.exceptions import AccessError, UserError


def test_success_captures_the_authorized_credit_with_odoo_payloads(env, fake_iap, fake_platform):
    with iap_charge(env, "key1", "tok", 2, dbuuid="db-1", description="two", ttl=1) as transaction:
        assert (transaction.credit, transaction.authorized) == (2, 2)
        assert transaction.token.startswith("iaptx_")
    (_path, authorize), (path, capture) = fake_iap.calls
    idempotency_key = authorize.pop("idempotency_key")
    assert authorize == {"account_token": "tok", "credit": 2, "key": "key1", "description": "two", "ttl": 1,
                         "dbuuid": "db-1"}
    assert len(idempotency_key) == 32
    assert (path, capture) == ("/iap/1/capture", {"token": transaction.token, "key": "key1", "credit_to_capture": 2})
    assert fake_platform.balance == 8


def test_lowering_the_credit_captures_less(env, fake_platform):
    with iap_charge(env, "k", "tok", 5) as transaction:
        transaction.credit = 3
    assert fake_platform.captured == {transaction.token: 3} and fake_platform.balance == 7


def test_zero_credit_releases_the_hold(env, fake_iap, fake_platform):
    with iap_charge(env, "k", "tok", 5) as transaction:
        transaction.credit = 0
    assert fake_iap.paths() == ["/iap/1/authorize", "/iap/1/cancel"] and fake_platform.balance == 10


def test_more_than_authorized_releases_and_raises(env, fake_iap, fake_platform):
    with pytest.raises(ValueError, match="exceeds authorization"):
        with iap_charge(env, "k", "tok", 1) as transaction:
            transaction.credit = 2
    assert fake_iap.paths()[-1] == "/iap/1/cancel" and fake_platform.balance == 10


def test_an_exception_in_the_block_cancels_and_is_re_raised(env, fake_iap, fake_platform):
    """The cookbook provider raises a bare Exception('Book not found') inside ``iap.charge``."""
    from odoo.addons.iap.models import iap

    with pytest.raises(Exception, match="Book not found"):
        with iap.charge(env, "k", "tok", 1, credit_template="iap.no_credit"):
            raise Exception("Book not found")
    assert fake_iap.paths() == ["/iap/1/authorize", "/iap/1/cancel"] and fake_platform.balance == 10


def test_the_original_exception_survives_a_failing_cancel(env, fake_iap, fake_platform):
    fake_platform.failures["/iap/1/cancel"] = [RawReply(503)] * 4
    with pytest.raises(LookupError, match="original"):
        with iap_charge(env, "k", "tok", 1) as transaction:
            raise LookupError("original")
    assert fake_iap.paths().count("/iap/1/cancel") == 4  # first try and three retries
    queued = env["iap.pending.op"].search([("transaction_token", "=", transaction.token)])
    assert (queued.operation, queued.state) == ("cancel", "pending")


def test_keyboard_interrupt_in_the_block_still_cancels(env, fake_iap, fake_platform):
    with pytest.raises(KeyboardInterrupt):
        with iap_charge(env, "k", "tok", 1):
            raise KeyboardInterrupt
    assert fake_iap.paths()[-1] == "/iap/1/cancel" and fake_platform.balance == 10


def test_a_capture_failing_after_delivery_is_deferred_then_completed(env, fake_iap, fake_platform):
    fake_platform.failures["/iap/1/capture"] = [RawReply(502)] * 4
    with iap_charge(env, "k", "tok", 2) as transaction:
        delivered = "the service's result"
    assert delivered and fake_platform.captured == {}
    queued = env["iap.pending.op"].search([("transaction_token", "=", transaction.token)])
    assert (queued.operation, queued.state, queued.credit, queued.service_key) == ("capture", "pending", 2, "k")
    env["iap.pending.op"].process_due()
    assert (queued.state, queued.attempts, fake_platform.captured) == ("pending", 0, {})  # not due yet
    queued.write({"next_attempt_at": fields.Datetime.now() - dt.timedelta(seconds=1)})
    env["iap.pending.op"].process_due()
    assert (queued.state, queued.service_key, fake_platform.captured) == ("done", False, {transaction.token: 2})


def test_on_capture_error_raise_is_odoos_behaviour(env, fake_platform):
    fake_platform.failures["/iap/1/capture"] = [RawReply(502)] * 4
    with pytest.raises(AccessError, match="returned an error"):
        with iap_charge(env, "k", "tok", 2, on_capture_error="raise") as transaction:
            pass
    assert not env["iap.pending.op"].search_count([("transaction_token", "=", transaction.token)])


def test_a_definitive_capture_refusal_is_raised_not_deferred(env, fake_platform):
    fake_platform.failures["/iap/1/capture"] = [OdooError("odoo.exceptions.UserError", "expired",
                                                          code="transaction_expired")]
    with pytest.raises(UserError, match="expired"):
        with iap_charge(env, "k", "tok", 2):
            pass


def test_authorize_is_retried_with_the_same_idempotency_key(env, fake_iap, fake_platform):
    fake_platform.failures["/iap/1/authorize"] = [RawReply(503)]
    with iap_charge(env, "k", "tok", 1, idempotency_key="req-42"):
        pass
    keys = [params["idempotency_key"] for path, params in fake_iap.calls if path == "/iap/1/authorize"]
    assert keys == ["req-42", "req-42"] and fake_platform.balance == 9


def test_insufficient_credit_gets_the_rendered_credit_template_as_body(env, fake_platform):
    fake_platform.balance = 0
    with pytest.raises(InsufficientCreditError) as caught:
        with iap_charge(env, "k", "tok", 1, credit_template="iap.no_credit"):
            pytest.fail("the block must not run without credit")
    message = json.loads(str(caught.value))
    assert message["title"] == "Insufficient Balance" and "Not enough credits" in message["body"]


def test_a_missing_credit_template_leaves_the_credit_error_intact(env, fake_platform):
    fake_platform.balance = 0
    with pytest.raises(InsufficientCreditError) as caught:
        with iap_charge(env, "k", "tok", 1, credit_template="iap.does_not_exist"):
            pass
    assert "body" not in json.loads(str(caught.value))


@pytest.mark.parametrize("credit", [0, -1, True, "1", None])
def test_a_charge_needs_a_positive_number(env, credit):
    with pytest.raises(ValueError, match="positive number"):
        with iap_charge(env, "k", "tok", credit):
            pass


def test_legacy_names_are_the_same_functions():
    from odoo.addons import iap
    from odoo.addons.iap.models import iap as iap_models

    assert iap.charge is iap_models.charge is iap_tools.iap_charge
    assert iap.jsonrpc is iap_models.jsonrpc is iap_tools.iap_jsonrpc
    assert iap.InsufficientCreditError is iap_tools.InsufficientCreditError
