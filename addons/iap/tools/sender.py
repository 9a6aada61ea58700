"""The sender: one thread per database and serving process that sends what the provider owes the platform.

What it sends: the outbox's due captures and releases (``iap.pending.op``: deferred captures at once,
failed ones with backoff) and the quota store's due reports and releases (``iap.quota``: by count, by
time, and before a quota's validity ends).  A request that queued something wakes it once its
transaction commits (``wake_after_commit``), so the request does not wait for the platform; otherwise it
sleeps until the next thing falls due (at most ``IDLE_SECONDS``), and ends once nothing is left to send
for ``IDLE_EXIT_SECONDS`` (the next wake starts another).  It starts with the server for the
databases given with ``-d`` (a restarted provider reports what its predecessor left), and on first use
for the others.  Every step leases its rows first, so the senders of several processes (``--workers``)
and the cron never send one thing twice; what a dead sender had leased is sent again once its lease
expires, and the platform answers a repeat from the first answer.
"""
from __future__ import annotations

import logging
import threading
import time

from odoo import SUPERUSER_ID, signals

_logger = logging.getLogger(__name__)
IDLE_SECONDS = 10.0
IDLE_EXIT_SECONDS = 30.0  # with nothing to send for that long the thread ends (a wake starts another)
RETRY_SECONDS = 5.0
BATCH = 50
STOP_TIMEOUT = 60.0  # a pass's calls end within their own timeouts
#: Woken by a commit, the sender waits this long before it looks: the captures of the requests committing
#: meanwhile go in the same pass (one lease and one record for all of them, each a turn of SQLite's
#: write lock that every request waits behind), instead of a pass per request.  Not after a full batch:
#: more is waiting already, and a pause would only let the backlog grow under a steady load.
GATHER_SECONDS = 0.25

_senders: dict[str, Sender] = {}
_lock = threading.Lock()


class Sender(threading.Thread):
    """Sends the due operations and quota reports of one database, in this process."""

    gather_seconds = GATHER_SECONDS

    def __init__(self, registry):
        super().__init__(name=f"iap-sender {registry.db_name}", daemon=True)
        self.registry = registry
        self.wakeup = threading.Event()
        self.stopping = threading.Event()  # also ends a gathering pause at once
        self.failures = 0
        self.backlog = False  # the last pass sent a full batch

    def run(self) -> None:
        idle_since = None
        while not self.stopping.is_set():
            delay = self.send_due()
            if delay is not None:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= IDLE_EXIT_SECONDS and self._retire():
                return
            if delay == 0 and self.backlog:
                self.wakeup.clear()  # a full batch was sent and more is due: the next one at once
                continue
            woken = self.wakeup.wait(IDLE_SECONDS if delay is None else delay)
            self.wakeup.clear()
            if woken:
                self.stopping.wait(self.gather_seconds)

    def _retire(self) -> bool:
        """Leave the registry of senders unless woken meanwhile (then the woken work is done first)."""
        with _lock:
            if self.wakeup.is_set():
                return False
            if _senders.get(self.registry.uri) is self:
                del _senders[self.registry.uri]
            return True

    def send_due(self) -> float | None:
        """Send what is due (looked for on a read-only cursor: an idle sender takes no lock); seconds until
        something else falls due, None if nothing is queued and no quota is open."""
        try:
            delay = self._next_due_in()
            if delay is None or delay > 0:
                return delay
            with self.registry.cursor() as cr:
                env = self._env(cr)
                sent = env["iap.pending.op"]._send_due(BATCH)
                reported = env["iap.quota"]._report_due(BATCH)
            self.backlog = sum(sent.values()) >= BATCH or reported >= BATCH
            delay = self._next_due_in()
        except Exception as exc:
            return self._failed(exc)
        self.failures = 0
        return delay

    def _failed(self, exc: Exception) -> float:
        """Log a failed pass (with its traceback the first time in a row) and back off, up to a minute."""
        self.failures += 1
        delay = min(RETRY_SECONDS * 2 ** (self.failures - 1), 60.0)
        if self.failures == 1:
            _logger.exception("IAP sender of %s failed; trying again in %s s", self.registry.db_name, delay)
        else:
            _logger.warning("IAP sender of %s failed again (%s); trying again in %s s", self.registry.db_name,
                            exc, delay)
        return delay

    def _next_due_in(self) -> float | None:
        with self.registry.cursor(readonly=True) as cr:
            env = self._env(cr)
            delays = [env["iap.pending.op"]._next_due_in(), env["iap.quota"]._next_due_in()]
        delays = [delay for delay in delays if delay is not None]
        return min([IDLE_SECONDS, *delays]) if delays else None

    @staticmethod
    def _env(cr):
        from odoo.api import Environment

        return Environment(cr, SUPERUSER_ID, {})

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop after the current pass: a call under way is not cut (the registry must outlive it)."""
        self.stopping.set()
        self.wakeup.set()
        self.join(timeout)
        if self.is_alive():
            _logger.warning("IAP sender of %s still busy after %s s", self.registry.db_name, timeout)


def wake(registry) -> Sender:
    """Wake ``registry``'s sender in this process (started on first use, replaced with the registry)."""
    with _lock:
        current = _senders.get(registry.uri)
        if current is None or not current.is_alive() or current.registry is not registry:
            if current is not None:
                current.stopping.set()
                current.wakeup.set()
            current = _senders[registry.uri] = Sender(registry)
            current.start()
        current.wakeup.set()  # under the lock: a sender retiring sees it (``_retire``)
    return current


class _Wake:
    """The post-commit callback waking a registry's sender; equal for one registry, so queued once."""

    def __init__(self, registry):
        self.registry = registry

    def __call__(self) -> None:
        wake(self.registry)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Wake) and other.registry is self.registry

    def __hash__(self) -> int:
        return id(self.registry)


def wake_after_commit(env) -> None:
    """Wake the sender of ``env``'s database once the current transaction commits (not if it rolls back)."""
    callback = _Wake(env.registry)
    if callback not in env.cr.postcommit:
        env.cr.postcommit.append(callback)


def start_server_senders(app, **_kwargs) -> None:
    """Start a sender for each database given with ``-d`` where ``iap`` is installed."""
    for name in app.databases.explicit_names() or ():
        try:
            registry = app.databases.registry(name)
        except Exception:
            continue  # warm_up already logged it
        if registry.is_installed("iap"):
            wake(registry)


def stop_all() -> None:
    """Stop every sender of this process (the server stopping; a test dropping its database)."""
    with _lock:
        senders = list(_senders.values())
        _senders.clear()
    for running in senders:
        running.stop()


def stop_server_senders(app, **_kwargs) -> None:
    stop_all()


def stop_registry_sender(registry, **_kwargs) -> None:
    """Stop the sender of a database whose connections are about to close (the next wake starts another)."""
    with _lock:
        _senders.pop(registry.uri, None)
    # Every live sender of the database, also one already told to stop (replaced, or stopped with a
    # timeout): its pass may wait on a database lock, which ends at the latest with the lock's timeout,
    # and the connections must not close under it before that (SQLite would crash the process).
    for running in threading.enumerate():
        if isinstance(running, Sender) and running.registry.uri == registry.uri:
            running.stop(timeout=120)


signals.server_started.connect(start_server_senders, weak=False)
signals.server_stopping.connect(stop_server_senders, weak=False)
signals.registry_closing.connect(stop_registry_sender, weak=False)
