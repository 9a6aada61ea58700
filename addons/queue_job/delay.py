"""Build jobs and graphs of jobs (OCA's ``odoo.addons.queue_job.delay``).

``record.delayable().method(*args)`` is a ``Delayable``: one future job.  ``chain(a, b, c)`` runs
them one after the other, ``group(a, b)`` side by side, ``x.on_done(y)`` runs ``y`` after ``x``;
they combine (``chain(group(a, b), c)``).  ``delay()``, called on the top of the graph, stores
every job in the caller's transaction, or runs them all now, in order, when jobs must not be
delayed (``queue_job__no_delay`` in the context, ``QUEUE_JOB__NO_DELAY=1``).
"""
from __future__ import annotations

import itertools
import logging
import uuid
from collections import defaultdict, deque

from .exception import JobRefused
from .job import Job
from .utils import must_run_without_delay

_logger = logging.getLogger(__name__)


def group(*delayables) -> DelayableGroup:
    """Jobs that may run in parallel; what depends on the group waits for all of them."""
    return DelayableGroup(*delayables)


def chain(*delayables) -> DelayableChain:
    """Jobs that run one after the other; what depends on the chain waits for its last one."""
    return DelayableChain(*delayables)


class Graph:
    """A directed acyclic graph of hashable vertices."""

    __slots__ = ("_graph",)

    def __init__(self, graph: dict | None = None):
        self._graph = graph or {}

    def add_vertex(self, vertex) -> None:
        self._graph.setdefault(vertex, set())

    def add_edge(self, parent, child) -> None:
        self.add_vertex(child)
        self._graph.setdefault(parent, set()).add(child)

    def vertices(self) -> set:
        return set(self._graph)

    def edges(self) -> list[tuple]:
        return [(vertex, child) for vertex, children in self._graph.items() for child in children]

    def root_vertices(self) -> set:
        children = {child for children in self._graph.values() for child in children}
        return set(self._graph) - children

    def paths(self, vertex):
        """Every maximal path from ``vertex`` that does not loop."""
        children = [c for c in self._graph.get(vertex, ()) if c != vertex]
        if not children:
            yield [vertex]
            return
        for child in children:
            for path in Graph({k: v - {vertex} for k, v in self._graph.items() if k != vertex}).paths(child):
                yield [vertex, *path]

    def topological_sort(self):
        """Yield the vertices so that a vertex comes after every vertex it depends on."""
        waiting = defaultdict(int)
        for _parent, child in self.edges():
            waiting[child] += 1
        queue = deque(self.root_vertices())
        while queue:
            vertex = queue.popleft()
            yield vertex
            for child in self._graph[vertex]:
                waiting[child] -= 1
                if not waiting[child]:
                    queue.append(child)

    def __repr__(self) -> str:
        paths = [path for vertex in self.root_vertices() for path in self.paths(vertex)]
        return "\n".join(" → ".join(repr(vertex) for vertex in path) for path in paths)


class DelayableGraph(Graph):
    """The graph of ``Delayable`` objects behind chains and groups; ``delay()`` stores its jobs."""

    def _merge_graph(self, graph: Graph) -> None:
        """Add ``graph``'s edges, chains and groups replaced by their heads and tails."""
        for vertex, children in graph._graph.items():
            heads = {head for child in children for head in child._head()}
            for tail in vertex._tail():
                self._graph.setdefault(tail, set()).update(heads)

    def _connect_graphs(self) -> DelayableGraph:
        """One graph of plain ``Delayable`` vertices from this graph and every graph it reaches."""
        whole = DelayableGraph()
        whole._merge_graph(self)
        seen, to_visit = set(), deque([self])
        while to_visit:
            current = to_visit.popleft()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for vertex in current.vertices():
                whole._merge_graph(vertex._graph)
                to_visit.append(vertex._graph)
        return whole

    @staticmethod
    def _ensure_same_graph_uuid(jobs: list) -> None:
        if not jobs:
            raise ValueError("Expecting jobs")
        if len(jobs) == 1:
            if jobs[0].graph_uuid:
                raise ValueError(f"Job {jobs[0]} is a single job, it should not have a graph uuid")
            return
        uuids = {job.graph_uuid for job in jobs if job.graph_uuid}
        if len(uuids) > 1:
            raise ValueError("Jobs cannot have dependencies between several graphs")
        graph_uuid = uuids.pop() if uuids else str(uuid.uuid4())
        for job in jobs:
            job.graph_uuid = graph_uuid

    def delay(self) -> None:
        """Build every job of the graph, then store them (or run them now, in order)."""
        graph = self._connect_graphs()
        vertices = graph.vertices()
        for vertex in vertices:
            vertex._build_job()
        self._ensure_same_graph_uuid([vertex._generated_job for vertex in vertices])
        if any(must_run_without_delay(env) for env in {vertex.recordset.env for vertex in vertices}):
            for vertex in graph.topological_sort():
                vertex._execute_direct()
            return
        for parent, child in graph.edges():
            child._generated_job.add_depends({parent._generated_job})
        if len(vertices) > 1 and self._reuse_existing(vertices):
            return
        for vertex in graph.topological_sort():
            vertex._generated_job.store()

    @staticmethod
    def _reuse_existing(vertices) -> bool:
        """A graph whose keyed jobs all exist already is not stored again (OCA's rule for graphs)."""
        keyed = [vertex for vertex in vertices if vertex.identity_key]
        if not keyed:
            return False
        existing = {vertex: vertex._generated_job.job_record_with_same_identity_key() for vertex in keyed}
        if not all(existing.values()):
            return False
        for vertex, record in existing.items():
            vertex._generated_job = Job._load_from_db_record(record)
        return True


class DelayableChain:
    """Delayables (or chains, or groups) run one after the other."""

    __slots__ = ("_graph", "_chain_head", "_chain_tail")

    def __init__(self, *delayables):
        if not delayables:
            raise ValueError("chain() needs at least one delayable")
        self._graph = DelayableGraph()
        previous = delayables[0]
        self._graph.add_vertex(previous)
        for delayable in delayables[1:]:
            self._graph.add_edge(previous, delayable)
            previous = delayable
        self._chain_head, self._chain_tail = delayables[0], previous

    def _head(self):
        return self._chain_head._head()

    def _tail(self):
        return self._chain_tail._tail()

    def on_done(self, *delayables) -> DelayableChain:
        """Run ``delayables`` once the chain's last job is done."""
        for delayable in delayables:
            self._graph.add_edge(self._chain_tail, delayable)
        return self

    def delay(self) -> None:
        self._graph.delay()

    def __repr__(self) -> str:
        return "DelayableChain(\n\t{}\n)".format("\n\t".join(repr(self._graph).split("\n")))


class DelayableGroup:
    """Delayables (or chains, or groups) that may run at the same time."""

    __slots__ = ("_graph", "_delayables")

    def __init__(self, *delayables):
        self._graph = DelayableGraph()
        self._delayables = set(delayables)
        for delayable in delayables:
            self._graph.add_vertex(delayable)

    def _head(self):
        return itertools.chain.from_iterable(node._head() for node in self._delayables)

    def _tail(self):
        return itertools.chain.from_iterable(node._tail() for node in self._delayables)

    def on_done(self, *delayables) -> DelayableGroup:
        """Run ``delayables`` once every job of the group is done."""
        for parent in self._delayables:
            for child in delayables:
                self._graph.add_edge(parent, child)
        return self

    def delay(self) -> None:
        self._graph.delay()

    def __repr__(self) -> str:
        return "DelayableGroup(\n\t{}\n)".format("\n\t".join(repr(self._graph).split("\n")))


class Delayable:
    """One future job: ``record.delayable(priority=5).method(arg)``, then ``delay()`` (of the graph's top).

    ``set(priority=15)`` or ``set({"eta": 60})`` changes its properties and returns it.
    """

    _properties = ("priority", "eta", "max_retries", "description", "channel", "identity_key")
    __slots__ = _properties + ("recordset", "_graph", "_job_method", "_job_args", "_job_kwargs", "_generated_job")

    def __init__(self, recordset, priority=None, eta=None, max_retries=None, description=None, channel=None,
                 identity_key=None):
        self._graph = DelayableGraph()
        self._graph.add_vertex(self)
        self.recordset = recordset
        self.priority, self.eta, self.max_retries = priority, eta, max_retries
        self.description, self.channel, self.identity_key = description, channel, identity_key
        self._job_method, self._job_args, self._job_kwargs = None, (), {}
        self._generated_job = None

    def _head(self):
        return [self]

    def _tail(self):
        return [self]

    def __repr__(self) -> str:
        name = self._job_method.__name__ if self._job_method else ""
        return f"Delayable({self.recordset}.{name}({self._job_args}, {self._job_kwargs}))"

    def set(self, *args, **kwargs) -> Delayable:
        """Set job properties from a dict and/or keywords; return self."""
        for properties in (*args, kwargs):
            for key, value in properties.items():
                if key not in self._properties:
                    raise ValueError(f"No property {key}")
                setattr(self, key, value)
        return self

    def on_done(self, *delayables) -> Delayable:
        """Run ``delayables`` once this job is done."""
        for child in delayables:
            self._graph.add_edge(self, child)
        return self

    def delay(self) -> None:
        """Store the whole graph (call it on the graph's top)."""
        self._graph.delay()

    def _build_job(self):
        if self._generated_job is None:
            if self._job_method is None:
                raise JobRefused(f"Delayable on {self.recordset} was delayed without a method call")
            self._generated_job = Job(self._job_method, args=self._job_args, kwargs=self._job_kwargs,
                                      priority=self.priority, max_retries=self.max_retries, eta=self.eta,
                                      description=self.description, channel=self.channel,
                                      identity_key=self.identity_key)
        return self._generated_job

    def _store_args(self, *args, **kwargs) -> Delayable:
        self._job_args, self._job_kwargs = args, kwargs
        return self

    def __getattr__(self, name: str):
        if name in self.__slots__:
            raise AttributeError(name)
        if name in self.recordset._fields:
            raise AttributeError(f"only methods can be delayed ({name} called on {self.recordset})")
        method = getattr(self.recordset, name, None)
        if not callable(method):
            raise JobRefused(f"{self.recordset._name} has no method {name!r} to delay")
        self._job_method = method
        return self._store_args

    def _execute_direct(self):
        return self._generated_job.perform()


class DelayableRecordset:
    """``record.with_delay(...)``: each method call on it is one job, stored at once; returns the ``Job``."""

    __slots__ = ("delayable",)

    def __init__(self, recordset, priority=None, eta=None, max_retries=None, description=None, channel=None,
                 identity_key=None):
        self.delayable = Delayable(recordset, priority=priority, eta=eta, max_retries=max_retries,
                                   description=description, channel=channel, identity_key=identity_key)

    @property
    def recordset(self):
        return self.delayable.recordset

    def __getattr__(self, name: str):
        def delay_call(*args, **kwargs):
            getattr(self.delayable, name)(*args, **kwargs).delay()
            return self.delayable._generated_job
        return delay_call

    def __str__(self) -> str:
        return f"DelayableRecordset({self.delayable.recordset._name}{getattr(self.delayable.recordset, '_ids', '')})"

    __repr__ = __str__
