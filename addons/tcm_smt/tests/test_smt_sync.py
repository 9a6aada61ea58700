"""SMT over HTTP: called after the commit with no transaction open; a failure is visible and retryable."""
import contextlib
import sqlite3

import psycopg2
import pytest

from server.orm.environment import SUPERUSER_ID, Environment

from .fake_smt import FakeSMT

SUBSCRIPTION_FIELDS = ["state", "wanted", "remote_id", "remote_status", "last_error", "attempts"]


@pytest.fixture
def smt():
    with FakeSMT(api_key="s3cret") as server:
        yield server


@contextlib.contextmanager
def transaction(registry):
    """One committed transaction, as one request would be."""
    with registry.cursor() as cr:
        yield Environment(cr, SUPERUSER_ID, {})


def configure(registry, endpoint: str) -> None:
    with transaction(registry) as env:
        env["ir.config_parameter"].set_param("tcm_smt.endpoint", endpoint)
        env["ir.config_parameter"].set_param("tcm_smt.api_key", "s3cret")


def create_contract(registry, name: str) -> int:
    with transaction(registry) as env:
        product = env["tcm.product"].create({"name": "Titans SMT", "payment_backend": "smt"})
        return env["tcm.contract"].create({"name": name, "product_id": product.id}).id


def cancel_contract(registry, contract_id: int) -> None:
    with transaction(registry) as env:
        env["tcm.contract"].browse(contract_id).action_cancel()


def subscription_of(registry, contract_id: int) -> dict:
    with transaction(registry) as env:
        [row] = env["tcm.smt.subscription"].search_read([("contract_id", "=", contract_id)], SUBSCRIPTION_FIELDS)
        return row


def open_transactions(registry) -> int:
    """How many transactions are open on the registry's database, seen from another connection."""
    if registry.uri.startswith("sqlite:"):
        conn = sqlite3.connect(registry.uri[len("sqlite:///"):], timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")  # every transaction of ours holds the write lock
            conn.rollback()
            return 0
        except sqlite3.OperationalError:
            return 1
        finally:
            conn.close()
    with contextlib.closing(psycopg2.connect(registry.uri)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()")
        return cur.fetchone()[0]


def test_smt_is_called_after_the_commit_with_no_transaction_open(fresh_registry, smt):
    seen_open = []
    smt.on_request = lambda: seen_open.append(open_transactions(fresh_registry))
    configure(fresh_registry, smt.url)
    contract_id = create_contract(fresh_registry, "Contract_1")
    [(path, payload)] = smt.requests
    assert (path, payload["contract"], payload["customer"]) == ("/api/subscriptions", "Contract_1", "System")
    assert payload["reference"].endswith(f":{contract_id}")
    assert subscription_of(fresh_registry, contract_id) | {"id": 0} == {
        "id": 0, "state": "synced", "wanted": "active", "remote_id": "SMT-1", "remote_status": "active",
        "last_error": False, "attempts": 0}
    cancel_contract(fresh_registry, contract_id)
    assert smt.requests[-1][0] == "/api/subscriptions/SMT-1/cancel"
    assert smt.subscriptions["SMT-1"]["status"] == "cancelled"
    assert subscription_of(fresh_registry, contract_id)["remote_status"] == "cancelled"
    assert seen_open == [0, 0]
    with transaction(fresh_registry) as env:
        env["res.partner"].search([], limit=1)  # PostgreSQL sees a transaction from its first statement
        assert open_transactions(fresh_registry) == 1  # the probe does see an open transaction


def test_smt_down_leaves_the_contract_and_a_failed_subscription_that_a_retry_fixes(fresh_registry, smt):
    configure(fresh_registry, smt.url)
    smt.down = True
    contract_id = create_contract(fresh_registry, "Contract_1")
    failed = subscription_of(fresh_registry, contract_id)
    assert (failed["state"], failed["attempts"]) == ("failed", 1)
    assert "HTTP 503" in failed["last_error"] and "under maintenance" in failed["last_error"]
    with transaction(fresh_registry) as env:
        contract = env["tcm.contract"].browse(contract_id)
        assert (contract.state, contract.activated) == ("open", True)
        assert env["tcm.smt.subscription"].retry_failed() == 1  # SMT still down
    assert subscription_of(fresh_registry, contract_id)["attempts"] == 2
    smt.down = False
    with transaction(fresh_registry) as env:
        env["tcm.smt.subscription"].search([("state", "=", "failed")]).action_retry()
    synced = subscription_of(fresh_registry, contract_id)
    assert (synced["state"], synced["remote_id"], synced["last_error"], synced["attempts"]) == (
        "synced", "SMT-1", False, 0)


def test_an_unconfigured_endpoint_is_named_and_a_retry_succeeds_once_it_is_set(fresh_registry, smt):
    contract_id = create_contract(fresh_registry, "Contract_1")
    failed = subscription_of(fresh_registry, contract_id)
    assert failed["state"] == "failed" and "set the system parameter tcm_smt.endpoint" in failed["last_error"]
    assert smt.requests == []
    configure(fresh_registry, smt.url)
    with transaction(fresh_registry) as env:
        env["tcm.smt.subscription"].retry_failed()
    assert subscription_of(fresh_registry, contract_id)["state"] == "synced"


def test_a_contract_cancelled_before_smt_heard_of_it_needs_no_cancel_call(fresh_registry, smt):
    configure(fresh_registry, smt.url)
    smt.down = True
    contract_id = create_contract(fresh_registry, "Contract_1")
    cancel_contract(fresh_registry, contract_id)
    subscription = subscription_of(fresh_registry, contract_id)
    assert (subscription["state"], subscription["wanted"], subscription["remote_id"]) == ("synced", "cancelled", False)
    assert [path for path, _payload in smt.requests] == ["/api/subscriptions"]
