"""``http_client.PooledClient``: the IAP calls' JSON POST, connections kept while the server keeps them open,
the environment's proxies honoured."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests


class KeepAliveServer:
    """An HTTP/1.1 server on 127.0.0.1 answering ``{"path": ...}``; counts the connections it accepted.

    ``close_after`` > 0: it closes each connection once idle for that many seconds; ``delay``: it answers late.
    """

    def __init__(self, close_after: float = 0, delay: float = 0):
        self.connections = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = close_after or None

            def setup(self):
                super().setup()
                outer.connections += 1

            def do_POST(self):
                sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(delay)
                body = json.dumps({"path": self.path, "sent": sent}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *_args: None  # a client that gave up (the timeout test)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def client():
    from odoo.addons.iap.tools.http_client import PooledClient

    return PooledClient()


def test_calls_reuse_the_connection_the_server_keeps_open(client):
    server = KeepAliveServer()
    try:
        for number in range(3):
            reply = client.post(server.url + "/iap/1/x?q=1", json={"n": number}, timeout=5)
            assert reply.status_code == 200 and reply.json() == {"path": "/iap/1/x?q=1", "sent": {"n": number}}
        assert server.connections == 1
    finally:
        server.stop()


def test_a_connection_the_server_closed_meanwhile_is_replaced_before_the_call(client):
    server = KeepAliveServer(close_after=0.2)
    try:
        client.post(server.url + "/a", json={}, timeout=5)
        time.sleep(0.6)  # the server has closed the idle connection
        assert client.post(server.url + "/b", json={}, timeout=5).json()["path"] == "/b"
        assert server.connections == 2
    finally:
        server.stop()


def test_transport_failures_are_requests_exceptions(client):
    server = KeepAliveServer(delay=1)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            client.post(server.url + "/slow", json={}, timeout=0.2)
    finally:
        server.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        client.post(server.url + "/gone", json={}, timeout=2)


def test_the_environment_s_proxy_settings_apply(client, monkeypatch):
    """``trust_env`` is off for speed: the proxy variables must still route the calls (read once per origin)."""
    from odoo.addons.iap.tools import http_client

    server = KeepAliveServer()
    try:
        monkeypatch.setattr(http_client, "_proxies", {})
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # the discard port: nothing listens
        monkeypatch.setenv("NO_PROXY", "")
        with pytest.raises(requests.exceptions.ProxyError):
            client.post(server.url + "/via-proxy", json={}, timeout=2)
        monkeypatch.setattr(http_client, "_proxies", {})
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert client.post(server.url + "/direct", json={}, timeout=2).json()["path"] == "/direct"
    finally:
        server.stop()
