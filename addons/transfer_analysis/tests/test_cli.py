"""``odoo-bin.py transfers ...`` as an operator runs it, against the fake source and API."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from odoo.config import ROOT
from odoo.modules.registry import Registry

from .conftest import make_item, setup_transfers


@pytest.fixture
def cli_db(db_backend, database_factory, firebase, api):
    config = database_factory.create(db_backend, ("transfer_analysis",))
    registry = Registry.open(config)
    with registry.cursor() as cr:
        setup_transfers(registry.env(cr), firebase, api)
    return config, registry


def _command(config, *args: str) -> list[str]:
    return [sys.executable, "odoo-bin.py", "transfers", *args, "--db-uri", config["db_uri"], "--addons-path",
            config["addons_path"], "--data-dir", str(config.data_dir)]


def transfers_cli(config, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(config, *args), cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_process_verbose_then_find_and_status(cli_db, firebase, api):
    config, _registry = cli_db
    firebase.add_transfer("-LIWM1yccPgshtXxRtNDl", make_item())
    result = transfers_cli(config, "process", "-k=-LIWM1yccPgshtXxRtNDl", "--verbose")  # keys may start with -
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "done"
    assert lines[0].startswith("$ [ fetch ] - -LIWM1yccPgshtXxRtNDl read from source")
    assert sum("[ analyse ] - [ 200 ]" in line for line in lines) == 3
    found = json.loads(transfers_cli(config, "find", "--key=-LIWM1yccPgshtXxRtNDl").stdout)
    assert found["state"] == "done" and len(found["resume"].split("|")) == 3
    assert [a["http_status"] for a in found["answers"]] == [200] * 3 and found["answers"][0]["raw"]["Data"]
    status = transfers_cli(config, "status").stdout
    assert "done 1" in status and "write-backs pending 0" in status and "[COMPLETED]-LIWM1yccPgshtXxRtNDl" in status


def test_refusals_are_one_line(cli_db):
    config, _registry = cli_db
    result = transfers_cli(config, "find", "--key", "nope")
    assert result.returncode == 1 and "no transfer has the key 'nope'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = transfers_cli(config, "process", "--key", "nope")
    assert result.returncode == 1 and "here or at any source" in result.stderr


def test_retry_failed_requeues(cli_db, firebase, api):
    config, registry = cli_db
    firebase.add_transfer("F1", make_item(questionnaire="missing"))
    assert transfers_cli(config, "process", "--key", "F1").stdout.strip() == "failed"
    result = transfers_cli(config, "retry", "--failed")
    assert result.stdout.strip() == "1 transfer(s) queued again"
    with registry.cursor() as cr:
        assert registry.env(cr)["transfer.transfer"].search([("key", "=", "F1")]).state == "queued"


def test_run_follows_the_stream_until_sigterm(cli_db, firebase, api):
    config, registry = cli_db
    for n in range(5):
        firebase.add_transfer(f"R{n}", make_item())
    firebase.add_transfer("R-old", make_item(age_minutes=10_000))
    process = subprocess.Popen(_command(config, "run", "--capacity", "2"), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while len(firebase.patches) < 5:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, firebase.patches
            time.sleep(0.2)
        firebase.add_transfer("R-live", make_item())
        while len(firebase.patches) < 6:
            assert time.monotonic() < deadline, firebase.patches
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    assert process.returncode == 0
    assert sorted(path for path, _values in firebase.patches) == sorted(
        [f"Transfer/R{n}" for n in range(5)] + ["Transfer/R-live"])
    assert api.max_in_flight <= 2 and all(count == 1 for count in api.calls.values())
    with registry.cursor() as cr:
        assert registry.env(cr)["transfer.transfer"].search([("key", "=", "R-old")]).state == "ignored_old"
