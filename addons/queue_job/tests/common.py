"""Test helpers at OCA's import path (``odoo.addons.queue_job.tests.common``).

``trap_jobs()`` captures the jobs a piece of code delays, without storing them, so a test can
check what was enqueued and with which properties, then run them (``perform_enqueued_jobs()``);
``mock_with_delay()`` (deprecated in OCA too) replaces ``with_delay()`` by mocks.
"""
from __future__ import annotations

import typing
from contextlib import contextmanager
from itertools import groupby
from operator import attrgetter
from unittest import TestCase, mock

from odoo.addons.queue_job.delay import Graph
from odoo.addons.queue_job.job import Job


@contextmanager
def trap_jobs():
    """Capture the jobs delayed inside the block (they are built and checked, never stored).

    ::

        with trap_jobs() as trap:
            partner.button_export()
            trap.assert_jobs_count(1, only=partner.export_record)
            trap.assert_enqueued_job(partner.export_record, args=("csv",), properties={"priority": 15})
            trap.perform_enqueued_jobs()
    """
    with mock.patch("odoo.addons.queue_job.delay.Job", name="Job Class", auto_spec=True, unsafe=True) as job_cls:
        with JobsTrap(job_cls) as trap:
            yield trap


class JobCall(typing.NamedTuple):
    method: typing.Callable
    args: tuple
    kwargs: dict
    properties: dict

    def __eq__(self, other) -> bool:
        if not isinstance(other, JobCall):
            return NotImplemented
        return (self.method.__self__ == other.method.__self__ and self.method.__func__ == other.method.__func__
                and self.args == other.args and self.kwargs == other.kwargs and self.properties == other.properties)


class JobsTrap:
    """What ``trap_jobs()`` yields: ``calls``, ``enqueued_jobs`` and assertions on them."""

    def __init__(self, job_mock):
        self.job_mock = job_mock
        self.job_mock.side_effect = self._add_job
        self.calls: list[JobCall] = []
        self.enqueued_jobs: list[Job] = []
        self._store_patchers = []
        self._test_case = TestCase()

    def jobs_count(self, only=None) -> int:
        return len(self._filtered_enqueued_jobs(only)) if only else len(self.enqueued_jobs)

    def assert_jobs_count(self, expected: int, only=None) -> None:
        self._test_case.assertEqual(self.jobs_count(only=only), expected)

    def assert_enqueued_job(self, method, args=None, kwargs=None, properties=None) -> None:
        """Fail unless ``method`` was delayed with exactly ``args``/``kwargs`` and the given ``properties``."""
        properties = properties or {}
        expected = JobCall(method=method, args=args or (), kwargs=kwargs or {}, properties=properties)
        actual = [JobCall(call.method, call.args, call.kwargs,
                          {k: v for k, v in call.properties.items() if k in properties}) for call in self.calls]
        if expected not in actual:
            listing = "\n".join(f" * {self._format_job_call(call)}" for call in actual)
            raise AssertionError(f"Job {self._format_job_call(expected)} was not enqueued.\n"
                                 f"Actual enqueued jobs:\n{listing}")

    def perform_enqueued_jobs(self) -> None:
        """Run the trapped jobs now, graphs in dependency order, single jobs by priority."""
        def by_graph(job_):
            return job_.graph_uuid or ""

        jobs, self.enqueued_jobs = sorted(self.enqueued_jobs, key=by_graph), []
        for graph_uuid, members in groupby(jobs, key=by_graph):
            if graph_uuid:
                self._perform_graph_jobs(members)
            else:
                for job_ in sorted(members, key=attrgetter("priority")):
                    job_.perform()

    def _perform_graph_jobs(self, jobs) -> None:
        graph = Graph()
        for job_ in jobs:
            graph.add_vertex(job_)
            for parent in job_.depends_on:
                graph.add_edge(parent, job_)
        for job_ in graph.topological_sort():
            job_.perform()

    def _add_job(self, *args, **kwargs):
        job_ = Job(*args, **kwargs)
        if not job_.identity_key or all(j.identity_key != job_.identity_key for j in self.enqueued_jobs):
            self.enqueued_jobs.append(job_)
            patcher = mock.patch.object(job_, "store")
            self._store_patchers.append(patcher)
            patcher.start()
        job_args = kwargs.pop("args", None) or ()
        job_kwargs = kwargs.pop("kwargs", None) or {}
        self.calls.append(JobCall(method=args[0], args=job_args, kwargs=job_kwargs, properties=kwargs))
        return job_

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        for patcher in self._store_patchers:
            patcher.stop()

    def _filtered_enqueued_jobs(self, job_method) -> list[Job]:
        return [job_ for job_ in self.enqueued_jobs
                if job_.func.__self__ == job_method.__self__ and job_.func.__func__ == job_method.__func__]

    def _format_job_call(self, call: JobCall) -> str:
        arguments = [", ".join(f"{arg}" for arg in call.args)] if call.args else []
        if call.kwargs:
            arguments.append(", ".join(f"{key}={value}" for key, value in call.kwargs.items()))
        props = ", ".join(f"{key}={value}" for key, value in call.properties.items())
        return f"<{call.method.__self__}>.{call.method.__name__}({', '.join(arguments)}) with properties ({props})"

    def __repr__(self) -> str:
        return repr(self.calls)


class JobCounter:
    """Counts the ``queue.job`` rows created since it was made."""

    def __init__(self, env):
        self.env = env
        self.existing = self.search_all()

    def count_all(self) -> int:
        return len(self.search_all())

    def count_created(self) -> int:
        return len(self.search_created())

    def count_existing(self) -> int:
        return len(self.existing)

    def search_created(self):
        return self.search_all() - self.existing

    def search_all(self):
        return self.env["queue.job"].search([])


class JobMixin:
    """For unittest-style test classes with an ``env`` attribute."""

    def job_counter(self) -> JobCounter:
        return JobCounter(self.env)

    def perform_jobs(self, jobs: JobCounter) -> None:
        for record in jobs.search_created():
            Job.load(self.env, record.uuid).perform()

    @contextmanager
    def trap_jobs(self):
        with trap_jobs() as trap:
            yield trap


@contextmanager
def mock_with_delay():
    """Replace ``with_delay()`` by mocks: yields ``(delayable_cls, delayable)`` (prefer ``trap_jobs()``)."""
    with mock.patch("odoo.addons.queue_job.models.base.DelayableRecordset", name="DelayableRecordset",
                    spec=True) as delayable_cls:
        delayable = mock.MagicMock(name="DelayableBinding")
        delayable_cls.return_value = delayable
        yield delayable_cls, delayable
