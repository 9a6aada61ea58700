"""Enqueueing: what with_delay() stores, and what it refuses (with the caller's transaction untouched)."""
import datetime as dt

import pytest
from odoo.addons.queue_job.exception import JobRefused
from odoo.addons.queue_job.job import DEFAULT_MAX_RETRIES, PENDING, Job, identity_exact
from odoo.exceptions import AccessError

pytestmark = pytest.mark.addons("test_queue_job_user")


@pytest.fixture
def record(env):
    return env["test.queue.job"].create({"name": "a record"})


def stored(env, job):
    return env["queue.job"].search([("uuid", "=", job.uuid)])


def test_with_delay_stores_the_call_and_its_properties(env, record):
    job = record.with_delay(priority=3, eta=3600, max_retries=2, description="Export it",
                            channel="root.test").delay_me("x", kwarg={"n": 1})
    row = stored(env, job)
    assert (row.state, row.priority, row.max_retries, row.name, row.channel) == (PENDING, 3, 2, "Export it",
                                                                                 "root.test")
    assert (row.model_name, row.method_name, row.record_ids) == ("test.queue.job", "delay_me", [record.id])
    assert (row.args, row.kwargs) == (["x"], {"kwarg": {"n": 1}})
    assert row.eta > dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=59)
    assert row.event_ids.mapped("kind") == ["created"]
    assert row.func_string == f"test.queue.job({record.id},).delay_me('x', kwarg={{'n': 1}})"


def test_defaults_come_from_the_method_and_its_job_function(env, record):
    job = record.with_delay().testing_method(1)
    row = stored(env, job)
    assert (row.priority, row.max_retries, row.channel) == (10, DEFAULT_MAX_RETRIES, "root.test")
    assert row.name == "Method used for tests"
    assert row.job_function_id.name == "<test.queue.job>.testing_method"
    assert stored(env, record.with_delay().no_description()).name == "test.queue.job.no_description"


def test_recordsets_and_datetimes_as_arguments_come_back(env, record):
    when = dt.datetime(2030, 1, 2, 3, 4, 5)
    job = record.with_delay().delay_me(record, kwarg=when)
    loaded = Job.load(env, job.uuid)
    assert loaded.args == (record,) and loaded.kwargs == {"kwarg": when}


def test_one_identity_key_makes_one_job(env, record):
    first = record.with_delay(identity_key="export-1").delay_me(1)
    second = record.with_delay(identity_key="export-1").delay_me(2)
    assert second.uuid == first.uuid
    assert env["queue.job"].search_count([("identity_key", "=", "export-1")]) == 1
    exact = [record.with_delay(identity_key=identity_exact).delay_me(n) for n in (1, 1, 2)]
    assert exact[0].uuid == exact[1].uuid != exact[2].uuid


@pytest.mark.parametrize("delay, call, message", [
    ({"channel": "root.nope"}, ("delay_me", (1,)), "No job channel 'root.nope'"),
    ({"priority": -1}, ("delay_me", (1,)), "priority must be an integer >= 0"),
    ({"max_retries": "many"}, ("delay_me", (1,)), "max_retries must be an integer"),
    ({"eta": dt.datetime(2001, 1, 1)}, ("delay_me", (1,)), "is in the past"),
    ({"eta": -5}, ("delay_me", (1,)), "is in the past"),
    ({}, ("delay_me", (object(),)), "job argument args[0] is a object"),
    ({}, ("delay_me", ({1: "int key"},)), "need str keys"),
    ({}, ("no_such_method", ()), "has no method 'no_such_method'"),
    ({}, ("_private_method", ()), "has no method '_private_method'"),
])
def test_bad_input_is_refused_and_the_callers_work_survives(env, record, delay, call, message):
    record.name = "written before the refused enqueue"
    with pytest.raises(JobRefused, match=message.replace("[", r"\[")):
        method, args = call
        getattr(record.with_delay(**delay), method)(*args)
    assert env["queue.job"].search_count([]) == 0
    env.invalidate_all()
    assert record.name == "written before the refused enqueue"


def test_private_methods_need_a_job_function(env, record):
    with pytest.raises(JobRefused, match="is private: declare it as a job function"):
        record.with_delay()._compute_display_name()
    job = env["queue.job"].with_delay()._test_job()  # declared in queue_job's data, as in OCA
    assert stored(env, job).method_name == "_test_job"


def test_no_delay_context_and_environment_run_the_method_now(env, record, monkeypatch):
    assert record.with_context(queue_job__no_delay=True).with_delay().increment() is not None
    assert record.counter == 1
    monkeypatch.setenv("QUEUE_JOB__NO_DELAY", "1")
    record.with_delay().increment()
    assert record.counter == 2
    assert env["queue.job"].search_count([]) == 0


def test_jobs_cannot_be_forged_or_altered_over_the_orm(env, record):
    with pytest.raises(AccessError, match="with_delay"):
        env["queue.job"].create({"uuid": "forged", "state": "pending"})
    row = stored(env, record.with_delay().delay_me(1))
    with pytest.raises(AccessError, match="method_name"):
        row.write({"method_name": "unlink"})
    with pytest.raises(AccessError, match="state"):
        row.write({"state": "done"})


def test_a_job_enqueued_is_seen_at_once_in_the_transaction_and_its_id_read_on_first_use(env, record, monkeypatch):
    """On PostgreSQL the insert travels with the transaction's next statement (or its COMMIT): enqueueing
    costs no round trip of its own, and everything after it in the transaction sees the job."""
    stored(env, record.with_delay().testing_method(0))  # the job function's configuration is read once
    sent = []
    execute_sql = env.cr.database.execute_sql
    monkeypatch.setattr(env.cr.database, "execute_sql", lambda sql, params=None: (sent.append(sql),
                                                                                   execute_sql(sql, params))[1])
    job = record.with_delay().testing_method(1)
    if env.cr.database.dialect == "postgresql":
        assert sent == []  # nothing sent yet
    row = stored(env, job)  # the next statement carries the insert
    assert (row.state, row.event_ids.mapped("kind")) == (PENDING, ["created"])
    assert job.id == row.id and Job.load(env, job.uuid).id == row.id


def test_a_job_enqueued_in_a_transaction_rolled_back_is_not_stored(fresh_registry):
    from server.orm.environment import SUPERUSER_ID, Environment

    with fresh_registry.cursor() as cr:
        record = Environment(cr, SUPERUSER_ID, {})["test.queue.job"].create({"name": "kept"})
    cr = fresh_registry.cursor()
    job = Environment(cr, SUPERUSER_ID, {})["test.queue.job"].browse(record.id).with_delay().testing_method(1)
    cr.close(commit=False)  # the insert was never sent, or is rolled back with the rest
    with fresh_registry.cursor() as cr:
        assert not Environment(cr, SUPERUSER_ID, {})["queue.job"].search([("uuid", "=", job.uuid)])
        job = Environment(cr, SUPERUSER_ID, {})["test.queue.job"].browse(record.id).with_delay().testing_method(2)
    with fresh_registry.cursor() as cr:  # committed: the insert went with the COMMIT
        assert Environment(cr, SUPERUSER_ID, {})["queue.job"].search([("uuid", "=", job.uuid)]).state == PENDING
