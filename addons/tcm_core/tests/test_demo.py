"""The seed's main.py scenario, in process and through ``odoo-bin.py tcm-demo``, matches its documented output."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from odoo.addons.tcm_core.cli.tcm_demo import replay

from server.config import ROOT

SEED_OUTPUT = Path(__file__).with_name("seed_output.txt")
ANNOTATION = re.compile(r"\s+##.*$")  # the seed's README annotates its output with "## *-- ..." comments

pytestmark = pytest.mark.addons("tcm_smt", "tcm_telmex")


def documented_lines() -> list[str]:
    return [ANNOTATION.sub("", line).rstrip() for line in SEED_OUTPUT.read_text(encoding="utf-8").splitlines()]


def documented_representations() -> list[dict]:
    """The JSON blocks of the documented output, in order."""
    blocks, current = [], None
    for line in documented_lines():
        if line == "{":
            current = []
        if current is not None:
            current.append(line)
        if line == "}":
            blocks.append(json.loads("\n".join(current)))
            current = None
    return blocks


def test_the_scenario_shows_the_documented_representations_field_for_field(env, capsys):
    shown = replay(env)
    capsys.readouterr()
    assert shown == documented_representations()
    assert len(shown) == 6


def test_tcm_demo_prints_the_documented_output_and_keeps_nothing(db_backend, database_factory):
    config = database_factory.create(db_backend, ("tcm_smt", "tcm_telmex"))
    result = subprocess.run([sys.executable, "odoo-bin.py", "tcm-demo", "--db-uri", config.database_uri()],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.splitlines()] == documented_lines()
    assert '  "active": true, \n' in result.stdout  # Python 2's json separators, as in the seed
    listed = subprocess.run([sys.executable, "odoo-bin.py", "shell", "--db-uri", config.database_uri()],
                            input="print(env['tcm.contract'].with_context(active_test=False).search_count([]))\n",
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert listed.stdout.strip() == "0", listed.stderr
