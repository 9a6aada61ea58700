"""The customer's books, filled from their ISBN by the ISBN service (In-App Purchase, 1 credit per book).

``fetch_book_data`` is the cookbook's "Fetch Book Data" button, with its defects fixed: a missing or
invalid ISBN is refused before anything is sent; the request carries an id persisted beforehand, so a
retry after a timeout is never charged twice; a book the service does not have is reported, not
silently ignored; and authors found and created are both kept.
"""
from __future__ import annotations

import json
import logging
import uuid

from odoo import api, fields, models
from odoo.addons.iap.tools.iap_tools import IAPTimeoutError, InsufficientCreditError, iap_jsonrpc
from odoo.addons.iap.tools.self_call import this_server_url
from odoo.exceptions import UserError
from stdnum import isbn as stdnum_isbn

from ..tools.html_sanitizer import sanitize_html
from ..tools.transactions import call_between_transactions

_logger = logging.getLogger(__name__)

SERVICE_NAME = "book_isbn"
ENDPOINT_PARAM = "iap_client.endpoint"
TIMEOUT_PARAM = "iap_client.timeout"
DEFAULT_TIMEOUT = 15.0


class LibraryBook(models.Model):
    _name = "library.book"
    _description = "Library book"
    _order = "name, id"

    name = fields.Char("Title", help="Filled by 'Fetch Book Data' from the ISBN.")
    isbn = fields.Char("ISBN", index=True)
    date_release = fields.Date("Release Date")
    cover_image = fields.Binary("Cover")
    author_ids = fields.Many2many("res.partner", string="Authors")
    iap_request_id = fields.Char(
        "Pending book data request", copy=False, readonly=True,
        help="Id of a request to the ISBN service whose answer did not arrive; the next fetch sends it again, "
             "so the service answers without charging twice.")

    def _compute_display_name(self) -> None:
        for book in self:
            book.display_name = book.name or (f"ISBN {book.isbn}" if book.isbn else f"Book {book.id}")

    def write(self, vals):
        """A new ISBN is a new question: forget the id of a request made for the previous one."""
        if "isbn" in vals and "iap_request_id" not in vals:
            vals = {**vals, "iap_request_id": False}
        return super().write(vals)

    # -- Fetch Book Data ----------------------------------------------------------------------------
    def fetch_book_data(self):
        """Fill this book from the ISBN service: True when filled, a warning notification when not found.

        Commits the current transaction before calling the service (the request id must survive a
        failure, and no transaction stays open during the call).  Raises ``UserError`` for a missing or
        invalid ISBN, ``AccessError`` (before anything is sent) for a user who may not change the book (not a
        librarian), ``InsufficientCreditError`` (JSON message with the buy-credits ``url``) when the
        account cannot pay, and ``AccessError`` when the service cannot be reached or refuses the call.
        """
        self.ensure_one()
        # Fetching rewrites the book and spends credits: refuse a user who may not change it before paying.
        self.check_access_rights("write")
        self.check_access_rule("write")
        self._check_isbn()
        # The account is server code's: any librarian may fetch, only administrators see or create accounts.
        account = self.env["iap.account"].sudo().get(SERVICE_NAME)
        url, params, timeout = self._book_data_request(account)
        try:
            answer = call_between_transactions(self.env.cr, lambda: _call_with_one_retry(url, params, timeout))
        except InsufficientCreditError as exc:
            self._add_buy_credits_link(exc)
            raise
        return self._apply_answer(answer, url)

    def _check_isbn(self) -> None:
        if not self.isbn or not self.isbn.strip():
            raise UserError(f"Please add an ISBN number to {self.display_name!r} before fetching its data.")
        if not stdnum_isbn.is_valid(self.isbn):
            raise UserError(f"The ISBN {self.isbn!r} of {self.display_name!r} is not valid (wrong length or check "
                            "digit): correct it from the book's back cover, then fetch again.")

    def _book_data_request(self, account) -> tuple[str, dict, float]:
        """The URL, parameters and timeout of the call; assigns (and so persists) the request id first."""
        if not self.iap_request_id:
            self.iap_request_id = uuid.uuid4().hex
        config = self.env["ir.config_parameter"].sudo()
        params = {"account_token": account.account_token, "isbn_number": self.isbn,
                  "request_id": self.iap_request_id, "dbuuid": config.get_param("database.uuid")}
        endpoint = (config.get_param(ENDPOINT_PARAM) or this_server_url(self.env)).rstrip("/")
        timeout = float(config.get_param(TIMEOUT_PARAM, DEFAULT_TIMEOUT))
        return endpoint + "/get_book_data", params, timeout

    def _apply_answer(self, answer, url: str):
        status = answer.get("status") if isinstance(answer, dict) else None
        if status == "found":
            values = self.process_result(answer["data"])
            if _same_isbn(values.get("isbn"), self.isbn):
                del values["isbn"]  # the ISBN stays as the user typed it: searching by it keeps finding the book
            self.write({**values, "iap_request_id": False})
            return True
        if status == "not found":
            self.iap_request_id = False
            return _notification("No book found", f"The ISBN service has no book with ISBN {self.isbn}: "
                                 "nothing was charged. Check the ISBN, or fill the book in by hand.")
        raise UserError(f"The ISBN service at {url} answered {answer!r} instead of book data: it is probably not "
                        "configured yet. Ask its provider, or point the 'iap_client.endpoint' system parameter at "
                        "another one.")

    def _add_buy_credits_link(self, exc: InsufficientCreditError) -> None:
        """Put the buy-credits page (``url``) in the error's JSON message and make its HTML ``body`` safe.

        The page is asked for as the user: it carries the account's token for administrators only.
        """
        try:
            details = json.loads(exc.args[0])
        except (IndexError, TypeError, ValueError):
            return  # not Odoo's JSON message: leave the error as it came
        details["url"] = self.env["iap.account"].get_credits_url(
            SERVICE_NAME, base_url=details.get("base_url") or "", credit=details.get("credit") or 1,
            trial=bool(details.get("trial")))
        if details.get("body"):
            details["body"] = sanitize_html(details["body"])
        exc.args = (json.dumps(details),)

    # -- mapping the answer ----------------------------------------------------------------------------
    @api.model
    def process_result(self, result: dict) -> dict:
        """The values to write for a ``found`` answer; authors become exactly the answer's authors.

        Authors are matched to partners by exact name, and created when none has that name.  The
        replace command comes first and the creations after it: the cookbook put ``(6, 0, ids)`` last,
        which dropped every author it had just created.
        """
        existing, missing = self._author_partners(result.get("authors") or [])
        return {
            "author_ids": [(6, 0, existing)] + [(0, 0, {"name": name}) for name in missing],
            "name": result.get("name"),
            "isbn": result.get("isbn"),
            "cover_image": result.get("cover_image"),
            "date_release": result.get("date_release"),
        }

    @api.model
    def _author_partners(self, names: list) -> tuple[list[int], list[str]]:
        """``(ids of partners named as authors, names with no partner)``, in the answer's order."""
        names = list(dict.fromkeys(name.strip() for name in names if isinstance(name, str) and name.strip()))
        partners = self.env["res.partner"].search([("name", "in", names)]) if names else self.env["res.partner"]
        by_name: dict[str, int] = {}
        for partner in partners:
            by_name.setdefault(partner.name, partner.id)
        return [by_name[name] for name in names if name in by_name], [name for name in names if name not in by_name]


def _call_with_one_retry(url: str, params: dict, timeout: float):
    """``iap_jsonrpc`` to the service; a timeout is retried once with the same request id (never charged twice)."""
    try:
        return iap_jsonrpc(url, params=params, timeout=timeout)
    except IAPTimeoutError:
        _logger.warning("ISBN service %s timed out; retrying request %s once", url, params["request_id"])
        return iap_jsonrpc(url, params=params, timeout=timeout)


def _same_isbn(first, second) -> bool:
    """Whether two ISBNs name the same book (ISBN-10 or 13, with or without hyphens)."""
    try:
        return stdnum_isbn.to_isbn13(stdnum_isbn.validate(first)) == stdnum_isbn.to_isbn13(stdnum_isbn.validate(second))
    except (TypeError, ValueError):  # stdnum's ValidationError is a ValueError
        return False


def _notification(title: str, message: str) -> dict:
    """A client action the web client shows as a notification (the transaction is kept, unlike an error)."""
    return {"type": "ir.actions.client", "tag": "display_notification",
            "params": {"title": title, "message": message, "type": "warning", "sticky": False}}
