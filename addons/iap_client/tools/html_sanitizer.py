"""Make a provider's HTML safe to show in this database's user interface.

A provider adds its rendered "credit template" to the insufficient-credit error as ``body``, and
Odoo's web client displays it raw: any provider (or anyone able to tamper with its answer) could run
script in the customer's session.  We keep only an allowlist of presentational tags and attributes;
links must be http(s) and images https.  Everything else is dropped, text is re-escaped.
"""
from __future__ import annotations

from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({"a", "b", "br", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
                          "ol", "p", "small", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "u",
                          "ul"})
VOID_TAGS = frozenset({"br", "hr", "img"})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
ALLOWED_ATTRIBUTES = {"*": frozenset({"class", "title"}), "a": frozenset({"href"}), "img": frozenset({"src", "alt"})}
URL_SCHEMES = {"href": ("http://", "https://"), "src": ("https://",)}


def sanitize_html(html: str) -> str:
    """``html`` reduced to the allowlist; ``''`` for anything that is not text."""
    if not isinstance(html, str):
        return ""
    cleaner = _Cleaner()
    cleaner.feed(html)
    cleaner.close()
    return "".join(cleaner.out)


class _Cleaner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0  # depth inside a dropped element (its text goes too)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping += tag not in VOID_TAGS
        elif tag in ALLOWED_TAGS and not self.skipping:
            kept = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in attrs
                           if _attribute_allowed(tag, name, value))
            self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ALLOWED_TAGS and tag not in VOID_TAGS and not self.skipping:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data, quote=False))


def _attribute_allowed(tag: str, name: str, value) -> bool:
    if value is None or name not in ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, frozenset()):
        return False
    schemes = URL_SCHEMES.get(name)
    return schemes is None or value.strip().lower().startswith(schemes)
