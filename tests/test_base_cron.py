"""Scheduled actions: schedules, one run per occurrence under concurrency, failures, the CLI."""
import datetime as dt
import subprocess
import sys
import threading

import pytest

from server.config import ROOT
from server.orm.environment import SUPERUSER_ID, Environment
from server.service import cron as cron_service
from server.service.cron import CronRunner, Job, run_job

PAST = dt.datetime(2020, 1, 31, 12, 0, 0)


def make_cron(env, code: str, **values):
    model = env["ir.model"].search([("model", "=", "res.partner")])
    return env["ir.cron"].create({"name": values.pop("name", "test cron"), "model_id": model.id, "code": code,
                                  "interval_number": 1, "interval_type": "days", "numbercall": -1,
                                  "nextcall": PAST, **values})


def count_partners(registry, name: str) -> int:
    with registry.cursor() as cr:
        return Environment(cr, SUPERUSER_ID, {})["res.partner"].search_count([("name", "=", name)])


def test_add_interval_keeps_the_day_within_the_month():
    from odoo.addons.base.models.ir_cron import add_interval

    assert add_interval(PAST, 1, "months") == dt.datetime(2020, 2, 29, 12, 0)
    assert add_interval(PAST, 13, "months") == dt.datetime(2021, 2, 28, 12, 0)
    assert add_interval(PAST, 90, "minutes") == dt.datetime(2020, 1, 31, 13, 30)
    assert add_interval(PAST, 2, "weeks") == dt.datetime(2020, 2, 14, 12, 0)


def test_plan_counts_missed_occurrences_and_calls():
    def job(**values):
        base = dict(id=1, name="j", user_id=1, interval_number=1, interval_type="days", numbercall=-1,
                    doall=False, nextcall=PAST, lastcall=None)
        return Job(**{**base, **values})

    now = PAST + dt.timedelta(days=3, hours=1)
    once = job().plan(now)
    assert (once.runs, once.new_nextcall, once.new_numbercall) == (1, PAST + dt.timedelta(days=4), -1)
    assert job(doall=True).plan(now).runs == 4
    limited = job(numbercall=2, doall=True).plan(now)
    assert (limited.runs, limited.new_numbercall) == (2, 0)
    triggered = job(nextcall=now + dt.timedelta(hours=5)).plan(now)
    assert (triggered.runs, triggered.new_nextcall) == (1, now + dt.timedelta(hours=5))


def test_cron_defaults_are_odoo_17s(env):
    model = env["ir.model"].search([("model", "=", "res.partner")])
    cron = env["ir.cron"].create({"name": "defaults", "model_id": model.id, "code": "pass"})
    values = cron.read(["state", "usage", "interval_number", "interval_type", "numbercall", "priority",
                        "active", "user_id", "doall", "nextcall"])[0]
    assert values["state"] == "code" and values["usage"] == "ir_cron"
    assert (values["interval_number"], values["interval_type"], values["numbercall"]) == (1, "months", 1)
    assert values["priority"] == 5 and values["active"] and not values["doall"]
    assert values["user_id"][0] == SUPERUSER_ID and values["nextcall"]


def test_cron_refuses_a_non_positive_interval_and_bad_code(env):
    from server.exceptions import ValidationError

    with pytest.raises(ValidationError, match="positive"):
        make_cron(env, "pass", interval_number=0)
    with pytest.raises(ValidationError, match="invalid Python code, line 1"):
        make_cron(env, "if :")


def test_method_direct_trigger_runs_in_the_callers_transaction(env):
    cron = make_cron(env, "env['res.partner'].create({'name': 'direct run'})")
    cron.method_direct_trigger()
    assert env["res.partner"].search_count([("name", "=", "direct run")]) == 1
    assert cron.lastcall


def test_a_due_job_runs_once_and_moves_to_its_next_occurrence(fresh_registry):
    with fresh_registry.cursor() as cr:
        cron_id = make_cron(Environment(cr, SUPERUSER_ID, {}), "env['res.partner'].create({'name': 'ran'})").id
    runner = CronRunner(fresh_registry.config, 1)
    try:
        runner.process_database(fresh_registry.db_name)
        runner.process_database(fresh_registry.db_name)
    finally:
        runner.stop()
    assert count_partners(fresh_registry, "ran") == 1
    with fresh_registry.cursor() as cr:
        cron = Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id)
        assert cron.nextcall > dt.datetime.now() and cron.lastcall


def test_a_failing_job_is_logged_and_the_others_still_run(fresh_registry, caplog):
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        make_cron(env, "env['res.partner'].create({'name': 'half'})\nraise UserError('the job broke')",
                  name="broken", priority=1)
        make_cron(env, "env['res.partner'].create({'name': 'fine'})", name="fine", priority=9)
    runner = CronRunner(fresh_registry.config, 1)
    try:
        runner.process_database(fresh_registry.db_name)
    finally:
        runner.stop()
    assert count_partners(fresh_registry, "half") == 0  # rolled back
    assert count_partners(fresh_registry, "fine") == 1
    failure = next(r for r in caplog.records if "failed" in r.getMessage())
    assert "'broken'" in failure.getMessage() and "the job broke" in str(failure.exc_info[1])


def test_failures_are_counted_on_the_job_until_it_succeeds(fresh_registry):
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param("test.cron.broken", "1")
        cron_id = make_cron(env, "if env['ir.config_parameter'].get_param('test.cron.broken'):\n"
                                 "    raise UserError('the mail server is down')", name="flaky").id
    lock = CronRunner(fresh_registry.config, 1).lock_database(fresh_registry)

    def run_and_read() -> dict:
        with fresh_registry.cursor() as cr:
            Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id).nextcall = PAST
        run_job(fresh_registry, cron_id, lock)
        with fresh_registry.cursor() as cr:
            return Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id).read(
                ["failure_count", "first_failure_date", "last_failure_date", "last_failure_message"])[0]

    first = run_and_read()
    assert first["failure_count"] == 1 and first["first_failure_date"]
    assert "UserError: the mail server is down" in first["last_failure_message"]
    second = run_and_read()
    assert second["failure_count"] == 2 and second["first_failure_date"] == first["first_failure_date"]
    with fresh_registry.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].set_param("test.cron.broken", False)
    fixed = run_and_read()
    assert (fixed["failure_count"], fixed["first_failure_date"]) == (0, False)
    assert fixed["last_failure_message"] == second["last_failure_message"]  # the last error stays readable


def test_numbercall_runs_out_and_deactivates_the_job(fresh_registry):
    with fresh_registry.cursor() as cr:
        cron_id = make_cron(Environment(cr, SUPERUSER_ID, {}), "env['res.partner'].create({'name': 'once'})",
                            numbercall=1).id
    run_job(fresh_registry, cron_id, CronRunner(fresh_registry.config, 1).lock_database(fresh_registry))
    with fresh_registry.cursor() as cr:
        cron = Environment(cr, SUPERUSER_ID, {})["ir.cron"].with_context(active_test=False).browse(cron_id)
        assert (cron.active, cron.numbercall) == (False, 0)
    assert count_partners(fresh_registry, "once") == 1


def test_a_trigger_runs_the_job_without_moving_its_schedule(fresh_registry):
    future = dt.datetime.now() + dt.timedelta(days=30)
    with fresh_registry.cursor() as cr:
        cron = make_cron(Environment(cr, SUPERUSER_ID, {}), "env['res.partner'].create({'name': 'trig'})",
                         nextcall=future)
        cron._trigger()
        cron_id = cron.id
    assert cron_id in cron_service.due_job_ids(fresh_registry)
    run_job(fresh_registry, cron_id, CronRunner(fresh_registry.config, 1).lock_database(fresh_registry))
    assert count_partners(fresh_registry, "trig") == 1
    assert cron_id not in cron_service.due_job_ids(fresh_registry)


def test_two_runners_racing_for_one_job_run_it_once(fresh_registry):
    """Eight threads, each with its own runner's connections, claim the same due job at once."""
    with fresh_registry.cursor() as cr:
        cron_id = make_cron(Environment(cr, SUPERUSER_ID, {}),
                            "time.sleep(0.3)\nenv['res.partner'].create({'name': 'raced'})").id
    runners = [CronRunner(fresh_registry.config, 1) for _ in range(8)]
    start, results = threading.Barrier(len(runners)), []

    def race(runner):
        start.wait()
        results.append(run_job(fresh_registry, cron_id, runner.lock_database(fresh_registry)))

    threads = [threading.Thread(target=race, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for runner in runners:
        runner.stop()
    assert sorted(results, key=str) == [None] * 7 + [True]
    assert count_partners(fresh_registry, "raced") == 1


def test_cron_command_lists_and_runs(db_backend, database_factory):
    config = database_factory.create(db_backend, ("base",))
    from server.modules.registry import Registry

    registry = Registry.open(config)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        make_cron(env, "env['res.partner'].create({'name': 'from cli'})", name="Nightly import")
        make_cron(env, "raise UserError('no luck')", name="Broken job")
    uri = ["--db-uri", config["db_uri"], "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir)]

    def odoo_bin(*args):
        return subprocess.run([sys.executable, "odoo-bin.py", "cron", *args, *uri], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)

    listed = odoo_bin("list")
    assert listed.returncode == 0 and "Nightly import" in listed.stdout and "1 days" in listed.stdout
    ran = odoo_bin("run", "Nightly import")
    assert ran.returncode == 0, ran.stderr
    assert count_partners(registry, "from cli") == 1
    broken = odoo_bin("run", "Broken job")
    assert broken.returncode == 1 and "no luck" in broken.stderr and "failed" in broken.stderr
    unknown = odoo_bin("run", "Nope")
    assert unknown.returncode == 1 and "no scheduled action 'Nope'" in unknown.stderr
