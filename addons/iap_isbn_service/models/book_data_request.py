"""Serving book data for credits, and remembering each answer by the client's request id.

A client that timed out cannot know whether it was charged, so it retries with the same
``request_id``.  The answer of the first attempt is stored here (24 hours) and replayed; and because
the platform hold is authorized with an idempotency key derived from the same id, even a retry that
arrives while the first attempt is still running is charged once.  The account token is never stored,
only a hash of it with the request id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from odoo import api, fields, models
from odoo.addons.iap.tools.iap_tools import iap_charge
from odoo.exceptions import ValidationError

from ..tools.errors import service_error
from ..tools.isbn import normalize_isbn, normalize_isbn_list
from ..tools.transactions import write_lock_released

SERVICE_NAME = "book_isbn"
SERVICE_KEY_PARAM = "iap.isbn_service_key"
CREDIT_TEMPLATE = "iap_isbn_service.no_credit_info"
# A lookup takes milliseconds: a hold left by a crashed worker is released after an hour, not 180 days.
HOLD_TTL_HOURS = 1
REPLAY_RETENTION = dt.timedelta(hours=24)
NOT_CONFIGURED = ("The ISBN service is not configured: its service key (system parameter iap.isbn_service_key) "
                  "is not set. An administrator of the service sets it in the ISBN service settings, with "
                  "'python odoo-bin.py config set iap.isbn_service_key KEY -d DB', or over execute_kw "
                  "(ir.config_parameter set_param).")


class BookDataRequest(models.Model):
    _name = "book.data.request"
    _description = "Book data request (answer kept for retries)"
    _order = "id desc"
    _sql_constraints = [("request_key_uniq", "unique(request_key)", "This request was already answered.")]

    request_key = fields.Char(required=True, index=True, readonly=True,
                              help="SHA-256 of the client's account token and request id.")
    fingerprint = fields.Char(required=True, readonly=True,
                              help="The ISBNs asked for: a retry with this request id must ask the same.")
    response = fields.Json(readonly=True, help="The answer sent, replayed to retries.")
    charged = fields.Float(readonly=True)
    expires_at = fields.Datetime(required=True, index=True, readonly=True)

    # -- the two services ---------------------------------------------------------------------------
    @api.model
    def _serve_one(self, account_token, isbn_number, request_id=None, dbuuid=None) -> dict:
        """Answer ``/get_book_data``: 1 credit if the book is found, nothing otherwise.

        Refuses before touching any credit: ``AccessError`` (``service_not_configured``) while the
        service key is unset, ``UserError`` (``invalid_isbn``, ``invalid_params``) for bad input.  The
        platform's ``InsufficientCreditError`` reaches the client with the credit template as ``body``.
        """
        key = self._service_key()
        isbn = normalize_isbn(isbn_number)
        token = _required_text(account_token, "account_token")
        return self._answer_once(token, request_id, isbn,
                                 lambda idempotency_key: self._charge_one(key, token, isbn, dbuuid, idempotency_key))

    @api.model
    def _serve_many(self, account_token, isbn_numbers, request_id=None, dbuuid=None) -> dict:
        """Answer ``/get_books_data``: hold one credit per distinct ISBN, capture one per book found.

        ``{"results": {isbn as sent: {"status": ...}}, "charged": n}``; refusals as ``_serve_one``.
        """
        key = self._service_key()
        wanted = normalize_isbn_list(isbn_numbers)
        token = _required_text(account_token, "account_token")
        fingerprint = "list:" + ",".join(sorted(set(wanted.values())))
        return self._answer_once(token, request_id, fingerprint,
                                 lambda idempotency_key: self._charge_many(key, token, wanted, dbuuid, idempotency_key))

    @api.model
    def _service_key(self) -> str:
        """The key this service authorizes holds with; ``AccessError`` while an admin has not set it."""
        key = self.env["ir.config_parameter"].sudo().get_param(SERVICE_KEY_PARAM)
        if not key:
            raise service_error("service_not_configured", NOT_CONFIGURED)
        return key

    # -- charging --------------------------------------------------------------------------------------
    def _charge_one(self, key: str, token: str, isbn: str, dbuuid, idempotency_key: str | None) -> dict:
        with write_lock_released(self.env.cr), iap_charge(
                self.env, key, token, 1, dbuuid=dbuuid or False, description=f"Book data for ISBN {isbn}",
                credit_template=CREDIT_TEMPLATE, ttl=HOLD_TTL_HOURS, idempotency_key=idempotency_key) as transaction:
            answer = self.env["book.info"].sudo()._books_data_by_isbn(isbn)
            if answer["status"] != "found":
                transaction.credit = 0  # released: a book we do not have costs nothing
        return {**answer, "charged": float(transaction.credit)}

    def _charge_many(self, key: str, token: str, wanted: dict[str, str], dbuuid, idempotency_key: str | None) -> dict:
        isbns = sorted(set(wanted.values()))
        with write_lock_released(self.env.cr), iap_charge(
                self.env, key, token, len(isbns), dbuuid=dbuuid or False,
                description=f"Book data for {len(isbns)} ISBNs", credit_template=CREDIT_TEMPLATE,
                ttl=HOLD_TTL_HOURS, idempotency_key=idempotency_key) as transaction:
            found = self.env["book.info"].sudo()._books_data_by_isbns(isbns)
            transaction.credit = len(found)
        results = {sent: _found_or_not(found.get(isbn)) for sent, isbn in wanted.items()}
        return {"results": results, "charged": float(transaction.credit)}

    # -- answering once ------------------------------------------------------------------------------------
    def _answer_once(self, token: str, request_id, fingerprint: str, compute: Callable[[str | None], dict]) -> dict:
        """``compute(idempotency_key)``, or the stored answer when ``request_id`` was answered before."""
        if request_id is None or request_id is False:
            return compute(None)
        request_key = _request_key(token, request_id)
        stored = self._replay(request_key, request_id, fingerprint)
        if stored is not None:
            return stored
        return self._remember(request_key, request_id, fingerprint, compute(request_key))

    def _replay(self, request_key: str, request_id: str, fingerprint: str) -> dict | None:
        stored = self.sudo().search([("request_key", "=", request_key), ("expires_at", ">", fields.Datetime.now())],
                                    limit=1)
        if not stored:
            return None
        if stored.fingerprint != fingerprint:
            raise service_error("idempotency_conflict", f"Request id {request_id!r} was already used for another "
                                f"request ({stored.fingerprint}): send a new request id (a UUID) for a new request.")
        return stored.response

    def _remember(self, request_key: str, request_id: str, fingerprint: str, response: dict) -> dict:
        """Store ``response`` for retries and return it; a concurrent retry that stored first wins."""
        self._purge_expired()
        values = {"request_key": request_key, "fingerprint": fingerprint, "response": response,
                  "charged": response.get("charged", 0.0), "expires_at": fields.Datetime.now() + REPLAY_RETENTION}
        try:
            self.sudo().create(values)
        except ValidationError:
            stored = self._replay(request_key, request_id, fingerprint)
            if stored is None:
                raise
            return stored
        return response

    def _purge_expired(self) -> None:
        self.env.cr.execute("DELETE FROM book_data_request WHERE expires_at <= %s",
                            (fields.Datetime.to_string(fields.Datetime.now()),))


def _found_or_not(data: dict | None) -> dict:
    return {"status": "found", "data": data} if data else {"status": "not found"}


def _required_text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise service_error("invalid_params", f"{name} is required: send the client database's IAP account token "
                            f"for service {SERVICE_NAME!r}.")
    return value


def _request_key(account_token: str, request_id) -> str:
    """The replay key, also the platform idempotency key: ``sha256("<account_token>:<request_id>")``."""
    if not isinstance(request_id, str) or not 0 < len(request_id) <= 255:
        raise service_error("invalid_params", f"request_id must be text of at most 255 characters (a UUID), "
                            f"got {request_id!r}.")
    return hashlib.sha256(f"{account_token}:{request_id}".encode()).hexdigest()
