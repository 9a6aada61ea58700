"""Serving book data for credits, and remembering each answer by the client's request id.

As the seed's provider does, each lookup runs inside ``iap_charge``: the credit is held, the catalogue
is searched, and the hold is captured if the book was found, released otherwise (and if the lookup
fails).  How the platform is asked is the provider's setting ``iap_isbn_service.charging``:

* ``odoo``: authorize, then capture or cancel, while the client waits (Odoo's three requests per
  call, counting the client's; works against Odoo's own IAP platform);
* ``deferred`` (default): authorize while the client waits, the capture queued in the request's
  transaction and sent once it commits (one platform round trip per call; Odoo's platform too);
* ``quota`` (our platform): calls are charged against a quota of the client's credits granted to
  the provider in advance and kept in its database, reported in batches (most calls: no round trip).

A client that timed out cannot know whether it was charged, so it retries with the same ``request_id``.
Every paying answer is stored here (24 hours) with the charge it was delivered against, in the same
transaction, so a retry after the first answer committed is answered from it without a new charge.
A retry racing the first attempt is charged once too: through the platform, which answers the hold's
idempotency key (derived from the request id) with the first hold, whose capture it then replays; with
a quota, by the stored answer's unique key, which makes the retry wait for the first attempt and give
its own charge back.  With a quota a retry is not looked for before charging (a charge is local and
undone in the same transaction): it is charged like a new call, finds the first answer when it stores its
own, and gives its charge back.  A free answer (nothing found) is not stored: a retry asks the catalogue again.
The account token is never stored, only a hash of it with the request id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from odoo import api, fields, models
from odoo.addons.iap.tools.iap_tools import CHARGING, InsufficientCreditError, iap_charge
from odoo.addons.iap.tools.write_lock import lock_for_write, release_at_calls

from ..tools.errors import service_error
from ..tools.isbn import normalize_isbn, normalize_isbn_list

SERVICE_NAME = "book_isbn"
SERVICE_KEY_PARAM = "iap.isbn_service_key"
CHARGING_PARAM = "iap_isbn_service.charging"
DEFAULT_CHARGING = "deferred"
CREDIT_TEMPLATE = "iap_isbn_service.no_credit_info"
# A lookup takes a moment; no hold of this service may outlive an hour (Odoo's default: 180 days).
HOLD_TTL_HOURS = 1
REPLAY_RETENTION = dt.timedelta(hours=24)
PURGE_BATCH = 10_000
NOT_CONFIGURED = ("The ISBN service is not configured: its service key (system parameter iap.isbn_service_key) "
                  "is not set. An administrator of the service sets it in the ISBN service settings, with "
                  "'python odoo-bin.py config set iap.isbn_service_key KEY -d DB', or over execute_kw "
                  "(ir.config_parameter set_param).")


class AnsweredBefore(Exception):
    """Another attempt of the same request stored its answer first (with a quota): this one gives its
    charge back and answers that."""

    def __init__(self, answer: dict):
        super().__init__("answered by an earlier attempt")
        self.answer = answer


class BookDataRequest(models.Model):
    _name = "book.data.request"
    _description = "Book data request (answer kept for retries)"
    _order = "id desc"
    # Every paying call inserts a row: each index and foreign key is work at each call (and, on SQLite, a
    # page written at each commit).  No create/write user and date (who stored an answer says nothing),
    # no index but the request key's unique one: the purge walks the rows in id order (see there).
    _log_access = False
    _sql_constraints = [("request_key_uniq", "unique(request_key)", "This request was already answered.")]

    # Not ``index=True``: the unique constraint's index serves the lookups (every paying call inserts a row,
    # and each index is one more b-tree to update).
    request_key = fields.Char(required=True, readonly=True,
                              help="SHA-256 of the client's account token and request id; also the idempotency "
                                   "key of the hold at the platform.")
    fingerprint = fields.Char(required=True, readonly=True,
                              help="The ISBNs asked for: a retry with this request id must ask the same.")
    response = fields.Json(readonly=True, help="The answer, sent again to retries.")
    charged = fields.Float(readonly=True, help="Credits the answer was charged.")
    expires_at = fields.Datetime(required=True, readonly=True)

    # -- the two services ---------------------------------------------------------------------------
    @api.model
    def _serve_one(self, account_token, isbn_number, request_id=None, dbuuid=None) -> dict:
        """Answer ``/get_book_data``: 1 credit if the book is found, nothing otherwise.

        Refuses before touching any credit: ``AccessError`` (``service_not_configured``) while the
        service key is unset, ``UserError`` (``invalid_isbn``, ``invalid_params``) for bad input.  The
        platform's ``InsufficientCreditError`` reaches the client with the credit template as ``body``.
        """
        key, charging = self._settings()
        isbn = normalize_isbn(isbn_number)
        token = _required_text(account_token, "account_token")

        def lookup() -> tuple[dict, int]:
            answer = self.env["book.info"].sudo()._books_data_by_isbn(isbn)
            return answer, 1 if answer["status"] == "found" else 0

        return self._answer_once(key, charging, token, request_id, dbuuid, isbn, 1, f"Book data for ISBN {isbn}",
                                 lookup)

    @api.model
    def _serve_many(self, account_token, isbn_numbers, request_id=None, dbuuid=None) -> dict:
        """Answer ``/get_books_data``: hold one credit per distinct ISBN, capture one per book found.

        ``{"results": {isbn as sent: {"status": ...}}, "charged": n}``; refusals as ``_serve_one``.
        """
        key, charging = self._settings()
        wanted = normalize_isbn_list(isbn_numbers)
        token = _required_text(account_token, "account_token")
        isbns = sorted(set(wanted.values()))

        def lookup() -> tuple[dict, int]:
            found = self.env["book.info"].sudo()._books_data_by_isbns(isbns)
            return {"results": {sent: _found_or_not(found.get(isbn)) for sent, isbn in wanted.items()}}, len(found)

        return self._answer_once(key, charging, token, request_id, dbuuid, "list:" + ",".join(isbns), len(isbns),
                                 f"Book data for {len(isbns)} ISBNs", lookup)

    @api.model
    def _settings(self) -> tuple[str, str]:
        """The key this service charges with and how (``CHARGING``); ``AccessError`` while unset or wrong.

        Every request asks: both come from the process cache of ``get_param`` (no query once read).
        """
        params = self.env["ir.config_parameter"].sudo()
        rows = {name: params.get_param(name) for name in (SERVICE_KEY_PARAM, CHARGING_PARAM)}
        if not rows.get(SERVICE_KEY_PARAM):
            raise service_error("service_not_configured", NOT_CONFIGURED)
        charging = rows.get(CHARGING_PARAM) or DEFAULT_CHARGING
        if charging not in CHARGING:
            raise service_error("service_not_configured", f"The ISBN service charges {charging!r}, which is not "
                                f"one of {', '.join(CHARGING)}: an administrator sets {CHARGING_PARAM}.")
        return rows[SERVICE_KEY_PARAM], charging

    @api.model
    def _service_key(self) -> str:
        """The key this service charges with; ``AccessError`` while an admin has not set it."""
        return self._settings()[0]

    # -- answering once ------------------------------------------------------------------------------------
    def _answer_once(self, key: str, charging: str, token: str, request_id, dbuuid, fingerprint: str,
                     credit: int, description: str, lookup) -> dict:
        """Look up inside ``iap_charge`` and charge what was found; a request id answered before: its answer.

        The request's transaction ends before each call to the platform (``release_at_calls``): nothing
        waits on it.  A paying answer is stored with its charge (see the module's docstring).
        """
        request_key = _request_key(token, request_id)
        if request_key and charging != "quota":
            stored = self._replay(request_key, request_id, fingerprint)
            if stored:
                return stored.response
        release_at_calls(self.env.cr)
        try:
            with iap_charge(self.env, key, token, credit, dbuuid=dbuuid or False, description=description,
                            credit_template=CREDIT_TEMPLATE, ttl=HOLD_TTL_HOURS, idempotency_key=request_key,
                            charging=charging) as transaction:
                answer, transaction.credit = lookup()
                answer = {**answer, "charged": float(transaction.credit)}
                if charging == "quota" and request_key:
                    answer = self._remember_charged(request_key, request_id, fingerprint, answer)
        except AnsweredBefore as before:
            return before.answer
        except InsufficientCreditError:
            stored = self._replay(request_key, request_id, fingerprint) if request_key and charging == "quota" \
                else None
            if stored:
                return stored.response  # paid before the credit ran out
            raise
        if charging != "quota" and request_key and transaction.credit:
            answer = self._remember(request_key, request_id, fingerprint, answer)
        return answer

    def _remember_charged(self, request_key: str, request_id: str, fingerprint: str, answer: dict) -> dict:
        """With a quota, inside the charge: store a paying answer, or find the answer of an earlier attempt.

        No replay check before charging (the quota's ``_answer_once`` skips it: one statement less on
        every call): a retry is charged like a new call, then finds the first answer here (the stored
        answer's unique key, or a lookup for a free answer) and raises ``AnsweredBefore``, which gives
        its charge back.
        """
        if answer["charged"]:
            return self._remember(request_key, request_id, fingerprint, answer, replayed=AnsweredBefore)
        stored = self._replay(request_key, request_id, fingerprint)
        if stored:
            raise AnsweredBefore(stored.response)
        return answer

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
                  replayed: type[Exception] | None = None) -> dict:
        """Store the answer for retries and return it; if another attempt stored first, return its answer
        (or raise ``replayed`` with it).

        Plain SQL, one statement: every paying answer is stored, and the ORM's create (a savepoint, the
        query built anew) would be most of the cost of the request's write.
        """
        lock_for_write(self.env.cr)
        row = (request_key, fingerprint, json.dumps(response, sort_keys=True), response.get("charged", 0.0),
               fields.Datetime.to_string(fields.Datetime.now() + REPLAY_RETENTION))
        inserted = self.env.cr.execute(
            "INSERT INTO book_data_request (request_key, fingerprint, response, charged, expires_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (request_key) DO NOTHING", row).rowcount
        if inserted:
            return response
        stored = self._replay(request_key, request_id, fingerprint).response
        if replayed is not None:
            raise replayed(stored)
        return stored

    @api.model
    def _purge_expired(self, batch: int = PURGE_BATCH) -> int:
        """Forget the answers kept longer than ``REPLAY_RETENTION`` (the cron); return how many.

        In batches walked in id order, without an index on ``expires_at``: answers expire in the order
        they were stored, so each batch reads the expired rows at the front and stops there.
        """
        now, purged = fields.Datetime.to_string(fields.Datetime.now()), 0
        while True:
            deleted = self.env.cr.execute(
                "DELETE FROM book_data_request WHERE id IN (SELECT id FROM book_data_request "
                "WHERE expires_at <= %s ORDER BY id LIMIT %s)", (now, batch)).rowcount
            purged += deleted
            if deleted < batch:
                return purged


def _found_or_not(data: dict | None) -> dict:
    return {"status": "found", "data": data} if data else {"status": "not found"}


def _required_text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise service_error("invalid_params", f"{name} is required: send the client database's IAP account token "
                            f"for service {SERVICE_NAME!r}.")
    return value


def _request_key(account_token: str, request_id) -> str | None:
    """The replay key, also the hold's idempotency key: ``sha256("<account_token>:<request_id>")``.

    None without a request id (None or False); ``invalid_params`` for anything but short text.
    """
    if request_id is None or request_id is False:
        return None
    if not isinstance(request_id, str) or not 0 < len(request_id) <= 255:
        raise service_error("invalid_params", f"request_id must be text of at most 255 characters (a UUID), "
                            f"got {request_id!r}.")
    return hashlib.sha256(f"{account_token}:{request_id}".encode()).hexdigest()
