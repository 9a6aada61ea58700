"""The issue's acceptance, on PostgreSQL with real processes: 200 transfers streamed to the daemon,
the daemon killed with ``kill -9`` halfway and restarted; each transfer analysed exactly once.

"Exactly once" is about what is recorded: one transfer, one job, one row per answer and one summary
mail per key.  What was in flight at the kill (at most the channel's capacity of API requests, a
write-back, a mail) is asked again after the restart: the analysis API and the source see those twice
(both are idempotent), never more.  Waits have generous bounds; nothing asserts a duration.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from odoo.config import ROOT
from odoo.modules.registry import Registry

from .conftest import make_item, setup_transfers

pytestmark = [pytest.mark.postgresql_only]
CAPACITY = 4


def _daemon(config) -> subprocess.Popen:
    command = [sys.executable, "odoo-bin.py", "transfers", "run", "--lease", "2", "--db-uri", config["db_uri"],
               "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir), "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_until(condition, process=None, bound: float = 240.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the daemon exited: {process.stderr.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {bound:g} s")
        time.sleep(0.1)


def test_200_transfers_survive_a_kill_9_of_the_daemon(db_backend, database_factory, firebase, api, smtp_server):
    config = database_factory.create(db_backend, ("transfer_analysis",), demo=False)
    registry = Registry.open(config)
    smtp = smtp_server()
    with registry.cursor() as cr:
        env = registry.env(cr)
        setup_transfers(env, firebase, api, max_connections=CAPACITY, timeout=5)
        env["ir.config_parameter"].set_param("mail.mail.claim_seconds", "3")  # the killed daemon's claims
        env["ir.mail_server"].create({"name": "t", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                      "smtp_authentication": "none"})
    api.latency = 0.02
    fresh = [f"K{n:03d}" for n in range(190)]
    old = [f"OLD{n}" for n in range(10)]
    for key in fresh[:100] + old:
        firebase.add_transfer(key, make_item(age_minutes=5000) if key in old else make_item())

    daemon = _daemon(config)
    try:
        _wait_until(lambda: firebase.connections >= 1, daemon)
        for key in fresh[100:]:  # streamed live, with a duplicate put now and then
            firebase.add_transfer(key, make_item())
            if key.endswith("7"):
                firebase.add_transfer(key, make_item())
        _wait_until(lambda: len({p for p, _v in firebase.patches}) >= 80, daemon)
        daemon.send_signal(signal.SIGKILL)  # kill -9, halfway
        daemon.wait(30)
        daemon = _daemon(config)
        _wait_until(lambda: {p for p, _v in firebase.patches} >= {f"Transfer/{k}" for k in fresh}, daemon)
        _wait_until(lambda: _mails_settled(registry), daemon)
    finally:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(60)

    with registry.cursor() as cr:
        env = registry.env(cr)
        states = Counter(env["transfer.transfer"].search([]).mapped("state"))
        assert states == {"done": 190, "ignored_old": 10}
        answers = env["transfer.answer"].search([])
        assert len(answers) == 570 and set(answers.mapped("state")) == {"done"}
        jobs = env["queue.job"].search([("method_name", "=", "_analyse_job")])
        per_transfer = Counter(tuple(job.record_ids) for job in jobs)
        assert len(per_transfer) == 190 and set(per_transfer.values()) == {1}  # one job per transfer
        mails = env["mail.mail"].search([("model", "=", "transfer.transfer")])
        assert Counter(mails.mapped("res_id")) == Counter({t.id: 1 for t in env["transfer.transfer"].search(
            [("state", "=", "done")])})
        assert set(mails.mapped("state")) == {"sent"}
        assert env["transfer.transfer"].search_count([("writeback_state", "!=", "done"), ("state", "=", "done")]) == 0
        repeated = env["transfer.event"].search_count([("kind", "=", "REPEATED")])
    assert repeated >= 9  # the duplicate puts (and the restart's replay of what was still unprocessed)
    assert api.max_in_flight <= CAPACITY
    # Sent again after the kill: the requests in flight then (at most CAPACITY), and the answers that had
    # arrived but were not stored yet (a job hands its place over while its last request travels, so up
    # to CAPACITY more jobs may be between an answer and its commit).
    assert len(api.calls) == 570 and api.total_calls() <= 570 + 2 * CAPACITY
    patch_counts = Counter(path for path, _values in firebase.patches)
    assert set(patch_counts) == {f"Transfer/{k}" for k in fresh} and max(patch_counts.values()) <= 2
    sent = Counter(message["Message-Id"] for message in smtp.messages)  # one Message-Id per mail.mail
    assert len(sent) == 190 and len(smtp.messages) <= 190 + CAPACITY and max(sent.values()) <= 2


def _mails_settled(registry) -> bool:
    with registry.cursor() as cr:
        env = registry.env(cr)
        return env["mail.mail"].search_count([("model", "=", "transfer.transfer"), ("state", "=", "sent")]) == 190
