"""The HTTP client of the IAP helpers' own calls (``call_once``, ``call_idempotent``): one JSON POST, lean.

Why not ``requests``: it spends about 0.6 ms of CPU preparing each call (merging the session's and the
environment's settings: the proxy variables are read from ``os.environ`` and matched against the URL on
every call, cookies, hooks), as much as the rest of the call.  A provider charging ``deferred`` makes two
such calls per paid lookup (the authorize, then the capture from the outbox), and the platform may be
on the same machine.  This client does what those calls need and nothing else: a POST of a JSON body,
the caller's timeout, TLS verified against the bundle ``requests`` uses, and the connection kept for the
thread's next call when the server keeps it open (a TLS handshake is not repeated).

What the callers may rely on: ``post(url, json=, timeout=)`` returns a ``requests.Response`` and raises
``requests``' exceptions (``ConnectTimeout``, ``ReadTimeout``, ``ConnectionError``), as ``requests`` and
``self_call.InProcessClient`` do.  A URL the environment routes through a proxy (``HTTP(S)_PROXY``,
``NO_PROXY``, read once per origin and process) is sent with ``requests``, which knows proxies.  A kept
connection the server closed meanwhile is noticed before it is reused, never by resending a request.
"""
from __future__ import annotations

import http.client
import json as jsonlib
import os
import select
import socket
import ssl
import threading
from urllib.parse import urlsplit

import requests
import requests.certs
import requests.utils

from .self_call import response_of

HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "Connection": "keep-alive"}
_proxied: dict[tuple, bool] = {}
_tls: dict[str, ssl.SSLContext] = {}
_lock = threading.Lock()


class LeanClient:
    """One thread's client (it keeps that thread's connections: never share it between threads)."""

    def __init__(self):
        self._connections: dict[tuple, http.client.HTTPConnection] = {}
        self._requests: requests.Session | None = None

    def post(self, url: str, json=None, timeout=None) -> requests.Response:  # noqa: A002 (requests' name)
        parts = urlsplit(url)
        origin = (parts.scheme, parts.hostname, parts.port)
        if parts.scheme not in ("http", "https") or not parts.hostname or _through_proxy(url, origin):
            return self._fallback().post(url, json=json, timeout=timeout)
        connect_timeout, read_timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        connection = self._connection(origin, connect_timeout, url)
        try:
            connection.sock.settimeout(read_timeout)
            connection.request("POST", parts.path + (f"?{parts.query}" if parts.query else ""),
                               body=jsonlib.dumps(json).encode(), headers=HEADERS)
            reply = connection.getresponse()
            body = reply.read()
        except TimeoutError as exc:
            self._drop(origin)
            raise requests.exceptions.ReadTimeout(f"{url} did not answer within {read_timeout} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop(origin)
            raise requests.exceptions.ConnectionError(f"{url}: {exc or type(exc).__name__}") from exc
        if reply.will_close:
            self._drop(origin)
        return response_of(url, f"{reply.status} {reply.reason}", reply.getheaders(), body)

    def _connection(self, origin: tuple, timeout, url: str) -> http.client.HTTPConnection:
        """The kept connection to ``origin`` if the server did not close it, else a new one (connected)."""
        kept = self._connections.get(origin)
        if kept is not None and kept.sock is not None and not _closed_by_peer(kept.sock):
            return kept
        self._drop(origin)
        scheme, host, port = origin
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=_tls_context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.connect()
        except TimeoutError as exc:
            raise requests.exceptions.ConnectTimeout(f"{url}: no connection within {timeout} s") from exc
        except OSError as exc:
            raise requests.exceptions.ConnectionError(f"{url}: {exc}") from exc
        self._connections[origin] = connection
        return connection

    def _drop(self, origin: tuple) -> None:
        connection = self._connections.pop(origin, None)
        if connection is not None:
            connection.close()

    def _fallback(self) -> requests.Session:
        if self._requests is None:
            import http.cookiejar

            self._requests = requests.Session()
            self._requests.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        return self._requests


def _closed_by_peer(sock: socket.socket) -> bool:
    """Whether an idle kept connection became readable: the server closed it (or sent what nobody asked)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _through_proxy(url: str, origin: tuple) -> bool:
    proxied = _proxied.get(origin)
    if proxied is None:
        with _lock:
            proxied = _proxied[origin] = bool(requests.utils.get_environ_proxies(url))
    return proxied


def _tls_context() -> ssl.SSLContext:
    """Verified TLS against the bundle ``requests`` would use (its environment variables, else certifi's)."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or requests.certs.where()
    context = _tls.get(bundle)
    if context is None:
        with _lock:
            context = _tls[bundle] = ssl.create_default_context(cafile=bundle)
    return context
