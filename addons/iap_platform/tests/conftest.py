"""Fixtures of the platform's tests: a service with its key, funded accounts, and a check of the books.

Every test that uses ``service`` ends by asserting the ledger invariants (journals sum to zero, balances
equal ledger sums, holds equal open transactions, captures split exactly).
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest


@pytest.fixture
def platform(env):
    """The wire operations: ``platform.authorize(...)``, ``platform.capture(...)``, ``platform.cancel(...)``."""
    return env["iap.platform.transaction"]


@pytest.fixture
def service(env):
    """A new service with a unique name: ``.record``, ``.name``, ``.key``; the books must balance afterwards."""
    created = env["iap.platform.service"].create_service(f"svc_{uuid.uuid4().hex[:10]}")
    yield SimpleNamespace(record=env["iap.platform.service"].browse(created["id"]), name=created["technical_name"],
                          key=created["key"])
    assert env["iap.platform.ledger.entry"].check_invariants() == []


@pytest.fixture
def account(env, service):
    """``account(token)``: the service's account with this token (empty if none)."""
    def account(token: str):
        return env["iap.platform.account"].search([("service_id", "=", service.record.id), ("token", "=", token)])
    return account


@pytest.fixture
def fund(env, service, account):
    """``fund(token, credits)`` tops the service's account ``token`` up and returns the account."""
    def fund(token: str, credits):
        env["iap.platform.account"].admin_topup(service.name, token, credits)
        return account(token)
    return fund


@pytest.fixture
def ledger_of(env):
    """``ledger_of(transaction_token)``: ``{account code: amount}`` summed over the transaction's journals."""
    def ledger_of(token: str) -> dict[str, int]:
        transaction = env["iap.platform.transaction"].search([("token", "=", token)])
        lines: dict[str, int] = {}
        for entry in env["iap.platform.ledger.entry"].search([("transaction_id", "=", transaction.id)]):
            lines[entry.account_code] = lines.get(entry.account_code, 0) + entry.amount
        return lines
    return ledger_of
