"""Every SQL statement of the job queue, for SQLite and PostgreSQL.

Jobs are created, claimed, extended, finished and reaped here, in short statements whose
transaction belongs to the caller (``Job.store`` runs in the business transaction; the worker's
functions in ``worker/``).  Backend differences are capabilities of ``Dialect``, chosen once from
the database: PostgreSQL claims with ``FOR UPDATE SKIP LOCKED`` and wakes workers with ``NOTIFY``;
SQLite's write transactions begin ``IMMEDIATE`` (``odoo.db.Cursor``), so claims are serialized.

Raw SQL on purpose: ``queue_job`` has no computed fields nor caches to keep in step, and a claim is
one ``UPDATE ... RETURNING`` where the ORM would need a search, a lock and a write.

Every state change writes a ``queue_job_event`` row in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass

from odoo import prepared
from odoo.piggyback import defer_write

from .exception import JobError

WAIT_DEPENDENCIES, PENDING, ENQUEUED, STARTED = "wait_dependencies", "pending", "enqueued", "started"
DONE, CANCELLED, FAILED = "done", "cancelled", "failed"
#: States in which a job holds its identity key: a second job with the same key is not created.
IDENTITY_STATES = (WAIT_DEPENDENCIES, PENDING, ENQUEUED, STARTED)
NOTIFY_CHANNEL = "queue_job"
JSON_COLUMNS = ("record_ids", "args", "kwargs", "context", "dependencies")
#: What a worker needs to run a job, returned by the claim itself (no second query).
JOB_COLUMNS = ("id", "uuid", "state", "retry", "max_retries", "priority", "model_name", "method_name", "record_ids",
               "args", "kwargs", "context", "user_id", "company_id", "channel", "name", "identity_key",
               "graph_uuid", "dependencies", "date_created", "eta")


class LeaseLost(JobError):
    """The job was taken back from this worker (its lease expired or an operator acted): drop the run."""


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends, asked in one place."""

    name: str
    lock_clause: str
    notifies: bool

    def ts(self, value: dt.datetime | None):
        """A naive UTC datetime as a parameter (SQLite compares text: one format, with microseconds)."""
        if value is None or self.name != "sqlite":
            return value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def json_in(self, value):
        return None if value is None else json.dumps(value, sort_keys=True)

    def json_out(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def datetime_out(self, value):
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        return value


SQLITE = Dialect("sqlite", lock_clause="", notifies=False)
POSTGRESQL = Dialect("postgresql", lock_clause=" FOR UPDATE SKIP LOCKED", notifies=True)


def dialect_of(cr) -> Dialect:
    return SQLITE if cr.database.dialect == "sqlite" else POSTGRESQL


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# -- rows -----------------------------------------------------------------------------------------------
def row_from_cursor(dialect: Dialect, columns, values) -> dict:
    row = dict(zip(columns, values, strict=True))
    for name in JSON_COLUMNS:
        if name in row:
            row[name] = dialect.json_out(row[name])
    for name in ("date_created", "eta"):
        if name in row:
            row[name] = dialect.datetime_out(row[name])
    return row


def row_of(record) -> dict:
    """The ``JOB_COLUMNS`` of one ``queue.job`` record, as a claim returns them."""
    cr = record.env.cr
    found = cr.execute(f"SELECT {', '.join(JOB_COLUMNS)} FROM queue_job WHERE id = %s", (record.id,)).fetchone()
    if found is None:
        raise JobError(f"job {record.id} no longer exists")
    return row_from_cursor(dialect_of(cr), JOB_COLUMNS, found)


def recordset_of(env, row: dict):
    """The job's records in an environment of its user and stored context; ``JobError`` if the model is gone."""
    model_name, method_name = row["model_name"], row["method_name"]
    if model_name not in env.registry.models:
        raise JobError(f"model {model_name!r} of this job no longer exists in this database (was the addon "
                       "that defines it uninstalled?): the job cannot run")
    job_env = env(user=row["user_id"] or env.uid, context=dict(row.get("context") or {}))
    records = job_env[model_name].browse(row["record_ids"] or [])
    if not callable(getattr(type(records), method_name, None)):
        raise JobError(f"method {model_name}.{method_name} of this job no longer exists (was the addon that "
                       "defines it uninstalled?): the job cannot run")
    return records


# -- enqueue ----------------------------------------------------------------------------------------------
def insert_job(env, values: dict) -> tuple[int | None, str]:
    """Insert a job in ``env``'s transaction; return ``(id, uuid)``.

    When another job not run yet holds ``values['identity_key']``, insert nothing and return that
    job's ``(id, uuid)`` (the unique partial index decides, even between concurrent transactions).

    On PostgreSQL a job without an identity key is inserted with the transaction's next statement or
    its COMMIT (``odoo.piggyback.defer_write``), and its id is ``None`` here (``Job.id`` reads it on
    first use): nothing can conflict with a new uuid, and a worker enqueuing the next step of what it
    runs (a saga's follow-ups) saves a round trip per job.
    """
    cr = env.cr
    dialect = dialect_of(cr)
    columns = [name for name, value in values.items() if value is not False]
    params = [_param(dialect, name, values[name]) for name in columns]
    placeholders = ", ".join(["%s"] * len(columns))
    conflict = ""
    if values.get("identity_key"):
        conflict = f" ON CONFLICT (identity_key) WHERE {IDENTITY_PREDICATE} DO NOTHING"
    insert = f"INSERT INTO queue_job ({', '.join(columns)}) VALUES ({placeholders}){conflict} RETURNING id"
    event_params = [values["state"], "created", dialect.ts(utcnow()), None, None]
    if dialect.name == "postgresql" and not conflict:
        defer_write(cr, *prepared.statement(cr, f"WITH job AS ({insert}) {EVENT_FROM_CTE.format(cte='job')}",
                                            [*params, *event_params]))
        if not _due_later(values.get("eta")):
            notify_enqueued(cr, values.get("channel") or "root")
        return None, values["uuid"]
    if dialect.name == "postgresql":  # the job and its event in one round trip
        found = cr.execute(*prepared.statement(cr, f"WITH job AS ({insert}) {EVENT_FROM_CTE.format(cte='job')} "
                                               "RETURNING job_id", [*params, *event_params])).fetchone()
    else:
        found = cr.execute(insert, params).fetchone()
        if found is not None:
            insert_event(cr, found[0], values["state"], "created")
    if found is None:
        return _holder_of_key(cr, values["identity_key"])
    if not _due_later(values.get("eta")):
        notify_enqueued(cr, values.get("channel") or "root")
    return found[0], values["uuid"]


#: A job due later than this after its commit is left to the workers' poll: a wake-up at the commit
#: would claim nothing (a wait's timeout job, due in minutes, is enqueued by every saga that waits).
NOTIFY_HORIZON = dt.timedelta(seconds=1)


def _due_later(eta) -> bool:
    """Whether a job with ``eta`` cannot be due when the workers a NOTIFY wakes claim."""
    return isinstance(eta, dt.datetime) and eta > utcnow() + NOTIFY_HORIZON


#: On PostgreSQL, the event of a statement's rows is written by the same statement (a data-modifying CTE).
EVENT_FROM_CTE = ("INSERT INTO queue_job_event (job_id, state, kind, date, message, worker_id) "
                  "SELECT id, %s, %s, %s, %s, %s FROM {cte}")


IDENTITY_PREDICATE = ("identity_key IS NOT NULL AND state IN ("
                      + ", ".join(f"'{state}'" for state in IDENTITY_STATES) + ")")


def _param(dialect: Dialect, name: str, value):
    if name in JSON_COLUMNS:
        return dialect.json_in(value)
    if isinstance(value, dt.datetime):
        return dialect.ts(value)
    return value


def id_of(cr, job_uuid: str) -> int | None:
    """The id of the job ``job_uuid`` (None if there is none)."""
    found = cr.execute("SELECT id FROM queue_job WHERE uuid = %s", (job_uuid,)).fetchone()
    return found[0] if found else None


def _holder_of_key(cr, identity_key: str) -> tuple[int, str]:
    found = cr.execute(f"SELECT id, uuid FROM queue_job WHERE identity_key = %s AND {IDENTITY_PREDICATE}",
                       (identity_key,)).fetchone()
    if found is None:  # the holder finished between our insert and this read: extremely rare; say so
        raise JobError(f"the job holding identity key {identity_key!r} changed state meanwhile: enqueue again")
    return found[0], found[1]


def insert_event(cr, job_id: int, state: str, kind: str, message: str | None = None,
                 worker_id: str | None = None) -> None:
    """One row of a job's history: a state change (``kind`` says why) with its time."""
    cr.execute("INSERT INTO queue_job_event (job_id, state, kind, date, message, worker_id) "
               "VALUES (%s, %s, %s, %s, %s, %s)",
               (job_id, state, kind, dialect_of(cr).ts(utcnow()), message, worker_id))


def create_indexes(cr) -> None:
    """The indexes the ORM cannot declare: the identity key's partial unique index, the claim's, the console's."""
    cr.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS queue_job_identity_key_uniq ON queue_job (identity_key) "
               f"WHERE {IDENTITY_PREDICATE}")
    # the claim's two scans (``leases.due_jobs``): jobs ready now in claim order, scheduled ones by eta;
    # the single index of pending jobs they replace made a claim step over every job scheduled for later
    for replaced in ("queue_job_pending_idx", "queue_job_pending_channel_idx"):
        cr.execute(f"DROP INDEX IF EXISTS {replaced}")
    cr.execute("CREATE INDEX IF NOT EXISTS queue_job_ready_idx ON queue_job (priority, id) "
               "WHERE state = 'pending' AND eta IS NULL")
    cr.execute("CREATE INDEX IF NOT EXISTS queue_job_ready_channel_idx ON queue_job (channel, priority, id) "
               "WHERE state = 'pending' AND eta IS NULL")
    cr.execute("CREATE INDEX IF NOT EXISTS queue_job_scheduled_idx ON queue_job (eta) "
               "WHERE state = 'pending' AND eta IS NOT NULL")
    cr.execute("CREATE INDEX IF NOT EXISTS queue_job_started_lease_idx ON queue_job (lease_until) "
               "WHERE state = 'started'")
    cr.execute("CREATE INDEX IF NOT EXISTS queue_job_event_job_idx ON queue_job_event (job_id)")
    # the console's list and figures over many jobs: filtered by channel and state, newest first, the
    # counts per channel and state (covering), the jobs done in the last window
    cr.execute("CREATE INDEX IF NOT EXISTS queue_job_channel_state_created_idx ON queue_job "
               "(channel, state, date_created)")
    cr.execute("CREATE INDEX IF NOT EXISTS queue_job_state_done_idx ON queue_job (state, date_done)")


# -- waking workers ----------------------------------------------------------------------------------------
_local_wakers: dict[str, set] = {}
_wakers_lock = threading.Lock()


def add_local_waker(db_name: str, event: threading.Event) -> None:
    """Have ``event`` set whenever a transaction of this process commits a new job in ``db_name``."""
    with _wakers_lock:
        _local_wakers.setdefault(db_name, set()).add(event)


def remove_local_waker(db_name: str, event: threading.Event) -> None:
    with _wakers_lock:
        _local_wakers.get(db_name, set()).discard(event)


class _EnqueueSignal:
    """Pre-commit: one ``NOTIFY`` per channel touched (PostgreSQL delivers it at commit).
    Post-commit: wake this process's workers.  Registered once per transaction."""

    def __init__(self, cr):
        self.cr = cr
        self.channels: set[str] = set()

    def __eq__(self, other) -> bool:
        return isinstance(other, _EnqueueSignal) and other.cr is self.cr

    __hash__ = None

    def __call__(self) -> None:
        if dialect_of(self.cr).notifies:
            for channel in sorted(self.channels):  # sent with the COMMIT: no round trip of its own
                defer_write(self.cr, "SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, channel))
        self.channels.clear()


class _LocalWake:
    def __init__(self, cr):
        self.cr, self.db_name = cr, cr.dbname

    def __eq__(self, other) -> bool:
        return isinstance(other, _LocalWake) and other.cr is self.cr

    __hash__ = None

    def __call__(self) -> None:
        with _wakers_lock:
            events = list(_local_wakers.get(self.db_name, ()))
        for event in events:
            event.set()


def notify_enqueued(cr, channel: str) -> None:
    """Wake the workers of ``channel`` once ``cr`` commits (never if it rolls back)."""
    signal = _EnqueueSignal(cr)
    if signal in cr.precommit:
        signal = cr.precommit[cr.precommit.index(signal)]
    else:
        cr.precommit.append(signal)
    signal.channels.add(channel)
    wake = _LocalWake(cr)
    if wake not in cr.postcommit:
        cr.postcommit.append(wake)
