"""The stream consumer against a Firebase-style SSE server: keep-alives, drops, duplicates, old and bad items."""
from __future__ import annotations

import json
import threading
import time

import pytest
from odoo.addons.transfer_analysis.tools.firebase import parse_event
from odoo.addons.transfer_analysis.tools.followups import FOLLOW_UPS
from odoo.addons.transfer_analysis.tools.stream_consumer import Backoff, StreamConsumer

from .conftest import make_item


def _consume(registry, source_id, until, timeout: float = 30, **kwargs):
    """Run a consumer until ``until(consumer, dispatched)`` is true; return both."""
    dispatched: list[int] = []
    consumer = StreamConsumer(registry, source_id, dispatched.extend, backoff=Backoff(initial=0.05, maximum=0.2),
                              **kwargs)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while not until(consumer, dispatched):
            assert time.monotonic() < deadline, f"consumer did not get there: {consumer.stats}"
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(10)
    return consumer, dispatched


def _events(registry) -> list[tuple]:
    with registry.cursor() as cr:
        return [(e.kind, e.key) for e in registry.env(cr)["transfer.event"].search([], order="id")]


def _transfers(registry) -> dict:
    with registry.cursor() as cr:
        return {t.key: t.state for t in registry.env(cr)["transfer.transfer"].search([])}


def test_drops_duplicates_old_and_malformed_events(configured, firebase):
    registry, source_id = configured
    a, b, old = make_item(), make_item(), make_item(age_minutes=5000)
    firebase.scripts = [
        [("put", "/", {"A": a, "OLD": old}), ("keep-alive",), ("raw", "event: put\ndata: {not json\n\n"),
         ("put", "/A", a), ("drop",)],                                    # a duplicate put, then the line drops
        [("put", "/", {"A": a}), ("keep-alive",), ("put", "/B", b), ("patch", "/B", {"key_persona": "p2"}),
         ("put", "/C", "just a string"), ("put", "/A", None), ("drop",)],  # after the reconnect: A again, B new
    ]
    consumer, dispatched = _consume(registry, source_id, lambda c, d: firebase.connections >= 3)
    assert _transfers(registry) == {"A": "queued", "B": "queued", "OLD": "ignored_old"}
    with registry.cursor() as cr:
        ids = {t.key: t.id for t in registry.env(cr)["transfer.transfer"].search([])}
    assert sorted(dispatched) == sorted([ids["A"], ids["B"]])            # each new transfer handed over once
    kinds = [kind for kind, _key in _events(registry)]
    assert kinds.count("NEW") == 2 and kinds.count("OLD") == 1
    assert kinds.count("REPEATED") == 3  # A's duplicate put, A after the reconnect, B's patch
    assert [key for kind, key in _events(registry) if kind == "ERR"] == ["-", "C"]
    assert consumer.stats.connections >= 3
    assert firebase.stream_queries[0]["orderBy"] == ['"processed"'] and firebase.stream_queries[0]["equalTo"] == \
        ["false"]
    assert firebase.stream_queries[0]["auth"] == ["db-token"]


def test_cancel_and_auth_revoked_reconnect(configured, firebase):
    registry, source_id = configured
    firebase.scripts = [[("cancel", "Permission denied")], [("raw", "event: auth_revoked\ndata: credential expired"
                                                                    "\n\n")]]
    firebase.add_transfer("LIVE", make_item())
    consumer, _dispatched = _consume(registry, source_id, lambda c, d: c.stats.new == 1)
    assert firebase.connections >= 3
    assert any(kind == "ERR" and key == "-" for kind, key in _events(registry))


def test_a_silent_connection_is_dropped_after_the_read_timeout(configured, firebase):
    registry, source_id = configured
    firebase.scripts = [[("sleep", 3)]]  # no keep-alive at all
    firebase.add_transfer("LATE", make_item())
    consumer, _dispatched = _consume(registry, source_id, lambda c, d: c.stats.new == 1, read_timeout=0.5)
    assert firebase.connections >= 2


@pytest.mark.parametrize("kind, text, expected", [
    ("put", json.dumps({"path": "/", "data": None}), ("put", "/", None)),
    ("patch", json.dumps({"path": "/k", "data": {"a": 1}}), ("patch", "/k", {"a": 1})),
    ("keep-alive", "null", ("keep-alive", None, None)),
    ("put", "[1, 2]", ("malformed", None, None)),
    ("put", json.dumps({"data": 1}), ("malformed", None, None)),
    ("weird", "{}", ("malformed", None, None)),
])
def test_parse_event(kind, text, expected):
    event = parse_event(kind, text)
    assert event.kind == expected[0]
    if expected[0] != "malformed":
        assert (event.path, event.data) == expected[1:]


def test_streamed_transfers_are_analysed_once_each_within_capacity(configured, firebase, api, job_worker):
    registry, source_id = configured
    api.latency = 0.05
    with registry.cursor() as cr:
        registry.env(cr)["ir.config_parameter"].set_param("transfer_analysis.max_connections", "3")
    job_worker(registry, capacity=8)  # more threads than the channel's capacity: the capacity wins
    for n in range(12):
        firebase.add_transfer(f"S{n}", make_item())
    firebase.add_transfer("S-old", make_item(age_minutes=9999))
    consumer = StreamConsumer(registry, source_id, backoff=Backoff(initial=0.05, maximum=0.2))
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 240  # a bound, not a timing: the machine may be loaded
        while sum(1 for s in _transfers(registry).values() if s == "done") < 12:
            assert time.monotonic() < deadline, _transfers(registry)
            time.sleep(0.1)
        firebase.add_transfer("S-late", make_item())  # while the stream is open
        while _transfers(registry).get("S-late") != "done":
            assert time.monotonic() < deadline, _transfers(registry)
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(10)
    FOLLOW_UPS.wait()  # the jobs leave the write-backs to the process's follow-up threads
    assert api.max_in_flight <= 3
    assert all(count == 1 for count in api.calls.values()) and len(api.calls) == 13 * 3
    assert sorted(path for path, _values in firebase.patches) == sorted(
        f"Transfer/{key}" for key in [f"S{n}" for n in range(12)] + ["S-late"])
    assert _transfers(registry)["S-old"] == "ignored_old"
