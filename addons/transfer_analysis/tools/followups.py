"""What comes after a transfer's result is committed: the write-back to the source and the summary mail.

Both are idempotent and may run again after a crash (a resumed job, the daemon's sweep): the
write-back ``PATCH`` sets the same values twice, and the summary mail is claimed before it is sent,
as the mail queue does, so nobody sends it twice.  Neither holds a transaction open during its call.

An analysis job hands them to ``FOLLOW_UPS`` (two daemon threads of the process, each step in a
transaction of its own) and ends: the job's slot on ``root.transfer_analysis``, one of the API's
connections, is then free for the next transfer instead of waiting on the source and the SMTP
server.  If the process dies first, the write-back is still ``pending`` and the mail ``outgoing``:
the daemon's sweep (``retry_writebacks``, ``retry_summaries``) and the mail queue's cron do them.
"""
from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

from odoo.addons.mail.tools.queue_runner import send_mails
from odoo.addons.mail.tools.transaction_steps import as_steps

from .firebase import FirebaseClient, SourceError

_logger = logging.getLogger(__name__)


def _quiet(step: str, message: str) -> None:
    _logger.debug("[ %s ] - %s", step, message)


@dataclass(frozen=True)
class Writeback:
    """A pending write-back as its transfer's last step read it: the source, the key, the values."""

    source: dict
    key: str
    values: dict


SOURCES_CACHE = "transfer_analysis.sources"


def source_of(transfer) -> dict | None:
    """What the steps outside transactions need of the transfer's source (None: the transfer has none).

    From a process cache after the first read of each source (every run needs it; ``transfer.source``
    empties it when one of these fields changes)."""
    source = transfer.source_id
    if not source:
        return None
    cache = transfer.env.registry.cache(SOURCES_CACHE)
    if source.id not in cache:
        cache[source.id] = {
            "base_url": source.base_url, "auth": source.auth_token, "node": source.node,
            "questionnaires": source.questionnaire_node, "persons": source.person_node,
            "accounts": source.account_node, "users": source.user_node, "storage": source.storage_url.rstrip("/")}
    return dict(cache[source.id])


def firebase_for(source: dict) -> FirebaseClient:
    return FirebaseClient(source["base_url"], source["auth"], session=_shared_session(source["base_url"]))


_sessions: dict = {}


def _shared_session(base_url: str):
    import requests

    return _sessions.setdefault(base_url, requests.Session())


def write_back(steps, transfer_id: int, log=_quiet, known: Writeback | None = None) -> bool:
    """PATCH the result to the source (idempotent); record it, or the error for a later retry.

    ``steps``: a registry, or the steps of the caller; ``known``: the write-back as the step that
    finished the transfer read it (else it is read first).
    """
    steps = as_steps(steps)
    if known is None:
        with steps.step() as env:
            transfer = env["transfer.transfer"].browse(transfer_id)
            if transfer.writeback_state != "pending":
                return transfer.writeback_state == "done"
            known = Writeback(source_of(transfer), transfer.key, transfer._writeback_values())
    try:
        firebase_for(known.source).patch(f"{known.source['node']}/{known.key}", known.values)
        error = None
    except SourceError as exc:
        error = str(exc)
    with steps.step() as env:
        env["transfer.transfer"].browse(transfer_id)._record_writeback(error)
    log("write-back", error or f"{known.key}: processed = true at the source")
    return error is None


def retry_writebacks(steps, limit: int = 100) -> int:
    """Try the pending write-backs again; how many succeeded (``steps``: a registry, or steps)."""
    steps = as_steps(steps)
    with steps.step() as env:
        ids = env["transfer.transfer"].search([("writeback_state", "=", "pending"),
                                                ("state", "=", "done")], limit=limit).ids
    return sum(write_back(steps, transfer_id) for transfer_id in ids)


def retry_summaries(steps, limit: int = 100) -> int:
    """Send the summary mails of done transfers still outgoing (a run stopped before sending them)."""
    steps = as_steps(steps)
    with steps.step() as env:
        ids = env["transfer.transfer"].search([("state", "=", "done"), ("mail_id.state", "=", "outgoing")],
                                              limit=limit).ids
    for transfer_id in ids:
        send_summary(steps, transfer_id)
    return len(ids)


def send_summary(steps, transfer_id: int, log=_quiet, mail_ids: tuple[int, ...] | None = None) -> None:
    """Send the summary mail now, as the mail queue does: claimed first (the daemon's sweep and a
    resumed job never send one twice), SMTP outside any transaction; if sending fails, the mail
    keeps its retries and the mail queue's cron sends it later.  ``mail_ids``: the transfer's mail
    as the step that finished it read it (else it is read first; none: nothing to send)."""
    steps = as_steps(steps)
    if mail_ids is None:
        with steps.step() as env:
            mail_ids = tuple(env["transfer.transfer"].browse(transfer_id).mail_id.ids)
    if not mail_ids:
        return
    run = send_mails(steps, list(mail_ids))
    if run.sent or run.retried or run.failed:
        log("mail", "summary mail " + ("sent" if run.sent else "queued for a retry" if run.retried else "failed"))


class FollowUps:
    """Write-backs and summary mails done by ``threads`` daemon threads of this process, in order."""

    def __init__(self, threads: int = 2):
        self.threads = threads
        self.todo: queue.Queue = queue.Queue()
        self.started: list[threading.Thread] = []
        self.lock = threading.Lock()

    def submit(self, registry, transfer_id: int, writeback: Writeback | None, mail_ids: tuple[int, ...]) -> None:
        """Do the write-back (when the transfer has a source) and send its mails, soon, in another thread."""
        with self.lock:
            while len(self.started) < self.threads:
                thread = threading.Thread(target=self._work, name=f"transfer-followups-{len(self.started)}",
                                          daemon=True)
                thread.start()
                self.started.append(thread)
        self.todo.put((registry, transfer_id, writeback, mail_ids))

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far is done (tests, a stopping daemon); False on timeout."""
        with self.todo.all_tasks_done:
            return self.todo.all_tasks_done.wait_for(lambda: not self.todo.unfinished_tasks, timeout)

    def _work(self) -> None:
        while True:
            registry, transfer_id, writeback, mail_ids = self.todo.get()
            try:
                if writeback is not None:
                    write_back(registry, transfer_id, known=writeback)
                send_summary(registry, transfer_id, mail_ids=mail_ids)
            except Exception:  # the sweep tries again; this thread goes on with the others
                _logger.exception("transfer %s: write-back or summary mail failed", transfer_id)
            finally:
                self.todo.task_done()


FOLLOW_UPS = FollowUps()
