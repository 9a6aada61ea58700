"""The seed's score rule (``pathFindera7``), exactly.

The risk is the last ``;``-separated value of ``Data.RISKREPQ[0]`` in the
API's JSON answer, clamped to [5, 95]; anything that cannot be read that way
(no ``Data``, no ``RISKREPQ``, an empty list, a value that is not an integer,
an answer that is not JSON at all) gives the seed's fallback of 60.  The
score is ``100 - risk``.  ``RiskReading.problem`` says why the fallback was
used, so the transfer can record it.
"""
from __future__ import annotations

from dataclasses import dataclass

RISK_MIN, RISK_MAX, RISK_FALLBACK = 5, 95, 60


@dataclass(frozen=True)
class RiskReading:
    risk: int
    problem: str | None = None

    @property
    def score(self) -> int:
        return 100 - self.risk


def read_risk(payload) -> RiskReading:
    """The risk of one API answer (a parsed JSON value; ``None`` for an answer that was not JSON)."""
    try:
        value = _riskrepq(payload).split(";")[-1].strip()
        risk = int(value)
    except LookupError as exc:
        return RiskReading(RISK_FALLBACK, str(exc.args[0]) if exc.args else "no RISKREPQ")
    except (TypeError, ValueError, AttributeError):
        return RiskReading(RISK_FALLBACK, f"RISKREPQ's last value is not an integer: {_short(payload)}")
    return RiskReading(min(RISK_MAX, max(RISK_MIN, risk)))


def _riskrepq(payload) -> str:
    if payload is None:
        raise LookupError("the answer is not JSON")
    if not isinstance(payload, dict) or not isinstance(payload.get("Data"), dict):
        raise LookupError("the answer has no Data object")
    values = payload["Data"].get("RISKREPQ")
    if not isinstance(values, list) or not values:
        raise LookupError("the answer has no RISKREPQ list")
    if not isinstance(values[0], str):
        raise TypeError(values[0])
    return values[0]


def summary(scores: list[int]) -> str:
    """The seed's ``resume``: the scores joined with ``|``."""
    return "|".join(str(score) for score in scores)


def _short(payload) -> str:
    text = repr(payload)
    return text if len(text) <= 120 else text[:117] + "..."
