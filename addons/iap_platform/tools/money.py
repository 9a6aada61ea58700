"""Credits as integers: 1 credit = 10,000 units (4 decimals, Odoo's balance precision).

Every amount the platform stores or sums is an int of units, so balances are exact; floats exist only
at the wire, where ``to_units``/``from_units`` convert (half-even rounding to 4 decimals).
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

from .errors import platform_error

UNITS_PER_CREDIT = 10_000
MAX_CREDITS = 10**12  # per operation: far above any real charge, far below BIGINT overflow


def to_units(value, name: str = "credit", allow_zero: bool = False) -> int:
    """Wire credits (a JSON number) -> units; raise ``invalid_params`` for anything else.

    Booleans are refused although Python counts them as ints; so are NaN, infinities, negatives, and
    amounts that round to zero unless ``allow_zero``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise platform_error("invalid_params", f"{name} must be a number of credits, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise platform_error("invalid_params", f"{name} must be a finite number, got {value!r}")
    units = int((Decimal(str(value)) * UNITS_PER_CREDIT).to_integral_value(ROUND_HALF_EVEN))
    if units < 0 or units > MAX_CREDITS * UNITS_PER_CREDIT:
        raise platform_error("invalid_params", f"{name} must be between 0 and {MAX_CREDITS}, got {value!r}")
    if units == 0 and not allow_zero:
        raise platform_error("invalid_params", f"{name} must be at least 0.0001 credit, got {value!r}")
    return units


def from_units(units: int, integer: bool = False) -> float | int:
    """Units -> wire credits (a float with at most 4 decimals; an int when ``integer`` and exact)."""
    if integer and units % UNITS_PER_CREDIT == 0:
        return units // UNITS_PER_CREDIT
    return units / UNITS_PER_CREDIT


def credits_text(units: int) -> str:
    """``15000`` -> ``'1.5'``: units as a human reads credits, exactly."""
    text = format(Decimal(units) / UNITS_PER_CREDIT, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def split_commission(captured: int, commission_bp: int) -> tuple[int, int]:
    """``(provider_share, commission)`` of a capture; the platform keeps the rounding remainder.

    ``commission_bp`` is in basis points (2500 = 25 %), so the commission is never below the rate.
    """
    share = captured * (10_000 - commission_bp) // 10_000
    return share, captured - share
