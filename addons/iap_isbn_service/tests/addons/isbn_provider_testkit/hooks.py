"""A slow provider on demand: ``PAUSES_AFTER_CAPTURE.append(seconds)`` delays the next captured request.

Tests run their servers in threads of the test process, so they reach this list directly.  The pause
happens in the request, after the platform captured and before the answer is sent: the client times out
although it was charged, which is the case ``request_id`` exists for.  Captures made outside a request
(the sender thread sending deferred ones) are not paused.
"""
from __future__ import annotations

import time

from odoo import signals
from odoo.addons.iap.tools.self_call import current_request

PAUSES_AFTER_CAPTURE: list[float] = []


@signals.receiver(signals.signal("iap_charge_captured"))
def pause_after_capture(sender, **payload) -> None:
    if PAUSES_AFTER_CAPTURE and current_request() is not None:
        time.sleep(PAUSES_AFTER_CAPTURE.pop(0))
