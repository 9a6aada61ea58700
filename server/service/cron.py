"""The cron threads: run the scheduled actions (``ir.cron``) of the served databases at their time.

``CronRunner(config, threads)`` starts ``--max-cron-threads`` daemon threads in the server
process.  Each looks at every database the server serves, runs the jobs that are due
(``nextcall`` reached, or an ``ir.cron.trigger`` due), then sleeps until the earliest next
``nextcall``, at most ``POLL_INTERVAL`` seconds.  Creating or rescheduling a cron wakes the
threads of this process at commit (``notify``), and on PostgreSQL those of every server on the
database too (``NOTIFY cron_trigger``, which they ``LISTEN`` to).

One job, one transaction (``run_job``):

* PostgreSQL: the job's row is locked with ``SELECT ... FOR NO KEY UPDATE SKIP LOCKED`` on a
  connection of the runner's own, and the condition "due" is checked again under the lock; the
  job runs in a transaction of its own, then ``nextcall`` moves on and the lock is released.
  Another server (or thread) skips a locked job, and finds it no longer due after the commit:
  a job never runs twice for one occurrence, and a job whose server died mid-run runs again.
* SQLite: the database has one writer at a time.  The job is claimed by moving its ``nextcall``
  on in a short ``BEGIN IMMEDIATE`` transaction (only one claimer can see it due), then it runs
  in its own.  A server killed mid-run loses that occurrence.

A failing job is rolled back and logged with its traceback; the next jobs still run, and the
failed one runs again at its next occurrence.  Each outcome is recorded on the job's row
(``_record_outcome``: ``failure_count``, ``first_failure_date``, ``last_failure_date``,
``last_failure_message``; a success resets the count), on PostgreSQL in the transaction that holds
the row's lock.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import select
import threading

from ..modules.registry import DatabaseNotInitialised, Registry
from ..orm.environment import Environment

_logger = logging.getLogger(__name__)
POLL_INTERVAL = 60.0
CHANNEL = "cron_trigger"
JOB_COLUMNS = ("id", "name", "user_id", "interval_number", "interval_type", "numbercall", "doall", "nextcall",
               "lastcall")
DUE = ("active = %s AND (nextcall <= %s OR id IN (SELECT cron_id FROM ir_cron_trigger WHERE call_at <= %s))")

_wakers: list[threading.Event] = []
_wakers_lock = threading.Lock()


# -- waking the runners ------------------------------------------------------------------------------
def notify(cr) -> None:
    """Wake every cron thread serving ``cr``'s database once ``cr`` commits (here and, on PostgreSQL,
    in every other server); used when crons are created, rescheduled or triggered."""
    if cr.database.dialect == "postgresql":
        cr.execute("SELECT pg_notify(%s, %s)", (CHANNEL, cr.dbname))
    if wake_local not in cr.postcommit:
        cr.postcommit.append(wake_local)


def wake_local() -> None:
    with _wakers_lock:
        for event in _wakers:
            event.set()


# -- one job --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Job:
    """A due cron as read from its row, and what this occurrence will do (``plan``)."""

    id: int
    name: str
    user_id: int
    interval_number: int
    interval_type: str
    numbercall: int
    doall: bool
    nextcall: dt.datetime
    lastcall: dt.datetime | None
    runs: int = 0
    new_nextcall: dt.datetime | None = None
    new_numbercall: int = 0
    failures: list[str] = dataclasses.field(default_factory=list)

    def plan(self, now: dt.datetime) -> Job:
        """Count the occurrences due by ``now`` (one unless ``doall``) and where ``nextcall`` goes.

        A job that is only triggered (its ``nextcall`` still ahead) runs once and keeps its schedule.
        """
        from odoo.addons.base.models.ir_cron import add_interval

        nextcall, numbercall, missed = self.nextcall, self.numbercall, 0
        while nextcall <= now and numbercall != 0:
            missed += 1
            numbercall -= 1 if numbercall > 0 else 0
            nextcall = add_interval(nextcall, self.interval_number, self.interval_type)
        self.runs = (missed if self.doall else min(missed, 1)) or 1
        self.new_nextcall, self.new_numbercall = nextcall, numbercall
        return self


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _stamp(moment: dt.datetime) -> str:
    """A datetime as both backends compare it with their stored values."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _as_datetime(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.strptime(str(value)[:19].replace("T", " "), "%Y-%m-%d %H:%M:%S")


def _job_from_row(row) -> Job:
    values = dict(zip(JOB_COLUMNS, row, strict=True))
    values["nextcall"], values["lastcall"] = _as_datetime(values["nextcall"]), _as_datetime(values["lastcall"])
    values["doall"] = bool(values["doall"])
    return Job(**values)


def _select_due(execute, job_id: int, now: dt.datetime, suffix: str = "") -> Job | None:
    row = execute(f"SELECT {', '.join(JOB_COLUMNS)} FROM ir_cron WHERE id = %s AND {DUE}{suffix}",
                  (job_id, True, _stamp(now), _stamp(now))).fetchone()
    return _job_from_row(row).plan(now) if row else None


def _reschedule(execute, job: Job, now: dt.datetime) -> None:
    """Move the job past this occurrence and forget its due triggers (in the caller's transaction)."""
    execute("UPDATE ir_cron SET nextcall = %s, numbercall = %s, lastcall = %s, active = %s WHERE id = %s",
            (_stamp(job.new_nextcall), job.new_numbercall, _stamp(now), job.new_numbercall != 0, job.id))
    execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= %s", (job.id, _stamp(now)))


def execute_job(registry: Registry, job: Job) -> bool:
    """Run ``job``'s code ``job.runs`` times, each in its own transaction, as its user; a failure is
    logged with its traceback, rolled back, kept in ``job.failures``, and reported by returning False."""
    for _ in range(job.runs):
        try:
            with registry.cursor() as cr:
                env = Environment(cr, job.user_id, {"lastcall": job.lastcall})
                env["ir.cron"].browse(job.id)._callback()
            _logger.info("scheduled action %r (ir.cron %s) done", job.name, job.id)
        except Exception as exc:
            job.failures.append(f"{type(exc).__name__}: {exc}"[:2000])
            _logger.exception("scheduled action %r (ir.cron %s) failed", job.name, job.id)
    return not job.failures


def _record_outcome(execute, job: Job, now: dt.datetime) -> None:
    """Count the job's failed runs on its row, or reset the count after a success (caller's transaction)."""
    if not job.failures:
        execute("UPDATE ir_cron SET failure_count = 0, first_failure_date = NULL WHERE id = %s "
                "AND failure_count <> 0", (job.id,))
        return
    execute("UPDATE ir_cron SET failure_count = COALESCE(failure_count, 0) + %s, "
            "first_failure_date = COALESCE(first_failure_date, %s), last_failure_date = %s, "
            "last_failure_message = %s WHERE id = %s",
            (len(job.failures), _stamp(now), _stamp(_now()), job.failures[-1], job.id))


def run_job(registry: Registry, job_id: int, lock_database=None) -> bool | None:
    """Claim job ``job_id`` if it is still due and nobody holds it, run it, reschedule it.

    Returns None when the job was not run (taken by another thread or server, or no longer due),
    else whether it succeeded.  ``lock_database``: on PostgreSQL, a connection pool of the
    runner's own, which holds the job's row lock while the job runs on the registry's.
    """
    now = _now()
    if registry.database.dialect == "postgresql":
        return _run_locked(registry, job_id, now, lock_database)
    with registry.cursor() as cr:
        job = _select_due(cr.execute, job_id, now)
        if job is None:
            return None
        _reschedule(cr.execute, job, now)
    ok = execute_job(registry, job)
    with registry.cursor() as cr:
        _record_outcome(cr.execute, job, now)
    return ok


def _run_locked(registry: Registry, job_id: int, now: dt.datetime, lock_database) -> bool | None:
    if lock_database is None:
        raise ValueError("run_job on PostgreSQL needs a lock database (CronRunner.lock_database)")
    lock_database.connect(reuse_if_open=True)
    try:
        with lock_database.atomic():
            execute = lock_database.execute_sql
            job = _select_due(execute, job_id, now, " FOR NO KEY UPDATE SKIP LOCKED")
            if job is None:
                return None
            ok = execute_job(registry, job)
            _reschedule(execute, job, now)
            _record_outcome(execute, job, now)
            return ok
    finally:
        lock_database.close()


def due_job_ids(registry: Registry) -> list[int]:
    """The ids of the jobs due now, in the order they should run."""
    now = _stamp(_now())
    with registry.cursor(readonly=True) as cr:
        rows = cr.execute(f"SELECT id FROM ir_cron WHERE {DUE} ORDER BY priority, id", (True, now, now)).fetchall()
    return [row[0] for row in rows]


def seconds_until_next(registry: Registry) -> float:
    """Seconds until the earliest ``nextcall`` or trigger of an active job (POLL_INTERVAL if none)."""
    with registry.cursor(readonly=True) as cr:
        rows = cr.execute("SELECT MIN(nextcall) FROM ir_cron WHERE active = %s UNION ALL "
                          "SELECT MIN(t.call_at) FROM ir_cron_trigger t JOIN ir_cron c ON c.id = t.cron_id "
                          "WHERE c.active = %s", (True, True)).fetchall()
    moments = [_as_datetime(row[0]) for row in rows if row[0] is not None]
    if not moments:
        return POLL_INTERVAL
    return max(0.0, min(POLL_INTERVAL, (min(moments) - _now()).total_seconds()))


# -- the threads ----------------------------------------------------------------------------------------
class CronRunner:
    """``threads`` cron threads over the databases of ``config`` (``start()``, ``stop()``)."""

    def __init__(self, config, threads: int, poll_interval: float = POLL_INTERVAL):
        from ..http.databases import DatabaseDirectory

        self.config = config
        self.threads = threads
        self.poll_interval = poll_interval
        self.directory = DatabaseDirectory(config)
        self._stop = threading.Event()
        self._started: list[threading.Thread] = []
        self._lock_databases: dict[str, object] = {}
        self._lock = threading.Lock()

    def start(self) -> CronRunner:
        for number in range(self.threads):
            thread = threading.Thread(target=self._loop, name=f"cron-{number}", daemon=True)
            thread.start()
            self._started.append(thread)
        _logger.info("cron: %d thread(s) running scheduled actions", self.threads)
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        wake_local()
        for thread in self._started:
            thread.join(timeout)
        from .. import db as db_module

        for database in self._lock_databases.values():
            db_module.dispose(database)

    def lock_database(self, registry: Registry):
        """The runner's own connections to ``registry``'s PostgreSQL database (row locks of running jobs)."""
        from .. import db as db_module

        with self._lock:
            if registry.uri not in self._lock_databases:
                self._lock_databases[registry.uri] = db_module.open_database(registry.uri)
            return self._lock_databases[registry.uri]

    def _loop(self) -> None:
        wake = threading.Event()
        with _wakers_lock:
            _wakers.append(wake)
        listeners: dict[str, object] = {}
        try:
            while not self._stop.is_set():
                wake.clear()
                delay = self.poll_interval
                for name in self.directory.all_names():
                    delay = min(delay, self.process_database(name, listeners))
                self._wait(wake, listeners, delay)
        finally:
            with _wakers_lock:
                _wakers.remove(wake)
            for conn in listeners.values():
                conn.close()

    def process_database(self, name: str, listeners: dict | None = None) -> float:
        """Run the due jobs of database ``name``; the seconds until its next one."""
        try:
            registry = Registry.check_signaling(Registry.open(self.config, name))
            if "ir.cron" not in registry.models:
                return self.poll_interval
            if listeners is not None and registry.database.dialect == "postgresql" and name not in listeners:
                listeners[name] = _listen(registry.uri)
            for job_id in due_job_ids(registry):
                if self._stop.is_set():
                    break
                lock = self.lock_database(registry) if registry.database.dialect == "postgresql" else None
                run_job(registry, job_id, lock)
            return min(self.poll_interval, seconds_until_next(registry))
        except DatabaseNotInitialised:
            return self.poll_interval
        except Exception:
            _logger.exception("cron: database %s skipped", name)
            return self.poll_interval

    def _wait(self, wake: threading.Event, listeners: dict, delay: float) -> None:
        """Sleep ``delay`` seconds, or less if woken here or notified by PostgreSQL."""
        if not listeners:
            wake.wait(max(delay, 0.05))
            return
        # Both in turns: a short wait on the event, then on PostgreSQL's notifications.
        deadline = dt.datetime.now() + dt.timedelta(seconds=delay)
        while not wake.is_set() and not self._stop.is_set():
            remaining = (deadline - dt.datetime.now()).total_seconds()
            if remaining <= 0:
                return
            readable, _, _ = select.select(list(listeners.values()), [], [], min(remaining, 0.5))
            if readable and _drain_notifications(readable):
                return


def _listen(uri: str):
    import psycopg2

    from .. import db as db_module

    params = {k: v for k, v in db_module._pg_params(uri).items() if v is not None}
    params["dbname"] = params.pop("database")
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    conn.cursor().execute(f"LISTEN {CHANNEL}")
    return conn


def _drain_notifications(connections) -> bool:
    found = False
    for conn in connections:
        conn.poll()
        found = found or bool(conn.notifies)
        conn.notifies.clear()
    return found


def start_cron_threads(config) -> CronRunner | None:
    """Start the ``--max-cron-threads`` cron threads (default 2; none with 0)."""
    threads = int(config.get("max_cron_threads", 2) or 0)
    return CronRunner(config, threads).start() if threads > 0 else None


def start_cron_process(config):
    """For ``--workers N``: the cron threads in a process of their own (forked before gunicorn's
    workers, with no connection open), ended when the server exits; None with 0 threads."""
    import multiprocessing

    if int(config.get("max_cron_threads", 2) or 0) <= 0:
        return None
    process = multiprocessing.get_context("fork").Process(target=_cron_process_main, args=(config,),
                                                          name="cron", daemon=True)
    process.start()
    return process


def _cron_process_main(config) -> None:
    """Run the cron threads until SIGTERM or SIGINT.

    The signals are blocked and waited for (``sigwait``), not handled: a handler setting an Event runs
    between two bytecodes of the main thread, and a second signal (the master forwards the one the
    process group got) arriving while the first handler held the Event's lock deadlocked the process,
    and the server with it, which waits for this process before it exits.
    """
    import signal

    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)  # before the threads start: they inherit it
    runner = start_cron_threads(config)
    signal.sigwait(stop_signals)
    runner.stop()


def run_now(registry: Registry, job_id: int) -> bool:
    """Run job ``job_id`` once now, whatever its schedule (``odoo-bin.py cron run``), and record
    ``lastcall``; its ``nextcall`` does not move.  Returns whether it succeeded (failures are logged)."""
    with registry.cursor(readonly=True) as cr:
        row = cr.execute(f"SELECT {', '.join(JOB_COLUMNS)} FROM ir_cron WHERE id = %s", (job_id,)).fetchone()
    if row is None:
        raise LookupError(f"no scheduled action with id {job_id}")
    job = _job_from_row(row)
    job.runs = 1
    now = _now()
    ok = execute_job(registry, job)
    with registry.cursor() as cr:
        if ok:
            cr.execute("UPDATE ir_cron SET lastcall = %s WHERE id = %s", (_stamp(now), job_id))
        _record_outcome(cr.execute, job, now)
    return ok
