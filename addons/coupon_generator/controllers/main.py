"""JSON-RPC routes of the generator: the original's preview / start / step / finish, plus cancel, status, redeem.

Every route only forwards to a public model method, so the same operations
are reachable through ``execute_kw`` and behave identically; parameters
travel as JSON (the original concatenated the template into a URL unencoded,
which broke templates containing ``&``, ``+`` or ``%``).  Errors are the
models' UserError/ValidationError, turned into the JSON-RPC error envelope
by the HTTP layer.
"""
from __future__ import annotations

from odoo import http
from odoo.exceptions import MissingError
from odoo.http import request


class CouponGeneratorController(http.Controller):
    @http.route("/coupon_generator/preview", type="json", auth="user")
    def preview(self, template: str, count: int = 20, **options) -> dict:
        return request.env["coupon.process"].preview(template, count, **options)

    @http.route("/coupon_generator/start", type="json", auth="user")
    def start(self, template: str, count: int, program_id: int | None = None, **options) -> dict:
        return request.env["coupon.process"].start(template, count, program_id, **options)

    @http.route("/coupon_generator/step", type="json", auth="user")
    def step(self, process_id: int, max_codes: int | None = None, max_seconds: float | None = None) -> dict:
        return self._process(process_id).step(max_codes, max_seconds)

    @http.route("/coupon_generator/finish", type="json", auth="user")
    def finish(self, process_id: int) -> dict:
        return self._process(process_id).finish()

    @http.route("/coupon_generator/cancel", type="json", auth="user")
    def cancel(self, process_id: int, archive_coupons: bool = False) -> dict:
        return self._process(process_id).cancel(archive_coupons)

    @http.route("/coupon_generator/retry", type="json", auth="user")
    def retry(self, process_id: int) -> dict:
        return self._process(process_id).retry()

    @http.route("/coupon_generator/status", type="json", auth="user")
    def status(self, process_id: int) -> dict:
        return self._process(process_id).status()

    @http.route("/coupon_generator/check", type="json", auth="user")
    def check(self, code: str, partner_id: int | None = None) -> dict:
        return request.env["coupon.coupon"].check_code(code, partner_id)

    @http.route("/coupon_generator/redeem", type="json", auth="user")
    def redeem(self, code: str, partner_id: int | None = None, reference: str | None = None) -> dict:
        return request.env["coupon.coupon"].redeem(code, partner_id, reference)

    def _process(self, process_id: int):
        """The process, or MissingError naming it (a browse of a missing id would fail later and vaguely)."""
        process = request.env["coupon.process"].browse(process_id).exists()
        if not process:
            raise MissingError(f"Coupon process {process_id} does not exist (or was deleted)")
        return process
