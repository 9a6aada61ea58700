"""Real OCA 17.0 addons (server-ux), taken from their published wheels, install unmodified and pass their own tests.

The wheels come from PyPI at test time (``pip download``); without PyPI the test is skipped, in CI too
(their code is not ours to ship).  Their tests use OCA's ``odoo-test-helper`` (in requirements-test.txt).
"""
import subprocess
import sys
import zipfile

import pytest

from server.config import ROOT

# Addons that depend only on base/web, pinned to the version tested.
WHEELS = {
    "date_range": "odoo-addon-date-range==17.0.1.2.1.5",
    "base_revision": "odoo-addon-base-revision==17.0.1.0.0.6",
    "multi_step_wizard": "odoo-addon-multi-step-wizard==17.0.1.0.0.3",
    "sequence_reset_period": "odoo-addon-sequence-reset-period==17.0.1.0.0.2",
}
POSTGRESQL_ONLY = {"date_range": "it checks overlapping ranges in PostgreSQL's own SQL (daterange &&)"}


@pytest.fixture(scope="module")
def oca_addons_path(tmp_path_factory):
    pytest.importorskip("odoo_test_helper")
    target = tmp_path_factory.mktemp("oca")
    download = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(target),
                               *WHEELS.values()], capture_output=True, text=True, timeout=300)
    if download.returncode != 0:
        pytest.skip(f"the OCA wheels could not be downloaded: {download.stderr.strip()[-300:]}")
    for wheel in target.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target / "unpacked", [m for m in archive.namelist() if m.startswith("odoo/addons/")])
    return target / "unpacked" / "odoo" / "addons"


@pytest.mark.parametrize("addon", sorted(WHEELS))
def test_oca_addon_installs_and_its_own_tests_pass(addon, oca_addons_path, db_backend, database_factory, tmp_path):
    if db_backend == "sqlite" and addon in POSTGRESQL_ONLY:
        pytest.skip(f"{addon} on PostgreSQL only: {POSTGRESQL_ONLY[addon]}")
    config = database_factory.empty(db_backend)
    database = ["-d", config.database_name(), "--data-dir", str(config.data_dir)] if db_backend == "sqlite" else \
        ["-d", config.database_name(), "--db_host", "127.0.0.1", "--db_user", "postgres", "--data-dir", str(tmp_path)]
    result = subprocess.run(
        [sys.executable, "odoo-bin.py", *database, "--addons-path", f"{ROOT / 'addons'},{oca_addons_path}",
         "-i", addon, "--test-enable", "--stop-after-init"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "FAILED" not in result.stderr and "\nOK" in result.stderr, result.stderr[-2000:]
