"""The provider's outbox: retries with backoff, settles for good, and lets an operator retry or give up."""
import datetime as dt
import subprocess
import sys
import uuid

import pytest
from odoo import SUPERUSER_ID, fields
from odoo.addons.iap.models.iap_pending_op import perform
from odoo.addons.iap.tests.fake_iap import FakePlatform, OdooError, RawReply
from odoo.api import Environment
from odoo.exceptions import UserError

from server.config import ROOT


def queue(env, endpoint: str, operation: str = "capture", token: str = "iaptx_1"):
    op = env["iap.pending.op"].enqueue(operation, token, "key", credit=1, endpoint=endpoint, ttl_hours=1)
    op.write({"next_attempt_at": fields.Datetime.now() - dt.timedelta(seconds=1)})
    return op


def test_a_transient_failure_backs_off(env, fake_iap, no_backoff):
    def down(params):
        raise RawReply(503)
    fake_iap.routes["/iap/1/capture"] = down
    op = queue(env, fake_iap.url)
    before = fields.Datetime.now()
    env["iap.pending.op"].process_due()
    assert (op.state, op.attempts, op.service_key) == ("pending", 1, "key")
    assert "returned an error" in op.last_error
    assert op.next_attempt_at >= before + dt.timedelta(seconds=30)


def test_a_definitive_refusal_fails_and_erases_the_key(env, fake_iap, no_backoff):
    def expired(params):
        raise OdooError("odoo.exceptions.UserError", "Transaction expired", code="transaction_expired")
    fake_iap.routes["/iap/1/capture"] = expired
    op = queue(env, fake_iap.url)
    env["iap.pending.op"].process_due()
    assert (op.state, op.service_key, op.last_error) == ("failed", False, "Transaction expired")
    with pytest.raises(UserError, match="no longer has its service key"):
        op.action_retry()
    op.action_give_up()
    assert op.state == "cancelled"


def test_queueing_twice_keeps_one_operation(env):
    first = env["iap.pending.op"].enqueue("capture", "iaptx_twice", "k", credit=1, endpoint="http://p")
    assert env["iap.pending.op"].enqueue("capture", "iaptx_twice", "k", credit=1, endpoint="http://p") == first


def test_a_done_operation_cannot_be_retried_or_given_up(env, fake_iap):
    FakePlatform(fake_iap).holds["iaptx_done"] = 1
    op = queue(env, fake_iap.url, token="iaptx_done")
    env["iap.pending.op"].process_due()
    assert op.state == "done"
    with pytest.raises(UserError):
        op.action_retry()
    with pytest.raises(UserError):
        op.action_give_up()


def test_the_cli_runs_the_due_operations(fresh_registry, fake_iap):
    platform = FakePlatform(fake_iap)
    platform.holds["iaptx_cli"] = 1
    with fresh_registry.cursor() as cr:
        queue(Environment(cr, SUPERUSER_ID, {}), fake_iap.url, token="iaptx_cli")

    def outbox(*args):
        return subprocess.run([sys.executable, "odoo-bin.py", "iap-outbox", *args, "--db-uri", fresh_registry.uri],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert "iaptx_cli  pending" in outbox("list").stdout.replace("capture ", "")
    ran = outbox("run")
    assert ran.stdout.strip() == "1 operations tried: 1 done, 0 to retry, 0 failed", ran.stderr
    assert platform.captured == {"iaptx_cli": 1}
    assert outbox("list").stdout.strip() == "no queued IAP operations"
    assert outbox("retry", "999").returncode == 1


def test_a_cancel_is_queued_durably(env):
    """On PostgreSQL it is committed on its own (the caller is about to roll back); on SQLite it is in the caller's."""
    token = f"iaptx_{uuid.uuid4().hex}"
    op = env["iap.pending.op"].enqueue("cancel", token, "k", endpoint="http://p")
    assert (op.operation, op.state, op.service_key, op.last_error) == ("cancel", "pending", "k", False)


def test_sending_holds_no_transaction_open_across_the_call(fresh_registry, fake_iap, no_backoff):
    """Issue #12: the lease is committed before the call (another connection sees it and may write), the
    outcome recorded in a transaction of its own."""
    platform = FakePlatform(fake_iap)
    platform.holds["iaptx_seen"] = 1
    with fresh_registry.cursor() as cr:
        op_id = queue(Environment(cr, SUPERUSER_ID, {}), fake_iap.url, token="iaptx_seen").id
    seen = {}
    capture = fake_iap.routes["/iap/1/capture"]

    def capture_and_look(params):
        with fresh_registry.cursor() as cr:  # another connection, while the sender waits for this answer
            seen["lease"] = cr.execute("SELECT next_attempt_at FROM iap_pending_op WHERE id = %s",
                                       (op_id,)).fetchone()[0]
            cr.execute("UPDATE iap_pending_op SET last_error = %s WHERE id = %s", ("written during the call", op_id))
        return capture(params)
    fake_iap.routes["/iap/1/capture"] = capture_and_look
    with fresh_registry.cursor() as cr:
        assert Environment(cr, SUPERUSER_ID, {})["iap.pending.op"]._send_due() == {"done": 1, "pending": 0,
                                                                                   "failed": 0}
    assert fields.Datetime.to_datetime(seen["lease"]) > fields.Datetime.now()  # leased and committed first
    with fresh_registry.cursor() as cr:
        op = Environment(cr, SUPERUSER_ID, {})["iap.pending.op"].browse(op_id)
        assert (op.state, op.attempts, op.last_error) == ("done", 1, False)
    assert platform.captured == {"iaptx_seen": 1}


def test_a_sender_that_died_mid_call_is_relieved_when_its_lease_ends(fresh_registry, fake_iap, no_backoff):
    """Leased and sent, but never recorded: sent again after the lease, answered from the first capture."""
    platform = FakePlatform(fake_iap)
    platform.holds["iaptx_crash"] = 1
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        op = queue(env, fake_iap.url, token="iaptx_crash")
        [call] = env["iap.pending.op"]._claim_due()
    assert perform(call)["ok"]  # the platform captured; the sender dies before recording it
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        assert env["iap.pending.op"]._send_due()["done"] == 0  # still leased: nobody sends it meanwhile
        cr.execute("UPDATE iap_pending_op SET next_attempt_at = %s WHERE id = %s",
                   (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(seconds=1)), op.id))
        assert env["iap.pending.op"]._send_due()["done"] == 1
    assert fake_iap.paths().count("/iap/1/capture") == 2 and platform.captured == {"iaptx_crash": 1}


@pytest.mark.postgresql_only
def test_two_senders_never_take_the_same_operation(fresh_registry):
    import threading

    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        for index in range(20):
            queue(env, "http://127.0.0.1:9", token=f"iaptx_race_{index}")
    barrier, claimed = threading.Barrier(2), []

    def claim():
        with fresh_registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            barrier.wait()
            claimed.append({call["id"] for call in env["iap.pending.op"]._claim_due(15)})

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    first, second = claimed
    assert not first & second and len(first | second) == 20
