"""``serve(config)``: run the HTTP server of ``odoo-bin.py`` until stopped; return the exit code.

* ``--workers 0``: werkzeug's server with a fixed pool of threads (their
  database connections are reused from one request to the next), for
  development;
* ``--workers N``: gunicorn's prefork server with N synchronous worker
  processes.  SIGTERM stops gracefully: workers finish the request they are
  serving (up to ``GRACEFUL_TIMEOUT`` seconds), then exit.

Both run the same ``Application``; everything workers share (sessions,
installed addons, data) lives in the database.
"""
from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from .. import signals
from ..config import Config
from ..http import Application
from ..modules.registry import Registry

_logger = logging.getLogger(__name__)

THREADS = 16
GRACEFUL_TIMEOUT = 30
WORKER_TIMEOUT = 120


def serve(config: Config) -> int:
    """Serve ``config``'s databases on ``http_interface:http_port`` until SIGINT/SIGTERM."""
    app = Application(config)
    host = config.get("http_interface") or "0.0.0.0"
    port = int(config.get("http_port") or 8069)
    workers = int(config.get("workers") or 0)
    if workers > 0:
        return serve_prefork(app, host, port, workers)
    return serve_threaded(app, host, port)


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its own request log line (the application logs each request)."""

    protocol_version = "HTTP/1.0"  # no keep-alive: an idle client never holds one of the pool's threads
    timeout = 60

    def log_request(self, code="-", size="-") -> None:
        pass


class PooledWSGIServer(BaseWSGIServer):
    """Werkzeug's server answering from a fixed pool of threads instead of a new thread per request."""

    multithread = True

    def __init__(self, host: str, port: int, app, threads: int = THREADS):
        super().__init__(host, port, app, handler=QuietHandler)
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="http")

    def process_request(self, request, client_address) -> None:
        self.pool.submit(self._process, request, client_address)

    def _process(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=True)


def make_threaded_server(app, host: str, port: int) -> PooledWSGIServer:
    """A bound, not yet serving, threaded server (``port=0`` picks a free port: see ``server_port``)."""
    return PooledWSGIServer(host, port, app)


def serve_threaded(app: Application, host: str, port: int) -> int:
    server = make_threaded_server(app, host, port)
    app.warm_up()
    stop = lambda *_args: threading.Thread(target=server.shutdown, daemon=True).start()  # noqa: E731
    signal.signal(signal.SIGTERM, stop)
    _logger.info("HTTP service (werkzeug, %d threads) running on %s:%s", THREADS, host, server.server_port)
    signals.server_started.send(app)
    try:
        server.serve_forever()
    finally:
        signals.server_stopping.send(app)
    _logger.info("HTTP service stopped")
    return 0


def serve_prefork(app: Application, host: str, port: int, workers: int) -> int:
    from gunicorn.app.base import BaseApplication

    class PreforkServer(BaseApplication):
        """gunicorn running our application object with options from our configuration."""

        def load_config(self) -> None:
            for key, value in prefork_options(app, host, port, workers).items():
                self.cfg.set(key, value)

        def load(self):
            return app

    # Connections opened before forking would be shared by every worker: close them in the master.
    Registry.forget_all()
    _logger.info("HTTP service (gunicorn, %d workers) running on %s:%s", workers, host, port)
    PreforkServer().run()
    return 0


def prefork_options(app: Application, host: str, port: int, workers: int) -> dict:
    return {
        "bind": f"{host}:{port}", "workers": workers, "worker_class": "sync",
        "timeout": WORKER_TIMEOUT, "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": None, "errorlog": "-", "loglevel": _gunicorn_level(app.config.get("log_level")),
        "proc_name": "odoo-style-server", "post_worker_init": lambda worker: _worker_started(app),
        "worker_exit": lambda server, worker: signals.server_stopping.send(app),
    }


def _worker_started(app: Application) -> None:
    app.warm_up()
    signals.server_started.send(app)


def _gunicorn_level(level) -> str:
    level = str(level or "info").lower()
    return {"warn": "warning"}.get(level, level)
