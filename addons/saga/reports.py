"""What operators read: an instance's timeline and per-step statistics."""
from __future__ import annotations

import math


def timeline(instance) -> list[dict]:
    """The executions in order, then the try that is scheduled or waits for its message (``id`` None)."""
    instance = instance.sudo()
    rows = [{
        "id": e.id, "phase": e.phase, "step": e.step, "attempt": e.attempt, "status": e.status,
        "scheduled_at": e.scheduled_at, "started_at": e.started_at, "ended_at": e.ended_at,
        "duration": e.duration if e.ended_at and e.started_at else None, "error": e.error or None,
    } for e in instance.step_ids.sorted("id")]
    pending = {"running": "scheduled", "compensating": "scheduled", "waiting": "waiting"}.get(instance.status)
    if pending and instance.current_step:
        rows.append({"id": None, "phase": instance.phase, "step": instance.current_step,
                     "attempt": instance.current_attempt, "status": pending, "scheduled_at": instance.scheduled_at,
                     "started_at": instance.step_started_at if pending == "waiting" else None, "ended_at": None,
                     "duration": None, "error": None})
    return rows


def step_stats(env, saga_type: str | None = None) -> list[dict]:
    """Per saga type, step and phase: count, failures, failure rate, mean and p95 duration (s)."""
    domain = [("status", "in", ("succeeded", "failed", "rejected", "timed_out", "lost"))]
    if saga_type:
        domain.append(("saga_type", "=", saga_type))
    groups: dict[tuple, list] = {}
    for row in env["saga.step"].sudo().search_read(domain, ["saga_type", "step", "phase", "status", "duration"]):
        groups.setdefault((row["saga_type"], row["step"], row["phase"]), []).append(row)
    return [_stats(key, rows) for key, rows in sorted(groups.items())]


def _stats(key: tuple, rows: list[dict]) -> dict:
    durations = sorted(r["duration"] or 0.0 for r in rows if r["status"] != "lost")
    failures = sum(1 for r in rows if r["status"] != "succeeded")
    return {
        "saga_type": key[0], "step": key[1], "phase": key[2], "count": len(rows), "failures": failures,
        "failure_rate": failures / len(rows), "mean": sum(durations) / len(durations) if durations else None,
        "p95": percentile(durations, 0.95),
    }


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted ``values`` (None when empty)."""
    if not values:
        return None
    return values[max(math.ceil(share * len(values)) - 1, 0)]
