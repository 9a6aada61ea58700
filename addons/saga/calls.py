"""Outgoing calls from a step's action, made with no transaction open (``ctx.call``).

A try runs in the job's transaction with the instance locked.  An action that calls another system
(a payment provider, a remote inventory) must not keep them during the call: a reply to that very
call (the provider calls back before it answers) would wait for the lock, and every other saga
waiting for a row the action locked would wait for the other system.  ``ctx.call(fn, *args)``
therefore, around ``fn``:

* commits what the try wrote so far (actions are idempotent by contract, so their writes may commit
  before the transition: a try that fails later, or whose worker dies, runs again over them), with
  ``Cursor.commit(write_lock=False)``: on PostgreSQL no transaction is open during the call (the next
  one begins with its first statement), on SQLite the one begun is DEFERRED and holds no lock;
* after the call (it returned or raised) begins a transaction that may write, locks the instance
  again and checks that it is still at the try's version and status.  If an operator (or a second
  run of the job, after its lease expired) moved the saga on meanwhile, the try is ``superseded``:
  ``Superseded`` is raised, and the engine records the try's row as such instead of moving the saga.

The writes made after the last call are in a savepoint of their own, undone if the try fails.
"""
from __future__ import annotations

from collections.abc import Callable


class Superseded(Exception):
    """The saga moved on while the try's outgoing call travelled: the try must not move it."""


class TryScope:
    """The transaction of one try, which ``call`` ends and begins again around each outgoing call.

    ``before_first_call`` runs, in the transaction, before it is first committed (the engine takes
    back there what must not commit before the transition: the next step's pre-enqueued job).
    """

    def __init__(self, instance, version: int, statuses: tuple[str, ...], before_first_call: Callable | None = None):
        self.instance, self.version, self.statuses = instance, version, statuses
        self.before_first_call = before_first_call
        self.calls = 0
        self.superseded: str | None = None
        self._undo_point: UndoPoint | None = None

    @property
    def cr(self):
        return self.instance.env.cr

    def begin(self) -> None:
        """Open the savepoint that the try's writes from now on are undone to if it fails."""
        self._undo_point = UndoPoint(self.cr)

    def undo(self) -> None:
        """The try failed: undo what it wrote since the last savepoint (what committed at a call stays)."""
        if self._undo_point and not self.superseded:
            self._undo_point.roll_back()

    def call(self, fn: Callable, *args, **kwargs):
        """Run ``fn(*args, **kwargs)`` with no transaction open; raise ``Superseded`` if the saga moved on."""
        if self.superseded:
            raise Superseded(self.superseded)
        if not self.calls and self.before_first_call:
            self.before_first_call()
        self.calls += 1
        self._undo_point = None
        self.cr.commit(write_lock=False)
        try:
            return fn(*args, **kwargs)
        finally:
            self._relock()

    def _relock(self) -> None:
        from .engine import lock

        if self.cr.database.dialect == "sqlite":
            self.cr.commit()  # the DEFERRED transaction ends; the next one holds the write lock
        instance, _claims = lock(self.instance)
        if instance.version != self.version or instance.status not in self.statuses:
            self.superseded = (f"the saga moved on (version {self.version} -> {instance.version}, "
                               f"{instance.status}) while the try's outgoing call travelled")
            raise Superseded(self.superseded)
        self.begin()


class UndoPoint:
    """Where a failed try's writes are rolled back to: a ``cr.savepoint()`` entered, and left only to
    roll back.

    On success it is never released (the commit ends it), and on PostgreSQL it travels with the try's
    next statement (``server.piggyback``): no round trip of its own while the try holds its locks.
    """

    def __init__(self, cr):
        self._savepoint = cr.savepoint()
        self._savepoint.__enter__()

    def roll_back(self) -> None:
        self._savepoint.__exit__(_TryFailed, _TryFailed(), None)


class _TryFailed(Exception):
    """What the savepoint is told ended its block: the try raised."""


def take_back(instance, enqueued: list) -> None:
    """Before a try's first outgoing call: drop the next step's pre-enqueued job, which must only commit
    with the transition (the transition enqueues it again)."""
    uuids = [job.uuid for job in enqueued]
    if uuids:
        instance.env["queue.job"].sudo().search([("uuid", "in", uuids)]).unlink()
    enqueued.clear()


def record_superseded(instance, try_, reason: str, error: Exception | None) -> str:
    """The saga moved on during the try's outgoing call: record the try, and make sure nothing it did is lost.

    A forward action (whatever it raised: its call may have gone through) may have done something
    (a reservation) that no compensation knows about, its step not being among the steps done: if
    the saga is compensating, the step joins them (its compensation runs with the others, and must
    accept that there is nothing to undo); if it is compensated already, an incident asks an
    operator to undo it by hand.  A cancelled saga (``failed``) is left as the operator wanted.
    """
    from .engine import FORWARD, error_text, execution, raise_incident

    detail = reason if error is None else f"{reason}; the try raised {error_text(error)}"
    instance.env["saga.step"].sudo().create([execution(instance, try_, "superseded", detail).row])
    step = try_.step
    if try_.phase != FORWARD or not step.compensation:  # the call's outcome is unknown: it may have done it
        return "superseded"
    if instance.status == "compensating" and step.name not in (instance.done_steps or []):
        instance.write({"done_steps": [*(instance.done_steps or []), step.name]})
    elif instance.status == "compensated":
        raise_incident(instance, f"{step.name} succeeded after the saga was compensated (its try was superseded): "
                                 "undo what it may have done by hand", "late")
    return "superseded"


def direct(fn: Callable, *args, **kwargs):
    """``call`` outside a step's try (a handler, a test): just run ``fn``."""
    return fn(*args, **kwargs)
