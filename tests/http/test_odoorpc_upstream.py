"""OdooRPC's own test suite (OCA/odoorpc, tag v0.10.1, ``odoorpc/tests``) against a real server process.

The suite is not on PyPI (OdooRPC's packages leave ``odoorpc.tests`` out) and is never copied here: set
``ODOORPC_SUITE`` to a checkout of the tag, e.g. ``git clone --branch v0.10.1
https://github.com/OCA/odoorpc /tmp/odoorpc`` and ``ODOORPC_SUITE=/tmp/odoorpc``.  Every test passes
but those needing what this server does not have: Odoo's business modules (sale, account, product,
mail) and the report engine, listed below with the reason.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = os.environ.get("ODOORPC_SUITE")
MASTER = "odoorpc-master"
LARGEST_BODY = 128 * 1024 * 1024  # Odoo's default; the suite creates a 50 MB attachment
NEEDS_WHAT_WE_DO_NOT_HAVE = {
    "test_field_boolean.py::TestFieldBoolean::test_field_boolean_write": "res.partner.customer_rank (account)",
    "test_field_datetime.py::TestFieldDatetime::test_field_datetime_read": "sale.order (sale)",
    "test_field_float.py::TestFieldFloat::test_field_float_read": "res.partner.credit_limit (account)",
    "test_field_float.py::TestFieldFloat::test_field_float_write": "res.partner.credit_limit (account)",
    "test_field_many2many.py::TestFieldMany2many::test_field_many2many_read": "message_follower_ids (mail)",
    "test_field_text.py::TestFieldText::test_field_text_read": "the module record of sale",
    "test_model.py::TestModel::test_model_with_context": "product.product (product)",
    "test_model.py::TestModel::test_record_with_context": "translated field values, product.product (product)",
    "test_report.py::TestReport::test_report_download_pdf": "rendering reports",
    "test_report.py::TestReport::test_report_list": "the reports of account",
}
# Sends 70 MB with a 0.5 s socket timeout and expects the wait for the answer to time out, not the
# sending: which one does depends on how loaded the machine is (we make no timed assertions).
TIMED = {"test_timeout.py::TestTimeout::test_reduced_timeout"}

pytestmark = pytest.mark.skipif(not SUITE or not (Path(SUITE) / "odoorpc" / "tests" / "__init__.py").is_file(),
                                reason="ODOORPC_SUITE does not name a checkout of OCA/odoorpc v0.10.1")


def run_suite(server_url: str, db: str) -> subprocess.CompletedProcess:
    port = server_url.rsplit(":", 1)[1]
    env = {**os.environ, "ORPC_TEST_HOST": "127.0.0.1", "ORPC_TEST_PORT": port, "ORPC_TEST_DB": db,
           "ORPC_TEST_SUPER_PWD": MASTER, "ORPC_TEST_USER": "admin", "ORPC_TEST_PWD": "admin"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "odoorpc/tests"], cwd=SUITE, env=env, capture_output=True, text=True, timeout=1800)


def test_odoorpc_s_own_suite_passes_but_for_business_modules_and_reports(db_backend, database_factory,
                                                                           server_process):
    db = database_factory.new_name()
    config = database_factory.config(admin_passwd=MASTER, dbfilter=f"^{db}")  # and the copies the suite makes
    backend = {"db_host": "127.0.0.1", "db_user": "postgres"} if db_backend == "postgresql" else {}
    config.options.update(backend)
    database_factory.created.append(config.database_uri(db))  # dropped after the test
    server = server_process(config, limit_request_body=LARGEST_BODY, **backend)
    result = run_suite(server.url, db)
    failed = set(re.findall(r"^FAILED odoorpc/tests/(\S+)", result.stdout, re.MULTILINE))
    summary = result.stdout.strip().splitlines()[-1]
    allowed = set(NEEDS_WHAT_WE_DO_NOT_HAVE) | TIMED
    assert failed <= allowed, (failed - allowed, result.stdout[-5000:])
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed == 150 - len(failed) and passed >= 150 - len(allowed), summary
