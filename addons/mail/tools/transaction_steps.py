"""Work done in short transactions ("steps"), so that none is open while a third party is waited for.

A runner that talks to an SMTP server or an HTTP API claims its work in one step, makes the call with
no transaction open, and records the outcome in another step.  Where the steps' transactions come from
depends on who runs it::

    steps = OwnTransactions(registry)   # a command, a thread of its own: one new cursor per step
    steps = CommittedSteps(env)          # a cron or a queue job: the cursor it was given, committed per step
    with steps.step() as env:
        ...                              # committed when the block ends, rolled back if it raises

``CommittedSteps`` exists because a cron job (and a queue job) already runs inside a transaction of
the thread's only connection: opening another cursor there is refused, and on SQLite the cron's
``BEGIN IMMEDIATE`` holds the database's one write lock, so a second connection writing would wait for
it forever.  Committing the given cursor instead ends each step for good, and between steps its
transaction holds no lock (SQLite ``BEGIN DEFERRED``; PostgreSQL sends no ``BEGIN`` until a statement).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from odoo import SUPERUSER_ID


class OwnTransactions:
    """Each step in a transaction of its own (a new cursor, superuser), committed when the step ends."""

    def __init__(self, registry):
        self.registry = registry

    @contextmanager
    def step(self) -> Iterator:
        with self.registry.cursor() as cr:
            yield self.registry.env(cr, SUPERUSER_ID)


class CommittedSteps:
    """Each step in ``env``'s cursor: what came before is committed, the step committed when it ends.

    A step that raises is rolled back (with what the caller did since the last step) and the error
    propagates.  Between steps the cursor's transaction takes no lock: on SQLite a step begins with
    the write lock taken up front, so its writes never fail half-way on a lock another writer holds.
    """

    def __init__(self, env):
        self.env = env

    @contextmanager
    def step(self) -> Iterator:
        self.env.cr.commit(write_lock=True)
        try:
            yield self.env
        except BaseException:
            self.env.cr.rollback()
            raise
        self.env.cr.commit(write_lock=False)


def as_steps(registry_or_steps):
    """``registry_or_steps`` if it makes steps, else ``OwnTransactions`` of that registry."""
    return registry_or_steps if hasattr(registry_or_steps, "step") else OwnTransactions(registry_or_steps)
