"""Claiming, extending, finishing and reaping jobs: the worker side of ``store``.

A claim moves ``pending`` jobs to ``started`` for one worker in one short transaction: it counts
the try (``retry + 1``) and gives the worker a lease (``lease_until``).  The worker extends the
leases of the jobs it runs (heartbeat); a job whose lease expired belongs to nobody and any
worker's reaper puts it back to ``pending`` (or ``failed`` once its tries are used up).  Finishing
checks the lease is still this worker's, so a run that lost its job (timeout, reaped) cannot
commit its effects.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from odoo import prepared

from .. import store
from ..store import FAILED, JOB_COLUMNS, PENDING, STARTED, LeaseLost, dialect_of, utcnow
from .channels import Slot, covers

CAPACITY_LOCK_KEY = 0x51_4A_43_41  # pg advisory lock serializing claims in channels with a capacity
CAPACITIES_CACHE = "queue_job.capacities"
#: A claim's commit need not wait for the disk: if the database loses it in a crash, the job is simply
#: pending again (its run, committed after, is lost with it).  The job's own transaction stays durable.
ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF; "


@dataclass(frozen=True)
class Claim:
    """One claimed job: its row, and what proves this worker still holds it."""

    row: dict
    worker_id: str

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def retry(self) -> int:
        return self.row["retry"]


# -- claiming -------------------------------------------------------------------------------------------------
def claim(cr, slot: Slot, limit: int, worker_id: str, pid: int, lease: float) -> list[Claim]:
    """Claim up to ``limit`` due jobs of ``slot``, best priority first; the caller commits.

    Without channel capacities this is one ``UPDATE``.  With some (``queue.job.channel`` records
    with ``capacity > 0`` inside or above the slot), claims are serialized (an advisory lock on
    PostgreSQL, the write lock on SQLite), the running jobs counted, each capped channel inside the
    slot claimed on its own, and every capped channel above a group bounds it too.
    """
    now = utcnow()
    capped = _capped_channels_of(cr.registry, slot)
    if not capped:
        predicate, params = _group_predicate(slot.channel, slot.excluded)
        rows = _claim_group(cr, predicate, params, limit, now, worker_id, pid, lease)
    elif dialect_of(cr).name == "postgresql" and not _inner_capped(slot, capped):
        rows = _claim_bounded(cr, slot, limit, capped, (now, worker_id, pid, lease))
    else:
        rows = _claim_capped(cr, slot, limit, capped, (now, worker_id, pid, lease))
    if rows and dialect_of(cr).name == "sqlite":
        _insert_events(cr, rows, STARTED, "started", worker_id)  # PostgreSQL: written by the claim itself
    rows.sort(key=lambda row: (row["priority"], row["id"]))
    return [Claim(row, worker_id) for row in rows]


def _claim_capped(cr, slot: Slot, limit: int, capped: dict[str, int], claim_args: tuple) -> list[dict]:
    if dialect_of(cr).name == "postgresql":
        cr.execute("SELECT pg_advisory_xact_lock(%s)", (CAPACITY_LOCK_KEY,))
    free = _free_capacity(cr, capped)
    inner = _inner_capped(slot, capped)
    rows: list[dict] = []
    for group_channel in [*inner, slot.channel]:
        excluded = [*slot.excluded, *(n for n in inner if n != group_channel and covers(group_channel, n))]
        bounds = [name for name in capped if covers(name, group_channel)]
        group_limit = min([limit - len(rows), *(free[name] for name in bounds)])
        if group_limit <= 0:
            continue
        predicate, params = _group_predicate(group_channel, excluded)
        taken = _claim_group(cr, predicate, params, group_limit, *claim_args)
        for name in bounds:
            free[name] -= len(taken)
        rows += taken
    return rows


def _inner_capped(slot: Slot, capped: dict[str, int]) -> list[str]:
    """The capped channels strictly inside the slot, the most specific first: each is claimed on its own."""
    return sorted((name for name in capped if covers(slot.channel, name) and name != slot.channel),
                  key=lambda name: -name.count("."))


def _claim_bounded(cr, slot: Slot, limit: int, capped: dict[str, int], claim_args: tuple) -> list[dict]:
    """PostgreSQL, a slot whose capped channels all contain it: lock, count and claim in one statement.

    The statements of one query string run in one implicit transaction, so the advisory lock is held
    until the claim commits; each statement reads what was committed before it began, the claims of
    whoever held the lock before included.  One round trip instead of four (lock, count, claim, commit).
    """
    free_sql, free_params = [], []
    for name, capacity in sorted(capped.items()):
        channel_sql, channel_params = _channel_predicate(name)
        free_sql.append(f"%s - (SELECT count(*) FROM queue_job WHERE {HOLDING} AND {channel_sql})")
        free_params += [capacity, *channel_params]
    bounded = (f"(SELECT GREATEST(0, LEAST(%s, {', '.join(free_sql)})))", [limit, *free_params])
    predicate, params = _group_predicate(slot.channel, slot.excluded)
    lock = (f"SELECT pg_advisory_xact_lock({CAPACITY_LOCK_KEY}); ")
    return _claim_group(cr, predicate, params, bounded, *claim_args, prefix=lock)


def needs_transaction(registry, slot: Slot) -> bool:
    """Whether claiming in ``slot`` takes several statements (capped channels inside it, or SQLite)."""
    capped = _capped_channels_of(registry, slot)
    return registry.database.dialect != "postgresql" or bool(_inner_capped(slot, capped))


def _capped_channels_of(registry, slot: Slot) -> dict[str, int]:
    """The capped channels that bound this slot: inside it (not in a more specific slot) or above it."""
    found = {}
    for name, capacity in limited_channels(registry).items():
        inside = covers(slot.channel, name) and not any(covers(other, name) for other in slot.excluded)
        if inside or covers(name, slot.channel):
            found[name] = capacity
    return found


def _claim_group(cr, predicate: str, params: list, limit: int | tuple[str, list], now, worker_id, pid, lease,
                 prefix: str = "") -> list[dict]:
    """Claim up to ``limit`` jobs matching ``predicate``; ``limit`` is a number or ``(SQL, params)``
    computed by the database; ``prefix``: statements of the same round trip that come first (PostgreSQL)."""
    dialect = dialect_of(cr)
    picked_sql, picked_params = due_jobs(dialect, predicate, params, limit, now)
    update = (f"WITH {picked_sql} "
              "UPDATE queue_job SET state = 'started', retry = retry + 1, date_started = %s, worker_pid = %s, "
              "worker_id = %s, lease_until = %s, capacity_released = FALSE WHERE id IN (SELECT id FROM picked) "
              f"RETURNING {', '.join(JOB_COLUMNS)}")
    until = now + dt.timedelta(seconds=lease)
    values = [*picked_params, dialect.ts(now), pid, worker_id, dialect.ts(until)]
    if dialect.name == "postgresql":  # claim, events and a commit that does not wait for the disk: one trip
        update, values = prepared.statement(cr, f"WITH claimed AS ({update}), events AS ("
                                            f"{store.EVENT_FROM_CTE.format(cte='claimed')}) SELECT * FROM claimed",
                                            [*values, STARTED, "started", dialect.ts(now), None, worker_id])
        update = f"{ASYNC_COMMIT}{prefix}{update}"
    return [store.row_from_cursor(dialect, JOB_COLUMNS, found) for found in cr.execute(update, values).fetchall()]


def due_jobs(dialect, predicate: str, params: list, limit: int | tuple[str, list], now) -> tuple[str, list]:
    """The CTEs ending in ``picked``: the ids of at most ``limit`` due pending jobs matching ``predicate``,
    best priority first, locked (PostgreSQL: ``FOR UPDATE SKIP LOCKED``).

    Two index scans, one per kind of due job: those with no ``eta`` in claim order
    (``queue_job_ready_idx``), and those whose ``eta`` has passed, found by ``eta``
    (``queue_job_scheduled_idx``).  One scan for ``eta IS NULL OR eta <= now`` in claim order stepped
    over every job scheduled for later, so each claim cost as much as there were of them (a saga's
    wait timeouts, retries waiting out their backoff).  Each scan may lock up to ``limit`` jobs and the
    best ``limit`` of both are claimed: the others are unlocked when the claim commits, a moment later.
    """
    head, head_params, bound, bound_params = "", [], "%s", [limit]
    if isinstance(limit, tuple):  # computed by the database: once, for the three limits
        head, head_params = f"limited AS (SELECT {limit[0]} AS n), ", limit[1]
        bound, bound_params = "(SELECT n FROM limited)", []
    lock = dialect.lock_clause
    sql = (f"{head}ready AS (SELECT id, priority FROM queue_job WHERE state = 'pending' AND eta IS NULL "
           f"AND {predicate} ORDER BY priority, id LIMIT {bound}{lock}), "
           "due AS (SELECT id, priority FROM queue_job WHERE state = 'pending' AND eta IS NOT NULL AND eta <= %s "
           f"AND {predicate} ORDER BY priority, id LIMIT {bound}{lock}), "
           "picked AS (SELECT id FROM (SELECT id, priority FROM ready UNION ALL SELECT id, priority FROM due) "
           f"AS candidates ORDER BY priority, id LIMIT {bound})")
    return sql, [*head_params, *params, *bound_params, dialect.ts(now), *params, *bound_params, *bound_params]


def _channel_predicate(channel: str, negate: bool = False) -> tuple[str, list]:
    sql = "(channel = %s OR substr(channel, 1, %s) = %s)"
    return (f"NOT {sql}" if negate else sql), [channel, len(channel) + 1, channel + "."]


def _group_predicate(channel: str, excluded) -> tuple[str, list]:
    if channel == "root" and not excluded:
        return "1 = 1", []  # every channel is under root: no test, the pending index does the work
    sql, params = _channel_predicate(channel)
    parts, values = [sql], list(params)
    for other in excluded:
        other_sql, other_params = _channel_predicate(other, negate=True)
        parts.append(other_sql)
        values += other_params
    return " AND ".join(parts), values


def limited_channels(registry) -> dict[str, int]:
    """``{complete name: capacity}`` of the channels with a capacity (a process cache: channel changes
    empty it here at once, in other processes at their next ``Registry.check_signaling``)."""
    cache = registry.cache(CAPACITIES_CACHE)
    if "capacities" not in cache:
        with registry.cursor(readonly=True) as cr:
            rows = cr.execute("SELECT complete_name, capacity FROM queue_job_channel WHERE capacity > 0").fetchall()
        cache["capacities"] = {name: capacity for name, capacity in rows}
    return cache["capacities"]


#: The started jobs that count against their channel's capacity: those that did not give it back.
HOLDING = "state = 'started' AND capacity_released IS NOT TRUE"


def _free_capacity(cr, capped: dict[str, int]) -> dict[str, int]:
    running = cr.execute(f"SELECT channel, count(*) FROM queue_job WHERE {HOLDING} GROUP BY channel").fetchall()
    return {name: cap - sum(count for channel, count in running if channel and covers(name, channel))
            for name, cap in capped.items()}
def _insert_events(cr, rows: list[dict], state: str, kind: str, worker_id: str | None,
                   message: str | None = None) -> None:
    """One event per row, in one statement."""
    now = dialect_of(cr).ts(utcnow())
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params = [value for row in rows for value in (row["id"], state, kind, now, message, worker_id)]
    cr.execute(f"INSERT INTO queue_job_event (job_id, state, kind, date, message, worker_id) VALUES {values}", params)


# -- while running --------------------------------------------------------------------------------------------
def heartbeat(cr, worker_id: str, job_ids: list[int], lease: float) -> int:
    """Extend the leases of ``job_ids`` (this worker's running jobs); return how many are still held."""
    if not job_ids:
        return 0
    until = dialect_of(cr).ts(utcnow() + dt.timedelta(seconds=lease))
    marks = ", ".join(["%s"] * len(job_ids))
    found = cr.execute(f"UPDATE queue_job SET lease_until = %s WHERE worker_id = %s AND state = 'started' "
                       f"AND id IN ({marks})", [until, worker_id, *job_ids])
    return found.rowcount


# -- finishing ------------------------------------------------------------------------------------------------
_HELD = "id = %s AND worker_id = %s AND retry = %s AND state = 'started'"


def release_capacity(cr, claim: Claim) -> bool:
    """In the caller's transaction: the held job stops counting against its channel's capacity (once
    committed, claims may give its place to another job); False if it is no longer this worker's."""
    update = f"UPDATE queue_job SET capacity_released = TRUE WHERE {_HELD} RETURNING channel"
    params = (claim.id, claim.worker_id, claim.retry)
    if dialect_of(cr).notifies:  # the NOTIFY (delivered at commit) in the same round trip
        found = cr.execute(f"WITH released AS ({update}) SELECT pg_notify(%s, coalesce(channel, 'root')) "
                           "FROM released", (*params, store.NOTIFY_CHANNEL)).fetchall()
        return len(found) == 1
    found = cr.execute(update, params).fetchall()
    if len(found) != 1:
        return False
    store.notify_enqueued(cr, found[0][0] or "root")
    return True


def hand_over(cr, claim: Claim, slot: Slot, pid: int, lease: float) -> Claim | None:
    """PostgreSQL, in the caller's transaction: claim the next due job of the same function in the
    slot and give it ``claim``'s place on the capacity, in one statement; None (nothing changed) when
    there is none, on SQLite, or when capped channels inside the slot make claims take several steps.

    The capacity's count is the same before and after: ``claim`` stops counting, the next job counts.
    Its worker makes it wait for ``claim``'s last call (``runner.wait_for_capacity``).
    """
    capped = _capped_channels_of(cr.registry, slot)
    if dialect_of(cr).name != "postgresql" or not capped or _inner_capped(slot, capped):
        return None
    now, until = utcnow(), utcnow() + dt.timedelta(seconds=lease)
    free_sql, free_params = [], []
    for name, capacity in sorted(capped.items()):  # counting the others: ``claim`` holds its place
        channel_sql, channel_params = _channel_predicate(name)
        free_sql.append(f"%s - (SELECT count(*) FROM queue_job WHERE {HOLDING} AND id <> %s AND {channel_sql})")
        free_params += [capacity, claim.id, *channel_params]
    predicate, params = _group_predicate(slot.channel, slot.excluded)
    picked_sql, picked_params = due_jobs(
        dialect_of(cr), f"model_name = %s AND method_name = %s AND {predicate}",
        [claim.row["model_name"], claim.row["method_name"], *params],
        (f"GREATEST(0, LEAST(1, {', '.join(free_sql)}))", free_params), now)
    sql = (f"SELECT pg_advisory_xact_lock({CAPACITY_LOCK_KEY}); "
           f"WITH {picked_sql}, "
           "next AS (UPDATE queue_job SET state = 'started', retry = retry + 1, date_started = %s, worker_pid = %s, "
           "worker_id = %s, lease_until = %s, capacity_released = FALSE WHERE id IN (SELECT id FROM picked) "
           f"RETURNING {', '.join(JOB_COLUMNS)}), "
           f"mine AS (UPDATE queue_job SET capacity_released = TRUE WHERE {_HELD} AND EXISTS (SELECT 1 FROM next) "
           f"RETURNING id), events AS ({store.EVENT_FROM_CTE.format(cte='next')}) SELECT * FROM next")
    values = [*picked_params, now, pid, claim.worker_id, until, claim.id, claim.worker_id, claim.retry,
              STARTED, "started", now, f"given the place of job {claim.row['uuid']}", claim.worker_id]
    found = cr.execute(sql, values).fetchall()
    return Claim(store.row_from_cursor(dialect_of(cr), JOB_COLUMNS, found[0]), claim.worker_id) if found else None


def finish_done(cr, claim: Claim, started: dt.datetime, exec_time: float, result) -> None:
    """In the job's own transaction: mark it done and release the jobs waiting on it.

    Raise ``LeaseLost`` if the job is no longer this worker's (the caller rolls back the effects).
    """
    dialect = dialect_of(cr)
    done = utcnow()
    update = ("UPDATE queue_job SET state = 'done', date_started = %s, date_done = %s, exec_time = %s, result = %s, "
              f"exc_name = NULL, exc_message = NULL, exc_info = NULL, lease_until = NULL WHERE {_HELD} RETURNING id")
    values = [dialect.ts(started), dialect.ts(done), exec_time, None if result is None else str(result),
              claim.id, claim.worker_id, claim.retry]
    if dialect.name == "postgresql":
        update = f"WITH finished AS ({update}) {store.EVENT_FROM_CTE.format(cte='finished')} RETURNING job_id"
        values += ["done", "done", dialect.ts(done), None, claim.worker_id]
    if cr.execute(update, values).fetchone() is None:
        raise LeaseLost(f"job {claim.row['uuid']} was taken back from worker {claim.worker_id} while it ran")
    if dialect.name == "sqlite":
        store.insert_event(cr, claim.id, "done", "done", worker_id=claim.worker_id)
    children = (claim.row.get("dependencies") or {}).get("reverse_depends_on") or []
    if children:
        enqueue_waiting(cr, children)


LEASE_LOST_MARK = "queue_job lease lost"


def finish_statement(cr, claim: Claim, started: dt.datetime, exec_time: float, result) -> tuple[str, list]:
    """PostgreSQL, for a job nothing waits on: the "done" mark and its event as one statement, to send
    with the COMMIT (``Cursor.close_with``): the job's transaction then costs one round trip.

    The statement fails, ``LEASE_LOST_MARK`` in its message, if the job is no longer this worker's: the
    COMMIT is not reached and the job's effects roll back (``is_lease_lost`` recognises the error).
    """
    done = utcnow()
    sql = ("WITH finished AS (UPDATE queue_job SET state = 'done', date_started = %s, date_done = %s, exec_time = %s, "
           "result = %s, exc_name = NULL, exc_message = NULL, exc_info = NULL, lease_until = NULL "
           f"WHERE {_HELD} RETURNING id), events AS ({store.EVENT_FROM_CTE.format(cte='finished')}) "
           # a non-constant cast, so that it fails only when no row was finished
           f"SELECT CASE WHEN count(*) = 1 THEN 1 ELSE CAST('{LEASE_LOST_MARK} ' || count(*) AS integer) END "
           "FROM finished")
    return sql, [started, done, exec_time, None if result is None else str(result), claim.id, claim.worker_id,
                 claim.retry, "done", "done", done, None, claim.worker_id]


def is_lease_lost(exc: BaseException) -> bool:
    return LEASE_LOST_MARK in str(exc)


def enqueue_waiting(cr, child_uuids: list[str]) -> None:
    """Move to ``pending`` the children whose parents are all done (each child locked first, so two
    parents finishing at once cannot both miss the other)."""
    dialect = dialect_of(cr)
    for child_uuid in child_uuids:
        lock = " FOR UPDATE" if dialect.name == "postgresql" else ""
        found = cr.execute(f"SELECT id, dependencies, channel FROM queue_job WHERE uuid = %s "
                           f"AND state = 'wait_dependencies'{lock}", (child_uuid,)).fetchone()
        if found is None:
            continue
        parents = (dialect.json_out(found[1]) or {}).get("depends_on") or []
        marks = ", ".join(["%s"] * len(parents))
        undone = cr.execute(f"SELECT count(*) FROM queue_job WHERE uuid IN ({marks}) AND state != 'done'",
                            parents).fetchone()[0] if parents else 0
        if not undone:
            cr.execute("UPDATE queue_job SET state = 'pending' WHERE id = %s", (found[0],))
            store.insert_event(cr, found[0], PENDING, "dependencies_done")
            store.notify_enqueued(cr, found[2] or "root")


def postpone(cr, claim: Claim, eta: dt.datetime, retry: int, message: str, kind: str = "retry_scheduled") -> bool:
    """Back to ``pending`` until ``eta`` (a retryable error, a serialization conflict); False if not held."""
    dialect = dialect_of(cr)
    found = cr.execute(f"UPDATE queue_job SET state = 'pending', eta = %s, retry = %s, result = %s, "
                       f"exc_name = NULL, exc_message = NULL, exc_info = NULL, worker_pid = NULL, lease_until = NULL, "
                       f"date_started = NULL WHERE {_HELD}",
                       (dialect.ts(eta), retry, message, claim.id, claim.worker_id, claim.retry))
    if found.rowcount != 1:
        return False
    store.insert_event(cr, claim.id, PENDING, kind, message, claim.worker_id)
    return True


def fail(cr, claim: Claim, exc_name: str, exc_message: str, exc_info: str, kind: str = "failed") -> bool:
    """Mark a held job ``failed`` with its error; False if it is no longer this worker's."""
    found = cr.execute(f"UPDATE queue_job SET state = 'failed', exc_name = %s, exc_message = %s, exc_info = %s, "
                       f"date_done = NULL, lease_until = NULL WHERE {_HELD}",
                       (exc_name, exc_message, exc_info, claim.id, claim.worker_id, claim.retry))
    if found.rowcount != 1:
        return False
    store.insert_event(cr, claim.id, FAILED, kind, exc_message, claim.worker_id)
    return True


# -- reaping --------------------------------------------------------------------------------------------------
WORKER_LOST = "WorkerLost"


def reap_expired(cr, limit: int = 500) -> list[tuple[str, str]]:
    """Requeue the started jobs whose lease expired (their worker died or timed them out).

    The try was counted by the claim, so a job that kills its worker every time ends ``failed``
    after ``max_retries`` tries instead of looping.  Return ``[(uuid, new state)]``.
    """
    dialect = dialect_of(cr)
    rows = cr.execute(f"SELECT id, uuid, retry, max_retries, worker_id FROM queue_job WHERE state = 'started' "
                      f"AND lease_until < %s ORDER BY id LIMIT %s{dialect.lock_clause}",
                      (dialect.ts(utcnow()), limit)).fetchall()
    outcome = []
    for job_id, job_uuid, retry, max_retries, worker_id in rows:
        message = f"lease of worker {worker_id} expired during try {retry} (the worker died or the job timed out)"
        if max_retries and retry >= max_retries:
            cr.execute("UPDATE queue_job SET state = 'failed', exc_name = %s, exc_message = %s, lease_until = NULL "
                       "WHERE id = %s", (WORKER_LOST, f"{message}; max. retries ({max_retries}) reached", job_id))
            store.insert_event(cr, job_id, FAILED, "requeue_dead_failed", message)
            outcome.append((job_uuid, FAILED))
        else:
            cr.execute("UPDATE queue_job SET state = 'pending', worker_pid = NULL, lease_until = NULL, "
                       "date_started = NULL, result = %s WHERE id = %s", (message, job_id))
            store.insert_event(cr, job_id, PENDING, "requeued_dead", message)
            outcome.append((job_uuid, PENDING))
    if outcome:
        store.notify_enqueued(cr, "root")
    return outcome


def expire_lease(cr, claim: Claim, reason: str) -> bool:
    """Give up a held job now (it ran past its timeout): the reaper's rules apply at once."""
    found = cr.execute(f"UPDATE queue_job SET lease_until = %s WHERE {_HELD}",
                       (dialect_of(cr).ts(utcnow() - dt.timedelta(seconds=1)), claim.id, claim.worker_id,
                        claim.retry))
    if found.rowcount == 1:
        store.insert_event(cr, claim.id, STARTED, "timeout", reason, claim.worker_id)
    return found.rowcount == 1


__all__ = ["Claim", "LeaseLost", "claim", "heartbeat", "finish_done", "postpone", "fail", "reap_expired"]


def claim_uuid(cr, job_uuid: str, worker_id: str, pid: int, lease: float) -> Claim | None:
    """Claim one job by uuid whatever its eta (``jobs run UUID``): pending, enqueued or failed ones only."""
    dialect = dialect_of(cr)
    now = utcnow()
    found = cr.execute(
        "UPDATE queue_job SET state = 'started', retry = retry + 1, date_started = %s, worker_pid = %s, "
        "worker_id = %s, lease_until = %s, capacity_released = FALSE WHERE uuid = %s "
        "AND state IN ('pending', 'enqueued', 'failed') "
        f"RETURNING {', '.join(JOB_COLUMNS)}",
        (dialect.ts(now), pid, worker_id, dialect.ts(now + dt.timedelta(seconds=lease)), job_uuid)).fetchone()
    if found is None:
        return None
    row = store.row_from_cursor(dialect, JOB_COLUMNS, found)
    _insert_events(cr, [row], STARTED, "started", worker_id, "run by hand")
    return Claim(row, worker_id)
