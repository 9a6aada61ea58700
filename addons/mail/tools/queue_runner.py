"""The outgoing-mail queue runner: claim due mails, talk SMTP outside any transaction, record outcomes.

``send_queue(registry)`` is what ``odoo-bin.py mail send-queue`` (and a cron,
where ``ir.cron`` exists) runs.  Each batch is three steps:

1. one transaction claims up to ``batch_size`` due mails (a lease, so
   parallel runners never send one mail twice) and builds their messages;
2. the SMTP dialogues run with no transaction open;
3. one transaction records each mail as sent, retried later, or failed.

A runner killed between 2 and 3 leaves its mails claimed until the lease
ends; they are then sent again (at-least-once, as any SMTP client).
"""
from __future__ import annotations

from dataclasses import dataclass

from odoo import SUPERUSER_ID

from ..models.mail_mail import deliver_all

BATCH_SIZE = 100


@dataclass
class QueueRun:
    """What one run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def send_queue(registry, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> QueueRun:
    """Send every due outgoing mail, batch after batch, until none is due."""
    run = QueueRun()
    batches = 0
    while max_batches is None or batches < max_batches:
        with registry.cursor() as cr:
            outgoing = registry.env(cr, SUPERUSER_ID)["mail.mail"]._claim_due(batch_size)._prepare_outgoing()
        if not outgoing:
            break
        _deliver_and_record(registry, outgoing, run)
        batches += 1
    return run


def send_mails(registry, mail_ids: list[int]) -> QueueRun:
    """Send these mails now (those still outgoing), the same three steps as the queue."""
    run = QueueRun()
    with registry.cursor() as cr:
        mails = registry.env(cr, SUPERUSER_ID)["mail.mail"].browse(mail_ids).exists()
        outgoing = mails.filtered(lambda mail: mail.state == "outgoing")._prepare_outgoing()
    if outgoing:
        _deliver_and_record(registry, outgoing, run)
    return run


def _deliver_and_record(registry, outgoing: list, run: QueueRun) -> None:
    deliver_all(outgoing)
    with registry.cursor() as cr:
        env = registry.env(cr, SUPERUSER_ID)
        env["mail.mail"]._record_results(outgoing)
        for item in outgoing:
            mail = env["mail.mail"].browse(item.mail_id).exists()
            if item.error is None:
                run.sent += 1
            elif mail and mail.state == "outgoing":
                run.retried += 1
            else:
                run.failed += 1
