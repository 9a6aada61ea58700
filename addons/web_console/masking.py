"""Which configuration values are secrets, and how a secret is shown: never, only whether it is set.

``is_secret_param`` is the one place that decides; every console page asks it.  A parameter is secret
when ``ir.config_parameter`` declares it so (``_is_secret_key``, which addons extend, where the base
addon has it) or when its key names a key, token, secret or password (``database.secret``,
``iap.isbn_service_key``, ``tcm_smt.api_key``...): the console never shows such a value back, not even to
an administrator.
"""
from __future__ import annotations

SECRET_WORDS = ("key", "token", "secret", "password", "passwd")
MASK = "••••••••"


def is_secret_param(key, env=None) -> bool:
    """Whether the value of configuration parameter ``key`` must never be sent to a browser.

    With ``env``, the parameters ``ir.config_parameter`` declares secret count too.
    """
    lowered = str(key or "").lower()
    if any(word in lowered for word in SECRET_WORDS):
        return True
    declared = getattr(env["ir.config_parameter"], "_is_secret_key", None) if env is not None else None
    return bool(declared and declared(str(key or "")))


def masked(value) -> str:
    """What a page shows for a secret: a fixed mask when set, nothing when not (never a part of it)."""
    return MASK if value else ""


def short_token(value) -> str:
    """The first characters of an identifier that works as a credential, to recognise it, not to use it."""
    text = str(value or "")
    return f"{text[:6]}…" if len(text) > 6 else ("…" if text else "")
