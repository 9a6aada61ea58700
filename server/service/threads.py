"""``ElasticThreadPool``: the request threads of one server process.

A request may call this very server over HTTP (a route that pays through the
IAP endpoint of the same database, a webhook to itself).  With a fixed pool,
as many such requests as there are threads hold every thread while they wait
for their inner calls, which wait for a free thread: a deadlock that only the
clients' timeouts break.  This pool keeps ``threads`` threads and starts
another whenever work arrives while every thread is busy, up to
``max_threads`` (the database connection pool's size, so every thread can
hold a transaction).  Threads started for a burst exit after ``idle_timeout``
seconds without work.

It is a ``concurrent.futures.Executor``, so gunicorn's ``gthread`` worker
uses it unchanged (``get_thread_pool``).  Its threads are daemons: a stop
waits for the requests being served (``shutdown(wait=True)``), never for an
idle thread.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent import futures

_logger = logging.getLogger(__name__)

MAX_THREADS = 64  # = server.db.POOL["max_connections"]: beyond it a thread would wait for a connection
IDLE_TIMEOUT = 60.0
_STOP = object()


class ElasticThreadPool(futures.Executor):
    """``threads`` steady threads, more (up to ``max_threads``) while all of them are busy."""

    def __init__(self, threads: int, max_threads: int = MAX_THREADS, idle_timeout: float = IDLE_TIMEOUT,
                 name: str = "http"):
        if threads < 1:
            raise ValueError(f"a thread pool needs at least one thread, not {threads}")
        self.threads = threads
        self.max_threads = max(threads, max_threads)
        self.idle_timeout = idle_timeout
        self.name = name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # threads waiting for work that no queued item has claimed yet
        self._workers: set[threading.Thread] = set()
        self._shutdown = False
        self._warned_full = False

    @property
    def size(self) -> int:
        """How many threads exist now."""
        return len(self._workers)

    def submit(self, fn, /, *args, **kwargs) -> futures.Future:
        future: futures.Future = futures.Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._queue.put((future, fn, args, kwargs))
            if self._idle:
                self._idle -= 1
            elif len(self._workers) < self.max_threads:
                self._start_worker()
            elif not self._warned_full:
                self._warned_full = True
                _logger.warning("all %d %s threads are busy: requests wait for one", self.max_threads, self.name)
        return future

    def _start_worker(self) -> None:
        thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._workers)}", daemon=True)
        self._workers.add(thread)
        thread.start()

    def _work(self) -> None:
        while True:
            item = self._next_item()
            if item is _STOP or item is None:
                return
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:  # the future carries it to whoever waits
                    future.set_exception(exc)
            del item, future
            with self._lock:
                self._idle += 1

    def _next_item(self):
        """The next piece of work; None when this extra thread idled long enough to exit."""
        while True:
            try:
                return self._queue.get(timeout=self.idle_timeout)
            except queue.Empty:
                with self._lock:
                    if len(self._workers) > self.threads and self._queue.empty() and self._idle:
                        self._idle -= 1
                        self._workers.discard(threading.current_thread())
                        return None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new work; with ``wait``, let the work already submitted finish first."""
        with self._lock:
            self._shutdown = True
            workers = list(self._workers)
        if cancel_futures:
            self._cancel_queued()
        for _worker in workers:
            self._queue.put(_STOP)
        if wait:
            for worker in workers:
                worker.join()

    def _cancel_queued(self) -> None:
        pending = []
        while True:
            try:
                pending.append(self._queue.get_nowait())
            except queue.Empty:
                break
        for item in pending:
            if item is not _STOP:
                item[0].cancel()
