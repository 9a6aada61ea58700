"""RabbitMQ consumers inside the HTTP server: started and stopped with it (``server_started`` signals).

Each serving process runs one ``amqp.Consumer`` per database of ``-d`` where ``saga`` is installed,
when ``[saga] amqp_url`` (or ``ODOO_SAGA_AMQP_URL``) is set; otherwise nothing runs.
"""
from __future__ import annotations

from odoo import signals

from .amqp import Consumer, settings_for

_running: dict[int, list[Consumer]] = {}


def start_consumers(app, **_kwargs) -> None:
    consumers = []
    for name in app.databases.explicit_names() or ():
        settings = settings_for(app.config, name)
        if settings is None:
            return
        try:
            registry = app.databases.registry(name)
        except Exception:
            continue  # warm_up already logged it
        if registry.is_installed("saga"):
            consumers.append(Consumer(registry, settings).start())
    _running[id(app)] = consumers


def stop_consumers(app, **_kwargs) -> None:
    for consumer in _running.pop(id(app), []):
        consumer.stop(wait=True)


signals.server_started.connect(start_consumers, weak=False)
signals.server_stopping.connect(stop_consumers, weak=False)
