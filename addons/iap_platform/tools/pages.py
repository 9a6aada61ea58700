"""HTML pages of the platform, rendered with Jinja2 (autoescaped) from ``iap_platform/templates``."""
from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)


def render_credit_page(values: dict, message: str = "", error: str = "", csrf_token: str = "") -> str:
    """The buy-credits page for ``iap.platform.pack.credit_page(...)`` values, with an optional notice."""
    return _environment.get_template("credit_page.html").render(
        page=values, message=message, error=error, csrf_token=csrf_token)
