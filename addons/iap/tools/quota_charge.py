"""``iap_charge(..., charging="quota")``: charge calls against a quota of credits granted in advance.

After Diameter Credit-Control (RFC 8506): instead of asking the platform for every call, the provider asks
it for a quota of the account's credits valid for a while (``/iap/1/quota/grant``, our platform only),
charges each call against it in its own database (``iap.quota``, one row lock per call, committed with
what the call delivers), and reports the cumulative use in batches (``/iap/1/quota/report``), releasing
the rest at the end (``/iap/1/quota/release``).  Most calls make no round trip at all.

The semantics stay ``iap_charge``'s: an exception in the block gives the credit back; ``transaction.credit``
may be lowered (0: nothing charged); more than authorized gives it back and raises ``ValueError``; no quota
left and none grantable is ``InsufficientCreditError`` with the credit template as ``body``.

Terms, the provider's system parameters: ``iap.quota_credit`` (credits asked per grant, default 20; at
least what the call needs), ``iap.quota_validity`` (seconds, 60), ``iap.quota_report_every`` (calls, 50),
``iap.quota_report_seconds`` (15).  A grant of less than asked is accepted (what the account has left).
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal

from odoo.exceptions import AccessError, UserError

from . import sender
from .capture_batch import is_not_found
from .iap_tools import (
    IapTransaction,
    InsufficientCreditError,
    add_credit_template_body,
    call_idempotent,
    call_once,
    charge_cancelled,
    charge_captured,
    check_capture,
    iap_get_endpoint,
    notify_charge,
    own_base_urls,
)
from .write_lock import is_released, lock_for_write, unlock_for_call

_logger = logging.getLogger(__name__)
TERMS = {  # system parameter: (term, default)
    "iap.quota_credit": ("credit", 20), "iap.quota_validity": ("validity", 60),
    "iap.quota_report_every": ("report_every", 50), "iap.quota_report_seconds": ("report_seconds", 15),
}
MARGIN_SECONDS = 2  # at least: the time a release takes to reach the platform before the quota's end
GRANT_WAIT_SECONDS = 30
GRANT_POLL_SECONDS = 0.02
REPORT_TIMEOUT = 10
UNITS_PER_CREDIT = 10_000  # the platform's precision: 1/10,000 credit
NO_QUOTAS = ("The IAP platform at %s does not offer credit quotas (it has no /iap/1/quota/grant): charge with "
             "charging='deferred' or charging='odoo' there.")


def account_key(service_key: str, account_token: str) -> str:
    """How the store knows an account without keeping its token: a hash of the service key and the token."""
    return hashlib.sha256(f"{service_key}\n{account_token}".encode()).hexdigest()


def units_of(credit) -> int:
    """Wire credits -> units of 1/10,000 credit (the platform's precision), rounded half-even.

    Whole credits (most calls charge 1) are multiplied as integers, the rest go through ``Decimal``.
    """
    if type(credit) is int:
        return credit * UNITS_PER_CREDIT
    return int((Decimal(str(credit)) * UNITS_PER_CREDIT).to_integral_value(ROUND_HALF_EVEN))


@contextlib.contextmanager
def charge_from_quota(env, key: str, account_token: str, credit: float, dbuuid=False, description=None,
                      credit_template=None) -> Iterator[IapTransaction]:
    """Charge ``credit`` to a quota of the account (granted first if none has enough left) for the block."""
    units = units_of(credit)
    store = env["iap.quota"].sudo()
    taken = _take_or_grant(env, key, account_token, units, credit, dbuuid, description, credit_template)
    transaction = IapTransaction(credit=credit, token=taken["token"], authorized=credit)
    try:
        yield transaction
    except BaseException:
        _give_back_quietly(store, taken, units)
        raise
    try:
        check_capture(transaction)
    except ValueError:
        _give_back_quietly(store, taken, units)
        raise
    charged = units_of(transaction.credit)
    if charged < units:
        store._give_back(taken["id"], units - charged, call=not charged)
    if taken["due"]:
        sender.wake_after_commit(env)
    notify_charge(charge_captured if charged else charge_cancelled, env, token=taken["token"],
                  credit=transaction.credit)


def _give_back_quietly(store, taken: dict, units: int) -> None:
    """Give the charge back after the block failed; the transaction may be broken, then its rollback does."""
    try:
        store._give_back(taken["id"], units, call=True)
    except Exception:
        _logger.warning("IAP quota %s: could not give back a failed call's charge (its rollback will)",
                        taken["token"])


def _take_or_grant(env, key: str, account_token: str, units: int, credit: float, dbuuid, description,
                   credit_template) -> dict:
    """Charge an open quota; without one, lease the account's slot and grant one (or wait for another
    worker's grant), then charge it."""
    store, slots = env["iap.quota"].sudo(), env["iap.quota.slot"].sudo()
    account = account_key(key, account_token)
    deadline = time.monotonic() + GRANT_WAIT_SECONDS
    guarded = not is_released(env.cr)  # see ``iap.quota._take``: a failed take may keep a row locked
    while True:
        lock_for_write(env.cr)
        taken = store._take(account, units, guarded)
        if taken:
            return taken
        unlock_for_call(env.cr)  # before waiting for the slot
        lock_for_write(env.cr)
        grant_key = slots._claim(account)
        if grant_key is None:
            _wait_for_grant(env, deadline)
            continue
        taken = store._take(account, units, guarded)  # granted by another worker meanwhile
        if taken:
            slots._free(account, keep_grant_key=True)
            return taken
        _grant(env, account, grant_key, key, account_token, credit, dbuuid, description, credit_template)
        if time.monotonic() > deadline:
            raise _attach_retryable(AccessError("IAP quota: the grants kept being used up by other calls; retry."))


def _wait_for_grant(env, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise _attach_retryable(AccessError("IAP quota: another worker's grant for this account did not finish "
                                            f"within {GRANT_WAIT_SECONDS} s; retry."))
    unlock_for_call(env.cr)
    time.sleep(GRANT_POLL_SECONDS)


def _grant(env, account: str, grant_key: str, key: str, account_token: str, credit: float, dbuuid, description,
           credit_template) -> None:
    """Ask the platform for a quota (no transaction open during the call, if the request released its lock)
    and keep it in the store; the slot's lease ends either way."""
    endpoint, terms = iap_get_endpoint(env), quota_terms(env)
    params = {"account_token": account_token, "key": key, "credit": max(terms["credit"], credit),
              "min_credit": credit, "validity": terms["validity"], "description": description,
              "dbuuid": dbuuid or False, "idempotency_key": grant_key}
    unlock_for_call(env.cr)
    try:
        grant = call_idempotent(endpoint + "/iap/1/quota/grant", params, base_urls=own_base_urls(env))
    except InsufficientCreditError as exc:
        _free_slot(env, account, keep_grant_key=False)
        if credit_template:
            add_credit_template_body(env, exc, credit_template)
        raise
    except Exception as exc:
        _free_slot(env, account, keep_grant_key=True)
        if is_not_found(exc):
            raise UserError(NO_QUOTAS % endpoint) from exc
        raise
    lock_for_write(env.cr)
    if grant.get("state") == "open":
        env["iap.quota"].sudo()._store(account, endpoint, key, grant, terms)
    env["iap.quota.slot"].sudo()._free(account)
    sender.wake_after_commit(env)  # the new quota's reports fall due in time


def _free_slot(env, account: str, keep_grant_key: bool) -> None:
    """End the slot's lease for good (committed if the request released its lock: other workers see it)."""
    lock_for_write(env.cr)
    env["iap.quota.slot"].sudo()._free(account, keep_grant_key=keep_grant_key)
    unlock_for_call(env.cr)


def _attach_retryable(exc: Exception) -> Exception:
    exc.data, exc.code, exc.retryable = {"code": "quota_busy", "retryable": True}, "quota_busy", True
    return exc


def quota_terms(env) -> dict:
    """The provider's quota terms (``TERMS``), from its system parameters."""
    params = env["ir.config_parameter"].sudo()
    terms = {name: int(params.get_param(key) or default) for key, (name, default) in TERMS.items()}
    return {**terms, "margin_seconds": MARGIN_SECONDS}


def send_report(call: dict) -> dict:
    """Report (or, for a final one, release) a quota's cumulative use; the outcome, never an exception."""
    route = "release" if call["final"] else "report"
    params = {"token": call["token"], "key": call["key"], "used": call["used"] / UNITS_PER_CREDIT}
    try:
        result = call_once(f"{call['endpoint']}/iap/1/quota/{route}", params, timeout=REPORT_TIMEOUT)
    except Exception as exc:
        return {"ok": False, "error": str(exc) or type(exc).__name__, "code": getattr(exc, "code", None),
                "retryable": bool(getattr(exc, "retryable", False))}
    return {"ok": True, "result": result}
