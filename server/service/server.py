"""``serve(config)``: run the HTTP server of ``odoo-bin.py`` until stopped; return the exit code.

* ``--workers 0``: werkzeug's server with a pool of threads (their
  database connections are reused from one request to the next), for
  development;
* ``--workers N``: gunicorn's prefork server with N worker processes, each
  serving requests from a pool of threads (gunicorn's ``gthread`` worker with
  Odoo's limits, ``workers.py``).  SIGTERM stops gracefully: workers finish
  the requests they are serving (up to ``GRACEFUL_TIMEOUT`` seconds), then exit.

Both pools grow while every thread is busy (``threads.py``): a request that
calls this same server over HTTP never waits for a thread its caller holds.

Both run the same ``Application``; everything workers share (sessions,
installed addons, data) lives in the database.
"""
from __future__ import annotations

import errno
import logging
import signal
import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from .. import signals
from ..config import Config
from ..http import Application
from ..modules.registry import Registry
from .cron import start_cron_process, start_cron_threads
from .threads import ElasticThreadPool

_logger = logging.getLogger(__name__)

THREADS = 16  # steady threads of the threaded server (--workers 0)
WORKER_THREADS = 8  # steady threads of each worker process (--workers N)
MAX_REQUESTS_JITTER = 0.1  # workers recycle after limit_request plus up to 10 %, not all at once
GRACEFUL_TIMEOUT = 30
STOP_POLL_INTERVAL = 0.1  # how soon serve_forever notices a stop
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


class PortInUse(Exception):
    """The HTTP port is taken by another process; the message names it and the fix."""


def thread_count(config: Config) -> int:
    """``--threads``, else the default of the mode (``THREADS`` threaded, ``WORKER_THREADS`` per worker)."""
    threads = int(config.get("threads") or 0)
    if threads > 0:
        return threads
    return WORKER_THREADS if int(config.get("workers") or 0) > 0 else THREADS


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its own request log line (the application logs each request)."""

    protocol_version = "HTTP/1.0"  # no keep-alive: an idle client never holds one of the pool's threads
    timeout = 60

    def log_request(self, code="-", size="-") -> None:
        pass

    def run_wsgi(self) -> None:
        """Serve one parsed request, counted so that a stop waits for it (and not for idle connections)."""
        self.server.request_started()
        try:
            super().run_wsgi()
        finally:
            self.server.request_finished()


class PooledWSGIServer(BaseWSGIServer):
    """Werkzeug's server answering from an elastic pool of threads instead of a new thread per request."""

    multithread = True

    def __init__(self, host: str, port: int, app, threads: int = THREADS):
        self.pool = ElasticThreadPool(threads)
        self.in_flight = 0
        self._quiet = threading.Condition()
        super().__init__(host, port, app, handler=QuietHandler)

    def request_started(self) -> None:
        with self._quiet:
            self.in_flight += 1

    def request_finished(self) -> None:
        with self._quiet:
            self.in_flight -= 1
            self._quiet.notify_all()

    def wait_for_requests(self, timeout: float = GRACEFUL_TIMEOUT) -> bool:
        """Wait until no request is being served (connections that sent nothing yet do not count)."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self.in_flight == 0, timeout)

    def server_bind(self) -> None:
        try:
            super().server_bind()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            host, port = self.server_address[:2]
            raise PortInUse(f"port {port} on {host or '0.0.0.0'} is already in use by another process: "
                            "stop it or pass another --http-port") from None

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
        """Stop listening, let the requests being served finish, and leave idle connections to die with
        the process (their threads are daemons): a stop takes as long as the slowest request, no longer."""
        super().server_close()
        self.pool.shutdown(wait=False)
        if not self.wait_for_requests():
            _logger.warning("stopped with %d request(s) still running after %d s", self.in_flight, GRACEFUL_TIMEOUT)


def make_threaded_server(app, host: str, port: int, threads: int = THREADS) -> PooledWSGIServer:
    """A bound, not yet serving, threaded server (``port=0`` picks a free port: see ``server_port``)."""
    return PooledWSGIServer(host, port, app, threads)


def serve_threaded(app: Application, host: str, port: int) -> int:
    threads = thread_count(app.config)
    server = make_threaded_server(app, host, port, threads)
    app.warm_up()
    cron_runner = start_cron_threads(app.config)
    stop = lambda *_args: threading.Thread(target=server.shutdown, daemon=True).start()  # noqa: E731
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _logger.info("HTTP service (werkzeug, %d threads) running on %s:%s", threads, host, server.server_port)
    signals.server_started.send(app)
    try:
        server.serve_forever(poll_interval=STOP_POLL_INTERVAL)
    finally:
        signals.server_stopping.send(app)
        server.server_close()
        if cron_runner:
            cron_runner.stop()
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

    check_port_free(host, port)
    # Connections opened before forking would be shared by every worker: close them in the master.
    Registry.forget_all()
    start_cron_process(app.config)
    _logger.info("HTTP service (gunicorn, %d workers of %d threads) running on %s:%s", workers,
                 thread_count(app.config), host, port)
    PreforkServer().run()
    return 0


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse now rather than let gunicorn retry for seconds and exit with its own message."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise PortInUse(f"port {port} on {host} is already in use by another process: "
                            "stop it or pass another --http-port") from None


def prefork_options(app: Application, host: str, port: int, workers: int) -> dict:
    config = app.config
    max_requests = int(config.get("limit_request") or 0)
    return {
        "bind": f"{host}:{port}", "workers": workers,
        "worker_class": "server.service.workers.LimitedThreadWorker", "threads": thread_count(config),
        "max_requests": max(max_requests, 0), "max_requests_jitter": int(max_requests * MAX_REQUESTS_JITTER),
        "timeout": WORKER_TIMEOUT, "graceful_timeout": GRACEFUL_TIMEOUT,
        # gunicorn's control socket has one path per user: a second server would take the first one's.
        "control_socket_disable": True,
        "accesslog": None, "errorlog": "-", "loglevel": _gunicorn_level(app.config.get("log_level")),
        "proc_name": "odoo-style-server", "post_worker_init": lambda worker: _worker_started(app),
        "post_fork": lambda server, worker: worker.note_master_signals(getattr(server, "SIG_QUEUE", None)),
        "worker_exit": lambda server, worker: signals.server_stopping.send(app),
    }


def _worker_started(app: Application) -> None:
    app.warm_up()
    signals.server_started.send(app)


def _gunicorn_level(level) -> str:
    level = str(level or "info").lower()
    return {"warn": "warning"}.get(level, level)
