"""Run analyses in threads of this process, ``capacity`` at a time (without ``queue_job``).

``ThreadedRunner.dispatch(ids)`` is the consumer's ``dispatch``; ``sweep()``
picks up what no thread is running: transfers still ``new`` or ``queued``
(received by a process that stopped before analysing them, or submitted over
JSON-RPC) and ``analysing`` ones left by a crash.  One such runner per
database: with ``queue_job`` installed, jobs replace it and any number of
workers share the work.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID

from .processor import process_transfer, retry_writebacks

_logger = logging.getLogger(__name__)


class ThreadedRunner:
    def __init__(self, registry, capacity: int, log=None):
        self.registry = registry
        self.capacity = capacity
        self.log = log
        self.executor = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix="transfer")
        self._running: set[int] = set()
        self._lock = threading.Lock()

    def dispatch(self, transfer_ids: list[int]) -> None:
        for transfer_id in transfer_ids:
            with self._lock:
                if transfer_id in self._running:
                    continue
                self._running.add(transfer_id)
            self.executor.submit(self._run, transfer_id)

    def _run(self, transfer_id: int) -> None:
        try:
            kwargs = {"log": self.log} if self.log else {}
            process_transfer(self.registry, transfer_id, **kwargs)
        except Exception:  # one transfer's crash must not stop the others
            _logger.exception("transfer %s: analysis crashed", transfer_id)
        finally:
            with self._lock:
                self._running.discard(transfer_id)

    def sweep(self) -> int:
        """Dispatch every transfer waiting for an analysis; retry pending write-backs. How many dispatched."""
        with self.registry.cursor() as cr:
            ids = self.registry.env(cr, SUPERUSER_ID)["transfer.transfer"].search(
                [("state", "in", ["new", "queued", "analysing"])], order="id").ids
        with self._lock:
            waiting = [i for i in ids if i not in self._running]
        self.dispatch(waiting)
        retry_writebacks(self.registry)
        return len(waiting)

    def idle(self) -> bool:
        with self._lock:
            return not self._running

    def shutdown(self, wait: bool = True) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=not wait)
