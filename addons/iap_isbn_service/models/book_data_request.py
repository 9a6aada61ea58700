"""Serving book data for credits, and remembering each answer by the client's request id.

A lookup is answered before it is paid for, and sent only once paid: the provider looks the books up,
then sells the answer at the platform in one request (``iap_sell``: the hold and its capture at once).
A book not found costs nothing and asks nothing of the platform.

A client that timed out cannot know whether it was charged, so it retries with the same
``request_id``.  A paying answer is stored here (24 hours) *before* the platform is asked, with the sale
it is delivered against; a retry gets the stored answer and repeats the same sale, whose idempotency key
is derived from the request id: the platform answers it from the first sale, so the request is charged
once, even when the retry arrives while the first attempt is still running.  Whether a sale went
through is recorded by the platform only, never copied here.  A free answer (nothing found) is not
stored: a retry asks the catalogue again.  The account token is never stored, only a hash of it with
the request id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from odoo import api, fields, models
from odoo.addons.iap.tools.iap_tools import iap_sell
from odoo.addons.iap.tools.write_lock import release_write_lock

from ..tools.errors import service_error
from ..tools.isbn import normalize_isbn, normalize_isbn_list

SERVICE_NAME = "book_isbn"
SERVICE_KEY_PARAM = "iap.isbn_service_key"
CREDIT_TEMPLATE = "iap_isbn_service.no_credit_info"
# A sale holds and captures at once; no hold of this service may outlive an hour (Odoo's default: 180 days).
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
                              help="SHA-256 of the client's account token and request id; also the idempotency "
                                   "key of the sale at the platform.")
    fingerprint = fields.Char(required=True, readonly=True,
                              help="The ISBNs asked for: a retry with this request id must ask the same.")
    response = fields.Json(readonly=True, help="The answer, sent once the sale went through, and again to retries.")
    charged = fields.Float(readonly=True, help="Credits the answer is sold for.")
    sale = fields.Json(readonly=True, help="The platform sale the answer is delivered against: credit held, "
                                           "credit captured, description.")
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
        request_key = _request_key(token, request_id)
        return self._answer_once(key, token, request_id, request_key, dbuuid, isbn, *self._quote_one(isbn))

    @api.model
    def _serve_many(self, account_token, isbn_numbers, request_id=None, dbuuid=None) -> dict:
        """Answer ``/get_books_data``: hold one credit per distinct ISBN, capture one per book found.

        ``{"results": {isbn as sent: {"status": ...}}, "charged": n}``; refusals as ``_serve_one``.  A
        list of which nothing is found is free and asks nothing of the platform.
        """
        key = self._service_key()
        wanted = normalize_isbn_list(isbn_numbers)
        token = _required_text(account_token, "account_token")
        request_key = _request_key(token, request_id)
        fingerprint = "list:" + ",".join(sorted(set(wanted.values())))
        return self._answer_once(key, token, request_id, request_key, dbuuid, fingerprint,
                                 *self._quote_many(wanted))

    @api.model
    def _service_key(self) -> str:
        """The key this service sells with; ``AccessError`` while an admin has not set it."""
        key = self.env["ir.config_parameter"].sudo().get_param(SERVICE_KEY_PARAM)
        if not key:
            raise service_error("service_not_configured", NOT_CONFIGURED)
        return key

    # -- answers and their price ------------------------------------------------------------------------
    def _quote_one(self, isbn: str) -> tuple[dict, dict | None]:
        """The answer for ``isbn`` and the sale it is delivered against (None: free)."""
        answer = self.env["book.info"].sudo()._books_data_by_isbn(isbn)
        if answer["status"] != "found":
            return {**answer, "charged": 0.0}, None
        return {**answer, "charged": 1.0}, _sale(1, 1, f"Book data for ISBN {isbn}")

    def _quote_many(self, wanted: dict[str, str]) -> tuple[dict, dict | None]:
        isbns = sorted(set(wanted.values()))
        found = self.env["book.info"].sudo()._books_data_by_isbns(isbns)
        answer = {"results": {sent: _found_or_not(found.get(isbn)) for sent, isbn in wanted.items()},
                  "charged": float(len(found))}
        return answer, _sale(len(isbns), len(found), f"Book data for {len(isbns)} ISBNs") if found else None

    # -- answering once ------------------------------------------------------------------------------------
    def _answer_once(self, key: str, token: str, request_id, request_key: str | None, dbuuid, fingerprint: str,
                     answer: dict, sale: dict | None) -> dict:
        """Deliver ``answer`` against ``sale``; for a request id answered before, its first answer again.

        A paying answer is stored before it is sold, so that a retry finds it and repeats the very same
        sale.  A free one (nothing found) is neither stored nor sold: asked again, it is given again.
        """
        stored = self._replay(request_key, request_id, fingerprint) if request_key else self.browse()
        if stored:
            return self._deliver(key, token, dbuuid, stored.response, stored.sale, request_key)
        if not sale:
            return answer
        if request_key:
            answer, sale = self._remember(request_key, request_id, fingerprint, answer, sale)
        return self._deliver(key, token, dbuuid, answer, sale, request_key)

    def _deliver(self, key: str, token: str, dbuuid, answer: dict, sale: dict | None,
                 idempotency_key: str | None) -> dict:
        """``answer``, once its ``sale`` went through at the platform (at once when free).

        The request's transaction is committed first and the rest of the request takes no write lock
        (see ``release_write_lock``): nothing is written after the sale.
        """
        if not sale:
            return answer
        release_write_lock(self.env.cr)
        result = iap_sell(self.env, key, token, sale["credit"], dbuuid=dbuuid or False,
                          description=sale["description"], credit_template=CREDIT_TEMPLATE, ttl=HOLD_TTL_HOURS,
                          idempotency_key=idempotency_key, credit_to_capture=sale["credit_to_capture"])
        return {**answer, "charged": float(result["captured"])}

    def _replay(self, request_key: str, request_id: str, fingerprint: str):
        """The stored request (empty if none); ``idempotency_conflict`` if it asked for other books."""
        # Plain SQL: every request with a request id asks, and the answer is almost always "none".
        row = self.env.cr.execute(
            "SELECT id, fingerprint FROM book_data_request WHERE request_key = %s AND expires_at > %s",
            (request_key, fields.Datetime.to_string(fields.Datetime.now()))).fetchone()
        if row and row[1] != fingerprint:
            raise service_error("idempotency_conflict", f"Request id {request_id!r} was already used for another "
                                f"request ({row[1]}): send a new request id (a UUID) for a new request.")
        return self.sudo().browse(row[0] if row else ())

    def _remember(self, request_key: str, request_id: str, fingerprint: str, response: dict,
                  sale: dict) -> tuple[dict, dict]:
        """Store the answer and its sale for retries and return them; a concurrent attempt that stored first wins.

        Plain SQL, one statement: every paying answer is stored, and the ORM's create (a savepoint, the
        query built anew) would be most of the cost of the request's write.
        """
        self._purge_expired()
        now, uid = fields.Datetime.now(), self.env.uid
        row = (request_key, fingerprint, json.dumps(response, sort_keys=True), json.dumps(sale, sort_keys=True),
               response.get("charged", 0.0), fields.Datetime.to_string(now + REPLAY_RETENTION),
               uid, fields.Datetime.to_string(now), uid, fields.Datetime.to_string(now))
        inserted = self.env.cr.execute(
            "INSERT INTO book_data_request (request_key, fingerprint, response, sale, charged, expires_at, "
            "create_uid, create_date, write_uid, write_date) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (request_key) DO NOTHING", row).rowcount
        if inserted:
            return response, sale
        stored = self._replay(request_key, request_id, fingerprint)
        return stored.response, stored.sale

    def _purge_expired(self) -> None:
        self.env.cr.execute("DELETE FROM book_data_request WHERE expires_at <= %s",
                            (fields.Datetime.to_string(fields.Datetime.now()),))


def _sale(credit: int, credit_to_capture: int, description: str) -> dict:
    """A sale at the platform: hold ``credit``, capture ``credit_to_capture``."""
    return {"credit": credit, "credit_to_capture": credit_to_capture, "description": description}


def _found_or_not(data: dict | None) -> dict:
    return {"status": "found", "data": data} if data else {"status": "not found"}


def _required_text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise service_error("invalid_params", f"{name} is required: send the client database's IAP account token "
                            f"for service {SERVICE_NAME!r}.")
    return value


def _request_key(account_token: str, request_id) -> str | None:
    """The replay key, also the platform idempotency key: ``sha256("<account_token>:<request_id>")``.

    None without a request id (None or False); ``invalid_params`` for anything but short text.
    """
    if request_id is None or request_id is False:
        return None
    if not isinstance(request_id, str) or not 0 < len(request_id) <= 255:
        raise service_error("invalid_params", f"request_id must be text of at most 255 characters (a UUID), "
                            f"got {request_id!r}.")
    return hashlib.sha256(f"{account_token}:{request_id}".encode()).hexdigest()
