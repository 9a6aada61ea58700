"""The HTTP client of the IAP helpers' own calls (``call_once``, ``call_idempotent``): one per thread.

A ``requests.Session`` kept per thread, so the connections of a platform that keeps them open are
reused (no new TCP or TLS handshake per call), with what ``requests`` would otherwise read from the
environment on every call (proxy variables matched against the URL, ``.netrc``, the CA bundle
variables: about a fifth of a call's CPU) resolved once per origin and process.  No cookies are kept:
the IAP calls authenticate with their keys, never with a cookie a server set.

What the callers may rely on: ``post(url, json=, timeout=)`` returns a ``requests.Response`` and raises
``requests``' exceptions (``ConnectTimeout``, ``ReadTimeout``, ``ConnectionError``).
"""
from __future__ import annotations

import http.cookiejar
import os
import threading
from urllib.parse import urlsplit

import requests
import requests.utils

_proxies: dict[tuple, dict] = {}
_lock = threading.Lock()


class PooledClient:
    """One thread's client (its session keeps that thread's connections: never share it between threads)."""

    def __init__(self):
        self.session = requests.Session()
        self.session.trust_env = False  # read once per origin below, not on every call
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.session.verify = bundle

    def post(self, url: str, json=None, timeout=None) -> requests.Response:  # noqa: A002 (requests' name)
        return self.session.post(url, json=json, timeout=timeout, proxies=_proxies_for(url))


def _proxies_for(url: str) -> dict:
    """The proxies the environment sets for ``url``'s origin (``HTTP(S)_PROXY``, ``NO_PROXY``), read once."""
    parts = urlsplit(url)
    origin = (parts.scheme, parts.hostname, parts.port)
    proxies = _proxies.get(origin)
    if proxies is None:
        with _lock:
            proxies = _proxies[origin] = requests.utils.get_environ_proxies(url)
    return proxies


_threads = threading.local()


def thread_client() -> PooledClient:
    """This thread's client: no cookies kept, its connections kept per thread, the environment's settings
    read once. Threads never share a ``requests`` session (it is not thread-safe)."""
    client = getattr(_threads, "client", None)
    if client is None:
        client = _threads.client = PooledClient()
    return client
