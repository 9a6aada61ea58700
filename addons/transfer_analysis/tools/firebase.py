"""A Firebase Realtime Database REST client: GET, PATCH, and the streaming protocol.

Streaming (``stream()``): ``GET <node>.json`` with ``Accept: text/event-stream``
answers server-sent events named ``put``, ``patch``, ``keep-alive``,
``cancel`` and ``auth_revoked``; the data of ``put`` and ``patch`` is
``{"path": ..., "data": ...}``.  The events are parsed by **sseclient-py**
(``sseclient.SSEClient``), a small, maintained parser over any byte stream:
it leaves the HTTP to our pooled ``requests.Session`` (timeouts, the
``auth`` parameter, the connection pool) and reconnection to the consumer,
which must re-query the node after a reconnect anyway (Firebase sends the
whole current result again as a first ``put``), so an SSE client with its
own reconnect loop (``requests-sse``) would only get in the way.

The auth token travels as the ``auth`` query parameter; URLs are never
logged with it (``redact``).
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import requests
import sseclient

CONNECT_TIMEOUT = 10
# Firebase sends a keep-alive every 30 s: a read that waits longer means the connection is dead.
STREAM_READ_TIMEOUT = 75
REQUEST_TIMEOUT = 30


class _RedactAuth(logging.Filter):
    """urllib3 logs each request line, query string included, at DEBUG: hide the ``auth`` parameter there."""

    PATTERN = re.compile(r"([?&]auth=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(self.PATTERN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        return True


if not any(isinstance(f, _RedactAuth) for f in logging.getLogger("urllib3.connectionpool").filters):
    logging.getLogger("urllib3.connectionpool").addFilter(_RedactAuth())


class SourceError(Exception):
    """The source refused or failed a request; ``status`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class StreamEvent:
    """One event: ``kind`` (put, patch, keep-alive, cancel, auth_revoked), and for put/patch path and data."""

    kind: str
    path: str | None = None
    data: object = None


class FirebaseClient:
    def __init__(self, base_url: str, auth_token: str | None = None, session: requests.Session | None = None,
                 stream_read_timeout: float = STREAM_READ_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self._auth = auth_token or None
        self.session = session or requests.Session()
        self.stream_read_timeout = stream_read_timeout

    def __repr__(self) -> str:
        return f"FirebaseClient({self.base_url!r})"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{quote(path.strip('/'))}.json"

    def _params(self, extra: dict | None = None) -> dict:
        params = dict(extra or {})
        if self._auth:
            params["auth"] = self._auth
        return params

    def get(self, path: str):
        """The JSON value at ``path`` (None when there is nothing there)."""
        return self._call("GET", path)

    def patch(self, path: str, values: dict):
        """Update the children of ``path`` with ``values`` (idempotent: the same PATCH twice changes nothing)."""
        return self._call("PATCH", path, data=json.dumps(values))

    def _call(self, method: str, path: str, **kwargs):
        try:
            response = self.session.request(method, self.url(path), params=self._params(),
                                            timeout=(CONNECT_TIMEOUT, REQUEST_TIMEOUT), **kwargs)
        except requests.RequestException as exc:
            raise SourceError(f"{method} {redact(self.url(path))}: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise SourceError(f"{method} {redact(self.url(path))}: HTTP {response.status_code} "
                              f"{response.text[:200]}", response.status_code)
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"{method} {redact(self.url(path))}: the answer is not JSON") from None

    def stream(self, path: str, query: dict | None = None) -> Iterator[StreamEvent]:
        """The events of ``path`` (with a query such as orderBy/equalTo) until the connection ends.

        Raises ``SourceError`` when the stream cannot be opened; a malformed
        event is yielded as ``StreamEvent('malformed', data=<raw text>)`` so
        the consumer records it and carries on.
        """
        params = self._params({name: json.dumps(value) for name, value in (query or {}).items()})
        try:
            response = self.session.get(self.url(path), params=params, stream=True,
                                        headers={"Accept": "text/event-stream"},
                                        timeout=(CONNECT_TIMEOUT, self.stream_read_timeout))
        except requests.RequestException as exc:
            raise SourceError(f"stream {redact(self.url(path))}: {type(exc).__name__}") from None
        with response:
            if response.status_code != 200:
                raise SourceError(f"stream {redact(self.url(path))}: HTTP {response.status_code}",
                                  response.status_code)
            for event in sseclient.SSEClient(_arriving_bytes(response)).events():
                yield parse_event(event.event, event.data)


def _arriving_bytes(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: ``read1`` returns what the socket has, chunked or not.

    (``iter_content(chunk_size=None)`` waits for the end of the body when the
    server does not use chunked encoding, which an endless stream never reaches.)
    """
    raw = response.raw
    while True:
        try:
            chunk = raw.read1(65536, decode_content=True)
        except Exception as exc:  # urllib3's read errors: the connection is gone
            raise requests.ConnectionError(f"the stream broke: {type(exc).__name__}") from None
        if not chunk:
            return
        yield chunk


def parse_event(kind: str, text: str) -> StreamEvent:
    """A ``StreamEvent`` from an SSE event's name and data (``malformed`` when the data cannot be read)."""
    if kind in ("keep-alive", "auth_revoked"):
        return StreamEvent(kind)
    if kind == "cancel":
        return StreamEvent(kind, data=text)
    if kind not in ("put", "patch"):
        return StreamEvent("malformed", data=f"unknown event {kind!r}: {text[:200]}")
    try:
        payload = json.loads(text)
    except ValueError:
        return StreamEvent("malformed", data=f"{kind} data is not JSON: {text[:200]}")
    if not isinstance(payload, dict) or not isinstance(payload.get("path"), str) or "data" not in payload:
        return StreamEvent("malformed", data=f"{kind} data is not {{path, data}}: {text[:200]}")
    return StreamEvent(kind, payload["path"], payload["data"])


def redact(url: str) -> str:
    """``url`` without its query string (where the auth token is)."""
    return url.split("?", 1)[0]
