"""The HTTP client of the IAP helpers' own calls (``call_once``, ``call_idempotent``): one per thread.

A ``requests.Session`` kept per thread, so the connections of a platform that keeps them open are
reused (no new TCP or TLS handshake per call), with what ``requests`` would otherwise read from the
environment on every call (proxy variables matched against the URL, ``.netrc``, the CA bundle
variables: about a fifth of a call's CPU) resolved once per origin and process.  The request to each URL
is prepared once (its URL parsed, the session's headers merged: another quarter of a call's CPU) and
copied for each call, which only adds its JSON body (``Session.send`` of a ``PreparedRequest``, as
``requests`` documents it).  No cookies are kept: the IAP calls authenticate with their keys, never with
a cookie a server set.

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
MAX_PREPARED = 64  # URLs whose prepared request a client keeps (the platform's few routes)
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
        self._prepared: dict[str, requests.PreparedRequest] = {}

    def post(self, url: str, json=None, timeout=None) -> requests.Response:  # noqa: A002 (requests' name)
        request = self._prepared_post(url).copy()
        request.prepare_body(data=None, files=None, json=json)
        return self.session.send(request, timeout=timeout, proxies=_proxies_for(url))

    def _prepared_post(self, url: str) -> requests.PreparedRequest:
        """A POST to ``url`` without a body, prepared by the session once (a handful of URLs per process)."""
        prepared = self._prepared.get(url)
        if prepared is None:
            if len(self._prepared) >= MAX_PREPARED:
                self._prepared.clear()
            prepared = self._prepared[url] = self.session.prepare_request(requests.Request("POST", url))
        return prepared


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
