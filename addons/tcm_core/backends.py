"""The plugin API of TCM: lifecycle signals, ``backend_handler`` and representations.

A backend plugin is an addon that depends on ``tcm_core`` and acts on the
contracts whose ``backend`` (taken from the product's payment backend) is its
own: it activates services in a third-party system and keeps its own data.
It connects handlers with ``@backend_handler`` and may describe its contracts
with ``@backend_representation``.  Everything here is keyed by the plugin's
addon, so a plugin does nothing in a database where it is not installed.

The signals keep the seed's names and calling convention: the sender is the
contract (a one-record recordset) and the only keyword is ``backend``.
"""
from __future__ import annotations

import functools
import inspect
import logging
from collections import defaultdict
from collections.abc import Callable

import blinker
from odoo.exceptions import UserError
from odoo.models import addon_of
from odoo.signals import receiver, signal

_logger = logging.getLogger(__name__)

on_contract_create = signal("on_contract_create", "A contract was created (state 'open').")
on_contract_activate = signal("on_contract_activate", "An operator or client activated a contract.")
on_contract_suspend = signal("on_contract_suspend", "An open contract was suspended.")
on_contract_reactivate = signal("on_contract_reactivate", "A suspended contract was reopened.")
on_contract_cancel = signal("on_contract_cancel", "A contract was cancelled (it becomes inactive).")

SIGNALS: dict[str, blinker.NamedSignal] = {
    "create": on_contract_create,
    "activate": on_contract_activate,
    "suspend": on_contract_suspend,
    "reactivate": on_contract_reactivate,
    "cancel": on_contract_cancel,
}
PAST_TENSE = {"create": "created", "activate": "activated", "suspend": "suspended",
              "reactivate": "reactivated", "cancel": "cancelled"}

# backend name -> {addon (None outside an addon): representation function}
_REPRESENTATIONS: dict[str, dict[str | None, Callable]] = defaultdict(dict)


class PluginError(UserError):
    """A plugin's handler raised: the contract operation was rolled back, nothing was saved.

    ``plugin`` (addon), ``handler`` (function name), ``signal`` and
    ``contract`` (name) say where; the original exception is ``__cause__``.
    """

    def __init__(self, message: str, plugin: str, handler: str, signal_name: str, contract: str):
        super().__init__(message, plugin=plugin, handler=handler, signal=signal_name, contract=contract)
        self.plugin = plugin
        self.handler = handler
        self.signal = signal_name
        self.contract = contract


# -- connecting handlers ---------------------------------------------------------------------------
def backend_handler(sig: blinker.NamedSignal, backend: str) -> Callable:
    """Connect the decorated ``handler(contract, backend)`` to ``sig`` for contracts on ``backend`` only.

    The handler runs inside the contract's transaction and only in databases
    where its addon is installed.  If it raises, the whole contract operation
    is rolled back and the caller gets a ``PluginError`` naming the plugin.
    Returns the function unchanged; the connected receiver is kept on
    ``func._signal_guard`` (``sig.disconnect(func._signal_guard)`` removes it).

    Example::

        @backend_handler(on_contract_create, "smt")
        def created(contract, backend):
            contract.activated = True
    """
    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def handler(contract, **kwargs):
            if kwargs.get("backend") != backend:
                return None
            func(contract, **kwargs)
            return True  # tells send_event that this plugin handled the event

        receiver(sig)(handler)
        func._signal_guard = handler._signal_guard
        return func
    return decorator


def plugin_of(rcv: Callable) -> str:
    """The addon a receiver belongs to (its module name when it is not in an addon)."""
    module = inspect.unwrap(rcv).__module__
    return getattr(rcv, "addon", None) or addon_of(module) or module


def _handler_name(rcv: Callable) -> str:
    return inspect.unwrap(rcv).__qualname__


def _ordered_receivers(sig: blinker.NamedSignal, contract) -> list[Callable]:
    """Receivers in addon dependency order (blinker keeps them in a set: no order of its own)."""
    order = {name: n for n, name in enumerate(contract.env.registry.loaded_modules)}
    return sorted(sig.receivers_for(contract),
                  key=lambda rcv: (order.get(plugin_of(rcv), len(order)), _handler_name(rcv)))


# -- sending ---------------------------------------------------------------------------------------
def send_event(event: str, contract) -> list[str]:
    """Send the signal of ``event`` for one contract; return the plugins that handled it.

    A receiver counts as having handled the event when it returns a truthy
    value (``backend_handler`` handlers do when the backend is theirs).
    Raises ``PluginError`` when a receiver raises; rolling back is the caller's job.
    """
    name = contract.name  # as the caller knows it: handlers may change it before one fails
    handled = []
    for rcv in _ordered_receivers(SIGNALS[event], contract):
        try:
            if rcv(contract, backend=contract.backend):
                handled.append(plugin_of(rcv))
        except Exception as exc:
            raise _plugin_error(rcv, event, name, exc) from exc
    return list(dict.fromkeys(handled))


def _plugin_error(rcv: Callable, event: str, contract_name: str, exc: Exception) -> PluginError:
    plugin, handler, sig_name = plugin_of(rcv), _handler_name(rcv), SIGNALS[event].name
    _logger.warning("plugin %s: handler %s failed on %s for contract %r", plugin, handler, sig_name,
                    contract_name, exc_info=True)
    message = (f"Contract {contract_name!r} was not {PAST_TENSE[event]}: plugin {plugin!r} failed in its "
               f"handler {handler}() for {sig_name}: {str(exc) or type(exc).__name__}. Nothing was saved; "
               "fix the cause (the server log has the details) and try again.")
    return PluginError(message, plugin=plugin, handler=handler, signal_name=sig_name, contract=contract_name)


# -- representations -------------------------------------------------------------------------------
def backend_representation(backend: str) -> Callable:
    """Register the decorated ``func(contract) -> dict`` as the representation of ``backend``'s contracts.

    It replaces the plain backend name under ``"backend"`` in a contract's
    representation, in databases where the function's addon is installed.
    Returns the function unchanged.
    """
    def decorator(func: Callable) -> Callable:
        _REPRESENTATIONS[backend][addon_of(func.__module__)] = func
        return func
    return decorator


def get_pbe_info(backend: str, env) -> Callable | None:
    """The representation function of ``backend``'s plugin, or None ("get payment-backend information").

    ``env`` tells which database asks: a plugin only counts where it is
    installed.  Raises UserError when two installed plugins claim ``backend``.
    """
    found = {addon: func for addon, func in _REPRESENTATIONS.get(backend, {}).items()
             if addon is None or env.registry.is_installed(addon)}
    if len(found) > 1:
        raise UserError(f"Backend {backend!r} is represented by several installed plugins "
                        f"({', '.join(sorted(map(str, found)))}): uninstall all but one of them.")
    return next(iter(found.values()), None)


def handler_modules(registry) -> set[str]:
    """Modules of the lifecycle handlers active in ``registry``'s database; their loggers share these names."""
    modules = set()
    for sig in SIGNALS.values():
        for rcv in sig.receivers_for(blinker.ANY):
            if registry.is_installed(plugin_of(rcv)):
                modules.add(inspect.unwrap(rcv).__module__)
    return modules
