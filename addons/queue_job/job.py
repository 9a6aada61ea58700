"""``Job``: one delayed method call, in memory (OCA's ``odoo.addons.queue_job.job``).

A ``Job`` is built by ``with_delay()``/``delayable()`` (``delay.py``), validated at once, and stored
as a ``queue.job`` row in the caller's transaction by ``store()``: if that transaction rolls back,
the job never existed.  Workers load the row back as a ``Job`` to run it (``worker/runner.py``).

Differences from OCA, on purpose: bad input is refused at enqueue (``JobRefused``: arguments that
JSON cannot hold, an unknown method, a private method without a ``queue.job.function`` record, an
unknown channel, a past ``eta``, a negative priority); ``identity_key`` is a unique index, so two
transactions enqueueing the same key at the same moment still make one job.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import logging
import os
import uuid as uuid_module
from random import randint

from odoo.models import BaseModel

from . import serialization, store
from .exception import FailedJobError, JobRefused, NoSuchJobError, RetryableJobError

_logger = logging.getLogger(__name__)

WAIT_DEPENDENCIES = "wait_dependencies"
PENDING = "pending"
ENQUEUED = "enqueued"
CANCELLED = "cancelled"
DONE = "done"
STARTED = "started"
FAILED = "failed"

STATES = [
    (WAIT_DEPENDENCIES, "Wait Dependencies"),
    (PENDING, "Pending"),
    (ENQUEUED, "Enqueued"),
    (STARTED, "Started"),
    (DONE, "Done"),
    (CANCELLED, "Cancelled"),
    (FAILED, "Failed"),
]

DEFAULT_PRIORITY = 10  # the closer to 0, the sooner
DEFAULT_MAX_RETRIES = 5  # 0 means: retry forever
RETRY_INTERVAL = 10 * 60  # seconds, when neither the error nor the function's retry_pattern says
#: An ``eta`` this far in the past is refused (clock resolution and the caller's own arithmetic).
ETA_TOLERANCE = dt.timedelta(seconds=1)


def utcnow() -> dt.datetime:
    """Naive UTC, as Odoo stores datetimes."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def identity_exact(job_: Job) -> str:
    """An identity key from the model, method, record ids and every argument.

    ``record.with_delay(identity_key=identity_exact).export()`` twice makes one job while the first
    has not run yet.
    """
    hasher = hashlib.sha1()
    for part in (job_.model_name, job_.method_name, str(sorted(job_.recordset.ids)), str(job_.args),
                 str(sorted(job_.kwargs.items()))):
        hasher.update(part.encode("utf-8"))
    return hasher.hexdigest()


def _is_model_method(func) -> bool:
    return inspect.ismethod(func) and isinstance(func.__self__, BaseModel)


class Job:
    """A delayed call of a model method; ``store()`` saves it, ``perform()`` runs it.

    Attributes as in OCA: ``uuid``, ``graph_uuid``, ``state``, ``retry`` (tries so far),
    ``max_retries``, ``args``, ``kwargs``, ``description``, ``func``, ``model_name``,
    ``method_name``, ``recordset``, ``priority``, ``eta``, ``channel``, ``identity_key``,
    ``date_created/enqueued/started/done/cancelled``, ``result``, ``exc_name/exc_message/exc_info``,
    ``user_id``, ``company_id``, ``worker_pid``.

    Raise ``TypeError`` if ``func`` is not a method of a recordset, ``JobRefused`` if the job could
    not be stored or run as asked.
    """

    def __init__(self, func, args=None, kwargs=None, priority=None, eta=None, job_uuid=None,
                 max_retries=None, description=None, channel=None, identity_key=None):
        if not _is_model_method(func):
            raise TypeError("Job accepts only methods of Models")
        self.recordset = func.__self__
        self.env = self.recordset.env
        self.method_name = func.__name__
        self.args = tuple(args or ())
        self.kwargs = dict(kwargs or {})
        self.job_config = self.env["queue.job.function"].sudo().job_config(self.job_function_name)
        self._check_method()
        self.state = PENDING
        self.retry = 0
        self.max_retries = _check_count("max_retries", DEFAULT_MAX_RETRIES if max_retries is None else max_retries)
        self.priority = _check_count("priority", DEFAULT_PRIORITY if priority is None else priority)
        self._uuid = job_uuid
        self.graph_uuid = None
        self._id, self._stored = None, False
        self._description = description
        self.identity_key = identity_key
        self.date_created = utcnow()
        self.date_enqueued = self.date_started = self.date_done = self.date_cancelled = None
        self.result = self.exc_name = self.exc_message = self.exc_info = None
        self.company_id = self.env.context.get("company_id") or self._company_id()
        self._eta = None
        self.eta = eta
        self._channel = None
        self.channel = channel
        self.worker_pid = None
        self._depends_on: set[Job] = set()
        self._reverse_depends_on: set[Job] = set()
        self._depends_on_uuids: set[str] = set()
        self._reverse_depends_on_uuids: set[str] = set()

    def _company_id(self):
        try:
            return self.env.company.id or None
        except Exception:  # an environment without a user (a cron) has no company
            return None

    def _check_method(self) -> None:
        method = getattr(type(self.recordset), self.method_name, None)
        if not callable(method):
            raise JobRefused(f"{self.model_name} has no method {self.method_name!r} to delay")
        if self.method_name.startswith("_") and not self.job_config.job_function_id:
            raise JobRefused(
                f"{self.model_name}.{self.method_name} is private: declare it as a job function "
                f"(a queue.job.function record with model_id and method={self.method_name!r}) to delay it")

    # -- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, env, job_uuid: str) -> Job:
        """The stored job ``job_uuid``; raise ``NoSuchJobError`` if there is none."""
        records = cls.db_records_from_uuids(env, [job_uuid])
        if not records:
            raise NoSuchJobError(f"Job {job_uuid} does no longer exist in the storage.")
        return cls._load_from_db_record(records)

    @classmethod
    def load_many(cls, env, job_uuids) -> set[Job]:
        """The stored jobs among ``job_uuids`` (missing ones are left out)."""
        return {cls._load_from_db_record(record) for record in cls.db_records_from_uuids(env, job_uuids)}

    @staticmethod
    def db_records_from_uuids(env, job_uuids):
        return env["queue.job"].sudo().search([("uuid", "in", list(job_uuids))])

    @classmethod
    def _load_from_db_record(cls, record) -> Job:
        """A ``Job`` from its ``queue.job`` record; raise ``JobError`` if its model or method are gone."""
        return cls.from_row(record.env, store.row_of(record))

    @classmethod
    def from_row(cls, env, row: dict) -> Job:
        """A ``Job`` from a row of ``queue_job`` as a dict (``store.JOB_COLUMNS``), run as its user.

        Raise ``JobError`` naming the cause if the row's model or method no longer exist (the addon
        defining them was uninstalled).
        """
        job_ = cls.__new__(cls)
        job_._load_row(env, row)
        return job_

    def _load_row(self, env, row: dict) -> None:
        self.recordset = store.recordset_of(env, row)
        self.env = self.recordset.env
        self.method_name = row["method_name"]
        self.job_config = self.env["queue.job.function"].sudo().job_config(self.job_function_name)
        self.args = tuple(serialization.decode(self.env, row["args"] or []))
        self.kwargs = serialization.decode(self.env, row["kwargs"] or {})
        for name in ("state", "graph_uuid", "date_created", "date_enqueued", "date_started", "date_done",
                     "date_cancelled", "exc_name", "exc_message", "exc_info", "worker_pid", "identity_key"):
            setattr(self, name, row.get(name) or None)
        self.retry, self.max_retries, self.priority = row["retry"] or 0, row["max_retries"] or 0, row["priority"] or 0
        self._id, self._stored = row["id"], True
        self._uuid, self._description = row["uuid"], row["name"]
        self.result, self.company_id = row.get("result") or None, row.get("company_id") or None
        self._eta, self._channel = row.get("eta") or None, row["channel"]
        self._identity_key_func = None
        dependencies = row.get("dependencies") or {}
        self._depends_on, self._reverse_depends_on = set(), set()
        self._depends_on_uuids = set(dependencies.get("depends_on", []))
        self._reverse_depends_on_uuids = set(dependencies.get("reverse_depends_on", []))

    def job_record_with_same_identity_key(self):
        """The stored job not run yet with this job's identity key (an empty recordset if none)."""
        if not self.identity_key:
            return self.env["queue.job"].browse()
        return self.env["queue.job"].sudo().search(
            [("identity_key", "=", self.identity_key), ("state", "in", list(store.IDENTITY_STATES))], limit=1)

    # -- graph -----------------------------------------------------------------------------------
    def add_depends(self, jobs) -> None:
        """Run this job only after every job of ``jobs`` is done."""
        if self in jobs:
            raise ValueError("job cannot depend on itself")
        self._depends_on_uuids |= {j.uuid for j in jobs}
        self._depends_on.update(jobs)
        for parent in jobs:
            parent._reverse_depends_on_uuids.add(self.uuid)
            parent._reverse_depends_on.add(self)
        if any(j.state != DONE for j in jobs):
            self.state = WAIT_DEPENDENCIES

    @property
    def depends_on(self) -> set[Job]:
        if not self._depends_on and self._depends_on_uuids:
            self._depends_on = Job.load_many(self.env, self._depends_on_uuids)
        return self._depends_on

    @property
    def reverse_depends_on(self) -> set[Job]:
        if not self._reverse_depends_on and self._reverse_depends_on_uuids:
            self._reverse_depends_on = Job.load_many(self.env, self._reverse_depends_on_uuids)
        return set(self._reverse_depends_on)

    # -- running ---------------------------------------------------------------------------------
    def perform(self):
        """Run the job now, counting a try; return the method's result.

        ``RetryableJobError`` propagates (the caller postpones the job), turned into
        ``FailedJobError`` once ``max_retries`` tries are used; ``ignore_retry`` gives the try back.
        """
        self.retry += 1
        return self._perform_counted()

    def _perform_counted(self):
        """``perform()`` for a job whose try is already counted (a worker counts it when claiming)."""
        try:
            self.result = self.func(*self.args, **self.kwargs)
        except RetryableJobError as err:
            if err.ignore_retry:
                self.retry -= 1
                raise
            if self.max_retries and self.retry >= self.max_retries:
                raise FailedJobError(f"Max. retries ({self.max_retries}) reached: {err or type(err).__name__}") \
                    from err
            raise
        return self.result

    @property
    def id(self) -> int | None:
        """The job's row id (None before it is stored); read by its uuid on first use where the insert
        went without answering it (``store.insert_job``)."""
        if self._id is None and self._stored:
            self._id = store.id_of(self.env.cr, self.uuid)
        return self._id

    @property
    def func(self):
        return getattr(self.recordset.with_context(job_uuid=self.uuid), self.method_name)

    # -- storing -----------------------------------------------------------------------------------
    def store(self) -> None:
        """Insert the job in the caller's transaction, or write its state if it is stored already.

        With an ``identity_key`` already held by a job not run yet, nothing is inserted and this
        object takes that job's uuid and id.
        """
        if not self._stored:
            self._id, self._uuid = store.insert_job(self.env, self._insert_values())
            self._stored = True
            return
        record = self.env["queue.job"].sudo().browse(self.id)
        record.with_context(_job_edit_sentinel=record.EDIT_SENTINEL).write(self._state_values())

    def _state_values(self) -> dict:
        return {
            "state": self.state, "priority": self.priority, "retry": self.retry, "max_retries": self.max_retries,
            "exc_name": self.exc_name or False, "exc_message": self.exc_message or False,
            "exc_info": self.exc_info or False, "result": str(self.result) if self.result else False,
            "date_enqueued": self.date_enqueued or False, "date_started": self.date_started or False,
            "date_done": self.date_done or False, "date_cancelled": self.date_cancelled or False,
            "exec_time": self.exec_time or False, "eta": self.eta or False, "worker_pid": self.worker_pid or False,
        }

    def _insert_values(self) -> dict:
        values = self._state_values()
        values.update({
            "uuid": self.uuid, "graph_uuid": self.graph_uuid, "user_id": self.env.uid, "company_id": self.company_id,
            "name": self.description, "model_name": self.model_name, "method_name": self.method_name,
            "func_string": self.func_string, "channel": self.channel, "channel_method_name": self.job_function_name,
            "job_function_id": self.job_config.job_function_id, "date_created": self.date_created,
            "identity_key": self.identity_key or None, "record_ids": list(self.recordset.ids),
            "args": serialization.encode(list(self.args), "args"),
            "kwargs": serialization.encode(self.kwargs, "kwargs"),
            "context": serialization.encode(self.recordset._job_prepare_context_before_enqueue(), "context"),
            "dependencies": {"depends_on": sorted(j.uuid for j in self._depends_on),
                             "reverse_depends_on": sorted(j.uuid for j in self._reverse_depends_on)},
        })
        values.update({k: v for k, v in self._store_values_from_model().items() if k not in values})
        return values

    def _store_values_from_model(self) -> dict:
        values = {}
        for candidate in ("_job_store_values_for_" + self.method_name, "_job_store_values"):
            handler = getattr(self.recordset, candidate, None)
            if handler is not None:
                values = handler(self)
        return values

    def db_record(self):
        return self.db_records_from_uuids(self.env, [self.uuid])

    # -- properties ----------------------------------------------------------------------------------
    @property
    def func_string(self) -> str:
        arguments = [repr(arg) for arg in self.args] + [f"{key}={val!r}" for key, val in self.kwargs.items()]
        return f"{self.recordset!r}.{self.method_name}({', '.join(arguments)})"

    @property
    def job_function_name(self) -> str:
        return self.env["queue.job.function"].job_function_name(self.recordset._name, self.method_name)

    @property
    def identity_key(self) -> str | None:
        if self._identity_key is None and self._identity_key_func:
            self._identity_key = self._identity_key_func(self)
        return self._identity_key

    @identity_key.setter
    def identity_key(self, value) -> None:
        if value is None or isinstance(value, str):
            self._identity_key, self._identity_key_func = value or None, None
        elif callable(value):
            self._identity_key, self._identity_key_func = None, value
        else:
            raise JobRefused(f"identity_key must be a str or a function of the job, not {type(value).__name__}")

    @property
    def description(self) -> str:
        if self._description:
            return self._description
        doc = getattr(type(self.recordset), self.method_name).__doc__
        return doc.strip().splitlines()[0].strip() if doc and doc.strip() else f"{self.model_name}.{self.method_name}"

    @property
    def uuid(self) -> str:
        if self._uuid is None:
            self._uuid = str(uuid_module.uuid4())
        return self._uuid

    @property
    def model_name(self) -> str:
        return self.recordset._name

    @property
    def user_id(self) -> int:
        return self.recordset.env.uid

    @property
    def eta(self) -> dt.datetime | None:
        return self._eta

    @eta.setter
    def eta(self, value) -> None:
        self._eta = _eta_from(value)

    @property
    def channel(self) -> str:
        return self._channel or self.job_config.channel

    @channel.setter
    def channel(self, value: str | None) -> None:
        if value and not isinstance(value, str):
            raise JobRefused(f"channel must be a channel's complete name (str), not {type(value).__name__}")
        if value:
            self.env["queue.job.channel"].sudo().check_channel(value)
        self._channel = value or None

    @property
    def exec_time(self) -> float | None:
        if self.date_done and self.date_started:
            return (self.date_done - self.date_started).total_seconds()
        return None

    # -- state changes (in memory; ``store()`` saves them) -------------------------------------------------
    def set_pending(self, result=None, reset_retry: bool = True) -> None:
        self.state = WAIT_DEPENDENCIES if any(j.state != DONE for j in self.depends_on) else PENDING
        self.date_enqueued = self.date_started = self.date_done = self.date_cancelled = None
        self.worker_pid = None
        if reset_retry:
            self.retry = 0
        if result is not None:
            self.result = result

    def set_enqueued(self) -> None:
        self.state, self.date_enqueued, self.date_started, self.worker_pid = ENQUEUED, utcnow(), None, None

    def set_started(self) -> None:
        self.state, self.date_started, self.worker_pid = STARTED, utcnow(), os.getpid()

    def set_done(self, result=None) -> None:
        self.state, self.exc_name, self.exc_info, self.date_done = DONE, None, None, utcnow()
        if result is not None:
            self.result = result

    def set_cancelled(self, result=None) -> None:
        self.state, self.date_cancelled = CANCELLED, utcnow()
        if result is not None:
            self.result = result

    def set_failed(self, **kw) -> None:
        self.state = FAILED
        for key, value in kw.items():
            if value is not None:
                setattr(self, key, value)

    def _get_retry_seconds(self, seconds=None) -> int:
        """Seconds before the next try: ``seconds``, else the function's ``retry_pattern``, else the default."""
        pattern = self.job_config.retry_pattern
        if not seconds and pattern:
            seconds = RETRY_INTERVAL
            for from_try, postpone in sorted(pattern.items()):
                if self.retry < from_try:
                    break
                seconds = postpone
        seconds = seconds or RETRY_INTERVAL
        if isinstance(seconds, list | tuple):
            seconds = randint(int(seconds[0]), int(seconds[1]))
        return int(seconds)

    def postpone(self, result=None, seconds=None) -> None:
        """Set ``eta`` to the next try's time (after a ``RetryableJobError``)."""
        self._eta = utcnow() + dt.timedelta(seconds=self._get_retry_seconds(seconds))
        self.exc_name = self.exc_info = None
        if result is not None:
            self.result = result

    def __eq__(self, other) -> bool:
        return isinstance(other, Job) and self.uuid == other.uuid

    def __hash__(self) -> int:
        return hash(self.uuid)

    def __repr__(self) -> str:
        return f"<Job {self.uuid}, priority:{self.priority}>"


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise JobRefused(f"{name} must be an integer >= 0, got {value!r}")
    return value


def _eta_from(value) -> dt.datetime | None:
    """``eta`` as naive UTC: a datetime, or seconds / a timedelta from now; a past one is refused."""
    if value is None or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | dt.timedelta | dt.datetime):
        raise JobRefused(f"eta must be a datetime, a timedelta or a number of seconds, got {value!r}")
    if isinstance(value, int | float):
        value = dt.timedelta(seconds=value)
    if isinstance(value, dt.timedelta):
        if value < dt.timedelta(0):
            raise JobRefused(f"eta is in the past ({value} from now): give a delay >= 0")
        return utcnow() + value
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if value < utcnow() - ETA_TOLERANCE:
        raise JobRefused(f"eta {value:%Y-%m-%d %H:%M:%S} UTC is in the past: give a future datetime or a delay")
    return value
