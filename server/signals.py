"""Signals: one blinker namespace for the framework and for addons.

Framework signals are sent with the registry as sender.  Addons declare their
own with ``signal('name')`` and connect handlers with ``@receiver(sig)``; such
a handler only runs when the addon that defines it is installed in the
database of the sender (a recordset, a registry, or an ``env=`` keyword), so
one process can serve databases with different addons installed.
"""
from __future__ import annotations

from collections.abc import Callable

import blinker

namespace = blinker.Namespace()

registry_ready = namespace.signal("registry_ready")
modules_installed = namespace.signal("modules_installed")
modules_uninstalled = namespace.signal("modules_uninstalled")
#: Sent by the server runner in each serving process once its databases are open (sender: the
#: Application), and ``server_stopping`` when it stops: background services (job workers) start and
#: stop with the server by connecting to them.
server_started = namespace.signal("server_started")
server_stopping = namespace.signal("server_stopping")
#: Sent (sender: the registry) before a registry's connections are closed (a database dropped, a test's
#: database forgotten): a background thread using that registry must stop here, not after its connection
#: was closed under it.
registry_closing = namespace.signal("registry_closing")


def signal(name: str, doc: str | None = None) -> blinker.NamedSignal:
    """The signal called ``name`` (created on first use; the same object afterwards)."""
    return namespace.signal(name, doc)


def registry_of(sender, kwargs: dict):
    """Find the registry a signal is about: from ``env=``, a recordset or a registry sender."""
    env = kwargs.get("env") or getattr(sender, "env", None)
    if env is not None:
        return env.registry
    if hasattr(sender, "loaded_modules"):
        return sender
    return None


def receiver(sig: blinker.Signal, sender=blinker.ANY) -> Callable:
    """Connect the decorated function to ``sig``, active only where its addon is installed.

    The addon is taken from the function's module (``odoo.addons.<addon>...``).
    Outside an addon the handler always runs.  Returns the function unchanged.
    """
    def decorator(func: Callable) -> Callable:
        from .orm.models import addon_of

        addon = addon_of(func.__module__)

        def guarded(sender_, **kwargs):
            registry = registry_of(sender_, kwargs)
            if addon and (registry is None or not registry.is_installed(addon)):
                return None
            return func(sender_, **kwargs)

        guarded.__name__ = func.__name__
        guarded.__wrapped__ = func
        guarded.addon = addon
        func._signal_guard = guarded
        sig.connect(guarded, sender=sender, weak=False)
        return func
    return decorator
