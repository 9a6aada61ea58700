"""The service's JSON-RPC routes, as IAP clients call them (``iap_jsonrpc``, HTTP 200 errors).

Each route only hands its parameters to ``book.data.request``; unknown parameters are ignored so that
newer clients keep working.  A refusal is raised as Odoo's ``UserError``/``AccessError`` and a credit
problem as ``InsufficientCreditError``: the HTTP layer puts them in Odoo's error envelope, which is
what the client's ``iap_jsonrpc`` dispatches on.
"""
from __future__ import annotations

from odoo import http
from odoo.http import request


class IsbnServiceController(http.Controller):
    @http.route("/get_book_data", type="json", auth="public", csrf=False)
    def get_book_data(self, account_token=None, isbn_number=None, request_id=None, dbuuid=None, **_ignored) -> dict:
        """One book: ``{"status": "found", "data": {...}, "charged": 1.0}`` or ``{"status": "not found", ...}``."""
        return request.env["book.data.request"].sudo()._serve_one(account_token, isbn_number, request_id, dbuuid)

    @http.route("/get_books_data", type="json", auth="public", csrf=False)
    def get_books_data(self, account_token=None, isbn_numbers=None, request_id=None, dbuuid=None,
                       **_ignored) -> dict:
        """Up to 50 books: ``{"results": {isbn: {...}}, "charged": n}``, one credit per book found."""
        return request.env["book.data.request"].sudo()._serve_many(account_token, isbn_numbers, request_id, dbuuid)
