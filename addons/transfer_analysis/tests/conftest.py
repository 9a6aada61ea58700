"""Fixtures of the transfer tests: the fake source and API, a configured database, transfer items.

``setup_transfers(env, firebase, api)`` points a database at the fakes: a
source on ``firebase``, the API parameters (short timeout), the company's
summary recipients.  ``make_item(...)`` is a source item as the seed reads it.
"""
from __future__ import annotations

import time

import pytest

import server
from server.addons import set_addons_path
from server.testing import test_config_paths

set_addons_path(test_config_paths())  # conftest files load before the addon test modules that set it

from odoo.addons.mail.tests.conftest import ca_file, closed_port, smtp_server, test_ca  # noqa: E402, F401
from odoo.addons.transfer_analysis.tests.fakes import FakeAnalysisApi, FakeFirebase  # noqa: E402

assert server

QUESTIONNAIRE = {"cuestionario": [{"tipo": "intro"}, {"tipo": "pregunta", "texto": "a"},
                                  {"tipo": "pregunta", "texto": "b"}, {"tipo": "pregunta", "texto": "c"}]}


@pytest.fixture
def firebase():
    fake = FakeFirebase().start()
    fake.db["Encuestas"]["q1"] = QUESTIONNAIRE
    fake.db["Personas"]["p1"] = {"Nombre": "Ana", "ApPat": "Ruiz", "ApMat": "Paz"}
    fake.db["Cuenta"]["c1"] = {"NComercial": "Acme SA"}
    fake.db["Usuarios"]["u1"] = {"email": "master@acme.example"}
    yield fake
    fake.stop()


@pytest.fixture
def api():
    fake = FakeAnalysisApi().start()
    yield fake
    fake.stop()


def make_item(age_minutes: float = 1, questionnaire: str = "q1", **extra) -> dict:
    return {"processed": False, "date": int(time.time() - age_minutes * 60), "key_encuesta": questionnaire,
            "key_persona": "p1", "key_empresa": "c1", "key_usuario": "u1", **extra}


def setup_transfers(env, firebase: FakeFirebase, api: FakeAnalysisApi, recipients: str = "ops@example.com",
                    max_connections: int = 4, timeout: float = 1.0):
    params = env["ir.config_parameter"].sudo()
    params.set_param("transfer_analysis.api_url", f"{api.url}/analyse")
    params.set_param("transfer_analysis.api_auth_value", "top-secret-value")
    params.set_param("transfer_analysis.api_timeout", str(timeout))
    params.set_param("transfer_analysis.max_connections", str(max_connections))
    env.ref("base.main_company").write({"transfer_report_email_to": recipients, "email": "transfers@example.com"})
    return env["transfer.source"].create({"name": "fake", "base_url": firebase.url, "auth_token": "db-token",
                                          "storage_url": "https://storage.example", "max_age_minutes": 4320,
                                          "company_id": env.ref("base.main_company").id})


@pytest.fixture
def job_worker():
    """``job_worker(registry, capacity)`` starts a queue worker on the analysis channel (stopped after)."""
    from odoo.addons.queue_job.worker.channels import parse_channels
    from odoo.addons.queue_job.worker.worker import Worker, WorkerOptions

    started = []

    def start(registry, capacity: int = 4):
        options = WorkerOptions(lease=30, heartbeat=1, poll=0.2)
        worker = Worker(registry, parse_channels(f"root.transfer_analysis:{capacity}"), options).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(wait=True)


@pytest.fixture
def configured(fresh_registry, firebase, api):
    """``(registry, source_id)`` of a fresh database set up for the fakes (committed)."""
    with fresh_registry.cursor() as cr:
        source = setup_transfers(fresh_registry.env(cr), firebase, api)
        source_id = source.id
    return fresh_registry, source_id
