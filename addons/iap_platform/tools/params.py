"""Validation of wire parameters: every refusal is ``invalid_params`` naming the parameter and the rule."""
from __future__ import annotations

from .errors import platform_error

DEFAULT_TTL_HOURS = 4320
MIN_TTL_SECONDS = 60


def text(value, name: str, max_length: int, required: bool = False) -> str | None:
    """A string parameter; ``None``/``False``/``''`` mean absent (refused when ``required``)."""
    if value is None or value is False or value == "":
        if required:
            raise platform_error("invalid_params", f"{name} is required")
        return None
    if not isinstance(value, str):
        raise platform_error("invalid_params", f"{name} must be a string, got {type(value).__name__}")
    if len(value) > max_length or "\x00" in value:
        raise platform_error("invalid_params", f"{name} must be at most {max_length} characters of text")
    if not is_storable_text(value):
        raise platform_error("invalid_params", f"{name} is not valid Unicode text (a lone surrogate?): send it "
                             "as UTF-8 text")
    return value


def is_storable_text(value: str) -> bool:
    """Whether ``value`` can be stored and hashed: UTF-8 encodable (JSON lets lone surrogates through)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def integer(value, name: str) -> int:
    """An integer parameter (an integral float is accepted, a boolean is not)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise platform_error("invalid_params", f"{name} must be an integer, got {value!r}")
    return value


def ttl_seconds(ttl, seconds, max_hours: int) -> int:
    """The hold's lifetime in seconds, from ``ttl`` (hours, Odoo's) or ``ttl_seconds`` (ours, wins).

    A ``ttl`` above the service's ``max_hours`` is lowered to it, so stock Odoo providers sending the
    4320 h default keep working against a service that allows shorter holds only.
    """
    if seconds is not None and seconds is not False:
        seconds = integer(seconds, "ttl_seconds")
        if not MIN_TTL_SECONDS <= seconds <= max_hours * 3600:
            raise platform_error("invalid_params",
                                 f"ttl_seconds must be between {MIN_TTL_SECONDS} and {max_hours * 3600}")
        return seconds
    hours = integer(DEFAULT_TTL_HOURS if ttl is None or ttl is False else ttl, "ttl")
    if hours < 1:
        raise platform_error("invalid_params", f"ttl must be at least 1 hour, got {hours}")
    return min(hours, max_hours) * 3600


MIN_QUOTA_SECONDS = 5
DEFAULT_QUOTA_SECONDS = 60


def validity_seconds(value, max_hours: int) -> int:
    """A quota's validity in seconds (default 60), between 5 s and the service's longest hold."""
    if value is None or value is False:
        value = DEFAULT_QUOTA_SECONDS
    seconds = integer(value, "validity")
    if not MIN_QUOTA_SECONDS <= seconds <= max_hours * 3600:
        raise platform_error("invalid_params", f"validity must be between {MIN_QUOTA_SECONDS} and "
                             f"{max_hours * 3600} seconds, got {seconds}")
    return seconds
