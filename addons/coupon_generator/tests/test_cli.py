"""``odoo-bin.py coupons ...`` as an operator runs it: generate, preview, export, refusals, kill and resume."""
import csv
import io
import json
import re
import signal
import time

import pytest
from odoo import db as db_module

from .common import coupons_cli, start_coupons_cli


@pytest.fixture
def cli_db(db_backend, database_factory):
    """A database with the addon (and its two demo programs) installed."""
    return database_factory.create(db_backend, ("coupon_generator",))


def _program(cli_db) -> str:
    result = coupons_cli(cli_db, "program", "--name", "CLI sale", "--percent", "15")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_generate_shows_progress_and_prints_the_process_id_last_then_exports_csv(cli_db, tmp_path):
    program = _program(cli_db)
    result = coupons_cli(cli_db, "generate", "--template", "CLI-$$##-####", "--count", "2500",
                         "--program", program, "--step-size", "1000")
    assert result.returncode == 0, result.stderr
    process_id = result.stdout.splitlines()[-1]
    assert process_id.isdigit() and "100%" in result.stderr
    exported = coupons_cli(cli_db, "export", "--process", process_id)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 2500 == len({row["code"] for row in rows})
    assert all(re.fullmatch(r"CLI-[A-Z]{2}\d{2}-\d{4}", row["code"]) for row in rows)
    target = tmp_path / "codes.csv"
    assert coupons_cli(cli_db, "export", "--process", process_id, "--output", str(target)).returncode == 0
    assert target.read_text().splitlines()[0].startswith("code,")


def test_preview_prints_one_code_a_line_and_saves_nothing(cli_db):
    result = coupons_cli(cli_db, "preview", "--template", "P&$+#\\#", "--count", "7", "--case", "lower",
                         "--placeholder", "~=symbols:XYZ")
    assert result.returncode == 0, result.stderr
    codes = result.stdout.splitlines()
    assert len(codes) == 7 and all(re.fullmatch(r"P&[a-z]\+\d#", code) for code in codes)
    assert coupons_cli(cli_db, "list").stdout == ""


@pytest.mark.parametrize("args, fragment", [
    (["generate", "--template", "##", "--count", "101", "--program", "Demo: 10 % off"], "101 requested, 100 available"),
    (["generate", "--template", "##", "--count", "5"], "pass --program: 2 active programs exist"),
    (["generate", "--template", "", "--count", "0", "--program", "1"], "template is empty"),
    (["export", "--process", "999"], "no coupon process 999"),
    (["preview", "--template", "#", "--placeholder", "ab"], "write CHAR=SPEC"),
])
def test_a_refused_request_exits_non_zero_with_a_one_line_reason(cli_db, args, fragment):
    result = coupons_cli(cli_db, *args)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and fragment in result.stderr and "Traceback" not in result.stderr


def _generated(cli_db) -> int:
    database = db_module.open_database(cli_db["db_uri"])
    try:
        row = database.execute_sql("SELECT max(generated_count) FROM coupon_process").fetchone()
        return row[0] or 0
    finally:
        database.close()


def test_a_process_killed_mid_way_resumes_to_exactly_the_requested_count(cli_db):
    program = _program(cli_db)
    running = start_coupons_cli(cli_db, "generate", "--template", "K-$$$##", "--count", "150000",
                                "--program", program, "--step-size", "1000", "--no-progress")
    deadline = time.monotonic() + 60
    while _generated(cli_db) < 3000 and time.monotonic() < deadline and running.poll() is None:
        time.sleep(0.01)
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert 3000 <= _generated(cli_db) < 150_000
    listed = coupons_cli(cli_db, "list").stdout
    assert "running" in listed and "K-$$$##" in listed
    process_id = listed.split()[0]
    resumed = coupons_cli(cli_db, "resume", "--process", process_id, "--step-size", "50000")
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.splitlines()[-1] == process_id
    status = json.loads(coupons_cli(cli_db, "status", "--process", process_id).stdout)
    assert status["state"] == "done" and status["generated"] == 150_000 == status["coupons_in_database"]
