"""Float rounding and comparison at a given precision, with Odoo's semantics (``odoo.tools.float_utils``).

Binary floats cannot hold most decimal amounts exactly (``2.675`` is stored as
``2.67499999...``), so rounding first nudges the value by a few ULPs in the
direction of the rounding, as Odoo does: an amount that *prints* as a half
rounds the way a person expects.  Comparisons round the difference, so two
amounts are equal when they are equal at the precision.
"""
from __future__ import annotations

import math

ROUNDING_METHODS = ("HALF-UP", "HALF-DOWN", "HALF-EVEN", "UP", "DOWN")
EPSILON_MAGNITUDE = 53  # bits of a double's mantissa


def _precision(precision_digits: int | None = None, precision_rounding: float | None = None) -> float:
    """The rounding step: ``precision_rounding``, or ``10 ** -precision_digits``."""
    if (precision_digits is None) == (precision_rounding is None):
        raise ValueError("give exactly one of precision_digits and precision_rounding")
    if precision_rounding is not None:
        if precision_rounding <= 0:
            raise ValueError(f"precision_rounding must be positive, got {precision_rounding!r}")
        return precision_rounding
    return 10 ** -precision_digits


def float_round(value: float, precision_digits: int | None = None, precision_rounding: float | None = None,
                rounding_method: str = "HALF-UP") -> float:
    """``value`` rounded to the precision, by ``rounding_method`` (HALF-UP, HALF-DOWN, HALF-EVEN, UP, DOWN).

    >>> float_round(2.675, precision_digits=2)
    2.68
    >>> float_round(1.3, precision_rounding=0.5)
    1.5
    """
    if rounding_method not in ROUNDING_METHODS:
        raise ValueError(f"unknown rounding method {rounding_method!r}: use one of {', '.join(ROUNDING_METHODS)}")
    step = _precision(precision_digits, precision_rounding)
    if value == 0 or step == 0:
        return 0.0
    # Work on the number of steps so that 0.5-step boundaries are exact.
    normalized = value / step
    sign = math.copysign(1.0, normalized)
    magnitude = abs(normalized)
    nudge = 2 ** (math.frexp(magnitude)[1] - EPSILON_MAGNITUDE) * 8 if magnitude else 0.0
    if rounding_method == "UP":
        steps = math.ceil(magnitude - nudge)
    elif rounding_method == "DOWN":
        steps = math.floor(magnitude + nudge)
    else:
        steps = _round_half(magnitude, nudge, rounding_method)
    result = sign * steps * step
    # Re-round to the decimal digits of the step, removing the multiplication's noise.
    digits = max(0, -math.floor(math.log10(step))) + 1 if step < 1 else 0
    return round(result, digits) if digits else float(result)


def _round_half(magnitude: float, nudge: float, method: str) -> float:
    floor = math.floor(magnitude)
    fraction = magnitude - floor
    if abs(fraction - 0.5) <= nudge:
        if method == "HALF-UP":
            return floor + 1
        if method == "HALF-DOWN":
            return floor
        return floor + 1 if floor % 2 else floor
    return floor + 1 if fraction > 0.5 else floor


def float_is_zero(value: float, precision_digits: int | None = None, precision_rounding: float | None = None) -> bool:
    """Whether ``value`` rounds to zero at the precision."""
    step = _precision(precision_digits, precision_rounding)
    return abs(float_round(value, precision_rounding=step)) < step


def float_compare(value1: float, value2: float, precision_digits: int | None = None,
                  precision_rounding: float | None = None) -> int:
    """-1, 0 or 1 as ``value1`` is below, equal to or above ``value2`` at the precision."""
    step = _precision(precision_digits, precision_rounding)
    value1 = float_round(value1, precision_rounding=step)
    value2 = float_round(value2, precision_rounding=step)
    delta = value1 - value2
    if float_is_zero(delta, precision_rounding=step):
        return 0
    return -1 if delta < 0 else 1


def float_repr(value: float, precision_digits: int) -> str:
    """``value`` as text with exactly ``precision_digits`` decimals (no float noise)."""
    return f"{value:.{precision_digits}f}"


def float_split_str(value: float, precision_digits: int) -> tuple[str, str]:
    """The integer and decimal parts of ``value`` rounded to ``precision_digits``, as text."""
    text = float_repr(float_round(value, precision_digits=precision_digits), precision_digits)
    units, _, cents = text.partition(".")
    return units, cents


def float_split(value: float, precision_digits: int) -> tuple[int, int]:
    """The integer and decimal parts of ``value`` rounded to ``precision_digits``, as numbers."""
    units, cents = float_split_str(value, precision_digits)
    return int(units), int(cents or 0)


def json_float_round(value: float, precision_digits: int, rounding_method: str = "HALF-UP") -> float:
    """``value`` rounded so that ``json.dumps`` writes no more than ``precision_digits`` decimals."""
    rounded = float_round(value, precision_digits=precision_digits, rounding_method=rounding_method)
    return float(float_repr(rounded, precision_digits))
