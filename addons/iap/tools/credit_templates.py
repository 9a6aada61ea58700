"""Credit templates: the provider's offer, rendered into a credit error's JSON message as ``body`` (as Odoo).

``credit_template="module.name"`` names ``ir.qweb``'s template when ``ir.qweb`` is installed, else the
Jinja2 file ``<module>/templates/<name>.html``.
"""
from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path

_logger = logging.getLogger(__name__)


def add_credit_template_body(env, exc: Exception, template: str) -> None:
    """Put the rendered template in the error's JSON message as ``body`` (as Odoo does)."""
    try:
        arguments = json.loads(exc.args[0])
    except (IndexError, TypeError, ValueError):
        _logger.warning("IAP credit error without a JSON message; credit template %s not added", template)
        return
    body = render_credit_template(env, template)
    if body is not None:
        arguments["body"] = body
        exc.args = (json.dumps(arguments),)


def render_credit_template(env, template: str) -> str | None:
    """Render ``module.name``: ``ir.qweb`` when installed, else ``<module>/templates/<name>.html`` (Jinja2).

    Returns None (and logs) when the template does not exist, so the credit error still reaches the
    client with its plain message rather than being replaced by a template error.
    """
    if "ir.qweb" in env:
        return str(env["ir.qweb"]._render(template))
    path = _template_path(template)
    if path is None:
        _logger.warning("IAP credit template %r not found (expected <addon>/templates/<name>.html)", template)
        return None
    import jinja2

    loader = jinja2.Environment(loader=jinja2.FileSystemLoader(str(path.parent)), autoescape=True)
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url", "")
    return loader.get_template(path.name).render(base_url=base_url)


def _template_path(template: str) -> Path | None:
    module, _, name = template.partition(".")
    if not module or not name or "/" in name or "\\" in name:
        return None
    try:
        package = importlib.import_module(f"odoo.addons.{module}")
    except ImportError:
        return None
    path = Path(package.__file__).parent / "templates" / f"{name}.html"
    return path if path.is_file() else None
