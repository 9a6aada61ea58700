"""A fake IAP server on 127.0.0.1 answering in Odoo's JSON-RPC envelopes (stdlib only).

``fake_iap.routes[path] = handler`` where ``handler(params)`` returns the result, or raises ``OdooError``
(an application error, HTTP 200) or ``RawReply`` (any HTTP answer).  ``fake_iap.calls`` records
``(path, params)``.  ``FakePlatform`` is a small stateful platform for ``iap_charge`` and ``iap_sell``.
"""
from __future__ import annotations

import collections
import contextlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDIT_ERROR = "odoo.addons.iap.tools.iap_tools.InsufficientCreditError"


class OdooError(Exception):
    """Answer with Odoo's error envelope (HTTP 200); ``data`` extras are merged into ``error.data``."""

    def __init__(self, name: str | None, message: str = "", **extra):
        super().__init__(message)
        data = {"name": name, "message": message, "arguments": [message], "context": {}, "debug": "", **extra}
        self.data = {k: v for k, v in data.items() if v is not None}


class RawReply(Exception):
    """Answer with exactly this HTTP status and body (after ``delay`` seconds)."""

    def __init__(self, status: int = 200, body: str = "", delay: float = 0):
        super().__init__(status)
        self.status, self.body, self.delay = status, body, delay


class FakeIap:
    def __init__(self):
        self.routes: dict = {}
        self.calls: list[tuple[str, dict]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for path, _params in self.calls]

    @contextlib.contextmanager
    def serving(self):
        """Serve from a background thread for the duration of the block (a fixture's ``yield``)."""
        thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    def answer(self, path: str, request: dict) -> tuple[int, str]:
        self.calls.append((path, request.get("params")))
        if path not in self.routes:
            return 404, "not found"
        try:
            result = self.routes[path](request.get("params") or {})
        except OdooError as exc:
            error = {"code": 200, "message": "Odoo Server Error", "data": exc.data}
            return 200, json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "error": error})
        except RawReply as reply:
            time.sleep(reply.delay)
            return reply.status, reply.body
        return 200, json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "result": result})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, text = fake.answer(self.path, body)
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        return Handler


class FakePlatform:
    """Holds in a dict; ``failures[path]`` is a list of exceptions the next calls of ``path`` raise first."""

    def __init__(self, fake: FakeIap, balance: float = 10):
        self.balance, self.holds, self.captured, self.cancelled = balance, {}, {}, set()
        self.by_key: dict[str, str] = {}
        self.sales: dict[str, dict] = {}
        self.failures: dict[str, list] = {}
        for name in ("authorize", "capture", "cancel", "sale"):
            fake.routes[f"/iap/1/{name}"] = self._failing(f"/iap/1/{name}", getattr(self, name))

    def _failing(self, path, handler):
        def route(params):
            pending = self.failures.get(path)
            if pending:
                raise pending.pop(0)
            return handler(params)
        return route

    def authorize(self, params):
        if params.get("idempotency_key") in self.by_key:
            return self.by_key[params["idempotency_key"]]
        self._check_funds(params["credit"])
        token = "iaptx_" + uuid.uuid4().hex
        self.balance -= params["credit"]
        self.holds[token] = params["credit"]
        self.by_key[params.get("idempotency_key")] = token
        return token

    def _check_funds(self, credit) -> None:
        if credit > self.balance:
            message = {"title": "Insufficient Balance", "message": "no", "base_url": "http://p/iap/1/credit",
                       "service_name": "svc", "credit": credit, "trial": False}
            raise OdooError(CREDIT_ERROR, json.dumps(message), code="insufficient_credit")

    def sale(self, params):
        """Hold and capture at once; a repeated idempotency key replays the first sale."""
        key = params["idempotency_key"]
        if key in self.sales:
            return {**self.sales[key], "replayed": True}
        self._check_funds(params["credit"])
        captured = params.get("credit_to_capture")
        captured = params["credit"] if captured is None else captured
        token = "iaptx_" + uuid.uuid4().hex
        self.balance -= captured
        self.captured[token] = captured
        self.sales[key] = {"token": token, "state": "captured" if captured else "cancelled",
                           "authorized": params["credit"], "captured": captured, "replayed": False}
        return self.sales[key]

    def capture(self, params):
        token = params["token"]
        if token not in self.captured:
            amount = self.holds.pop(token)
            self.captured[token] = params["credit_to_capture"]
            self.balance += amount - params["credit_to_capture"]
        return {"token": token, "state": "captured"}

    def cancel(self, params):
        if params["token"] in self.holds:
            self.balance += self.holds.pop(params["token"])
            self.cancelled.add(params["token"])
        return {"token": params["token"], "state": "cancelled"}


ODOO_PARAMS = {  # the parameters Odoo's iap_tools sends, by route; Odoo's routes ignore any other
    "/iap/1/authorize": {"account_token", "credit", "key", "description", "ttl", "dbuuid"},
    "/iap/1/capture": {"token", "key", "credit_to_capture"},
    "/iap/1/cancel": {"token", "key"},
}


class OdooPlatform:
    """A stand-in for Odoo's own IAP platform (iap.odoo.com): authorize, capture and cancel, nothing else.

    It reads only Odoo's parameters (as Odoo's routes do, it ignores the others: an idempotency key is no
    use here), answers authorize with a bare transaction token, and treats a repeated capture or cancel
    as Odoo documents ("no further effect").  Any other route is a 404, as on Odoo's platform.
    ``accounts[token]`` are balances (``balance`` for a token not seen yet); ``charged[tx]`` and
    ``cancelled`` what happened to each hold.
    """

    def __init__(self, fake: FakeIap, key: str = "odoo-service-key", balance: float = 0):
        self.key, self.accounts = key, collections.defaultdict(lambda: balance)
        self.holds: dict[str, tuple[str, float]] = {}
        self.charged: dict[str, float] = {}
        self.cancelled: set[str] = set()
        self.failures: dict[str, list] = {}
        for path in ODOO_PARAMS:
            fake.routes[path] = self._route(path, getattr(self, path.rsplit("/", 1)[1]))

    def _route(self, path, handler):
        def route(params):
            pending = self.failures.get(path)
            if pending:
                raise pending.pop(0)
            params = {name: value for name, value in params.items() if name in ODOO_PARAMS[path]}
            if params.get("key") != self.key:
                raise OdooError("odoo.exceptions.AccessError", "Invalid service key")
            return handler(params)
        return route

    def authorize(self, params):
        token, credit = params["account_token"], params["credit"]
        if self.accounts[token] < credit:
            message = {"title": "Insufficient Balance", "message": "You don't have enough credits",
                       "base_url": "https://iap.odoo.test/iap/1/credit", "service_name": "book_isbn",
                       "credit": credit, "trial": False}
            raise OdooError(CREDIT_ERROR, json.dumps(message))
        self.accounts[token] -= credit
        transaction = uuid.uuid4().hex
        self.holds[transaction] = (token, credit)
        return transaction

    def capture(self, params):
        transaction = params["token"]
        if transaction in self.holds:
            account, held = self.holds.pop(transaction)
            captured = held if params.get("credit_to_capture") in (None, False) else params["credit_to_capture"]
            self.accounts[account] += held - captured
            self.charged[transaction] = captured
        return True

    def cancel(self, params):
        transaction = params["token"]
        if transaction in self.holds:
            account, held = self.holds.pop(transaction)
            self.accounts[account] += held
            self.cancelled.add(transaction)
        return True
