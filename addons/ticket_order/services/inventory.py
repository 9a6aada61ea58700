"""The inventory service as the saga calls it: in this database, or another server over HTTP.

``ticket_order.inventory_url`` empty (the demo): the ``ticket.inventory`` model of this database.
Set (``https://inventory.example.com``): ``POST {url}/inventory/booking`` and
``POST {url}/inventory/release`` with the bearer token ``ticket_order.inventory_token``, each with
a timeout, so the inventory may live on another server.  The saga passes ``ctx.call`` as ``call``: no
transaction is open while a request travels.  Both ways are idempotent per order.
"""
from __future__ import annotations

from collections.abc import Callable

import requests
from odoo.addons.saga.calls import direct

from ..models.ticket_inventory import OutOfStock

URL_PARAM = "ticket_order.inventory_url"
TOKEN_PARAM = "ticket_order.inventory_token"
TIMEOUT_S = 10.0


class InventoryUnavailable(Exception):
    """The inventory server did not answer as expected: a technical error, retried."""


def reserve(env, order_uid: str, entries: dict[str, int], timeout: float = 0, call: Callable = direct) -> dict:
    url = _url(env)
    if not url:
        return env["ticket.inventory"].sudo().reserve(order_uid, entries)
    answer = _post(env, url + "/inventory/booking", {"orderId": order_uid, "orderEntries": entries}, timeout, call)
    if answer.get("error") == "out_of_stock":
        raise OutOfStock(answer.get("code", "?"), answer.get("wanted", 0), answer.get("available", 0))
    return answer["reserved"]


def release(env, order_uid: str, timeout: float = 0, call: Callable = direct) -> int:
    url = _url(env)
    if not url:
        return env["ticket.inventory"].sudo().release(order_uid)
    return _post(env, url + "/inventory/release", {"orderId": order_uid}, timeout, call)["released"]


def sell(env, order_uid: str, timeout: float = 0, call: Callable = direct) -> int:
    url = _url(env)
    if not url:
        return env["ticket.inventory"].sudo().sell(order_uid)
    return _post(env, url + "/inventory/sell", {"orderId": order_uid}, timeout, call)["sold"]


def _url(env) -> str:
    return (env["ir.config_parameter"].sudo().get_param(URL_PARAM) or "").rstrip("/")


def _post(env, url: str, body: dict, timeout: float, call: Callable) -> dict:
    token = env["ir.config_parameter"].sudo().get_param(TOKEN_PARAM) or ""
    try:
        response = call(requests.post, url, json=body, timeout=timeout or TIMEOUT_S,
                                 headers={"Authorization": f"Bearer {token}"})
    except requests.RequestException as exc:
        raise InventoryUnavailable(f"inventory at {url}: {type(exc).__name__}") from None
    if response.status_code == 409:
        return response.json()
    if response.status_code != 200:
        raise InventoryUnavailable(f"inventory at {url} answered HTTP {response.status_code}")
    return response.json()
