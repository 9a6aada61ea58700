"""A fake external payment provider on 127.0.0.1: records every payment request, answers as told."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePaymentProvider:
    """``requests`` holds the JSON bodies received; ``fail_next`` answers that many with HTTP 503."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self.url = ""

    def handle(self, body: dict) -> int:
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
