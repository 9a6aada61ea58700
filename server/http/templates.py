"""``request.render('<addon>.<name>', values)``: Jinja2 templates shipped in addons.

Template ``sale.portal_list`` is the file ``sale/templates/portal_list.html``;
it renders only in databases where ``sale`` is installed.  Output is
autoescaped.
"""
from __future__ import annotations

import threading
from pathlib import Path

import jinja2

from ..modules.registry import import_addon


class TemplateNotFound(LookupError):
    """No such template in an installed addon; the message says which file was looked for."""


class Templates:
    """One Jinja2 environment per addon, built on first use."""

    def __init__(self):
        self._environments: dict[str, jinja2.Environment] = {}
        self._lock = threading.Lock()

    def render(self, registry, template: str, values: dict) -> str:
        addon, _, name = template.partition(".")
        if not name or registry is None or not registry.is_installed(addon):
            raise TemplateNotFound(f"Template {template!r}: use '<addon>.<name>' with an installed addon")
        try:
            return self._environment(addon).get_template(f"{name}.html").render(values)
        except jinja2.TemplateNotFound:
            raise TemplateNotFound(f"Template {template!r}: no file {addon}/templates/{name}.html") from None

    def _environment(self, addon: str) -> jinja2.Environment:
        with self._lock:
            if addon not in self._environments:
                folder = Path(import_addon(addon).__file__).parent / "templates"
                self._environments[addon] = jinja2.Environment(
                    loader=jinja2.FileSystemLoader(str(folder)), autoescape=True)
            return self._environments[addon]
