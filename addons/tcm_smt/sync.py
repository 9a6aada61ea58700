"""Bring SMT in line with subscriptions, after the transaction that changed them has committed.

Each round reads the subscription in a short transaction, sends the HTTP
request with no transaction open in this thread, then records the outcome in
a new transaction.  This runs as a post-commit callback (see
``tcm.smt.subscription._sync_after_commit``), where the old transaction has
ended and no new one has begun.
"""
from __future__ import annotations

import logging

from odoo import SUPERUSER_ID
from odoo.api import Environment

from .smt_client import SmtCall, SmtError

_logger = logging.getLogger(__name__)
ROUNDS = 3  # a contract cancelled while its creation was in flight needs a second call


def sync_subscriptions(registry, ids: tuple[int, ...]) -> None:
    """Send every subscription in ``ids`` to SMT; failures, even unexpected ones, are recorded on them."""
    for subscription_id in ids:
        try:
            sync_one(registry, subscription_id)
        except Exception as exc:  # a bug must not leave the subscription silently pending
            _logger.exception("SMT sync of subscription %s failed unexpectedly", subscription_id)
            _record(registry, subscription_id, None, SmtError(f"internal error: {exc!r}"))


def sync_one(registry, subscription_id: int) -> None:
    for _round in range(ROUNDS):
        call = _prepare(registry, subscription_id)
        if call is None:
            return
        outcome = _send(call)
        if not _record(registry, subscription_id, call, outcome):
            return


def _subscription(cr, subscription_id: int):
    return Environment(cr, SUPERUSER_ID, {})["tcm.smt.subscription"].browse(subscription_id).exists()


def _prepare(registry, subscription_id: int) -> SmtCall | None:
    with registry.cursor() as cr:
        subscription = _subscription(cr, subscription_id)
        return subscription._next_call() if subscription else None


def _send(call: SmtCall) -> dict | SmtError:
    try:
        return call.send()
    except SmtError as exc:
        return exc


def _record(registry, subscription_id: int, call: SmtCall | None, outcome: dict | SmtError) -> bool:
    """Store the outcome; return True when another round is due."""
    with registry.cursor() as cr:
        subscription = _subscription(cr, subscription_id)
        if not subscription:
            return False
        if isinstance(outcome, SmtError):
            subscription._record_failure(str(outcome))
            return False
        return subscription._record_success(call, outcome)
