"""Text a database cannot store is refused as the client's mistake, not as a driver error.

Mixed into the database classes of ``server.db``: the one place where that translation happens, for the
ORM and raw SQL alike.
"""
from __future__ import annotations

from .exceptions import ValidationError


class UnstorableText(ValidationError):
    """A value holds text the database cannot store (lone surrogates; NUL characters on PostgreSQL)."""


class TextGuard:
    """Text the database cannot store becomes ``UnstorableText`` (a ValidationError the client can act on),
    not a driver error: the one place where that translation happens, for ORM and raw SQL alike."""

    def execute_sql(self, sql, params=None):
        try:
            return super().execute_sql(sql, params)
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start:exc.end] if isinstance(exc.object, str) else ""
            code = f" (U+{ord(bad[0]):04X})" if bad else ""
            raise UnstorableText(f"Text with an unpaired surrogate{code} cannot be stored: send valid Unicode "
                                 "text (UTF-8 encodable)") from None
        except ValueError as exc:
            if "NUL" not in str(exc):
                raise
            raise UnstorableText("Text containing NUL characters (\\x00) cannot be stored: remove them") from None
