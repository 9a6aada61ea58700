"""``odoo-bin.py iap ...`` as an administrator runs it, against a database of the test's own."""
import subprocess
import sys

import pytest

from server.config import ROOT


@pytest.fixture
def iap(fresh_registry):
    def iap(*args):
        return subprocess.run([sys.executable, "odoo-bin.py", "iap", *args, "--db-uri", fresh_registry.uri],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    return iap


def test_an_administrator_session(iap):
    created = iap("create-service", "cli_svc", "--trial-credits", "2")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("iapk_") and " " not in key
    assert iap("topup", "cli_svc", "tok", "12.5").stdout.strip() == "cli_svc tok: 12.5 credits available"
    assert iap("holds").stdout.strip().splitlines() == ["no open holds", "no open quotas"]
    statement = iap("statement", "cli_svc", "tok").stdout
    assert "topup" in statement and statement.strip().endswith("available 12.5, held 0, quotas 0, balance 12.5")
    assert iap("check").stdout.strip() == "the IAP books balance"
    rotated = iap("rotate-key", "cli_svc")
    assert rotated.returncode == 0 and rotated.stdout.strip().splitlines()[-1] != key


@pytest.mark.parametrize("args, fragment", [
    (["create-service", "Bad Name"], "Invalid IAP service name"),
    (["topup", "nope", "tok", "1"], "No IAP service named 'nope'"),
    (["topup", "book_isbn", "tok"], "usage: odoo-bin.py iap topup"),
    (["topup", "book_isbn", "tok", "lots"], "invalid number of credits"),
    (["cancel-hold", "iaptx_missing"], "No IAP transaction"),
    (["release-quota", "iapq_missing"], "No IAP quota"),
])
def test_refusals_exit_non_zero_with_one_line(iap, args, fragment):
    result = iap(*args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_open_quotas_are_listed_next_to_holds_and_can_be_released(iap, fresh_registry):
    from odoo import SUPERUSER_ID
    from odoo.api import Environment

    key = iap("create-service", "cli_quota").stdout.strip().splitlines()[-1]
    iap("topup", "cli_quota", "tok", "30")
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["iap.platform.transaction"].authorize(account_token="tok", credit=2, key=key, description="a hold")
        quota = env["iap.platform.quota"].grant(account_token="tok", credit=20, key=key, idempotency_key="q")
        env["iap.platform.quota"].report(token=quota["token"], key=key, used=5)
    listed = iap("holds").stdout.strip().splitlines()
    assert len(listed) == 2 and "2 credits" in listed[0] and "a hold" in listed[0]
    assert listed[1].startswith(quota["token"]) and "quota 20 credits, 5 used, 15 left" in listed[1]
    assert iap("release-quota", quota["token"]).stdout.strip() == \
        f"released 15 credits of {quota['token']} (5 used and charged)"
    assert "available 23, held 2, quotas 0, balance 25" in iap("statement", "cli_quota", "tok").stdout
    assert iap("check").stdout.strip() == "the IAP books balance"
