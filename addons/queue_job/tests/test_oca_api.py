"""OCA's test helpers and graph API, used exactly as OCA's documentation shows."""
import pytest
from odoo.addons.queue_job.delay import DelayableChain, DelayableGroup, chain, group
from odoo.addons.queue_job.job import WAIT_DEPENDENCIES, Job, identity_exact
from odoo.addons.queue_job.tests.common import JobCounter, mock_with_delay, trap_jobs

pytestmark = pytest.mark.addons("test_queue_job_user")


def test_trap_jobs_as_in_ocas_docstring(env):
    model = env["test.queue.job"]
    with trap_jobs() as trap:
        model.button_that_uses_delayable_chain()
        trap.assert_jobs_count(3)
        trap.assert_jobs_count(2, only=model.testing_method)
        trap.assert_jobs_count(1, only=model.no_description)
        trap.assert_enqueued_job(model.testing_method, args=(1,), kwargs={"foo": 2},
                                 properties=dict(channel="root.test", description="Test", eta=15,
                                                 identity_key=identity_exact, max_retries=1, priority=15))
        trap.assert_enqueued_job(model.testing_method, args=("x",), kwargs={"foo": "y"})
        trap.assert_enqueued_job(model.no_description)
        with pytest.raises(AssertionError, match="was not enqueued"):
            trap.assert_enqueued_job(model.testing_method, args=("never",))
        trap.perform_enqueued_jobs()
    assert env["queue.job"].search_count([]) == 0  # trapped jobs are never stored


def test_trapped_jobs_perform_in_graph_order(env):
    record = env["test.queue.job"].create({"name": "g"})
    with trap_jobs() as trap:
        record.button_graph()
        trap.assert_jobs_count(4)
        trap.perform_enqueued_jobs()
    keys = env["test.queue.job.run"].search([]).mapped("key")
    assert keys[0] == "graph:a" and keys[-1] == "graph:d" and len(keys) == 4


def test_mock_with_delay_as_in_ocas_docstring(env):
    record = env["test.queue.job"].create({"name": "m"})
    with mock_with_delay() as (delayable_cls, delayable):
        record.with_delay(priority=15).delay_me("test")
        assert delayable_cls.call_count == 1
        delay_args, delay_kwargs = delayable_cls.call_args
        assert delay_args == (record,) and delay_kwargs["priority"] == 15
        assert delayable.delay_me.call_args == (("test",), {})
    assert env["queue.job"].search_count([]) == 0


def test_delayable_set_chain_group_and_graph_uuid(env):
    record = env["test.queue.job"].create({"name": "d"})
    first = record.delayable().set(priority=15).set({"max_retries": 3}).delay_me(1)
    others = group(record.delayable().delay_me(2), record.delayable().delay_me(3))
    last = record.delayable(description="the end").delay_me(4)
    graph = chain(first, others, last)
    assert isinstance(graph, DelayableChain) and isinstance(others, DelayableGroup)
    graph.delay()
    jobs = env["queue.job"].search([], order="id")
    assert len(jobs) == 4 and len(set(jobs.mapped("graph_uuid"))) == 1
    assert jobs[0].state == "pending" and set(jobs[1:].mapped("state")) == {WAIT_DEPENDENCIES}
    assert (jobs[0].priority, jobs[0].max_retries, jobs[3].name) == (15, 3, "the end")
    loaded = Job.load(env, jobs[3].uuid)
    assert {j.uuid for j in loaded.depends_on} == set(jobs[1:3].mapped("uuid"))


def test_on_done_links_two_delayables(env):
    record = env["test.queue.job"].create({"name": "o"})
    parent = record.delayable().delay_me("parent")
    parent.on_done(record.delayable().delay_me("child"))
    parent.delay()
    assert env["queue.job"].search([], order="id").mapped("state") == ["pending", WAIT_DEPENDENCIES]


def test_job_counter_and_perform(env):
    counter = JobCounter(env)
    record = env["test.queue.job"].create({"name": "c"})
    record.with_delay().increment()
    assert counter.count_created() == 1
    for stored in counter.search_created():
        Job.load(env, stored.uuid).perform()
    assert record.counter == 1


def test_delaying_a_field_is_refused(env):
    with pytest.raises(AttributeError, match="only methods can be delayed"):
        env["test.queue.job"].delayable().name  # noqa: B018
