"""What the demo's tests share: waiting for the provider to settle with the platform (same database)."""
from __future__ import annotations

import time

from server.modules.registry import Registry
from server.orm.environment import SUPERUSER_ID, Environment


def wait_until_settled(config, timeout: float = 120) -> None:
    """Wait until the captures and releases the provider queued (``charging="deferred"``, the default)
    were sent by its sender thread: the platform's figures are final then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Registry.open(config).cursor(readonly=True) as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            if not env["iap.pending.op"].search_count([("state", "=", "pending")]):
                return
        time.sleep(0.05)
    raise AssertionError(f"captures still queued after {timeout} s")
