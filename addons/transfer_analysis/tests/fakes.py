"""The two third parties of the transfer tests (and of bench/transfers.py), as small real HTTP servers.

* ``FakeFirebase``: a Firebase Realtime Database REST server: ``GET
  <path>.json`` (JSON), ``PATCH <path>.json`` (merges, records the call),
  and with ``Accept: text/event-stream`` the streaming protocol, driven by
  scripts: each connection plays the next script of ``scripts`` (steps
  ``("put"|"patch", path, data)``, ``("keep-alive",)``, ``("raw", text)``,
  ``("cancel", text)``, ``("sleep", s)``, ``("drop",)``), then, with no
  script left, sends the unprocessed items and holds the connection open
  with keep-alives, sending each item ``add_transfer`` adds as a ``put``.
* ``FakeAnalysisApi``: ``GET /analyse?file=URL`` answers
  ``{"Data": {"RISKREPQ": ["a;b;<risk>"]}}`` after ``latency`` seconds;
  ``failures[url]`` lists answers to give first (an HTTP status, ``"timeout"``,
  ``"not-json"``, ``"no-risk"``); it counts calls and the most simultaneous.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    """Answers go out at once: headers and body are two writes, and with Nagle's algorithm the body
    would wait for the client's delayed ACK of the headers (40 ms on Linux), which no real server adds."""

    disable_nagle_algorithm = True


class _FakeBase:
    handler_class: type

    def __init__(self):
        self.httpd = _Server(("127.0.0.1", 0), self.handler_class)
        self.httpd.fake = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.closing = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# -- Firebase ------------------------------------------------------------------------------------------
class FakeFirebase(_FakeBase):
    def __init__(self, keepalive_every: float = 0.2):
        self.handler_class = _FirebaseHandler
        super().__init__()
        self.db: dict = {"Transfer": {}, "Encuestas": {}, "Personas": {}, "Cuenta": {}, "Usuarios": {}}
        self.scripts: list[list[tuple]] = []
        self.patches: list[tuple[str, dict]] = []
        self.patch_failures: int = 0  # the next N PATCHes answer 503
        self.stream_queries: list[dict] = []
        self.connections = 0
        self.keepalive_every = keepalive_every
        self.listeners: list[queue.Queue] = []
        self.lock = threading.Lock()
        self.first_put_at: dict[str, float] = {}

    def add_transfer(self, key: str, item: dict, notify: bool = True) -> None:
        with self.lock:
            self.db["Transfer"][key] = item
            listeners = list(self.listeners)
        for listener in listeners if notify else []:
            listener.put(("put", f"/{key}", item))

    def value(self, path: str):
        node = self.db
        for part in [p for p in path.split("/") if p]:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def unprocessed(self) -> dict:
        with self.lock:
            return {k: v for k, v in self.db["Transfer"].items() if isinstance(v, dict) and v.get("processed") is False}

    def patched(self, key: str) -> list[dict]:
        return [values for path, values in self.patches if path == f"Transfer/{key}"]


class _FirebaseHandler(_Handler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    @property
    def fake(self) -> FakeFirebase:
        return self.server.fake

    def _path(self) -> str:
        return unquote(urlparse(self.path).path).removesuffix(".json").strip("/")

    def _json(self, status: int, value) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if "text/event-stream" in self.headers.get("Accept", ""):
            return self._stream()
        return self._json(200, self.fake.value(self._path()))

    def do_PATCH(self):
        values = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with self.fake.lock:
            if self.fake.patch_failures > 0:
                self.fake.patch_failures -= 1
                return self._json(503, {"error": "try later"})
            path = self._path()
            self.fake.patches.append((path, values))
            node = self.fake.value(path)
            if isinstance(node, dict):
                node.update(values)
        return self._json(200, values)

    # -- streaming ---------------------------------------------------------------------------------
    def _stream(self):
        fake = self.fake
        with fake.lock:
            fake.connections += 1
            fake.stream_queries.append(parse_qs(urlparse(self.path).query))
            script = fake.scripts.pop(0) if fake.scripts else None
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self._play(script) if script is not None else self._live()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, event: str, data) -> None:
        text = data if isinstance(data, str) else json.dumps(data)
        self.wfile.write(f"event: {event}\ndata: {text}\n\n".encode())
        self.wfile.flush()

    def _put(self, kind: str, path: str, data) -> None:
        self._send(kind, {"path": path, "data": data})

    def _play(self, script: list[tuple]) -> None:
        for step in script:
            kind = step[0]
            if kind in ("put", "patch"):
                self._put(kind, step[1], step[2])
            elif kind == "keep-alive":
                self._send("keep-alive", "null")
            elif kind == "cancel":
                self._send("cancel", step[1])
            elif kind == "raw":
                self.wfile.write(step[1].encode())
                self.wfile.flush()
            elif kind == "sleep":
                time.sleep(step[1])
            elif kind == "drop":
                return

    def _live(self) -> None:
        fake = self.fake
        listener: queue.Queue = queue.Queue()
        with fake.lock:
            fake.listeners.append(listener)
        try:
            self._put("put", "/", fake.unprocessed() or None)
            while not fake.closing.is_set():
                try:
                    kind, path, data = listener.get(timeout=fake.keepalive_every)
                except queue.Empty:
                    self._send("keep-alive", "null")
                    continue
                fake.first_put_at.setdefault(path.strip("/"), time.monotonic())
                self._put(kind, path, data)
        finally:
            with fake.lock:
                fake.listeners.remove(listener)


# -- the analysis API --------------------------------------------------------------------------------------
class FakeAnalysisApi(_FakeBase):
    def __init__(self, latency: float = 0.0):
        self.handler_class = _ApiHandler
        super().__init__()
        self.latency = latency
        self.failures: dict[str, list] = defaultdict(list)
        self.calls: dict[str, int] = defaultdict(int)
        self.headers_seen: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.first_call_at: dict[str, float] = {}
        self.lock = threading.Lock()

    @staticmethod
    def risk_for(url: str) -> int:
        return 10 + sum(url.encode()) % 80

    def total_calls(self) -> int:
        return sum(self.calls.values())


class _ApiHandler(_Handler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: str, content_type: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        fake: FakeAnalysisApi = self.server.fake
        url = parse_qs(urlparse(self.path).query).get("file", [""])[0]
        with fake.lock:
            fake.calls[url] += 1
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            fake.headers_seen.append(dict(self.headers))
            fake.first_call_at.setdefault(url, time.monotonic())
            planned = fake.failures[url].pop(0) if fake.failures.get(url) else None
        try:
            time.sleep(fake.latency)
            self._respond(fake, url, planned)
        finally:
            with fake.lock:
                fake.in_flight -= 1

    def _respond(self, fake: FakeAnalysisApi, url: str, planned) -> None:
        if planned == "timeout":
            time.sleep(3)
            return self._answer(200, "{}")
        if planned == "not-json":
            return self._answer(200, "<html>upstream error</html>", "text/html")
        if planned == "no-risk":
            return self._answer(200, json.dumps({"Data": {"OTHER": [1]}}))
        if isinstance(planned, int):
            return self._answer(planned, json.dumps({"error": f"planned {planned}"}))
        risk = fake.risk_for(url)
        return self._answer(200, json.dumps({"Data": {"RISKREPQ": [f"{risk - 3};{risk - 1};{risk}"]}}))
