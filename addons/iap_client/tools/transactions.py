"""Calling another server with no transaction of ours open.

Why: the provider we call may be served from this very database (the one-server demo), and on SQLite
an open transaction holds the database's only write lock, so the provider would wait for us while we
wait for it.  On any backend, a transaction held open across a slow remote call pins a connection and
its locks for the duration.  The framework's answer is the post-commit hook: callbacks run after the
commit and before the next transaction begins.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def call_between_transactions(cr, call: Callable[[], T]) -> T:
    """Commit ``cr``, run ``call()`` before the next transaction begins, and return its result.

    ``call`` must not use the database.  Its exception, if any, is raised here, once the next
    transaction has begun (the framework only logs a failing post-commit callback).  Whatever the
    transaction wrote before is committed: callers rely on it to persist what a retry needs.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except Exception as exc:  # handed back to the caller below
            outcome["error"] = exc

    cr.postcommit.append(run)
    cr.commit()
    if "error" in outcome:
        raise outcome["error"]
    if "result" not in outcome:
        raise RuntimeError("the call did not run: the transaction's post-commit callbacks were dropped")
    return outcome["result"]
