"""A stand-in for SMT: a small HTTP server on 127.0.0.1 (free port) speaking the API in ``smt_client``.

It records every request, creates subscriptions idempotently by ``reference``
as SMT does, checks the API key, and can be switched ``down`` (HTTP 503).
``on_request`` is called before answering, to look at the world from SMT's side.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CANCEL_PATH = re.compile(r"^/subscriptions/([^/]+)/cancel$")


class FakeSMT:
    def __init__(self, api_key: str = "s3cret"):
        self.api_key = api_key
        self.down = False
        self.requests: list[tuple[str, dict]] = []
        self.subscriptions: dict[str, dict] = {}
        self.on_request: Callable[[], None] | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api"

    def __enter__(self) -> FakeSMT:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, payload: dict, authorization: str | None) -> tuple[int, dict]:
        if self.on_request:
            self.on_request()
        self.requests.append((path, payload))
        if self.down:
            return 503, {"error": "SMT is under maintenance"}
        if authorization != f"Bearer {self.api_key}":
            return 401, {"error": "bad API key"}
        if path == "/api/subscriptions":
            return 201, self._create(payload)
        match = CANCEL_PATH.match(path.removeprefix("/api"))
        if match and match.group(1) in self.subscriptions:
            self.subscriptions[match.group(1)]["status"] = "cancelled"
            return 200, self.subscriptions[match.group(1)]
        return 404, {"error": f"no such resource {path}"}

    def _create(self, payload: dict) -> dict:
        for subscription in self.subscriptions.values():
            if subscription["reference"] == payload["reference"]:
                return subscription
        remote_id = f"SMT-{len(self.subscriptions) + 1}"
        self.subscriptions[remote_id] = {"id": remote_id, "status": "active", **payload}
        return self.subscriptions[remote_id]


def _handler_for(smt: FakeSMT) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            status, body = smt.answer(self.path, payload, self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args) -> None:  # noqa: A002
            pass

    return Handler
