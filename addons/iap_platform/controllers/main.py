"""The platform's wire: Odoo's ``/iap/1/*`` JSON-RPC routes and the buy-credits page.

Every route is a thin shell over a public model method holding all the logic (and its tests).
Parameters keep Odoo's names; unknown ones are ignored for forward compatibility.  A failure is
raised as a platform error (see ``tools/errors.py``): the HTTP layer answers it with HTTP 200 and
Odoo's envelope, whose ``error.data`` carries ``name`` and ``message`` as always, plus the error's
``code`` and ``retryable``.
"""
from __future__ import annotations

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..tools.errors import as_platform_error
from ..tools.pages import render_credit_page

ROUTES = {
    # route: (model, method, accepted parameters)
    "authorize": ("iap.platform.transaction", "authorize",
                  ("account_token", "credit", "key", "description", "ttl", "dbuuid", "idempotency_key", "ttl_seconds")),
    "capture": ("iap.platform.transaction", "capture", ("token", "key", "credit_to_capture")),
    "capture_batch": ("iap.platform.transaction", "capture_batch", ("key", "captures")),
    "sale": ("iap.platform.transaction", "sale",
             ("account_token", "credit", "key", "description", "ttl", "dbuuid", "idempotency_key", "ttl_seconds",
              "credit_to_capture")),
    "cancel": ("iap.platform.transaction", "cancel", ("token", "key")),
    "transaction": ("iap.platform.transaction", "lookup", ("key", "token", "idempotency_key")),
    "balance": ("iap.platform.account", "balance", ("account_token", "service_name", "dbuuid")),
    "quota/grant": ("iap.platform.quota", "grant",
                    ("account_token", "credit", "key", "min_credit", "validity", "description", "dbuuid",
                     "idempotency_key")),
    "quota/report": ("iap.platform.quota", "report", ("token", "key", "used")),
    "quota/release": ("iap.platform.quota", "release", ("token", "key", "used")),
}


def call_platform(route: str, params: dict):
    """Run the model method behind ``/iap/1/<route>``; anything unexpected becomes ``internal_error``.

    The request's transaction is rolled back on an error, except for a refusal marked ``keeps_changes``
    (a capture after the deadline: the expiry it performed is committed, the refusal still answered).
    """
    model, method, accepted = ROUTES[route]
    kwargs = {name: value for name, value in params.items() if name in accepted}
    try:
        platform = request.env[model].sudo().with_context(iap_remote_addr=request.httprequest.remote_addr)
        return getattr(platform, method)(**kwargs)
    except Exception as exc:
        converted = as_platform_error(exc)
        if getattr(converted, "keeps_changes", False):
            request.cr.commit()  # a refusal standing on a change of its own (an expiry): the change is kept
        if converted is exc:
            raise
        raise converted from exc


class IapPlatformController(http.Controller):
    @http.route("/iap/1/authorize", type="json", auth="public", csrf=False)
    def authorize(self, **params):
        return call_platform("authorize", _with_header_key(params))

    @http.route("/iap/1/sale", type="json", auth="public", csrf=False)
    def sale(self, **params):
        """Ours: authorize and capture in one request (see ``iap.platform.transaction.sale``)."""
        return call_platform("sale", _with_header_key(params))

    @http.route("/iap/1/capture", type="json", auth="public", csrf=False)
    def capture(self, **params):
        return call_platform("capture", params)

    @http.route("/iap/1/capture_batch", type="json", auth="public", csrf=False)
    def capture_batch(self, **params):
        """Ours: the captures of a provider's outbox in one request (``iap.platform.transaction.capture_batch``)."""
        return call_platform("capture_batch", params)

    @http.route("/iap/1/cancel", type="json", auth="public", csrf=False)
    def cancel(self, **params):
        return call_platform("cancel", params)

    @http.route("/iap/1/balance", type="json", auth="public", csrf=False)
    def balance(self, **params):
        return call_platform("balance", params)

    @http.route("/iap/1/transaction", type="json", auth="public", csrf=False)
    def transaction(self, **params):
        return call_platform("transaction", params)

    @http.route("/iap/1/quota/grant", type="json", auth="public", csrf=False)
    def quota_grant(self, **params):
        """Ours: credits granted for a while, spent by the provider locally (``iap.platform.quota``)."""
        return call_platform("quota/grant", _with_header_key(params))

    @http.route("/iap/1/quota/report", type="json", auth="public", csrf=False)
    def quota_report(self, **params):
        return call_platform("quota/report", params)

    @http.route("/iap/1/quota/release", type="json", auth="public", csrf=False)
    def quota_release(self, **params):
        return call_platform("quota/release", params)

    @http.route("/iap/1/credit", type="http", auth="public", methods=["GET", "POST"])
    def credit(self, service_name="", account_token="", dbuuid="", credit=0, trial=False, pack_id=None, **_ignored):
        """GET: the packs of ``service_name``; POST: buy ``pack_id`` (test mode: credited at once)."""
        packs = request.env["iap.platform.pack"].sudo()
        message = error = ""
        if request.httprequest.method == "POST":
            try:
                bought = packs.purchase(_int(pack_id), account_token, dbuuid or False)
                message = f"{bought['credited']:g} credits added: {bought['available']:g} available."
            except UserError as exc:
                error = str(exc)
        try:
            values = packs.credit_page(service_name, account_token, dbuuid, credit, trial)
        except UserError as exc:
            return request.make_response(str(exc), headers=[("Content-Type", "text/plain; charset=utf-8")],
                                         status=404)
        html = render_credit_page(values, message, error, csrf_token=request.csrf_token())
        return request.make_response(html, headers=[("Content-Type", "text/html; charset=utf-8")])


def _with_header_key(params: dict) -> dict:
    header_key = request.httprequest.headers.get("Idempotency-Key")
    if header_key and not params.get("idempotency_key"):
        params["idempotency_key"] = header_key  # the parameter wins: iap_jsonrpc cannot set headers
    return params


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
