"""``Worker``: claims and runs jobs of one database, with no central runner.

Any number of workers, in any number of processes on any number of machines, share one database:
each claims its own jobs (``leases.claim``).  Per configured slot (``root:4``) one dispatcher
thread claims as many jobs as the slot has free threads, in one statement, and hands them to the
slot's threads.  Dispatchers sleep until a job is committed (PostgreSQL ``LISTEN``; in this process,
the enqueuing transaction's post-commit wake-up) or ``poll`` seconds pass (ETAs, other processes on
SQLite).  A housekeeping thread extends the leases of running jobs, gives up those past their
timeout and reaps expired leases of any worker.  Old jobs are vacuumed by the "AutoVacuum Job
Queue" scheduled action (``ir.cron``).
"""
from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from odoo.modules.registry import Registry

from .. import store
from . import leases
from .channels import Slot, parse_channels
from .runner import run_claimed

_logger = logging.getLogger(__name__)


@dataclass
class WorkerOptions:
    """How a worker behaves; every duration in seconds."""

    lease: float = 60.0  # a job not extended for this long is another worker's to requeue
    heartbeat: float = 10.0  # how often leases are extended and expired ones reaped
    poll: float | None = None  # None: 5 s on PostgreSQL (LISTEN wakes it), 0.5 s on SQLite
    job_timeout: float = 0  # default per-try limit when the job function sets none; 0 = none


def drain(registry, channels: str = "root:1", worker_id: str = "drain", lease: float = 60.0) -> dict:
    """Claim and run every due job of ``channels`` in this thread, one at a time, until none is left.

    For tests and ``jobs run --all``: deterministic, no threads.  Return the count per outcome.
    """
    counts: dict[str, int] = {}
    for slot in parse_channels(channels):
        while True:
            with registry.cursor() as cr:
                claims = leases.claim(cr, slot, 1, worker_id, os.getpid(), lease)
            if not claims:
                break
            outcome = run_claimed(registry, claims[0])
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


class Worker:
    """Run the jobs of ``slots`` from ``registry``'s database until ``stop()``."""

    def __init__(self, registry, slots: list[Slot], options: WorkerOptions | None = None):
        self.registry = registry
        self.slots = slots
        self.options = options or WorkerOptions()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self.running: dict[int, tuple[leases.Claim, float, float]] = {}  # id -> (claim, start, timeout)
        self._lock = threading.Lock()
        self._wakers = {slot.channel: threading.Event() for slot in slots}
        self._threads: list[threading.Thread] = []
        # per slot: ``capacity`` jobs holding their channel's capacity, and as many that gave it back and
        # are ending (``release_capacity``): twice as many threads
        self._pools = {slot.channel: ThreadPoolExecutor(2 * slot.capacity, thread_name_prefix=f"job-{slot.channel}")
                       for slot in slots}
        self._free = {slot.channel: threading.Semaphore(slot.capacity) for slot in slots}
        self._ending = {slot.channel: threading.Semaphore(slot.capacity) for slot in slots}
        self._timeouts: dict[str, float] = {}
        self._sessions: dict[int, AutocommitSession] = {}
        self.counts = {"done": 0, "failed": 0, "pending": 0, "lost": 0}

    @property
    def poll(self) -> float:
        if self.options.poll is not None:
            return self.options.poll
        return 0.5 if self.registry.database.dialect == "sqlite" else 5.0

    # -- life cycle ----------------------------------------------------------------------------------------
    def start(self) -> Worker:
        for event in self._wakers.values():
            store.add_local_waker(self.registry.db_name, event)
        targets = [(f"jobs-dispatch-{slot.channel}", self._dispatch, (slot,)) for slot in self.slots]
        targets.append(("jobs-housekeeping", self._housekeeping, ()))
        if self.registry.database.dialect == "postgresql":
            targets.append(("jobs-listen", self._listen, ()))
        for name, target, args in targets:
            thread = threading.Thread(target=target, args=args, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        _logger.info("job worker %s started on %s: %s", self.worker_id, self.registry.db_name,
                     ", ".join(f"{s.channel}:{s.capacity}" for s in self.slots))
        return self

    def stop(self, wait: bool = True) -> None:
        """Claim nothing more; with ``wait``, let the running jobs finish."""
        self.stopping.set()
        self.wake()
        for event in self._wakers.values():
            store.remove_local_waker(self.registry.db_name, event)
        for thread in self._threads:
            thread.join(timeout=10)
        for pool in self._pools.values():
            pool.shutdown(wait=wait)
        for session in self._sessions.values():
            session.close()
        _logger.info("job worker %s stopped (%s)", self.worker_id, self.counts)

    def wake(self) -> None:
        for event in self._wakers.values():
            event.set()

    # -- dispatching ---------------------------------------------------------------------------------------
    def _dispatch(self, slot: Slot) -> None:
        waker = self._wakers[slot.channel]
        while not self.stopping.is_set():
            free = self._acquire_free(slot)
            if not free:
                continue
            waker.clear()  # a job committed from now on wakes the wait below
            claims = self._claim(slot, free)
            for _unused in range(free - len(claims)):
                self._free[slot.channel].release()
            for claim in claims:
                self._pools[slot.channel].submit(self._run, slot, claim)
            if len(claims) < free:
                waker.wait(self.poll)

    def _acquire_free(self, slot: Slot) -> int:
        """Wait for one free thread of the slot, then take every other free one; return how many."""
        semaphore = self._free[slot.channel]
        if not semaphore.acquire(timeout=self.poll):
            return 0
        free = 1
        while free < slot.capacity and semaphore.acquire(blocking=False):
            free += 1
        if self.stopping.is_set():
            for _unused in range(free):
                semaphore.release()
            return 0
        return free

    def _claim(self, slot: Slot, limit: int) -> list[leases.Claim]:
        try:
            if self.registry.database.dialect == "sqlite" and not self._any_due(slot):
                return []
            claims = self._claim_statement(slot, limit)
            now = time.monotonic()
            with self._lock:
                for claim in claims:
                    self.running[claim.id] = (claim, now, self._timeout_of(claim))
            return claims
        except Exception:
            _logger.exception("job worker %s: claiming in %s failed", self.worker_id, slot.channel)
            self.stopping.wait(1.0)
            return []

    def _claim_statement(self, slot: Slot, limit: int) -> list[leases.Claim]:
        """Claim on PostgreSQL with one statement on this thread's own autocommit connection (one
        round trip); in a transaction of the framework's when capped channels need several."""
        args = (slot, limit, self.worker_id, os.getpid(), self.options.lease)
        if self.registry.database.dialect == "postgresql" and not leases.needs_transaction(self.registry, slot):
            session = self._sessions.get(threading.get_ident())
            if session is None or session.closed:
                session = self._sessions[threading.get_ident()] = AutocommitSession(self.registry)
            session.registry = self.registry  # the latest one (housekeeping reloads it after installs)
            return leases.claim(session, *args)
        with self.registry.cursor() as cr:
            return leases.claim(cr, *args)

    def _any_due(self, slot: Slot) -> bool:
        """On SQLite, look before taking the write lock: an idle queue costs a read, not a lock."""
        with self.registry.cursor(readonly=True) as cr:
            found = cr.execute(
                "SELECT 1 WHERE EXISTS (SELECT 1 FROM queue_job WHERE state = 'pending' AND eta IS NULL) OR EXISTS "
                "(SELECT 1 FROM queue_job WHERE state = 'pending' AND eta IS NOT NULL AND eta <= %s)",
                (store.dialect_of(cr).ts(store.utcnow()),)).fetchone()
        return found is not None

    def _run(self, slot: Slot, claim: leases.Claim, gate: threading.Event | None = None) -> None:
        released = []
        outgoing = threading.Event()  # opened when this job's last call is done, or when it ends

        def capacity_released() -> None:
            """The job gave its capacity back: its place goes to the next claim while it ends (if fewer
            than ``capacity`` jobs of the slot are already ending that way)."""
            if self._ending[slot.channel].acquire(blocking=False):
                released.append(True)
                self._free[slot.channel].release()

        def hand_over(cr) -> bool:
            """The job gives its place (and its thread permit) to the next job, in ``cr``'s transaction."""
            ending = self._ending[slot.channel]
            if self.stopping.is_set() or not ending.acquire(blocking=False):
                return False
            try:
                successor = leases.hand_over(cr, claim, slot, os.getpid(), self.options.lease)
            except BaseException:
                ending.release()
                raise
            if successor is None:
                ending.release()
                return False
            cr.postcommit.append(lambda: self._start_successor(slot, successor, outgoing, released))
            cr.postrollback.append(ending.release)
            return True

        try:
            _unused, _start, timeout = self.running.get(claim.id, (None, 0, 0))
            outcome = run_claimed(self.registry, claim, timeout=timeout, on_capacity_released=capacity_released,
                                  hand_over=hand_over, gate=gate, outgoing=outgoing)
            self.counts[outcome] = self.counts.get(outcome, 0) + 1
        except Exception:
            _logger.exception("job worker %s: job %s could not be recorded", self.worker_id, claim.row["uuid"])
        finally:
            outgoing.set()
            with self._lock:
                self.running.pop(claim.id, None)
            (self._ending if released else self._free)[slot.channel].release()

    def _start_successor(self, slot: Slot, successor: leases.Claim, gate: threading.Event, released: list) -> None:
        """After the commit of a hand-over: run the job given the place, with the giver's thread permit."""
        released.append(True)
        with self._lock:
            self.running[successor.id] = (successor, time.monotonic(), self._timeout_of(successor))
        self._pools[slot.channel].submit(self._run, slot, successor, gate)

    def _timeout_of(self, claim: leases.Claim) -> float:
        name = f"<{claim.row['model_name']}>.{claim.row['method_name']}"
        if name not in self._timeouts:
            with self.registry.cursor(readonly=True) as cr:
                found = cr.execute("SELECT timeout FROM queue_job_function WHERE name = %s", (name,)).fetchone()
            self._timeouts[name] = float(found[0]) if found and found[0] else self.options.job_timeout
        return self._timeouts[name]

    # -- housekeeping ------------------------------------------------------------------------------------
    def _housekeeping(self) -> None:
        while not self.stopping.wait(self.options.heartbeat):
            try:
                self._extend_and_reap()
                self._timeouts.clear()
                self.registry = Registry.check_signaling(self.registry)
            except Exception:
                _logger.exception("job worker %s: housekeeping failed", self.worker_id)

    def _extend_and_reap(self) -> None:
        now = time.monotonic()
        with self._lock:
            running = list(self.running.values())
        alive = [claim.id for claim, start, timeout in running if not timeout or now - start <= timeout]
        overdue = [(claim, timeout) for claim, start, timeout in running if timeout and now - start > timeout]
        with self.registry.cursor() as cr:
            leases.heartbeat(cr, self.worker_id, alive, self.options.lease)
            for claim, timeout in overdue:
                leases.expire_lease(cr, claim, f"try {claim.retry} ran past its timeout of {timeout:g} s")
            reaped = leases.reap_expired(cr)
        for job_uuid, state in reaped:
            _logger.warning("job %s: lease expired, now %s", job_uuid, state)

    # -- PostgreSQL wake-ups ---------------------------------------------------------------------------------
    def _listen(self) -> None:
        while not self.stopping.is_set():
            try:
                self._listen_once()
            except Exception:
                _logger.warning("job worker %s: LISTEN connection lost; polling until it is back", self.worker_id,
                                exc_info=True)
                self.stopping.wait(1.0)

    def _listen_once(self) -> None:
        import psycopg2

        database = self.registry.database
        params = dict(database.connect_params, dbname=database.database)
        conn = psycopg2.connect(**params)
        try:
            conn.autocommit = True
            conn.cursor().execute(f"LISTEN {store.NOTIFY_CHANNEL}")
            self.wake()  # jobs committed before we listened
            while not self.stopping.is_set():
                if select.select([conn], [], [], 1.0)[0]:
                    conn.poll()
                    if conn.notifies:
                        conn.notifies.clear()
                        self.wake()
        finally:
            conn.close()


class AutocommitSession:
    """A PostgreSQL connection of a dispatcher's own, where each statement is its own transaction.

    A claim is one statement (the rows, their events, an asynchronous commit), so it needs neither
    BEGIN nor COMMIT: one round trip.  Looks enough like a ``Cursor`` for ``leases.claim``.
    """

    def __init__(self, registry):
        import psycopg2

        self.registry, self.database = registry, registry.database
        self.conn = psycopg2.connect(**dict(registry.database.connect_params, dbname=registry.database.database))
        self.conn.autocommit = True

    @property
    def closed(self) -> bool:
        return bool(self.conn.closed)

    def execute(self, sql: str, params=()):
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql, tuple(params))
        except Exception:
            self.close()  # a broken connection is replaced at the next claim
            raise
        return cursor

    def close(self) -> None:
        if not self.conn.closed:
            self.conn.close()
