"""Odoo's RPC services behind ``/jsonrpc`` and ``/xmlrpc[/2]/<service>``: ``common``, ``db``, ``object``.

``dispatch_rpc(ctx, service, method, params)`` is what the base addon's RPC
controllers call; ``ctx`` says which databases the caller may use (the
request's host matters for ``dbfilter``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RpcContext:
    """What a service call may use: the server's databases as seen from ``host``."""

    databases: object
    host: str = ""
    current: tuple | None = None  # (name, registry) the request already opened and checked

    @property
    def config(self):
        return self.databases.config

    def registry(self, db):
        """The registry of database ``db``; AccessError "Database not found." if the caller may not use it."""
        if self.current and isinstance(db, str) and db == self.current[0]:
            return self.current[1]
        return self.databases.registry(db, self.host)


def dispatch_rpc(ctx: RpcContext, service_name, method, params):
    """Call ``method`` of service ``service_name`` with positional ``params``, as Odoo's ``dispatch_rpc``."""
    from . import common, db, model

    services = {"common": common.dispatch, "db": db.dispatch, "object": model.dispatch}
    if not isinstance(service_name, str) or service_name not in services:
        raise KeyError(f"Unknown service {service_name!r}: use common, db or object")
    if not isinstance(method, str):
        raise TypeError(f"The method name must be a string, got {type(method).__name__}")
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"'args' must be a list of positional arguments, got {type(params).__name__}")
    return services[service_name](ctx, method, list(params))
