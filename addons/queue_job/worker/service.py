"""Job workers inside the HTTP server: started and stopped with it (``server_started`` signals).

Each serving process (the threaded server, or each ``--workers`` process) runs one ``Worker`` per
database of ``-d`` where this addon is installed.  Channels: ``[queue_job] channels = root:2`` in
the configuration file, or ``ODOO_QUEUE_JOB_CHANNELS``; default ``root:1``; ``none`` runs no worker
in the server (then run ``odoo-bin.py jobs worker`` processes).
"""
from __future__ import annotations

import logging
import os

from odoo import signals

from .channels import parse_channels
from .worker import Worker

_logger = logging.getLogger(__name__)
DEFAULT_CHANNELS = "root:1"
_running: dict[int, list[Worker]] = {}


def configured_channels(config) -> str:
    """The channel string for in-server workers (environment first, then the file's section)."""
    return (os.environ.get("ODOO_QUEUE_JOB_CHANNELS") or config.misc.get("queue_job", {}).get("channels")
            or DEFAULT_CHANNELS).strip()


def start_server_workers(app, **_kwargs) -> None:
    channels = configured_channels(app.config)
    if channels.lower() in ("none", "0", "off"):
        return
    slots = parse_channels(channels)
    workers = []
    for name in app.databases.explicit_names() or ():
        try:
            registry = app.databases.registry(name)
        except Exception:
            continue  # warm_up already logged it
        if registry.is_installed("queue_job"):
            workers.append(Worker(registry, slots).start())
    _running[id(app)] = workers


def stop_server_workers(app, **_kwargs) -> None:
    for worker in _running.pop(id(app), []):
        worker.stop(wait=True)


signals.server_started.connect(start_server_workers, weak=False)
signals.server_stopping.connect(stop_server_workers, weak=False)
