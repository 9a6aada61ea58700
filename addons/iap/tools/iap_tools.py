"""In-App Purchase helpers under Odoo's names: JSON-RPC to IAP services, and a provider's charge flow.

Wire-compatible with Odoo's ``odoo.addons.iap.tools.iap_tools`` (14.0 to 18.0): the same payloads, the
same exception classes (their dotted path is part of the contract, clients and browsers match on it) and
the same ``iap_charge`` context manager.  Where we differ, we are safer:

* ``iap_jsonrpc`` never crashes on an error without ``data`` or ``name``, and every exception it raises
  carries ``.data``, ``.code`` and ``.retryable``.
* ``iap_charge`` authorizes with an idempotency key and retries the idempotent calls (authorize with a
  key, capture, cancel) on transient failures.  An exception in the body cancels the hold and re-raises
  *that* exception even if the cancel fails.  A capture that still fails after the service was delivered
  is queued in the durable outbox (``iap.pending.op``) instead of failing a request the client would
  retry and pay twice.
* ``iap_sell`` (ours, against our platform's ``/iap/1/sale``) charges in one request what ``iap_charge``
  charges in two, for a service computed before it is paid for and delivered only once paid.
* A call to this very server and database (the one-server setup) is served in-process, without HTTP
  or a worker slot, so that a server calling itself never deadlocks (see ``self_call``).
* The idempotent calls go through a ``requests`` session per thread (``http_client``) that keeps its
  connections where the platform keeps them open and reads the environment's proxy settings once.
  ``iap_jsonrpc`` itself uses ``requests``, a new connection per call, as Odoo's does.

* ``iap_charge(..., charging="deferred" | "quota")`` asks the platform once per call (the capture sent
  after the caller commits, from the outbox) or, with our platform, mostly not at all (credit quotas, see
  ``quota_charge``).

Outgoing calls happen inside the caller's transaction, as in Odoo, unless the caller released it for
them (``write_lock.release_write_lock`` / ``release_at_calls``): then no transaction is open during a call.
"""
from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import requests
from odoo import signals
from odoo.exceptions import AccessError, UserError

from . import http_client, self_call, sender
from .credit_templates import add_credit_template_body, render_credit_template  # noqa: F401 (public names)
from .write_lock import is_writing, lock_for_write, unlock_for_call

_logger = logging.getLogger(__name__)

# Without an ``iap.endpoint`` parameter the platform is this very server (our ``iap_platform`` addon), at
# the address it is reached by (``self_call.this_server_url``); this is the last resort of that lookup.
DEFAULT_ENDPOINT = "http://localhost:8069"
DEFAULT_TTL_HOURS = 4320
# How ``iap_charge`` asks the platform (see its docstring).
CHARGING = ("odoo", "deferred", "quota")
# Pauses before each retry of an idempotent call (three retries at most).
RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0)
# The extras of ``error.data`` beyond Odoo's serialize_exception keys.
WIRE_EXTRAS = ("code", "retryable", "retry_after")

UNREACHABLE_MESSAGE = ("The url that this service requested returned an error. Please contact the author of "
                       "the app. The url it tried to contact was %s")
SERVER_ERROR_MESSAGE = "An error occurred while reaching %s. Please contact Odoo support if this error persists."
TIMEOUT_MESSAGE = ("The request to the service timed out. Please contact the author of the app. The URL it "
                   "tried to contact was %s")

charge_authorized = signals.signal("iap_charge_authorized", "a hold was placed: token, credit")
charge_captured = signals.signal("iap_charge_captured", "a hold was captured: token, credit")
charge_cancelled = signals.signal("iap_charge_cancelled", "a hold was released: token")
charge_deferred = signals.signal("iap_charge_deferred", "an operation went to the outbox: token, operation")


# -- exceptions -------------------------------------------------------------------------------------
class InsufficientCreditError(Exception):
    """The account cannot pay for the service.

    ``str(e)`` is a JSON object: title, message, base_url, service_name, credit, trial (plus ``body``,
    the provider's rendered credit template, once a provider re-raises it).  ``e.data`` is the JSON-RPC
    ``error.data`` it came with.
    """

    user_facing = True  # the caller can act on it (buy credits): no traceback in the server log

    def __init__(self, *args, data: dict | None = None):
        super().__init__(*args)
        _attach(self, data or {}, retryable=False)


class IAPServerError(Exception):
    """The IAP server failed in a way the caller cannot fix (unknown error, or one marked retryable)."""

    def __init__(self, *args, data: dict | None = None):
        super().__init__(*args)
        data = data or {}
        _attach(self, data, retryable=bool(data.get("retryable")))


class IAPTimeoutError(AccessError):
    """The IAP server did not answer in time; the request may or may not have been processed."""


def _attach(exc: BaseException, data: dict, retryable: bool) -> BaseException:
    exc.data = data
    exc.code = data.get("code")
    exc.retryable = retryable
    return exc


def iap_error_data(exc: BaseException, debug: str = "") -> dict:
    """The ``error.data`` of a JSON-RPC error envelope for ``exc``, as Odoo clients parse it.

    Odoo's ``serialize_exception`` keys (name, message, arguments, context, debug) plus our extras from
    ``exc.data`` (code, retryable, retry_after).  ``name`` is the dotted class path, ``odoo.`` instead of
    our ``server.`` package, so the last segment is what Odoo's ``iap_jsonrpc`` dispatches on.
    """
    extras = getattr(exc, "data", None) or {}
    context = getattr(exc, "context", None)
    data = {"name": wire_name(type(exc)), "message": str(exc), "arguments": [str(a) for a in exc.args],
            "context": context if isinstance(context, dict) else {}, "debug": debug}
    data.update({key: extras[key] for key in WIRE_EXTRAS if key in extras})
    return data


def wire_name(cls: type) -> str:
    """``server.exceptions.UserError`` -> ``odoo.exceptions.UserError``; addon classes keep their path."""
    module = cls.__module__
    if module == "server" or module.startswith("server."):
        module = "odoo" + module[len("server"):]
    return f"{module}.{cls.__qualname__}"


# -- JSON-RPC -----------------------------------------------------------------------------------------
def own_base_urls(env) -> tuple[str, ...]:
    """This server's configured address (``web.base.url``): a platform there is served in-process."""
    return (env["ir.config_parameter"].sudo().get_param("web.base.url", ""),)


def iap_get_endpoint(env) -> str:
    """The IAP platform's base URL: the ``iap.endpoint`` system parameter, else this server, on whatever
    address and port it runs (``self_call.this_server_url``)."""
    endpoint = env["ir.config_parameter"].sudo().get_param("iap.endpoint") or self_call.this_server_url(env)
    return (endpoint or DEFAULT_ENDPOINT).rstrip("/")


def iap_jsonrpc(url: str, method: str = "call", params: dict | None = None, timeout: float | tuple = 15) -> Any:
    """POST a JSON-RPC 2.0 call to ``url`` and return its ``result``.

    Raises ``InsufficientCreditError``, ``AccessError`` or ``UserError`` for the server's errors of those
    names (last segment of ``error.data.name``, as Odoo 14-17 do), ``IAPTimeoutError`` on a timeout, and
    ``AccessError`` for anything else (transport failure, HTTP error, unknown or missing error name).
    Every exception has ``.data`` (the error's data), ``.code`` and ``.retryable``.
    """
    return _jsonrpc(requests, url, method, params, timeout)


def _jsonrpc(client, url: str, method: str, params: dict | None, timeout, base_urls=()) -> Any:
    """``iap_jsonrpc`` through ``client``: the ``requests`` module, or a ``requests.Session``.

    A URL of this very server and database (its origin the current request's, one of ``base_urls``
    or loopback on our port) is served in-process instead (``self_call``).
    """
    payload = {"jsonrpc": "2.0", "method": method, "params": params or {}, "id": uuid.uuid4().hex}
    app = self_call.local_application(url, base_urls)
    if app is not None:
        client = self_call.InProcessClient(app)
    started = time.monotonic()
    response = _post(client, url, payload, timeout)
    _logger.info("iap jsonrpc %s answered in %.3f seconds", url, time.monotonic() - started)
    if "error" in response:
        raise error_from_response(url, response["error"])
    return response.get("result")


def _post(client, url: str, payload: dict, timeout) -> dict:
    try:
        reply = client.post(url, json=payload, timeout=timeout)
        reply.raise_for_status()
        body = reply.json()
    except requests.exceptions.Timeout as exc:
        raise _attach(IAPTimeoutError(TIMEOUT_MESSAGE % url), {"code": "timeout"}, retryable=True) from exc
    except requests.exceptions.HTTPError as exc:
        retryable = exc.response is not None and exc.response.status_code >= 500
        raise _attach(AccessError(UNREACHABLE_MESSAGE % url), {"code": "http_error"}, retryable) from exc
    except (requests.exceptions.RequestException, ValueError) as exc:
        retryable = isinstance(exc, requests.exceptions.ConnectionError)
        raise _attach(AccessError(UNREACHABLE_MESSAGE % url), {"code": "transport_error"}, retryable) from exc
    if not isinstance(body, dict):
        raise _attach(AccessError(UNREACHABLE_MESSAGE % url), {"code": "invalid_response"}, retryable=False)
    return body


def error_from_response(url: str, error) -> Exception:
    """The exception for a JSON-RPC ``error`` member, tolerating a missing ``data`` or ``name``."""
    data = (error.get("data") if isinstance(error, dict) else None) or {}
    if not isinstance(data, dict):
        data = {}
    data = _with_extras(data)
    name = str(data.get("name") or "").rpartition(".")[-1]
    message = data.get("message") or ""
    retryable = bool(data.get("retryable"))
    if name == "InsufficientCreditError":
        return InsufficientCreditError(message, data=data)
    if name in ("AccessError", "UserError"):
        cls = AccessError if name == "AccessError" else UserError
        return _attach(cls(message), data, retryable)
    _logger.warning("iap jsonrpc %s: server error %r: %s", url, data.get("name"), message)
    wrapped = _attach(AccessError(SERVER_ERROR_MESSAGE % url), data, retryable)
    wrapped.__cause__ = IAPServerError(message, data=data)
    return wrapped


def _with_extras(data: dict) -> dict:
    """``data`` with ``code``/``retryable`` lifted from ``data.context`` when only a plain Odoo serializer ran."""
    context = data.get("context")
    if not isinstance(context, dict):
        return data
    return {**{key: context[key] for key in WIRE_EXTRAS if key in context}, **data}


def call_once(url: str, params: dict, timeout: float | tuple = 15, base_urls=()) -> Any:
    """``iap_jsonrpc`` through this thread's session, without retries (the caller retries with backoff)."""
    return _jsonrpc(http_client.thread_client(), url, "call", params, timeout, base_urls)


def call_idempotent(url: str, params: dict, timeout: float | tuple = 15, base_urls=()) -> Any:
    """``iap_jsonrpc`` for a call that is safe to repeat: retry transient failures with backoff."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return _jsonrpc(http_client.thread_client(), url, "call", params, timeout, base_urls)
        except Exception as exc:
            if delay is None or not getattr(exc, "retryable", False):
                raise
            _logger.warning("iap jsonrpc %s failed (%s); retrying in %.1f s", url, exc, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


# -- provider helpers -------------------------------------------------------------------------------
class IapTransaction:
    """The hold ``iap_charge`` yields: lower ``credit`` to capture less (0 releases the hold)."""

    def __init__(self, credit: float | None = None, token: str | None = None, authorized: float | None = None):
        self.credit = credit
        self.token = token
        self.authorized = authorized


def iap_authorize(env, key: str, account_token: str, credit: float, dbuuid=False, description: str | None = None,
                  credit_template: str | None = None, ttl: int = DEFAULT_TTL_HOURS, *,
                  idempotency_key: str | None = None) -> str:
    """Place a hold of ``credit`` on the client's account and return the transaction token.

    With an ``idempotency_key`` the call is retried on transient failures: the platform answers a
    repeated key with the same token.  On ``InsufficientCreditError`` the rendered ``credit_template``
    is added to the error's JSON message as ``body`` before it is re-raised.
    """
    return _authorize_at(env, iap_get_endpoint(env), key, account_token, credit, dbuuid, description,
                         credit_template, ttl, idempotency_key)


def _authorize_at(env, endpoint: str, key: str, account_token: str, credit: float, dbuuid, description,
                  credit_template, ttl: int, idempotency_key: str | None) -> str:
    """``iap_authorize`` against an endpoint the caller looked up (``iap_charge`` needs it twice)."""
    params = {"account_token": account_token, "credit": credit, "key": key, "description": description, "ttl": ttl}
    if dbuuid:
        params["dbuuid"] = dbuuid
    if idempotency_key:
        params["idempotency_key"] = idempotency_key
    url = endpoint + "/iap/1/authorize"
    unlock_for_call(env.cr)
    try:
        if idempotency_key:
            return call_idempotent(url, params, base_urls=own_base_urls(env))
        return _jsonrpc(requests, url, "call", params, 15, own_base_urls(env))
    except InsufficientCreditError as exc:
        if credit_template:
            add_credit_template_body(env, exc, credit_template)
        raise


def iap_cancel(env, transaction_token: str, key: str) -> dict:
    """Release the hold (idempotent: cancelling twice is harmless); return the platform's summary."""
    unlock_for_call(env.cr)
    return cancel_at(iap_get_endpoint(env), transaction_token, key, base_urls=own_base_urls(env))


def iap_capture(env, transaction_token: str, key: str, credit: float) -> dict:
    """Charge ``credit`` (at most what was authorized; 0 releases) and release the rest; idempotent."""
    unlock_for_call(env.cr)
    return capture_at(iap_get_endpoint(env), transaction_token, key, credit, base_urls=own_base_urls(env))


def cancel_at(endpoint: str, transaction_token: str, key: str, base_urls=()) -> dict:
    """``iap_cancel`` against an explicit platform URL (the outbox keeps the URL of the original call)."""
    return call_idempotent(endpoint + "/iap/1/cancel", {"token": transaction_token, "key": key},
                            base_urls=base_urls)


def capture_at(endpoint: str, transaction_token: str, key: str, credit: float, base_urls=()) -> dict:
    """``iap_capture`` against an explicit platform URL."""
    params = {"token": transaction_token, "key": key, "credit_to_capture": credit}
    return call_idempotent(endpoint + "/iap/1/capture", params, base_urls=base_urls)


def iap_sell(env, key: str, account_token: str, credit: float, dbuuid=False, description: str | None = None,
             credit_template: str | None = None, ttl: int = DEFAULT_TTL_HOURS, *, idempotency_key: str | None = None,
             credit_to_capture: float | None = None) -> dict:
    """Hold ``credit`` and capture ``credit_to_capture`` of it (default: all) in one platform request.

    ``iap_charge`` in one request instead of two, for a service computed before it is paid for (a
    lookup whose answer is sent only once paid; one that finds nothing need not call at all).  The
    platform's books are those of an authorize and a capture.  Requires our platform (``/iap/1/sale``).

    Retried on transient failures with the same ``idempotency_key`` (a fresh one if not given): the
    platform answers a repeated key with the first sale, so a retried request is charged once.  Returns
    the platform's summary (``token, state, authorized, captured, released, ..., replayed``).  Raises
    ``InsufficientCreditError`` (with the rendered ``credit_template`` as ``body``, as ``iap_charge``),
    ``AccessError``/``UserError`` for refusals, and ``ValueError`` for a credit that is not positive.
    """
    _check_credit(credit)
    params = {"account_token": account_token, "credit": credit, "key": key, "description": description, "ttl": ttl,
              "idempotency_key": idempotency_key or uuid.uuid4().hex}
    if dbuuid:
        params["dbuuid"] = dbuuid
    if credit_to_capture is not None:
        params["credit_to_capture"] = credit_to_capture
    url = iap_get_endpoint(env) + "/iap/1/sale"
    unlock_for_call(env.cr)
    try:
        result = call_idempotent(url, params, base_urls=own_base_urls(env))
    except InsufficientCreditError as exc:
        if credit_template:
            add_credit_template_body(env, exc, credit_template)
        raise
    if not result.get("replayed"):
        _notify_settled(env, result)
    return result


def _notify_settled(env, sale: dict) -> None:
    if sale.get("captured"):
        notify_charge(charge_captured, env, token=sale["token"], credit=sale["captured"])
    else:
        notify_charge(charge_cancelled, env, token=sale["token"])


@contextlib.contextmanager
def iap_charge(env, key: str, account_token: str, credit: float, dbuuid=False, description: str | None = None,
               credit_template: str | None = None, ttl: int = DEFAULT_TTL_HOURS, *,
               idempotency_key: str | None = None, on_capture_error: str = "defer",
               charging: str = "odoo") -> Iterator[IapTransaction]:
    """Hold ``credit`` for the duration of the block, then capture ``transaction.credit``.

    An exception in the block (any ``BaseException``) cancels the hold and re-raises the original
    exception, even if the cancel fails (the cancel then goes to the outbox).  On success the block's
    ``transaction.credit`` is captured: 0 releases the hold; more than authorized cancels and raises
    ``ValueError``.  A capture failing transiently is queued in the outbox with ``on_capture_error='defer'``
    (the default) and raised with ``'raise'`` (Odoo's behaviour).  ``InsufficientCreditError`` (raised
    before the block runs) carries the rendered ``credit_template`` as ``body``.

    ``charging`` says how the platform is asked, the semantics staying the same:

    * ``"odoo"`` (Odoo's): authorize, then capture or cancel, both while the caller waits;
    * ``"deferred"``: authorize while the caller waits; the capture (or the release) is queued in the
      caller's transaction and sent once it commits (``iap.pending.op``): one round trip per call;
    * ``"quota"`` (our platform only): the credit is charged against a quota of the account's credits
      granted to this provider in advance and kept in its database (``iap.quota``), reported in batches:
      most calls make no round trip at all.

    Example (a provider's route)::

        with iap_charge(request.env, key, account_token, 1, ttl=1) as transaction:
            found = lookup(isbn)
            if not found:
                transaction.credit = 0
    """
    _check_credit(credit)
    if on_capture_error not in ("defer", "raise"):
        raise ValueError(f"on_capture_error must be 'defer' or 'raise', not {on_capture_error!r}")
    if charging not in CHARGING:
        raise ValueError(f"charging must be one of {', '.join(CHARGING)}, not {charging!r}")
    if charging == "quota":
        from .quota_charge import charge_from_quota

        with charge_from_quota(env, key, account_token, credit, dbuuid, description, credit_template) as quota:
            yield quota
        return
    endpoint = iap_get_endpoint(env)
    token = _authorize_at(env, endpoint, key, account_token, credit, dbuuid, description, credit_template, ttl,
                          idempotency_key or uuid.uuid4().hex)
    notify_charge(charge_authorized, env, token=token, credit=credit)
    transaction = IapTransaction(credit=credit, token=token, authorized=credit)
    try:
        yield transaction
    except BaseException:
        _release(env, key, token, ttl, call_now=not is_writing(env.cr))
        raise
    if charging == "deferred":
        _settle_later(env, key, transaction, ttl, endpoint)
    else:
        _settle(env, key, transaction, ttl, on_capture_error)


def _check_credit(credit) -> None:
    if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not credit > 0:
        raise ValueError(f"iap_charge needs a positive number of credits, got {credit!r}")


def check_capture(transaction: IapTransaction) -> None:
    """Refuse a ``transaction.credit`` that is not a number between 0 and what was authorized."""
    credit = transaction.credit
    if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not 0 <= credit <= transaction.authorized:
        raise ValueError(f"capture exceeds authorization: transaction.credit is {credit!r}, "
                         f"authorized {transaction.authorized!r}; the hold was released")


def _settle(env, key: str, transaction: IapTransaction, ttl: int, on_capture_error: str) -> None:
    credit = transaction.credit
    if credit == 0:
        _release(env, key, transaction.token, ttl)
        return
    try:
        check_capture(transaction)
    except ValueError:
        _release(env, key, transaction.token, ttl)
        raise
    try:
        iap_capture(env, transaction.token, key, credit)
    except Exception as exc:
        if on_capture_error == "raise" or not getattr(exc, "retryable", False):
            raise
        _logger.warning("IAP capture of %s failed after the service was delivered (%s); queued for retry",
                        transaction.token, exc)
        _enqueue(env, "capture", transaction.token, key, credit, ttl, str(exc))
        return
    notify_charge(charge_captured, env, token=transaction.token, credit=credit)


def _settle_later(env, key: str, transaction: IapTransaction, ttl: int, endpoint: str) -> None:
    """``charging="deferred"``: queue the capture (the release for 0) in the caller's transaction.

    It becomes durable exactly when what the caller delivers does, and this process's sender sends it
    once the transaction commits (the cron, if this process dies first).
    """
    try:
        check_capture(transaction)
    except ValueError:
        _release(env, key, transaction.token, ttl)
        raise
    operation = "capture" if transaction.credit else "cancel"
    lock_for_write(env.cr)
    env["iap.pending.op"].sudo()._queue_deferred(operation, transaction.token, key, transaction.credit or None, ttl,
                                                 endpoint)
    sender.wake_after_commit(env)
    notify_charge(charge_deferred, env, token=transaction.token, operation=operation)


def _release(env, key: str, token: str, ttl: int, call_now: bool = True) -> None:
    """Cancel the hold; never raise: a failed cancel goes to the outbox (the TTL is the last resort).

    ``call_now=False`` (the block raised after writing, in a request that released its write lock):
    the cancel is made without first committing what the block wrote.
    """
    try:
        if call_now:
            iap_cancel(env, token, key)
        else:
            cancel_at(iap_get_endpoint(env), token, key, base_urls=own_base_urls(env))
    except Exception as exc:
        _logger.warning("IAP cancel of %s failed (%s); queued for retry", token, exc)
        _enqueue(env, "cancel", token, key, None, ttl, str(exc))
        return
    notify_charge(charge_cancelled, env, token=token)


def _enqueue(env, operation: str, token: str, key: str, credit, ttl: int, error: str) -> None:
    try:
        lock_for_write(env.cr)
        env["iap.pending.op"].sudo().enqueue(operation, token, key, credit=credit, endpoint=iap_get_endpoint(env),
                                             ttl_hours=ttl, error=error)
    except Exception:
        _logger.exception("IAP: could not queue %s of %s; the hold is released at its TTL", operation, token)
        return
    notify_charge(charge_deferred, env, token=token, operation=operation)


def notify_charge(signal, env, **payload) -> None:
    """Send one of the ``iap_charge_*`` signals; a failing receiver is logged, never raised."""
    try:
        signal.send(env.registry, env=env, **payload)
    except Exception:
        _logger.exception("IAP: a receiver of %s failed", signal.name)
