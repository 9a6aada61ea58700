"""pytest plugin: real HTTP servers on 127.0.0.1 for HTTP tests (``-p server.testing_http``).

Fixtures (every one runs on SQLite and PostgreSQL, like ``server.testing``'s):

* ``live_server``: a threaded server in this process, on a free port, serving
  a database with ``web`` and the test's ``@pytest.mark.addons(...)``
  installed.  Tests asking for the same addons share it: do not rely on an
  empty database.
* ``fresh_live_server``: the same on a database of the test's own.
* ``live_server_factory``: ``start(config)`` for servers with special
  options (``dev_mode``, ``dbfilter``...), stopped at the end of the session.
* ``server_process``: ``start(config, workers=N)`` runs ``odoo-bin.py`` in a
  subprocess (gunicorn when N > 0) and stops it at teardown.

``JsonRpcClient`` speaks Odoo's JSON-RPC over a cookie-keeping HTTP session.
Addons used only by HTTP tests live in ``tests/http/addons``.
"""
from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from . import testing
from .config import ROOT, Config
from .modules.registry import Registry

with warnings.catch_warnings():  # jsonrpcserver reads its schema with a deprecated call when first imported
    warnings.simplefilter("ignore", DeprecationWarning)
    import jsonrpcserver  # noqa: F401

HTTP_TEST_ADDONS = ROOT / "tests" / "http" / "addons"
SAMPLE_VALUES = {"int": "1", "float": "1.0", "path": "res.partner/search", "uuid": "0" * 32}
if HTTP_TEST_ADDONS.is_dir() and HTTP_TEST_ADDONS not in testing.EXTRA_ADDONS_PATHS:
    testing.EXTRA_ADDONS_PATHS.append(HTTP_TEST_ADDONS)


class RpcError(Exception):
    """A JSON-RPC error envelope, raised by ``JsonRpcClient.result``; ``.error`` is the ``error`` member."""

    def __init__(self, error: dict):
        super().__init__(error.get("data", {}).get("message") or error.get("message"))
        self.error = error

    @property
    def code(self) -> int:
        return self.error["code"]

    @property
    def name(self) -> str:
        return self.error["data"]["name"]


class JsonRpcClient:
    """Odoo's JSON-RPC over ``requests.Session`` (cookies kept, as a browser or OdooRPC would)."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        # The servers are on 127.0.0.1: no proxy applies, and reading the proxy variables of the
        # environment on every request costs about a third of the client's CPU per call.
        self.http.trust_env = False
        self._ids = itertools.count(1)

    def post(self, path: str, body: bytes | str, content_type: str | None = "application/json",
             **kwargs) -> requests.Response:
        headers = {"Content-Type": content_type} if content_type else {}
        headers.update(kwargs.pop("headers", {}))
        return self.http.post(self.url + path, data=body, headers=headers, timeout=30, **kwargs)

    def call(self, path: str, params: dict | None = None, **kwargs) -> dict:
        """POST a JSON-RPC request and return the whole response envelope."""
        payload = {"jsonrpc": "2.0", "method": "call", "params": params or {}, "id": next(self._ids)}
        response = self.http.post(self.url + path, json=payload, timeout=30, **kwargs)
        assert response.status_code == 200, (response.status_code, response.text[:500])
        return response.json()

    def result(self, path: str, **params):
        """The ``result`` of a call (None when the server omits it); RpcError for an error envelope."""
        envelope = self.call(path, params)
        if "error" in envelope:
            raise RpcError(envelope["error"])
        return envelope.get("result")

    def authenticate(self, db: str, login: str, password: str) -> dict:
        return self.result("/web/session/authenticate", db=db, login=login, password=password)

    def call_kw(self, model: str, method: str, args=(), kwargs: dict | None = None):
        return self.result(f"/web/dataset/call_kw/{model}/{method}", model=model, method=method,
                           args=list(args), kwargs=kwargs or {})

    def rpc(self, service: str, method: str, *args):
        return self.result("/jsonrpc", service=service, method=method, args=list(args))

    def execute_kw(self, db: str, uid: int, password: str, model: str, method: str, *args, **kwargs):
        """``object.execute_kw`` through ``/jsonrpc``: positional ``args`` and keyword ``kwargs`` of the method."""
        return self.rpc("object", "execute_kw", db, uid, password, model, method, list(args), kwargs)


@dataclass
class LiveServer:
    """A server answering on ``url`` for database ``db``."""

    url: str
    db: str
    config: Config
    app: object = None
    stop_callbacks: list = field(default_factory=list)

    def client(self) -> JsonRpcClient:
        return JsonRpcClient(self.url)

    def registry(self) -> Registry:
        return Registry.check_signaling(Registry.open(self.config))

    def stop(self) -> None:
        for callback in reversed(self.stop_callbacks):
            callback()
        self.stop_callbacks.clear()


def all_rules(live: LiveServer) -> list:
    """Every rule of every addon installed in the server's database, by URL."""
    from .http.routing import build_map

    return sorted(build_map(live.registry().loaded_modules).iter_rules(), key=lambda rule: rule.rule)


def sample_url(rule) -> str:
    """A concrete URL matching ``rule`` (placeholder values for its converters)."""
    def value(match: re.Match) -> str:
        converter = (match.group(1) or "default").split("(")[0]
        return SAMPLE_VALUES.get(converter, "common")
    return re.sub(r"<(?:([a-zA-Z_]+(?:\([^)]*\))?):)?[a-zA-Z_]+>", value, rule.rule)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_threaded(config: Config) -> LiveServer:
    """The application of ``config`` served by the ``--workers 0`` server in a thread of this process."""
    from .http import Application
    from .service.server import make_threaded_server

    app = Application(config)
    server = make_threaded_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{server.server_port}", config.database_name(), config, app)
    live.stop_callbacks.append(lambda: (server.shutdown(), thread.join(10)))
    return live


class LiveServers:
    """Threaded servers started during the session, stopped at its end."""

    def __init__(self, database_factory):
        self.database_factory = database_factory
        self.shared: dict[tuple, LiveServer] = {}
        self.started: list[LiveServer] = []

    def start(self, config: Config) -> LiveServer:
        live = start_threaded(config)
        self.started.append(live)
        return live

    def for_addons(self, backend: str, addons: tuple[str, ...], fresh: bool = False, **options) -> LiveServer:
        """A server on a database with ``addons`` (shared unless ``fresh``)."""
        key = (backend, addons, tuple(sorted(options.items())))
        if fresh or key not in self.shared:
            config = self.database_factory.create(backend, addons)
            config.options.update(options)
            live = self.start(config)
            if fresh:
                return live
            self.shared[key] = live
        return self.shared[key]

    def stop_all(self) -> None:
        for live in self.started:
            live.stop()


def http_addons(request) -> tuple[str, ...]:
    """``web`` plus the addons the test asks for."""
    return tuple(sorted(set(testing.addons_for(request)) | {"web"}))


@pytest.fixture
def all_addons_server(db_backend, live_server_factory) -> LiveServer:
    """A (shared) server on a database where every addon of the addons path is installed."""
    return live_server_factory.for_addons(db_backend, ("all",))


@pytest.fixture(scope="session")
def live_server_factory(database_factory):
    servers = LiveServers(database_factory)
    yield servers
    servers.stop_all()


@pytest.fixture
def live_server(request, db_backend, live_server_factory) -> LiveServer:
    return live_server_factory.for_addons(db_backend, http_addons(request))


@pytest.fixture
def fresh_live_server(request, db_backend, live_server_factory):
    live = live_server_factory.for_addons(db_backend, http_addons(request), fresh=True)
    yield live
    live.stop()
    live_server_factory.database_factory.release(live.config["db_uri"])


# -- servers in a subprocess ---------------------------------------------------------------------------
@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self, timeout: float = 40) -> int:
        """SIGTERM (graceful stop) and wait; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def write_config_file(config: Config, path: Path, **overrides) -> Path:
    keys = ("db_uri", "addons_path", "data_dir", "admin_passwd", "without_demo", "dev_mode", "dbfilter",
            "max_cron_threads")
    lines = ["[options]"]
    for key, value in {**{k: config.get(k) for k in keys}, **overrides}.items():
        lines.append(f"{key} = {'' if value is None else value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def start_process(config: Config, tmp_path: Path, workers: int = 0, timeout: float = 60,
                  **options) -> ServerProcess:
    """Run ``odoo-bin.py`` for ``config`` with ``workers`` (and other ``options`` of the configuration
    file) and wait until ``/web/health`` answers."""
    port = free_port()
    rc = write_config_file(config, tmp_path / f"server-{port}.conf", http_port=port, workers=workers,
                           http_interface="127.0.0.1", log_level="info", **options)
    log_path = tmp_path / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "odoo-bin.py"), "-c", str(rc)], cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log_path)
    _wait_until_up(server, timeout)
    return server


def _wait_until_up(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            if requests.get(server.url + "/web/health", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a worker still booting
            pass
        time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"server did not answer within {timeout} s:\n{server.log()}")


@pytest.fixture
def server_process(tmp_path):
    started: list[ServerProcess] = []

    def start(config: Config, workers: int = 0, **options) -> ServerProcess:
        server = start_process(config, tmp_path, workers, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.terminate()
