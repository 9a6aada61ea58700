"""``odoo-bin.py mail ACTION -d DB``: run the outgoing-mail queue and look after it.

Actions: ``send-queue`` (send every due mail, print what happened; what a
cron runs), ``queue`` (list outgoing and failed mails with their reason),
``retry`` (queue failed mails again), ``test-server`` (connect and log in to
each mail server).  A refused request exits with status 1 and one line.
"""
from __future__ import annotations

import argparse

from odoo import SUPERUSER_ID
from odoo.cli import setup_logging
from odoo.cli.command import CommandError, command, load_config, parser_for, require_database
from odoo.config import add_arguments
from odoo.exceptions import UserError
from odoo.modules.registry import Registry

from ..models.ir_mail_server import MailDeliveryException, open_session
from ..tools.queue_runner import send_queue


@command("mail", help="outgoing mail: mail send-queue | queue | retry --failed | test-server -d DB")
def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args)
    setup_logging(config["log_level"] if config["log_level"] != "info" else "warning", config.get("logfile"))
    require_database(config)
    try:
        return ACTIONS[args.action](Registry.open(config), args) or 0
    except UserError as exc:
        raise CommandError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("mail", "Send and inspect the outgoing mail queue.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    send = actions.add_parser("send-queue", help="send every due outgoing mail")
    send.add_argument("--batch-size", type=int, default=100)
    queue = actions.add_parser("queue", help="list outgoing and failed mails")
    queue.add_argument("--state", choices=["outgoing", "exception", "sent"], help="only this state")
    queue.add_argument("--limit", type=int, default=50)
    retry = actions.add_parser("retry", help="queue failed mails again")
    retry.add_argument("--failed", action="store_true", required=True, help="every mail in state exception")
    actions.add_parser("test-server", help="connect and log in to every active mail server")
    for sub in (send, queue, retry, actions.choices["test-server"]):
        add_arguments(sub)
    return parser


def send_queue_action(registry: Registry, args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise CommandError("--batch-size must be at least 1")
    run = send_queue(registry, batch_size=args.batch_size)
    print(f"sent {run.sent}, to retry later {run.retried}, failed {run.failed}")
    return 0


def queue_action(registry: Registry, args: argparse.Namespace) -> int:
    states = [args.state] if args.state else ["outgoing", "exception"]
    with registry.cursor() as cr:
        mails = registry.env(cr, SUPERUSER_ID)["mail.mail"].search([("state", "in", states)], limit=args.limit)
        for mail in mails:
            reason = f"  {mail.failure_reason}" if mail.failure_reason else ""
            print(f"{mail.id}\t{mail.state}\t{mail.attempt_count}\t{mail.email_to or ''}\t{mail.subject or ''}"
                  f"{reason}")
    return 0


def retry_action(registry: Registry, args: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        mails = registry.env(cr, SUPERUSER_ID)["mail.mail"].search([("state", "=", "exception")])
        mails.mark_outgoing()
        print(f"{len(mails)} mail(s) queued again")
    return 0


def test_server_action(registry: Registry, args: argparse.Namespace) -> int:
    with registry.cursor() as cr:
        Server = registry.env(cr, SUPERUSER_ID)["ir.mail_server"]
        settings = [Server.smtp_settings(server.id) for server in Server.search([])]
    if not settings:
        raise CommandError("no outgoing mail server is configured")
    for one in settings:  # the SMTP dialogues run with no transaction open
        try:
            open_session(one).quit()
        except MailDeliveryException as exc:
            raise CommandError(f"{one.name}: {exc}") from None
        print(f"{one.name}: connection and login successful")
    return 0


ACTIONS = {"send-queue": send_queue_action, "queue": queue_action, "retry": retry_action,
           "test-server": test_server_action}
