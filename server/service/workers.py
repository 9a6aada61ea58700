"""The gunicorn worker of ``--workers N``: gunicorn's ``gthread`` with Odoo's worker limits.

* threads: an ``ElasticThreadPool`` of ``--threads`` threads (8 by default),
  more while all are busy, so a request calling this server never waits for
  a thread its own caller holds;
* ``--limit-memory-hard``: the worker's address space (``RLIMIT_AS``), so an
  allocation past it fails with MemoryError instead of taking the machine;
* ``--limit-memory-soft``: after a request, a worker whose resident memory
  passed it finishes the requests in flight and exits; gunicorn starts a
  fresh one;
* ``--limit-time-real`` / ``--limit-time-cpu``: a watchdog thread kills the
  worker (gunicorn replaces it) when one request lasted longer, in wall or
  CPU seconds, than allowed, as Odoo's master does;
* ``--limit-request``: gunicorn's ``max_requests`` (set by ``server.py``).

A stop signal that reaches a worker while it boots is kept: until the worker installs its own handlers
it runs the master's, which queue the signal on the master's queue (the worker's copy, which nothing
reads), and gunicorn would let the worker serve until the master's graceful timeout killed it.  The
worker reads that copy once its own handlers are in place and stops if a stop was queued there.

A value of 0 or less turns a limit off.
"""
from __future__ import annotations

import logging
import os
import resource
import signal
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

from .threads import ElasticThreadPool

_logger = logging.getLogger(__name__)

WATCHDOG_INTERVAL = 1.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_memory() -> int:
    """This process's resident set size in bytes (now, not the peak)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except OSError:  # not Linux: the peak is the best we know
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def thread_cpu_time(ident: int) -> float | None:
    """CPU seconds used by thread ``ident`` (None where the platform cannot say)."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (AttributeError, OSError):
        return None


class WorkerLimits:
    """The limits of one worker process, read from the application's configuration."""

    def __init__(self, config):
        self.memory_soft = int(config.get("limit_memory_soft") or 0)
        self.memory_hard = int(config.get("limit_memory_hard") or 0)
        self.time_cpu = int(config.get("limit_time_cpu") or 0)
        self.time_real = int(config.get("limit_time_real") or 0)

    def apply_memory_hard(self) -> None:
        if self.memory_hard > 0:
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = self.memory_hard if hard == resource.RLIM_INFINITY else min(self.memory_hard, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

    def memory_exceeded(self) -> int | None:
        """The resident size if it is past the soft limit, else None."""
        if self.memory_soft <= 0:
            return None
        rss = resident_memory()
        return rss if rss > self.memory_soft else None

    def time_exceeded(self, started: float, cpu_started: float | None, ident: int) -> str | None:
        """Which time limit a request running since ``started`` passed, if any (for the log line)."""
        if self.time_real > 0 and time.monotonic() - started > self.time_real:
            return f"limit_time_real ({self.time_real} s)"
        if self.time_cpu > 0 and cpu_started is not None:
            used = thread_cpu_time(ident)
            if used is not None and used - cpu_started > self.time_cpu:
                return f"limit_time_cpu ({self.time_cpu} s)"
        return None


class LimitedThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with elastic threads and Odoo's limits (see the module docstring)."""

    def init_process(self) -> None:
        self.limits = WorkerLimits(self.app.wsgi().config)
        self.running: dict[int, tuple[float, float | None, str]] = {}
        self.limits.apply_memory_hard()
        threading.Thread(target=self._watch_time, name="limits-watchdog", daemon=True).start()
        super().init_process()

    def note_master_signals(self, queue) -> None:
        """Right after the fork (``post_fork``): the master's signal queue, as this process inherited it."""
        self.master_signals = queue

    def init_signals(self) -> None:
        super().init_signals()
        queue, caught = getattr(self, "master_signals", None), []
        while queue is not None and not queue.empty():
            caught.append(queue.get_nowait())  # by the master's handler, while this worker booted
        if any(sig in STOP_SIGNALS for sig in caught):
            _logger.info("worker %s: a stop signal came while it booted; stopping", os.getpid())
            self.alive = False

    def get_thread_pool(self) -> ElasticThreadPool:
        return ElasticThreadPool(self.cfg.threads)

    def handle_request(self, req, conn):
        ident = threading.get_ident()
        self.running[ident] = (time.monotonic(), thread_cpu_time(ident), f"{req.method} {req.path}")
        try:
            return super().handle_request(req, conn)
        finally:
            self.running.pop(ident, None)
            self._check_memory()

    def _check_memory(self) -> None:
        rss = self.limits.memory_exceeded()
        if rss is not None and self.alive:
            _logger.info("worker %s uses %d MiB, past limit_memory_soft (%d MiB): recycled after its requests",
                         os.getpid(), rss >> 20, self.limits.memory_soft >> 20)
            self.alive = False

    def _watch_time(self) -> None:
        while True:
            time.sleep(WATCHDOG_INTERVAL)
            for ident, (started, cpu_started, what) in list(self.running.items()):
                passed = self.limits.time_exceeded(started, cpu_started, ident)
                if passed:
                    self._kill(what, passed)

    @staticmethod
    def _kill(what: str, passed: str) -> None:
        _logger.error("worker %s killed: request %s went past %s", os.getpid(), what, passed)
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(1)
