"""Routes for tests and benchmarks only: the seed's provider code as written, and an uncharged lookup."""
from __future__ import annotations

from odoo import http
from odoo.addons.iap.models import iap
from odoo.addons.iap_isbn_service.tools.isbn import normalize_isbn
from odoo.http import request


class IsbnTestKitController(http.Controller):
    @http.route("/seed/get_book_data", type="json", auth="public")
    def seed_get_book_data(self, account_token, isbn_number):
        """The cookbook's provider route, in its shape (Odoo 12 names, ``iap.charge``, a bare Exception)."""
        service_key = request.env["ir.config_parameter"].sudo().get_param("iap.isbn_service_key", False)
        if not service_key:
            return {"status": "service is not active"}
        credits_to_reserve = 1
        data = {}
        with iap.charge(request.env, service_key, account_token, credits_to_reserve,
                        credit_template="iap_isbn_service.no_credit_info"):
            data = request.env["book.info"].sudo()._books_data_by_isbn(isbn_number)
            if data["status"] == "not found":
                raise Exception("Book not found")
        return data

    @http.route("/bench/get_book_data_free", type="json", auth="public")
    def get_book_data_free(self, account_token=None, isbn_number=None, request_id=None, dbuuid=None, **_ignored):
        """The lookup of ``/get_book_data`` (key check, validation, search) without any charge."""
        request.env["book.data.request"].sudo()._service_key()
        return {**request.env["book.info"].sudo()._books_data_by_isbn(normalize_isbn(isbn_number)), "charged": 0.0}
