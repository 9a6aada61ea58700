"""Which configuration values are secrets, and how a secret is shown: never, only whether it is set.

``is_secret_param`` is the one place that decides; every console page asks it.  Until
``ir.config_parameter`` marks secret parameters itself, a key naming a key, token, secret or password
is one (``database.secret``, ``iap.isbn_service_key``, ``tcm_smt.api_key``...).
"""
from __future__ import annotations

SECRET_WORDS = ("key", "token", "secret", "password", "passwd")
MASK = "••••••••"


def is_secret_param(key) -> bool:
    """Whether the value of configuration parameter ``key`` must never be sent to a browser."""
    lowered = str(key or "").lower()
    return any(word in lowered for word in SECRET_WORDS)


def masked(value) -> str:
    """What a page shows for a secret: a fixed mask when set, nothing when not (never a part of it)."""
    return MASK if value else ""


def short_token(value) -> str:
    """The first characters of an identifier that works as a credential, to recognise it, not to use it."""
    text = str(value or "")
    return f"{text[:6]}…" if len(text) > 6 else ("…" if text else "")
