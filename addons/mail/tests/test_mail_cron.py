"""The mail queue's cron: sent by the cron threads, in the cron's own transaction, safe against kill -9."""
from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time

from odoo.config import ROOT
from odoo.service import cron as cron_service
from odoo.service.cron import CronRunner

CRON = "mail.ir_cron_mail_scheduler_action"


def _queue(registry, port: int, recipients: list[str]) -> int:
    """A mail server on ``port`` and one mail per recipient (subject ``m<n>``); the cron's id, due now."""
    with registry.cursor() as cr:
        env = registry.env(cr)
        env["ir.mail_server"].create({"name": "t", "smtp_host": "127.0.0.1", "smtp_port": port,
                                      "smtp_authentication": "none"})
        env["mail.mail"].create([{"subject": f"m{n}", "email_from": "bot@example.com", "email_to": to}
                                 for n, to in enumerate(recipients)])
        cron = env.ref(CRON)
        cron.nextcall = dt.datetime(2020, 1, 1)
        return cron.id


def _states(registry) -> dict[str, str]:
    with registry.cursor() as cr:
        return {mail.subject: mail.state for mail in registry.env(cr)["mail.mail"].search([])}


def _wait(condition, bound: float = 60.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, f"not reached within {bound:g} s"
        time.sleep(0.05)


def test_the_cron_threads_send_the_queue(fresh_registry, smtp_server):
    """The cron thread's transaction is the job's: the runner commits it per step, it opens no other."""
    smtp = smtp_server()
    _queue(fresh_registry, smtp.port, ["a@example.com", "b@example.com", "not-an-address"])
    runner = CronRunner(fresh_registry.config, 1)
    try:
        runner.process_database(fresh_registry.db_name)
    finally:
        runner.stop()
    assert _states(fresh_registry) == {"m0": "sent", "m1": "sent", "m2": "exception"}
    assert sorted(m["Subject"] for m in smtp.messages) == ["m0", "m1"]
    with fresh_registry.cursor() as cr:
        cron = fresh_registry.env(cr).ref(CRON)
        assert cron.lastcall and cron.nextcall > dt.datetime(2021, 1, 1)  # moved past the occurrence


def test_a_run_killed_mid_queue_neither_loses_nor_repeats_a_mail(db_backend, database_factory, smtp_server):
    """kill -9 while the SMTP server holds the third mail: the two sent stay sent, the rest go out once."""
    from odoo.modules.registry import Registry

    config = database_factory.create(db_backend, ("mail",))
    registry = Registry.open(config)
    smtp = smtp_server()
    smtp.hold("held@example.com")
    cron_id = _queue(registry, smtp.port, ["a@example.com", "b@example.com", "held@example.com",
                                           "c@example.com", "d@example.com"])
    with registry.cursor() as cr:
        registry.env(cr)["ir.config_parameter"].set_param("mail.mail.claim_seconds", "1")
    command = [sys.executable, "odoo-bin.py", "cron", "run", CRON, "--db-uri", config["db_uri"],
               "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert smtp.held.wait(120), "the cron never reached the held recipient"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    smtp.release.set()
    assert _states(registry) == {"m0": "sent", "m1": "sent", "m2": "outgoing", "m3": "outgoing", "m4": "outgoing"}

    def all_sent() -> bool:  # the dead run's claims end after a second; then a run sends the rest
        cron_service.run_now(registry, cron_id)
        return set(_states(registry).values()) == {"sent"}

    _wait(all_sent)
    assert sorted(m["Subject"] for m in smtp.messages) == ["m0", "m1", "m2", "m3", "m4"]
