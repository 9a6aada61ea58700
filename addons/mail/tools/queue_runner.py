"""The outgoing-mail queue runner: claim due mails, talk SMTP outside any transaction, record each outcome.

``send_queue(steps)`` is what the cron ``mail.ir_cron_mail_scheduler_action`` (in the cron's cursor,
``CommittedSteps``) and ``odoo-bin.py mail send-queue`` (a registry: a cursor per step) run.  Each batch:

1. one step claims up to ``batch_size`` due mails (a lease, ``mail.mail.claim_seconds``, so parallel
   runners never send one mail twice) and builds their messages; it is committed before any SMTP;
2. for each mail in turn, its SMTP dialogue runs with no transaction open, then one step records it
   as sent, retried later, or failed.

What a runner killed at any moment (``kill -9``) leaves: the mails it recorded stay recorded and are
never sent again; the ones it claimed but had not sent are sent by the next run once their lease ends.
The one moment that cannot be made safe is between the SMTP server's final "250 accepted" and the
commit of that mail's record, a few milliseconds per mail: a kill exactly then sends that one mail
again, with the same ``Message-Id`` (SMTP itself is at-least-once).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models.mail_mail import SmtpSessions
from .transaction_steps import as_steps

BATCH_SIZE = 100


@dataclass
class QueueRun:
    """What one run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    def count(self, env, item) -> None:
        mail = env["mail.mail"].browse(item.mail_id).exists()
        if item.error is None:
            self.sent += 1
        elif mail and mail.state == "outgoing":
            self.retried += 1
        else:
            self.failed += 1


def send_queue(steps, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> QueueRun:
    """Send every due outgoing mail, batch after batch, until none is due.

    ``steps``: a registry (a cursor per step) or steps (``tools/transaction_steps.py``).
    """
    steps = as_steps(steps)
    run = QueueRun()
    batches = 0
    while max_batches is None or batches < max_batches:
        with steps.step() as env:
            outgoing = env["mail.mail"]._claim_due(batch_size)._prepare_outgoing()
        if not outgoing:
            break
        _deliver_and_record(steps, outgoing, run)
        batches += 1
    return run


def send_mails(steps, mail_ids: list[int]) -> QueueRun:
    """Send these mails now (those still outgoing and claimed by no other runner), as the queue does."""
    steps = as_steps(steps)
    run = QueueRun()
    with steps.step() as env:
        outgoing = env["mail.mail"]._claim_due(ids=mail_ids)._prepare_outgoing()
    if outgoing:
        _deliver_and_record(steps, outgoing, run)
    return run


def _deliver_and_record(steps, outgoing: list, run: QueueRun) -> None:
    with SmtpSessions() as sessions:
        for item in outgoing:
            sessions.deliver(item)
            with steps.step() as env:
                env["mail.mail"]._record_results([item])
                run.count(env, item)
