"""A fake external payment provider on 127.0.0.1: records every payment request, answers as told."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePaymentProvider:
    """``requests`` holds the JSON bodies received; ``fail_next`` answers that many with HTTP 503.

    ``before_answer(body)``, when set, runs before a request taken is answered (a provider that
    calls back at once, or a test looking at the database while the request travels).
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_next = 0
        self.before_answer = None
        self.lock = threading.Lock()
        self.url = ""

    def handle(self, body: dict) -> int:
        status = self._take(body)
        if status == 202 and self.before_answer is not None:
            self.before_answer(body)
        return status

    def _take(self, body: dict) -> int:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503
            self.requests.append(body)
            return 202


@contextmanager
def payment_provider():
    fake = FakePaymentProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            status = fake.handle(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"accepted": true}' if status == 202 else b'{"error": "busy"}')

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}/pay"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


class FakeInventory:
    """A remote inventory (``ticket_order.inventory_url``): ``calls`` lists ``(path, orderId)``; a booking
    is kept per order (booked twice, reserved once); ``before_answer(path, body)`` as for the provider."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.booked: dict[str, dict] = {}
        self.before_answer = None
        self.lock = threading.Lock()
        self.url = ""

    def handle(self, path: str, body: dict) -> dict:
        with self.lock:
            self.calls.append((path, body["orderId"]))
            answer = self._answer(path, body)
        if self.before_answer is not None:
            self.before_answer(path, body)
        return answer

    def _answer(self, path: str, body: dict) -> dict:
        if path == "/inventory/booking":
            return {"reserved": self.booked.setdefault(body["orderId"], body["orderEntries"])}
        if path == "/inventory/release":
            return {"released": sum(self.booked.pop(body["orderId"], {}).values())}
        return {"sold": sum(self.booked.get(body["orderId"], {}).values())}


@contextmanager
def inventory_server():
    fake = FakeInventory()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            answer = json.dumps(fake.handle(self.path, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
