"""ISBNs as the service stores and compares them: 13 digits, checksum verified (python-stdnum).

A client may send an ISBN-10 or an ISBN-13, with hyphens or spaces; both name the same book, so the
service keeps one form only (the ISBN-13) and refuses a number whose check digit is wrong before any
credit is touched.
"""
from __future__ import annotations

from odoo.exceptions import UserError
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumValidationError

from .errors import service_error

# One request for many books may name at most this many ISBNs (one credit held per ISBN).
MAX_ISBNS_PER_REQUEST = 50


def normalize_isbn(value) -> str:
    """Return the ISBN-13 of ``value`` (an ISBN-10 or -13, hyphens and spaces ignored).

    Raises ``UserError`` with code ``invalid_isbn`` when ``value`` is not text or its check digit is
    wrong.  Example: ``normalize_isbn('0-7432-7356-7') == '9780743273565'``.
    """
    if not isinstance(value, str) or not value.strip():
        raise service_error("invalid_isbn", f"Invalid ISBN {value!r}: send the book's ISBN-10 or ISBN-13 as text.")
    try:
        return stdnum_isbn.validate(value, convert=True)
    except StdnumValidationError as exc:
        raise service_error("invalid_isbn", f"Invalid ISBN {value!r}: {exc.message.rstrip('.')}. Check the "
                            "number printed on the book (10 or 13 digits; hyphens and spaces are ignored).") from None


def normalize_isbn_list(values) -> dict[str, str]:
    """Map each ISBN as sent to its ISBN-13; refuse the whole list if any is invalid (naming them all).

    Raises ``UserError`` (``invalid_params``) for an empty or too long list, ``invalid_isbn`` otherwise.
    """
    if not isinstance(values, list) or not values:
        raise service_error("invalid_params", "isbn_numbers must be a non-empty list of ISBNs.")
    if len(values) > MAX_ISBNS_PER_REQUEST:
        raise service_error("invalid_params", f"isbn_numbers names {len(values)} ISBNs: send at most "
                            f"{MAX_ISBNS_PER_REQUEST} per request.")
    normalized, invalid = {}, []
    for value in values:
        try:
            normalized[value] = normalize_isbn(value)
        except UserError:  # collect every bad number for one message
            invalid.append(repr(value))
    if invalid:
        raise service_error("invalid_isbn", f"Invalid ISBN(s) {', '.join(invalid)}: fix or remove them; "
                            "nothing was charged.")
    return normalized
