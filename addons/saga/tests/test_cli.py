"""``odoo-bin.py saga``: an incident found with ``list --status incident``, read with ``show``, and
resolved with ``retry`` once its cause is fixed; refusals exit 1 with one line."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from odoo.config import ROOT

from .flow_helpers import reply, run_jobs, script, start, state

pytestmark = pytest.mark.addons("test_saga_flows")


def cli(registry, *args: str) -> subprocess.CompletedProcess:
    config = registry.config
    command = [sys.executable, "odoo-bin.py", "saga", *args, "--db-uri", registry.uri,
               "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.sqlite_only
def test_an_incident_is_listed_shown_and_retried_from_the_command_line(fresh_registry):
    script(fresh_registry, "cli-1", "b", phase="compensate", fail_times=-1)
    start(fresh_registry, "cli-1")
    run_jobs(fresh_registry)
    reply(fresh_registry, "cli-1", "m-cli-1", ok=False)
    run_jobs(fresh_registry)
    listed = cli(fresh_registry, "list", "--status", "incident")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    columns = line.split("\t")
    assert columns[1:5] == ["test_flow", "cli-1", "incident", "b"]
    assert "compensate b failed 3 times: RuntimeError: b compensate failed (try 3)" in columns[6]
    shown = cli(fresh_registry, "show", "cli-1").stdout
    assert '"status": "incident"' in shown and "compensate b" in shown and "failed" in shown
    refused = cli(fresh_registry, "compensate", "no-such-key")
    assert refused.returncode == 1 and refused.stderr.strip() == "error: no saga instance has the key, uuid or id " \
                                                                 "'no-such-key'"
    script(fresh_registry, "cli-1", "b", phase="compensate", fail_times=0)
    retried = cli(fresh_registry, "retry", "cli-1")
    assert (retried.returncode, retried.stdout.strip()) == (0, "test_flow cli-1: compensating")
    run_jobs(fresh_registry)
    assert state(fresh_registry, "cli-1")["status"] == "compensated"
    assert cli(fresh_registry, "list", "--status", "incident").stdout == ""
    again = cli(fresh_registry, "retry", "cli-1")
    assert again.returncode == 1 and "it is compensated (allowed from: incident)" in again.stderr
    stats = {(row["step"], row["phase"]): row for row in json.loads(cli(fresh_registry, "stats").stdout)}
    assert stats[("b", "compensate")]["count"] == 4 and stats[("b", "compensate")]["failures"] == 3
