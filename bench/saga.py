"""Saga benchmark: ticket-order sagas completed per second against the same steps as plain chained jobs.

    python bench/saga.py [--orders 600] [--warmup 40] [--runs 3] [--workers 2] [--concurrency 4]

Needs PostgreSQL at 127.0.0.1:5432.  Each run makes a fresh database with ``ticket_order`` and starts a
server on it (``--workers 2`` HTTP processes, no job worker inside), which receives the payment
callbacks as in production, and ``--workers`` worker processes (``odoo-bin.py jobs worker``,
``--concurrency`` jobs each).  ``--warmup`` orders then go through every step first, so that every
process has loaded what it lazily loads and the workers are all polling; then ``--orders`` orders are
placed in one transaction and timed alone:

* saga: each order starts a ``ticket_order`` saga, the workers work them: reserve, request the
  payment from a fake provider on 127.0.0.1 that answers at once and posts the signed ``paid``
  callback to the server's ``/saga/1/message`` right away (the inbox), finish.
  Throughput: orders / (last completion - first job start), over the timed orders' jobs.
* plain: the same steps as plain jobs on the same workers, database and server: a ``chain()`` of
  reserve and request payment, and the same provider's immediate callback (to a plain route of
  ``bench_saga_baseline``) enqueues the finish job.  No saga engine: no inbox (no duplicate
  detection), no timeline, no wait timeout, no compensation.

Runs alternate which mode goes first (plain, saga; then saga, plain...), so that a drift of the
machine's load favours neither.  Prints both figures and their ratio, medians of ``--runs`` runs, the
per-step timings of ``saga stats``, and the CPU each mode spent per order by process (workers, server,
PostgreSQL, this process; ``cpu_time``): on a machine whose cores they all share, the ratio follows the
CPU per order, and these say where the engine's share goes.  Goal: saga >= 0.8x plain.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cpu_time import CpuMeter, owned_by, per_operation, process_tree  # noqa: E402  (bench/, on sys.path)

import server  # noqa: E402,F401  (installs the odoo alias)
from server import db as db_module  # noqa: E402
from server.config import ROOT, Config  # noqa: E402
from server.modules.loading import load_modules  # noqa: E402
from server.modules.registry import Registry  # noqa: E402
from server.orm.environment import SUPERUSER_ID, Environment  # noqa: E402
from server.testing_http import free_port  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
BENCH_ADDONS = Path(__file__).resolve().parent / "addons"
BODY = {"customerId": "bench", "amount": 200.0, "items": [{"id": "day-one", "amount": 200.0, "quantity": 1}]}


def committed(registry, func):
    with registry.cursor() as cr:
        return func(Environment(cr, SUPERUSER_ID, {}))


class Backlogged(ThreadingHTTPServer):
    """A listen backlog for every worker thread at once (the default 5 drops SYNs: 1 s client retries)."""

    request_queue_size = 128
    daemon_threads = True


class InstantProvider:
    """A payment provider that takes each request and calls the server back at once (saga or plain route)."""

    def __init__(self, registry, mode: str, server_url: str, threads: int):
        self.registry, self.mode, self.server_url = registry, mode, server_url
        self.secret = committed(registry, lambda env: env["ir.config_parameter"].get_param("saga.callback_secret"))
        self.session = requests.Session()
        self.session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=threads))
        self.pool = ThreadPoolExecutor(threads)
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(202)
                self.end_headers()
                provider.pool.submit(provider.pay if provider.mode == "saga" else provider.pay_plain, body["orderId"])

            def log_message(self, *_args):
                pass

        self.server = Backlogged(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/pay"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pay(self, order_uid: str) -> None:
        from odoo.addons.saga.controllers.message import sign

        # "early" (the step's action still ran) is a delivery too: the inbox keeps the message and applies it
        # when the step waits.  Anything else (the saga not there yet) is sent again, under a new id.
        for _try in range(50):
            body = json.dumps({"message_id": f"pay-{order_uid}-{uuid.uuid4().hex}", "type": "payment.result",
                               "business_key": order_uid, "saga_type": "ticket_order", "payload": {"status": "paid"},
                               "timestamp": time.time()}).encode()
            answer = self.post("/saga/1/message", data=body, headers={
                "Content-Type": "application/json", "X-Saga-Signature": sign(self.secret, body)})
            if answer.status_code == 200 and answer.json()["outcome"] in ("processed", "early"):
                return
            time.sleep(0.01)

    def pay_plain(self, order_uid: str) -> None:
        self.post("/bench_saga_baseline/paid", json={"orderId": order_uid}).raise_for_status()

    def post(self, path: str, **kwargs) -> requests.Response:
        """POST to the server, sent again when the connection fails (a kept-alive connection the server
        closed meanwhile): a callback lost in the pool's thread would leave its order waiting for good.
        The same body goes again: the saga's inbox applies a message id once."""
        for _try in range(20):
            try:
                return self.session.post(self.server_url + path, timeout=60, **kwargs)
            except requests.ConnectionError:
                time.sleep(0.05)
        return self.session.post(self.server_url + path, timeout=60, **kwargs)

    def close(self) -> None:
        self.server.shutdown()
        self.pool.shutdown(wait=True)


def make_database(name: str) -> Config:
    addons = [str(ROOT / "addons"), str(BENCH_ADDONS)]
    config = Config({"db_uri": f"{PG_SERVER}/{name}", "addons_path": ",".join(addons), "log_level": "warning",
                     "data_dir": str(ROOT / "data" / "bench"), "admin_passwd": "admin"})
    Registry.forget(load_modules(config, init="bench_saga_baseline"))
    return config


def start_server(config: Config) -> tuple[subprocess.Popen, str]:
    """The server that receives the callbacks: ``--workers 2``, no job worker inside (jobs are the workers')."""
    port = free_port()
    command = [sys.executable, "odoo-bin.py", "--db-uri", config["db_uri"], "--addons-path", config["addons_path"],
               "--data-dir", str(config.data_dir), "--http-port", str(port), "--http-interface", "127.0.0.1",
               "--workers", "2", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "ODOO_QUEUE_JOB_CHANNELS": "none"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/web/health", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the callback server did not start within 120 s")


def start_workers(config: Config, count: int, concurrency: int) -> list[subprocess.Popen]:
    command = [sys.executable, "odoo-bin.py", "jobs", "worker", "--channels", f"root:{concurrency}",
               "--poll", "0.5", "--db-uri", config["db_uri"],
               "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir), "--log-level", "warning"]
    return [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print(f"  warning: {' '.join(process.args[:3])}... did not stop within 60 s of SIGTERM: killed",
                  file=sys.stderr)
            process.kill()
            process.wait()


def place_orders(registry, mode: str, count: int) -> None:
    """Place ``count`` orders in one transaction: sagas started, or the plain chains enqueued."""
    def place(env):
        orders = env["ticket.order"]
        for _i in range(count):
            if mode == "saga":
                orders.place(BODY)
                continue
            orders.sudo().create({"customer_id": "bench", "amount_cents": 20000, "line_ids": [
                (0, 0, {"code": "day-one", "quantity": 1, "unit_cents": 20000})]})._bench_start_plain()
    committed(registry, place)


def wait_completed(registry, mode: str, count: int) -> None:
    deadline = time.monotonic() + 600
    while committed(registry, lambda env: env["ticket.order"].search_count([("status", "=", "COMPLETED")])) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{mode}: not all orders completed within 600 s")
        time.sleep(0.1)


CPU: dict[str, list[dict[str, float]]] = {}  # mode: CPU seconds by process group, one entry per run


def cpu_meter(server_process: subprocess.Popen, workers: list[subprocess.Popen]) -> CpuMeter:
    """The CPU of the timed orders: the job workers, the HTTP server, PostgreSQL (when it runs on this
    machine) and this process (the fake provider, the placing of the orders)."""
    return CpuMeter({
        "workers": lambda: [pid for worker in workers for pid in process_tree(worker.pid)],
        "server": lambda: process_tree(server_process.pid),
        "postgres": lambda: owned_by("postgres"),
        "bench": lambda: [os.getpid()],
    })


def run_once(args, mode: str) -> float:
    """One measurement: warm-up orders through every process first, then ``--orders`` orders timed."""
    name = f"bench_saga_{uuid.uuid4().hex[:8]}"
    config = make_database(name)
    registry = Registry.open(config)
    server_process, server_url = start_server(config)
    provider = InstantProvider(registry, mode, server_url, args.workers * args.concurrency)
    try:
        committed(registry, lambda env: (
            env["ir.config_parameter"].set_param("ticket_order.payment_url", provider.url),
            env["ticket.inventory"].search([("code", "=", "day-one")]).write(
                {"available": (args.warmup + args.orders) * 2})))
        workers = start_workers(config, args.workers, args.concurrency)
        try:
            place_orders(registry, mode, args.warmup)
            wait_completed(registry, mode, args.warmup)
            mark = committed(registry, lambda env: env.cr.execute("SELECT max(id) FROM queue_job").fetchone()[0])
            meter = cpu_meter(server_process, workers)
            meter.start()
            place_orders(registry, mode, args.orders)
            wait_completed(registry, mode, args.warmup + args.orders)
            CPU.setdefault(mode, []).append(meter.stop())
        finally:
            stop(workers)
        first, last = committed(registry, lambda env: env.cr.execute(
            "SELECT min(date_started), max(date_done) FROM queue_job WHERE id > %s AND state = 'done'",
            (mark,)).fetchone())
        if mode == "saga":
            print("  saga stats:", json.dumps([{k: row[k] for k in ("step", "phase", "count", "mean", "p95")}
                                               for row in committed(registry, lambda env: env["saga.instance"]
                                                                    .stats("ticket_order"))], default=str))
        return args.orders / max((last - first).total_seconds(), 1e-6)
    finally:
        provider.close()
        stop([server_process])
        Registry.forget_uri(config["db_uri"])
        db_module.drop_database(config["db_uri"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    results = {"saga": [], "plain": []}
    for run in range(args.runs):
        for mode in ("plain", "saga") if run % 2 == 0 else ("saga", "plain"):
            rate = run_once(args, mode)
            results[mode].append(rate)
            print(f"run {run + 1} {mode}: {rate:.1f} orders/s")
    saga, plain = statistics.median(results["saga"]), statistics.median(results["plain"])
    print("saga runs:", " / ".join(f"{r:.1f}" for r in results["saga"]),
          "; plain runs:", " / ".join(f"{r:.1f}" for r in results["plain"]))
    print(f"saga {saga:.1f} orders/s, plain chained jobs {plain:.1f} orders/s: {saga / plain:.2f}x (goal >= 0.8x)")
    for mode in ("saga", "plain"):
        spent = {name: statistics.median(run[name] for run in CPU[mode]) for name in CPU[mode][0]}
        print(f"  CPU ms per order, {mode} (medians): {per_operation(spent, args.orders)}")


if __name__ == "__main__":
    main()
