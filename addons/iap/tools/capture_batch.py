"""Sending the outbox's captures and cancels together where the platform can: ``/iap/1/capture_batch`` (ours).

A deferred charge (``charging="deferred"``) queues a capture per call charged and a cancel per call served
free: under load dozens are due at once, and one request each made the sending cost more than the calls
charged (each a request to handle on both sides, and on SQLite a turn of the write lock).  Due operations
of one platform and service key go in one request instead, up to ``MAX_CAPTURES``; each keeps its own
outcome (the platform answers per item: a refusal fails that one only).  A platform without the route
(Odoo's IAP answers 404) is remembered for the life of the process and sent one request per operation.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from . import iap_tools

MAX_CAPTURES = 100
_single_only: set[str] = set()  # endpoints without the batch route (set.add is atomic: no lock needed)


def is_not_found(exc: Exception) -> bool:
    """Whether the platform answered HTTP 404: it has no such route."""
    response = getattr(exc.__cause__, "response", None)
    return response is not None and response.status_code == 404


def failed(exc: Exception) -> dict:
    """The outcome of a call that raised ``exc`` (retryable if the error says so)."""
    return {"ok": False, "error": str(exc) or type(exc).__name__, "retryable": bool(getattr(exc, "retryable", False))}


def perform_all(calls: list[dict], perform: Callable[[dict], dict]) -> Iterator[tuple[dict, dict]]:
    """``(call, outcome)`` for every queued call: those of one endpoint and key in batches where the
    platform has the route, the others one by one with ``perform`` (outcomes as ``perform``'s)."""
    batches: dict[tuple[str, str], list[dict]] = {}
    for call in calls:
        if call["operation"] in ("capture", "cancel") and call["endpoint"] not in _single_only:
            batches.setdefault((call["endpoint"], call["key"]), []).append(call)
        else:
            yield call, perform(call)
    for (endpoint, key), group in batches.items():
        for start in range(0, len(group), MAX_CAPTURES):
            part = group[start:start + MAX_CAPTURES]
            if len(part) == 1:
                yield part[0], perform(part[0])
            else:
                yield from _send_batch(endpoint, key, part, perform)


def _send_batch(endpoint: str, key: str, group: list[dict], perform) -> Iterator[tuple[dict, dict]]:
    url = endpoint + "/iap/1/capture_batch"
    params = {"key": key, "captures": [_item(call) for call in group]}
    try:
        answer = iap_tools.call_idempotent(url, params)
    except Exception as exc:
        if is_not_found(exc):
            _single_only.add(endpoint)
            for call in group:
                yield call, perform(call)
            return
        for call in group:
            yield call, failed(exc)
        return
    results = answer.get("results") if isinstance(answer, dict) else None
    if not _matches(results, group):
        mismatch = {"ok": False, "error": f"{url} answered a batch that does not match the request", "retryable": True}
        for call in group:
            yield call, mismatch
        return
    for call, item in zip(group, results, strict=True):
        yield call, _outcome(url, item)


def _item(call: dict) -> dict:
    if call["operation"] == "cancel":
        return {"token": call["token"], "cancel": True}
    return {"token": call["token"], "credit_to_capture": call["credit"]}


def _matches(results, group: list[dict]) -> bool:
    """Whether ``results`` answers ``group``: a line per capture, in order, each naming its token."""
    if not isinstance(results, list) or len(results) != len(group):
        return False
    return all(isinstance(item, dict) and item.get("token") == call["token"]
               for item, call in zip(results, group, strict=True))


def _outcome(url: str, item: dict) -> dict:
    """One capture's outcome from its line of the batch's answer (an error as the single route's)."""
    if "error" not in item:
        return {"ok": True, "result": item.get("result")}
    return failed(iap_tools.error_from_response(url, {"data": item["error"]}))
