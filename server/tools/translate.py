"""``_()`` and ``_lt()``: the translation calls of addon code (``odoo.tools.translate``).

Messages are not translated yet (no translation catalogues are loaded): both
return the source text, interpolated as Odoo does, so addon code that wraps
its messages runs unchanged and shows English.

* ``_("Book %s is lent", name)`` and ``_("%(n)s books", n=3)`` interpolate
  with ``%``; passing both positional and named values is an error.
* ``_lt("Title")`` is the text for module-level constants (field labels,
  selection labels); it is a ``str``, so it serialises and compares as one.
"""
from __future__ import annotations

import logging

_logger = logging.getLogger(__name__)


def _interpolate(source: str, args: tuple, kwargs: dict) -> str:
    if args and kwargs:
        raise TypeError("_() takes positional or named values for the message, not both")
    if not args and not kwargs:
        return source
    return source % (args or kwargs)


def _(source: str, *args, **kwargs) -> str:
    """``source`` with ``args``/``kwargs`` interpolated (``%s`` or ``%(name)s``), in the user's language."""
    return _interpolate(source, args, kwargs)


class LazyTranslate(str):
    """A message translated when shown; with no catalogues loaded, the (interpolated) source text."""

    def __new__(cls, source: str, *args, **kwargs):
        return super().__new__(cls, _interpolate(source, args, kwargs))

    def __repr__(self) -> str:
        return f"_lt({str(self)!r})"


_lt = LazyTranslate


def html_translate(callback, value):
    """The ``translate=`` of HTML fields: ``callback`` applied to the translatable text (all of it here)."""
    return callback(value) if value else value


def xml_translate(callback, value):
    """The ``translate=`` of XML (view arch) fields: ``callback`` applied to the translatable text."""
    return callback(value) if value else value


html_translate.is_text = False
xml_translate.is_text = False
