"""The stream consumer: follow a source's ``Transfer`` node and record every unprocessed item once.

It streams ``<node>.json?orderBy="processed"&equalTo=false`` (the seed's
query), and turns each item into a transfer (``receive_item``): each NEW
one is created ``queued`` and gets its job (``_dispatch``) in the transaction
that records it, and is
handed to the optional ``dispatch`` callback after the commit; items older than
the source's ``max_age_minutes`` become ``ignored_old``; a key seen before is
REPEATED (the database refuses the second INSERT); a malformed event or item
is an ERR event.  Nothing a stream sends stops the consumer.

When the connection drops, times out (no keep-alive for
``STREAM_READ_TIMEOUT``) or is cancelled, the consumer reconnects with
exponential backoff (0.5 s doubling to 30 s, reset by the first event of a
new connection); Firebase then sends the whole unprocessed set again, and
the unique key makes every already-known item a no-op, so nothing is lost
or doubled across reconnects and restarts.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import requests
from odoo import SUPERUSER_ID
from odoo.exceptions import UserError

from .firebase import FirebaseClient, SourceError, StreamEvent

_logger = logging.getLogger(__name__)
QUERY = {"orderBy": "processed", "equalTo": False}


@dataclass
class Backoff:
    initial: float = 0.5
    maximum: float = 30.0
    current: float = 0.0

    def next_delay(self) -> float:
        self.current = self.initial if not self.current else min(self.maximum, self.current * 2)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


@dataclass
class ConsumerStats:
    connections: int = 0
    events: int = 0
    new: int = 0
    repeated: int = 0
    old: int = 0
    errors: int = 0


class StreamConsumer:
    """Follows one ``transfer.source``; ``run(stop)`` until ``stop`` is set."""

    def __init__(self, registry, source_id: int, dispatch: Callable[[list[int]], None] | None = None,
                 backoff: Backoff | None = None, read_timeout: float | None = None):
        self.registry = registry
        self.source_id = source_id
        self.dispatch = dispatch
        self.backoff = backoff or Backoff()
        self.read_timeout = read_timeout
        self.stats = ConsumerStats()
        self._items: dict[str, dict] = {}

    # -- the connection loop -----------------------------------------------------------------------
    def run(self, stop: threading.Event) -> ConsumerStats:
        while not stop.is_set():
            try:
                self._follow(stop)
                reason = "the stream ended"
            except SourceError as exc:
                reason = str(exc)
            except requests.RequestException as exc:
                reason = f"the connection was lost ({type(exc).__name__})"
            except Reconnect as exc:
                reason = str(exc)
            delay = self.backoff.next_delay()
            self._status(f"reconnecting in {delay:g} s: {reason}")
            stop.wait(delay)
        return self.stats

    def _follow(self, stop: threading.Event) -> None:
        client, node = self._client()
        self.stats.connections += 1
        self._status("connected")
        for event in client.stream(node, QUERY):
            self.backoff.reset()
            self.stats.events += 1
            self.handle(event)
            if stop.is_set():
                return

    def _client(self) -> tuple[FirebaseClient, str]:
        with self.registry.cursor() as cr:
            source = self.registry.env(cr, SUPERUSER_ID)["transfer.source"].browse(self.source_id)
            client = FirebaseClient(source.base_url, source.auth_token, **_timeout(self.read_timeout))
            return client, source.node

    # -- events ----------------------------------------------------------------------------------------
    def handle(self, event: StreamEvent) -> None:
        """Record what one event says; never raises for bad input."""
        if event.kind == "keep-alive":
            return
        if event.kind == "malformed":
            self._orphan("ERR", f"malformed stream event: {event.data}")
            return
        if event.kind == "cancel":
            self._orphan("ERR", f"the source cancelled the stream: {event.data}")
            raise Reconnect(f"cancelled by the source: {event.data}")
        if event.kind == "auth_revoked":
            raise Reconnect("the source revoked the credential")
        self.receive(self._items_of(event))

    def _items_of(self, event: StreamEvent) -> list[tuple[str, object]]:
        """``(key, item)`` pairs for the items an event makes (re)appear; removals update the memory only."""
        parts = [p for p in event.path.split("/") if p]
        if not parts:
            if event.data is None:
                return []
            if not isinstance(event.data, dict):
                return [("/", event.data)]
            if event.kind == "put":
                self._items = {}
            return [pair for key, value in event.data.items() if (pair := self._merge(key, value, replace=True))]
        key = parts[0]
        if len(parts) == 1:
            pair = self._merge(key, event.data, replace=event.kind == "put")
        else:  # one field of an item changed: the item as it is now
            pair = self._merge(key, _nest(parts[1:], event.data), replace=False)
        return [pair] if pair else []

    def _merge(self, key: str, value, replace: bool):
        if value is None:
            self._items.pop(key, None)
            return None
        if replace or not isinstance(value, dict) or not isinstance(self._items.get(key), dict):
            self._items[key] = value
        else:
            self._items[key] = {**self._items[key], **value}
        return key, self._items[key]

    def receive(self, pairs: list[tuple[str, object]]) -> list[int]:
        """Record items in one transaction; dispatch the new transfers after it commits."""
        if not pairs:
            return []
        new_ids = []
        with self.registry.cursor() as cr:
            env = self.registry.env(cr, SUPERUSER_ID)
            source = env["transfer.source"].browse(self.source_id)
            Transfer = env["transfer.transfer"]
            for key, item in pairs:
                kind, transfer = self._receive_one(Transfer, source, key, item)
                self._count(kind)
                if kind == "NEW":
                    transfer._dispatch()
                    new_ids.append(transfer.id)
        if new_ids and self.dispatch:
            self.dispatch(new_ids)
        return new_ids

    @staticmethod
    def _receive_one(Transfer, source, key: str, item):
        if key == "/" or not key:
            return "ERR", Transfer._log_orphan("-", "ERR", f"the stream sent a value that is not an item: {item!r}"
                                               [:500])
        try:
            with Transfer.env.cr.savepoint():
                return Transfer.receive_item(source, key, item, queue=True)
        except UserError as exc:
            return "ERR", Transfer._log_orphan(key, "ERR", f"the item cannot be recorded: {exc}")

    def _count(self, kind: str) -> None:
        attribute = {"NEW": "new", "REPEATED": "repeated", "OLD": "old"}.get(kind, "errors")
        setattr(self.stats, attribute, getattr(self.stats, attribute) + 1)

    # -- bookkeeping -------------------------------------------------------------------------------------
    def _orphan(self, kind: str, detail: str) -> None:
        self.stats.errors += 1
        with self.registry.cursor() as cr:
            self.registry.env(cr, SUPERUSER_ID)["transfer.transfer"]._log_orphan("-", kind, detail[:2000])

    def _status(self, status: str) -> None:
        _logger.info("transfer source %s: %s", self.source_id, status)
        with self.registry.cursor() as cr:
            self.registry.env(cr, SUPERUSER_ID)["transfer.source"].browse(self.source_id).set_status(status)


class Reconnect(Exception):
    """The stream must be opened again (cancelled, credential revoked)."""


def _nest(parts: list[str], value):
    for part in reversed(parts):
        value = {part: value}
    return value


def _timeout(read_timeout: float | None) -> dict:
    return {"stream_read_timeout": read_timeout} if read_timeout else {}
