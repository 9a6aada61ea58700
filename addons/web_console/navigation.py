"""The console's one extension point: navigation sections and "needs attention" items, declared by addons.

An addon puts its pages in the console by declaring them, next to its controller::

    from odoo.addons.web_console import navigation

    @navigation.section("coupons", "Coupons", "/console/coupons", sequence=30, model="coupon.program")
    class CouponConsole(http.Controller):
        ...

    @navigation.attention("Stalled coupon processes", model="coupon.process")
    def stalled_processes(env) -> navigation.Attention:
        return navigation.Attention(count=..., url="/console/coupons/processes?stalled=1")

Both decorators return what they decorate unchanged.  A declaration counts only in databases where its
addon is installed, and only for users who may read its ``model`` (model access rights; record rules
are the model's ``_search``) and belong to one of its ``groups``.  The console itself knows no business
word: Home lists whatever the installed addons declared.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from odoo.orm.models import addon_of

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    """An entry of the console's navigation bar."""

    key: str
    label: str
    url: str
    addon: str
    sequence: int = 50
    model: str | None = None
    groups: str | None = None


@dataclass(frozen=True)
class Attention:
    """What one attention check found: ``count`` things stuck, fixed at ``url``."""

    count: int
    url: str
    detail: str = ""


@dataclass(frozen=True)
class AttentionCheck:
    """A declared check shown on Home: ``check(env) -> Attention``."""

    title: str
    check: Callable
    addon: str
    model: str | None = None
    groups: str | None = None
    sequence: int = 50


@dataclass(frozen=True)
class AttentionResult:
    """One check's answer for the current user, as Home shows it (``error`` if the check itself failed)."""

    title: str
    attention: Attention | None
    error: str = ""


SECTIONS: dict[str, Section] = {}
CHECKS: list[AttentionCheck] = []


def section(key: str, label: str, url: str, *, sequence: int = 50, model: str | None = None,
            groups: str | None = None) -> Callable:
    """Declare a navigation entry for the decorated controller's addon; the class is returned unchanged.

    ``key`` is unique across addons (ValueError names the addon that took it).
    """
    def decorator(cls):
        addon = addon_of(cls.__module__) or ""
        taken = SECTIONS.get(key)
        if taken is not None and taken.addon != addon:
            raise ValueError(f"Console section {key!r} is already declared by addon {taken.addon!r}: pick another key")
        SECTIONS[key] = Section(key, label, url, addon, sequence, model, groups)
        return cls
    return decorator


def attention(title: str, *, model: str | None = None, groups: str | None = None, sequence: int = 50) -> Callable:
    """Declare ``check(env) -> Attention`` as one line of Home; the function is returned unchanged."""
    def decorator(check: Callable) -> Callable:
        addon = addon_of(check.__module__) or ""
        CHECKS[:] = [c for c in CHECKS if (c.addon, c.title) != (addon, title)]  # a re-import replaces it
        CHECKS.append(AttentionCheck(title, check, addon, model, groups, sequence))
        return check
    return decorator


def allowed(env, model: str | None, groups: str | None) -> bool:
    """Whether ``env.user`` may see something guarded by read access on ``model`` and one of ``groups``."""
    if groups and not any(env.user.has_group(name.strip()) for name in groups.split(",") if name.strip()):
        return False
    if model:
        if model not in env.registry.models:
            return False
        return env[model].check_access_rights("read", raise_exception=False)
    return True


def visible_sections(env) -> list[Section]:
    """The sections of installed addons that ``env.user`` may open, in navigation order."""
    registry = env.registry
    found = [s for s in SECTIONS.values()
             if registry.is_installed(s.addon) and allowed(env, s.model, s.groups)]
    return sorted(found, key=lambda s: (s.sequence, s.label))


def attention_results(env) -> list[AttentionResult]:
    """Every visible check run for ``env.user``; a failing check is reported, it does not break Home."""
    registry = env.registry
    checks = [c for c in CHECKS if registry.is_installed(c.addon) and allowed(env, c.model, c.groups)]
    results = []
    for check in sorted(checks, key=lambda c: (c.sequence, c.title)):
        try:
            results.append(AttentionResult(check.title, _run_check(env, check)))
        except Exception as exc:  # one broken addon check must not hide the others
            _logger.exception("console attention check %r of addon %s failed", check.title, check.addon)
            results.append(AttentionResult(check.title, None, f"{type(exc).__name__}: {exc}"))
    return results


def _run_check(env, check: AttentionCheck) -> Attention:
    """Run one check; in a savepoint when the request can write, so that a failed query spoils nothing."""
    if getattr(env.cr, "readonly", False):
        return check.check(env)  # a read-only cursor has no transaction: each statement stands alone
    with env.cr.savepoint():
        return check.check(env)
