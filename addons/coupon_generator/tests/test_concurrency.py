"""Two processes generating from the same template at the same time (PostgreSQL: real concurrent writers)."""
import json

import pytest
from odoo import db as db_module

from .common import coupons_cli, start_coupons_cli


@pytest.mark.postgresql_only
def test_two_processes_on_one_template_never_duplicate_and_account_for_every_row(db_backend, database_factory):
    config = database_factory.create(db_backend, ("coupon_generator",))
    args = ("generate", "--template", "TWIN-##-##", "--count", "5000", "--program", "Demo: 10 % off",
            "--step-size", "500", "--no-progress")
    first, second = start_coupons_cli(config, *args), start_coupons_cli(config, *args)
    outputs = [first.communicate(timeout=120), second.communicate(timeout=120)]
    assert [first.returncode, second.returncode] == [0, 0], [err for _out, err in outputs]
    reports = [json.loads(coupons_cli(config, "status", "--process", out.splitlines()[-1]).stdout)
               for out, _err in outputs]
    database = db_module.open_database(config["db_uri"])
    try:
        rows, distinct = database.execute_sql(
            "SELECT count(*), count(DISTINCT code) FROM coupon_coupon WHERE code LIKE %s", ("TWIN-%",)).fetchone()
    finally:
        database.close()
    assert rows == distinct == 10_000 == sum(report["generated"] for report in reports)
    assert all(report["generated"] == report["coupons_in_database"] == 5000 for report in reports)
