"""Rendering console pages: one Jinja2 environment over every addon's ``templates/`` folder, and list helpers.

A page template is named ``<addon>/<path>`` (``coupon_generator/console/programs.html`` is the file
``coupon_generator/templates/console/programs.html``) and usually starts with
``{% extends "web_console/layout.html" %}``, so every addon's pages share the console's layout, navigation
and macros.  It renders only where its addon is installed.  Output is autoescaped.

``Listing`` turns a page's ``page``/``sort``/``desc`` query parameters into the ``offset``, ``limit`` and
``order`` of one ORM ``search`` (sorting and paging happen in SQL), refusing columns it was not told about.
"""
from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.modules.registry import import_addon
from werkzeug.exceptions import NotFound

from . import navigation
from .charts import bar_chart
from .masking import masked

PAGE_SIZE = 50


class AddonTemplates(jinja2.BaseLoader):
    """Templates named ``<addon>/<path>``, read from ``<addon>/templates/<path>`` (any importable addon)."""

    def get_source(self, environment, template: str):
        addon, _, path = template.partition("/")
        if not path:
            raise jinja2.TemplateNotFound(template)
        try:
            folder = Path(import_addon(addon).__file__).parent / "templates"
        except ImportError:
            raise jinja2.TemplateNotFound(template) from None
        return jinja2.FileSystemLoader(str(folder)).get_source(environment, path)


_environment: jinja2.Environment | None = None
_lock = threading.Lock()


def environment() -> jinja2.Environment:
    """The shared environment (built once; Jinja2 environments are safe to render from many threads)."""
    global _environment
    with _lock:
        if _environment is None:
            env = jinja2.Environment(loader=AddonTemplates(), autoescape=True, trim_blocks=True, lstrip_blocks=True)
            env.filters.update(datetime=format_datetime, number=format_number, masked=masked)
            env.globals["bar_chart"] = bar_chart
            _environment = env
    return _environment


def render(template: str, values: dict | None = None, status: int = 200, section: str | None = None,
           headers=None):
    """The response of page ``template`` with the console's common values (user, navigation, CSRF token).

    ``section`` is the navigation key to highlight.  NotFound if the template's addon is not installed.
    """
    addon = template.partition("/")[0]
    if request.registry is None or not request.registry.is_installed(addon):
        raise NotFound(f"Page template {template!r}: addon {addon!r} is not installed")
    html = environment().get_template(template).render({**common_values(section), **(values or {})})
    response = request.make_response(html, status=status, headers=headers)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def common_values(section: str | None) -> dict:
    env = request.env
    return {"request": request, "user": env.user, "current_section": section,
            "sections": navigation.visible_sections(env) if env.uid else [],
            "csrf_token": request.csrf_token(), "url_with": url_with}


def url_with(**changes) -> str:
    """The current URL with some query parameters changed (None removes one): for sort and page links."""
    args = request.httprequest.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    query = urlencode(args)
    return request.httprequest.path + (f"?{query}" if query else "")


def format_datetime(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value[:19]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def format_number(value, digits: int = 0) -> str:
    if value in (None, False):
        return ""
    return f"{value:,.{digits}f}" if isinstance(value, (int, float)) else str(value)


@dataclass
class Listing:
    """One page of a sortable list: ``records``, ``total``, ``page``, ``pages``, the ``sort`` column.

    ``more``: the list was counted up to a limit only and goes on past ``total`` (and ``pages``).
    """

    records: object
    total: int
    page: int
    pages: int
    sort: str
    desc: bool
    columns: dict
    more: bool = False
    page_size: int = PAGE_SIZE

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (self.more and len(self.records) == self.page_size)

    @classmethod
    def search(cls, model, domain: list, params: dict, columns: dict[str, str], default: str,
               default_desc: bool = False, page_size: int = PAGE_SIZE, count_limit: int | None = None) -> Listing:
        """Search ``model`` for the page and order the query parameters ask for.

        ``columns`` maps a sort key offered to the user to the ORM ``order`` it means
        (``{"name": "name", "state": "state, name"}``); any other ``sort`` value is ignored.
        ``count_limit``: count at most that many rows (a count reads every matching row, the page
        only 50): the pager then says "10,000+" and pages on as long as there are rows.
        """
        sort = params.get("sort") if params.get("sort") in columns else default
        desc = params.get("desc", "1" if default_desc and sort == default else "") in ("1", "true")
        total = model.search_count(domain, limit=count_limit + 1) if count_limit else model.search_count(domain)
        more = bool(count_limit) and total > count_limit
        total = min(total, count_limit) if more else total
        pages = max(1, math.ceil(total / page_size))
        page = max(_int(params.get("page"), 1), 1)
        page = page if more else min(page, pages)
        direction = "desc" if desc else "asc"
        order = ", ".join(f"{part.strip()} {direction}" for part in columns[sort].split(","))
        # the id breaks ties in the same direction, so that an index on the column (which holds the
        # row id too) gives the page in order: no sort of every matching row, even deep in the list
        records = model.search(domain, offset=(page - 1) * page_size, limit=page_size,
                               order=f"{order}, id {direction}")
        return cls(records, total, page, pages, sort, desc, columns, more, page_size)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def require_groups(groups: str) -> None:
    """Refuse (AccessError, HTTP 403) a user in none of ``groups``, as a route's ``groups=`` does.

    For POST routes: the framework checks a POST's CSRF token before a route's ``groups``, so a route that
    must refuse non-members by their group checks it here instead.
    """
    user = request.env.user
    names = [name.strip() for name in groups.split(",") if name.strip()]
    if not any(user.has_group(name) for name in names):
        raise AccessError(f"The page {request.httprequest.path} is reserved to members of {', '.join(names)}",
                          groups=names)


def int_param(value, name: str) -> int:
    """A record id from the URL or a form; NotFound (not a 500) for anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"{name} must be a number, not {value!r}") from None
    if number <= 0:
        raise NotFound(f"{name} must be positive, not {number}")
    return number
