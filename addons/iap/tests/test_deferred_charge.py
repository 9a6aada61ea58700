"""``iap_charge(..., charging="deferred")``: one round trip while the caller waits, the capture after its commit.

Against a stand-in of Odoo's own platform, which knows authorize, capture and cancel only: the deferred
path needs nothing more.  The capture is queued in the caller's transaction (durable exactly when what
the caller delivers is) and sent by the process's sender once it commits, by the cron otherwise.
"""
import time

import pytest
from odoo.addons.iap.tests.fake_iap import ODOO_PARAMS, OdooPlatform
from odoo.addons.iap.tools import sender
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError, iap_charge

KEY = "odoo-service-key"


@pytest.fixture
def odoo_platform(fake_iap, no_backoff):
    platform = OdooPlatform(fake_iap, KEY)
    platform.accounts["tok"] = 10
    return platform


@pytest.fixture
def on_odoo(env, fake_iap, odoo_platform):
    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    return env


def queued(env, token):
    return env["iap.pending.op"].search([("transaction_token", "=", token)])


def test_only_the_authorize_is_made_while_the_caller_waits(on_odoo, fake_iap, odoo_platform):
    with iap_charge(on_odoo, KEY, "tok", 2, description="two", ttl=1, charging="deferred") as transaction:
        transaction.credit = 1
    assert fake_iap.paths() == ["/iap/1/authorize"]
    assert set(fake_iap.calls[0][1]) - {"idempotency_key"} == ODOO_PARAMS["/iap/1/authorize"] - {"dbuuid"}
    op = queued(on_odoo, transaction.token)
    assert (op.operation, op.state, op.credit, op.attempts) == ("capture", "pending", 1, 0)
    assert op.next_attempt_at <= op.create_date  # due at once, not after a backoff
    on_odoo["iap.pending.op"].process_due()
    assert fake_iap.calls[-1] == ("/iap/1/capture", {"token": transaction.token, "key": KEY, "credit_to_capture": 1})
    assert (op.state, odoo_platform.charged, odoo_platform.accounts["tok"]) == ("done", {transaction.token: 1}, 9)


def test_nothing_to_charge_queues_the_release(on_odoo, fake_iap, odoo_platform):
    with iap_charge(on_odoo, KEY, "tok", 1, charging="deferred") as transaction:
        transaction.credit = 0
    assert queued(on_odoo, transaction.token).operation == "cancel"
    on_odoo["iap.pending.op"].process_due()
    assert odoo_platform.cancelled == {transaction.token} and odoo_platform.accounts["tok"] == 10


def test_an_exception_in_the_block_cancels_at_once(on_odoo, fake_iap, odoo_platform):
    with pytest.raises(LookupError):
        with iap_charge(on_odoo, KEY, "tok", 1, charging="deferred") as transaction:
            raise LookupError("the lookup failed")
    assert fake_iap.paths() == ["/iap/1/authorize", "/iap/1/cancel"] and not queued(on_odoo, transaction.token)
    assert odoo_platform.accounts["tok"] == 10


def test_more_than_authorized_is_refused_and_released(on_odoo, fake_iap, odoo_platform):
    with pytest.raises(ValueError, match="exceeds authorization"):
        with iap_charge(on_odoo, KEY, "tok", 1, charging="deferred") as transaction:
            transaction.credit = 3
    assert fake_iap.paths()[-1] == "/iap/1/cancel" and not queued(on_odoo, transaction.token)


def test_insufficient_credit_is_raised_before_the_block(on_odoo, odoo_platform):
    odoo_platform.accounts["tok"] = 0
    with pytest.raises(InsufficientCreditError) as caught:
        with iap_charge(on_odoo, KEY, "tok", 1, credit_template="iap.no_credit", charging="deferred"):
            pytest.fail("the block must not run")
    assert "Not enough credits" in str(caught.value)


def test_an_unknown_charging_is_refused(env):
    with pytest.raises(ValueError, match="charging must be one of odoo, deferred, quota"):
        with iap_charge(env, KEY, "tok", 1, charging="later"):
            pass


def test_the_senders_thread_captures_once_the_caller_commits(fresh_registry, make_env, fake_iap, odoo_platform):
    env = make_env(fresh_registry)
    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    env.cr.commit()
    try:
        with iap_charge(env, KEY, "tok", 1, charging="deferred") as transaction:
            pass
        assert not odoo_platform.charged  # nothing is sent before the commit
        env.cr.commit(write_lock=False)  # and the test's next transaction takes no lock (SQLite)
        deadline = time.monotonic() + 60
        while not odoo_platform.charged and time.monotonic() < deadline:
            time.sleep(0.05)
        assert odoo_platform.charged == {transaction.token: 1}
    finally:
        sender.stop_all()


def test_a_backlog_goes_batch_after_batch_while_commits_keep_waking_the_sender(fresh_registry, make_env, fake_iap,
                                                                              odoo_platform):
    """Under a steady load every commit wakes the sender, which gathers before a pass; after a full batch it
    goes on at once instead (a pause there would only let the backlog grow).  The test's sender gathers for
    an hour: only a pass that follows a full batch at once lets it empty the outbox."""
    env = make_env(fresh_registry)
    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    running = sender.Sender(fresh_registry)
    running.gather_seconds = 3600
    settle = _batch_route(odoo_platform)

    def capture_batch(params):
        running.wakeup.set()  # requests committing while the pass is under way
        return settle(params)

    fake_iap.routes["/iap/1/capture_batch"] = capture_batch
    odoo_platform.accounts["tok"] = 2 * sender.BATCH + 5
    for _i in range(2 * sender.BATCH + 5):
        with iap_charge(env, KEY, "tok", 1, charging="deferred"):
            pass
    env.cr.postcommit.remove(sender._Wake(fresh_registry))  # the commit's own wake: the test's sender is the one
    env.cr.commit(write_lock=False)
    running.start()
    try:
        deadline = time.monotonic() + 60
        while len(odoo_platform.charged) < 2 * sender.BATCH + 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(odoo_platform.charged) == 2 * sender.BATCH + 5
        assert fake_iap.paths().count("/iap/1/capture_batch") == 3
    finally:
        running.stop()
        assert not running.is_alive()  # a stop ends the gathering pause


def test_a_rolled_back_caller_queues_nothing(fresh_registry, make_env, fake_iap, odoo_platform):
    """The client got nothing: nothing is captured, and the hold is released at its TTL."""
    env = make_env(fresh_registry)
    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    env.cr.commit()
    with iap_charge(env, KEY, "tok", 1, charging="deferred") as transaction:
        pass
    env.cr.rollback()
    assert not queued(env, transaction.token) and transaction.token in odoo_platform.holds


def _charge_three(env) -> list[str]:
    tokens = []
    for _i in range(3):
        with iap_charge(env, KEY, "tok", 1, charging="deferred") as transaction:
            pass
        tokens.append(transaction.token)
    return tokens


def test_on_odoos_platform_each_capture_goes_alone_after_one_try_of_the_batch_route(on_odoo, fake_iap, odoo_platform):
    tokens = _charge_three(on_odoo)
    assert on_odoo["iap.pending.op"].process_due() == {"done": 3, "pending": 0, "failed": 0}
    assert fake_iap.paths()[3:] == ["/iap/1/capture_batch"] + ["/iap/1/capture"] * 3  # a 404, then one by one
    assert odoo_platform.charged == dict.fromkeys(tokens, 1) and odoo_platform.accounts["tok"] == 7
    more = _charge_three(on_odoo)
    on_odoo["iap.pending.op"].process_due()
    assert fake_iap.paths()[10:] == ["/iap/1/capture"] * 3  # the missing route is remembered
    assert set(odoo_platform.charged) == {*tokens, *more}


def _batch_route(odoo_platform, refused=()):
    """Our platform's ``/iap/1/capture_batch`` over the stand-in's accounts (``refused`` tokens: expired)."""
    def capture_batch(params):
        assert params["key"] == KEY
        lines = []
        for item in params["captures"]:
            if item["token"] in refused:
                lines.append({"token": item["token"], "error": {
                    "name": "odoo.exceptions.UserError", "message": "expired", "code": "transaction_expired",
                    "retryable": False}})
            elif item.get("cancel"):
                lines.append({"token": item["token"], "result": odoo_platform.cancel({"token": item["token"]})})
            else:
                lines.append({"token": item["token"], "result": odoo_platform.capture(
                    {"token": item["token"], "key": KEY, "credit_to_capture": item["credit_to_capture"]})})
        return {"results": lines}
    return capture_batch


def test_where_the_platform_has_the_batch_route_the_due_captures_go_in_one_request(on_odoo, fake_iap,
                                                                                   odoo_platform):
    refused = []
    fake_iap.routes["/iap/1/capture_batch"] = _batch_route(odoo_platform, refused)
    tokens = _charge_three(on_odoo)
    refused.append(tokens[1])
    assert on_odoo["iap.pending.op"].process_due() == {"done": 2, "pending": 0, "failed": 1}
    assert fake_iap.paths()[3:] == ["/iap/1/capture_batch"]
    assert [item["token"] for item in fake_iap.calls[3][1]["captures"]] == tokens
    assert odoo_platform.charged == {tokens[0]: 1, tokens[2]: 1}
    failed = queued(on_odoo, tokens[1])
    assert (failed.state, failed.last_error) == ("failed", "expired")


def test_the_releases_of_free_calls_travel_in_the_batch_with_the_captures(on_odoo, fake_iap, odoo_platform):
    fake_iap.routes["/iap/1/capture_batch"] = _batch_route(odoo_platform)
    tokens = []
    for credit in (1, 0, 1, 0):
        with iap_charge(on_odoo, KEY, "tok", 1, charging="deferred") as transaction:
            transaction.credit = credit
        tokens.append(transaction.token)
    assert on_odoo["iap.pending.op"].process_due() == {"done": 4, "pending": 0, "failed": 0}
    assert fake_iap.paths()[4:] == ["/iap/1/capture_batch"]
    assert fake_iap.calls[4][1]["captures"] == [
        {"token": tokens[0], "credit_to_capture": 1}, {"token": tokens[1], "cancel": True},
        {"token": tokens[2], "credit_to_capture": 1}, {"token": tokens[3], "cancel": True}]
    assert odoo_platform.cancelled == {tokens[1], tokens[3]} and odoo_platform.accounts["tok"] == 8
