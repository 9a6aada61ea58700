"""Spec 7.11 case 5 (parallel part) and the issue's race: concurrent requests never overdraw an account.

Each thread runs its own transactions, as concurrent HTTP requests do; PostgreSQL is where row locks
matter (SQLite serialises writers).
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from odoo import SUPERUSER_ID
from odoo.addons.iap.tools.iap_tools import InsufficientCreditError
from odoo.api import Environment

pytestmark = pytest.mark.postgresql_only


def in_transaction(registry, method: str, **kwargs):
    """Call a wire method in a transaction of its own; a credit error is returned, not raised."""
    with registry.cursor() as cr:
        try:
            return getattr(Environment(cr, SUPERUSER_ID, {})["iap.platform.transaction"], method)(**kwargs)
        except InsufficientCreditError as exc:
            return exc


def setup_account(registry, credits: int) -> str:
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        key = env["iap.platform.service"].create_service("race")["key"]
        env["iap.platform.account"].admin_topup("race", "tok", credits)
    return key


def books(registry) -> tuple[list[str], int, int]:
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        account = env["iap.platform.account"].search([("token", "=", "tok")])
        return env["iap.platform.ledger.entry"].check_invariants(), account.available, account.held


class BalanceWatcher(threading.Thread):
    """Reads the balance over and over while the race runs; remembers the lowest value seen."""

    def __init__(self, registry):
        super().__init__(daemon=True)
        self.registry, self.lowest, self.done = registry, None, threading.Event()

    def run(self):
        while not self.done.is_set():
            with self.registry.cursor() as cr:
                for (available,) in cr.execute("SELECT available FROM iap_platform_account").fetchall():
                    self.lowest = available if self.lowest is None else min(self.lowest, available)


def test_twenty_parallel_holds_on_ten_credits(fresh_registry):
    key = setup_account(fresh_registry, 10)
    watcher = BalanceWatcher(fresh_registry)
    watcher.start()
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda i: in_transaction(fresh_registry, "authorize", account_token="tok", credit=1,
                                                         key=key, idempotency_key=f"k{i}"), range(20)))
    watcher.done.set()
    watcher.join()
    tokens = [r for r in results if isinstance(r, str)]
    assert len(tokens) == len(set(tokens)) == 10
    assert all(isinstance(r, InsufficientCreditError) for r in results if not isinstance(r, str))
    assert watcher.lowest is not None and watcher.lowest >= 0
    assert books(fresh_registry) == ([], 0, 100_000)


def test_two_hundred_parallel_charges_on_a_hundred_credits(fresh_registry):
    key = setup_account(fresh_registry, 100)

    def charge(i: int) -> bool:
        token = in_transaction(fresh_registry, "authorize", account_token="tok", credit=1, key=key)
        if not isinstance(token, str):
            return False
        return in_transaction(fresh_registry, "capture", token=token, key=key)["state"] == "captured"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(charge, range(200)))
    assert outcomes.count(True) == 100
    assert books(fresh_registry) == ([], 0, 0)


def test_the_same_idempotency_key_in_parallel_places_one_hold(fresh_registry):
    key = setup_account(fresh_registry, 10)
    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda _i: in_transaction(fresh_registry, "authorize", account_token="tok", credit=1,
                                                        key=key, idempotency_key="same"), range(8)))
    assert len(tokens) == 1
    assert books(fresh_registry) == ([], 90_000, 10_000)


def _lock_account_until(registry, account_id: int, locked: threading.Event, release: threading.Event) -> None:
    with registry.cursor() as cr:
        cr.execute("SELECT id FROM iap_platform_account WHERE id = %s FOR UPDATE", (account_id,))
        locked.set()
        release.wait(60)


def _waiting_on_a_lock(registry) -> bool:
    with registry.cursor() as cr:
        return cr.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                          "AND wait_event_type = 'Lock'").fetchone()[0] > 0


def _free_now(registry, account_id: int) -> bool:
    """Whether nobody holds the account's row lock (asked without waiting)."""
    import psycopg2

    with registry.cursor() as cr:
        try:
            cr.execute("SELECT id FROM iap_platform_account WHERE id = %s FOR UPDATE NOWAIT", (account_id,))
            return True
        except psycopg2.errors.LockNotAvailable:
            return False


def test_a_batch_locks_its_accounts_in_id_order_so_two_batches_never_deadlock(fresh_registry):
    """A batch naming the higher account first still locks the lower one first: while it waits for the lower
    one, the higher one is free.  Locking in item order, two batches naming two accounts in opposite orders
    would each hold one and wait for the other (PostgreSQL would then abort one as a deadlock)."""
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        key = env["iap.platform.service"].create_service("order")["key"]
        for token in ("first", "second"):
            env["iap.platform.account"].admin_topup("order", token, 5)
        platform = env["iap.platform.transaction"]
        holds = {token: platform.authorize(account_token=token, credit=1, key=key) for token in ("first", "second")}
        accounts = {token: env["iap.platform.account"].search([("token", "=", token)]).id for token in holds}
    low, high = sorted(holds, key=accounts.get)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_lock_account_until, args=(fresh_registry, accounts[low], locked, release))
    holder.start()
    try:
        assert locked.wait(30)
        with ThreadPoolExecutor(1) as pool:
            batch = pool.submit(in_transaction, fresh_registry, "capture_batch", key=key, captures=[
                {"token": holds[high], "credit_to_capture": 1}, {"token": holds[low], "credit_to_capture": 1}])
            deadline = time.monotonic() + 30
            while not _waiting_on_a_lock(fresh_registry) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _free_now(fresh_registry, accounts[high])  # the batch waits for the lower account, holding none
            release.set()
            results = batch.result(60)["results"]
    finally:
        release.set()
        holder.join()
    assert [line["result"]["state"] for line in results] == ["captured", "captured"]
    assert books(fresh_registry)[0] == []
