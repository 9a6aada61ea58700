"""Per-channel metrics of the queue: counts by state, throughput, wait and run time percentiles.

Read by ``queue.job.stats()`` over RPC and by ``odoo-bin.py jobs stats``.  Durations come from the
rows of the jobs finished in the window (at most ``SAMPLE`` of them, the latest).
"""
from __future__ import annotations

import datetime as dt

from .store import dialect_of, utcnow

SAMPLE = 10_000
PERCENTILES = (50, 95, 99)


def channel_stats(cr, window_minutes: int = 60) -> dict[str, dict]:
    """``{channel: {pending, started, failed, ..., done_per_minute, wait_p50, run_p99, ...}}``."""
    stats: dict[str, dict] = {}
    for channel, state, count in cr.execute("SELECT channel, state, count(*) FROM queue_job "
                                            "GROUP BY channel, state").fetchall():
        stats.setdefault(channel or "root", _empty())[state] = count
    since = utcnow() - dt.timedelta(minutes=window_minutes)
    dialect = dialect_of(cr)
    rows = cr.execute("SELECT channel, date_created, date_started, exec_time FROM queue_job WHERE state = 'done' "
                      "AND date_done >= %s ORDER BY date_done DESC LIMIT %s", (dialect.ts(since), SAMPLE)).fetchall()
    samples: dict[str, tuple[list, list]] = {}
    for channel, created, started, exec_time in rows:
        waits, runs = samples.setdefault(channel or "root", ([], []))
        if created and started:
            waits.append((dialect.datetime_out(started) - dialect.datetime_out(created)).total_seconds())
        runs.append(exec_time or 0.0)
    for channel, (waits, runs) in samples.items():
        entry = stats.setdefault(channel, _empty())
        entry["done_in_window"] = len(runs)
        entry["done_per_minute"] = round(len(runs) / window_minutes, 2)
        for p in PERCENTILES:
            entry[f"wait_p{p}"] = _percentile(waits, p)
            entry[f"run_p{p}"] = _percentile(runs, p)
    return stats


def _empty() -> dict:
    return {"wait_dependencies": 0, "pending": 0, "enqueued": 0, "started": 0, "done": 0, "cancelled": 0,
            "failed": 0, "done_in_window": 0, "done_per_minute": 0.0}


def _percentile(values: list[float], p: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index], 6)
