"""Benchmark of the ISBN service (issue #18): what charging costs per lookup, for each way of charging.

Two servers run as separate processes on 127.0.0.1, each on its own database: the IAP platform and the
ISBN provider (with the test kit's uncharged route).  The same lookups are sent to the provider's
``/get_book_data`` and to ``/bench/get_book_data_free`` (the same key check, validation and search, no
charge), by the same concurrent clients, in alternating rounds of one run.  Each client has an IAP
account of its own and sends a new request id with every call; one ISBN in four is in no catalogue.

``/get_book_data`` runs the lookup inside ``iap_charge`` and is measured for each setting of
``iap_isbn_service.charging``:

* ``odoo``: Odoo's protocol, authorize then capture (or cancel) while the client waits;
* ``deferred``: authorize while the client waits, the capture queued and sent after the commit;
* ``quota``: charged against quotas granted in advance (``--quota-credit`` credits, default 100, for
  60 s, reported every 50 calls: a provider serving many small paid calls per customer).

Goals: deferred >= 0.5x and quota >= 0.9x the uncharged lookup (Odoo's three-request design: ~0.33x).

After each charged round the provider's outbox is left to empty, and that time counts in the round: a
deferred round's calls/s are its calls over the round's seconds plus the seconds its queued captures took
to send (they would otherwise be sent during, and slow down, the next round).  What was left is printed
below the figures, with the CPU each path spent per call in each process (``cpu_time``): the provider
serves from one process, so a path whose provider CPU per call is twice the lookup's cannot go faster than
half its rate, whatever the platform does.

Run: ``python bench/isbn.py [--seconds S] [--rounds R] [--concurrency C] [--backend sqlite|postgresql]``.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import importlib
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cpu_time import CpuMeter, per_operation, process_tree  # noqa: E402  (bench/, on sys.path)

TESTKIT = ROOT / "addons" / "iap_isbn_service" / "tests" / "addons"
ADDONS_PATH = ",".join(str(p) for p in (ROOT / "addons", TESTKIT))
PG_PREFIX = "postgresql://postgres@127.0.0.1:5432/"
SERVICE_KEY = "iapk_demo_book_isbn_key"  # the demo service of iap_platform, set on the provider by its demo
ISBNS = ("9780439023481", "978-0-7432-7356-5", "0618260307", "9780000000002")  # the last one is not found
CHARGED, FREE = "/get_book_data", "/bench/get_book_data_free"
CHARGINGS = ("odoo", "deferred", "quota")
GOALS = {"deferred": 0.5, "quota": 0.9}


# -- databases and servers ---------------------------------------------------------------------------------
def odoo_bin(db_uri: str, *args: str, stdin: str | None = None) -> str:
    """Run ``odoo-bin.py ARGS`` on ``db_uri``; its output (exit on failure)."""
    command = [sys.executable, "odoo-bin.py", *args, "--db-uri", db_uri, "--addons-path", ADDONS_PATH,
               "--log-level", "warn"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, input=stdin)
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}{done.stderr}")
    return done.stdout


def database_uri(backend: str, tmp: Path, name: str) -> str:
    return f"sqlite:///{tmp / (name + '.sqlite3')}" if backend == "sqlite" else PG_PREFIX + name


def client_tokens(concurrency: int) -> list[str]:
    """One IAP account per concurrent client, as a provider serving many customer databases sees."""
    return [f"bench-isbn-client-{index}" for index in range(concurrency)]


def create_databases(backend: str, tmp: Path, tokens: list[str], credits: int) -> tuple[str, str]:
    """The platform's database (the demo service, every token funded) and the provider's."""
    suffix = uuid.uuid4().hex[:8]
    platform, provider = database_uri(backend, tmp, f"bench_platform_{suffix}"), \
        database_uri(backend, tmp, f"bench_provider_{suffix}")
    odoo_bin(platform, "-i", "iap_platform", "--stop-after-init")
    topups = "".join(f"env['iap.platform.account'].admin_topup('book_isbn', {token!r}, {credits})\n"
                     for token in tokens)
    odoo_bin(platform, "shell", stdin=topups + "env.cr.commit()\n")
    odoo_bin(provider, "-i", "iap_isbn_service,isbn_provider_testkit", "--stop-after-init")
    return platform, provider


def start_server(db_uri: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", "--db-uri", db_uri, "--addons-path",
               ADDONS_PATH, "--http-port", str(port), "--http-interface", "127.0.0.1", "--workers", str(workers),
               "--log-level", "warn"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    wait_until_up(process, f"http://127.0.0.1:{port}", log)
    return process


def wait_until_up(process: subprocess.Popen, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server {url} exited:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(url + "/web/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"server {url} did not start within {timeout} s:\n{log.read_text(errors='replace')}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve() -> int:
    """The server command (``--serve ARGS``), with ``iap_platform``'s routes imported.

    ``iap_platform`` does not import its controllers yet; importing them here is harmless once it does.
    """
    import server  # noqa: F401  (the odoo alias)
    from server.addons import set_addons_path
    from server.cli import main

    set_addons_path([ROOT / "server" / "addons", ROOT / "addons"])
    importlib.import_module("odoo.addons.iap_platform.controllers")
    sys.argv = ["odoo-bin.py", *sys.argv[2:]]
    return main()


# -- load -------------------------------------------------------------------------------------------------
def call(session: requests.Session, url: str, token: str, isbn: str) -> None:
    params = {"account_token": token, "isbn_number": isbn, "request_id": uuid.uuid4().hex}
    reply = session.post(url, json={"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}, timeout=30)
    body = reply.json()
    if "error" in body or body["result"]["status"] not in ("found", "not found"):
        raise SystemExit(f"{url} answered {body}")


def calls_per_second(url: str, seconds: float, tokens: list[str]) -> float:
    """Calls completed per second by one client per token, each looping over ``ISBNS`` for ``seconds``."""
    calls, elapsed = timed_calls(url, seconds, tokens)
    return calls / elapsed


def timed_calls(url: str, seconds: float, tokens: list[str]) -> tuple[int, float]:
    """``calls_per_second``'s count of calls and the seconds they took."""
    deadline = time.perf_counter() + seconds
    counts = [0] * len(tokens)

    def client(index: int) -> None:
        session = requests.Session()
        for isbn in itertools.cycle(ISBNS):
            if time.perf_counter() >= deadline:
                return
            call(session, url, tokens[index], isbn)
            counts[index] += 1

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(client, range(len(tokens))))
    return sum(counts), time.perf_counter() - started


def measure(provider_url: str, provider_db: str, tokens: list[str], args: argparse.Namespace,
            meter: CpuMeter) -> dict[str, float]:
    """Median calls/s of the uncharged route and of the charged one under each charging, alternating rounds.

    After each charged round the provider's outbox is left to empty before the next round starts, and
    the time that takes is added to the round's: the captures a deferred round queued are part of its
    work.  How many were left and how long they took is reported.
    """
    samples: dict[str, list[float]] = {name: [] for name in ("free", *CHARGINGS)}
    calls_per_second(provider_url + FREE, 1, tokens)  # warm-up: connections, caches
    for charging in CHARGINGS:
        set_charging(provider_db, charging)
        calls_per_second(provider_url + CHARGED, 1, tokens)  # and the first quotas of each account
        wait_for_outbox(provider_db)
    for _round in range(args.rounds):
        meter.start()
        calls, elapsed = timed_calls(provider_url + FREE, args.seconds, tokens)
        samples["free"].append(calls / elapsed)
        CPU.setdefault("free", []).append(per_call(meter.stop(), calls))
        for charging in CHARGINGS:
            set_charging(provider_db, charging)
            meter.start()
            calls, elapsed = timed_calls(provider_url + CHARGED, args.seconds, tokens)
            left, seconds = wait_for_outbox(provider_db)
            CPU.setdefault(charging, []).append(per_call(meter.stop(), calls))
            BACKLOG.setdefault(charging, []).append((left, seconds))
            rate = calls / elapsed
            samples[charging].append(rate * args.seconds / (args.seconds + seconds) if left else rate)
    return {name: statistics.median(values) for name, values in samples.items()}


CPU: dict[str, list[dict[str, float]]] = {}  # path: CPU seconds per call by process group, one entry per round


def per_call(seconds: dict[str, float], calls: int) -> dict[str, float]:
    return {name: value / max(calls, 1) for name, value in seconds.items()}


def cpu_meter(platform: subprocess.Popen, provider: subprocess.Popen) -> CpuMeter:
    """The CPU of a round: both servers and this process (the clients, and the outbox polling)."""
    return CpuMeter({"provider": lambda: process_tree(provider.pid), "platform": lambda: process_tree(platform.pid),
                     "clients": lambda: [os.getpid()]})


BACKLOG: dict[str, list[tuple[int, float]]] = {}  # charging: (operations queued at the round's end, seconds to send)


def wait_for_outbox(provider_db: str, timeout: float = 120) -> tuple[int, float]:
    """Wait until the provider's outbox has nothing pending; (how many were pending, seconds waited)."""
    from server import db as db_module

    database = db_module.open_database(provider_db, readonly=True)
    started, left = time.monotonic(), None
    try:
        while time.monotonic() - started < timeout:
            pending = database.execute_sql("SELECT COUNT(*) FROM iap_pending_op WHERE state = 'pending'").fetchone()[0]
            left = pending if left is None else left
            if not pending:
                break
            time.sleep(0.05)
    finally:
        db_module.dispose(database)
    return left, time.monotonic() - started


def set_quota_terms(provider_db: str, quota_credit: int) -> None:
    odoo_bin(provider_db, "config", "set", "iap.quota_credit", str(quota_credit))


def set_charging(provider_db: str, charging: str) -> None:
    """Switch how the provider charges (read by every request: no restart)."""
    odoo_bin(provider_db, "config", "set", "iap_isbn_service.charging", charging)


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        sys.exit(serve())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="length of one measuring round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per route (median kept)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (one IAP account each)")
    parser.add_argument("--workers", type=int, default=0, help="server workers (0: threaded)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--quota-credit", type=int, default=100, help="credits asked per quota grant")
    args = parser.parse_args()
    tokens = client_tokens(args.concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        databases = create_databases(args.backend, Path(tmp), tokens, credits=10**6)
        try:
            rates = run_servers_and_measure(*databases, tokens, Path(tmp), args)
        finally:
            drop_databases(databases)
    report(rates, args)


def run_servers_and_measure(platform_db: str, provider_db: str, tokens: list[str], tmp: Path,
                            args: argparse.Namespace) -> dict[str, float]:
    platform_port, provider_port = free_port(), free_port()
    platform = start_server(platform_db, platform_port, args.workers, tmp / "platform.log")
    try:
        odoo_bin(provider_db, "config", "set", "iap.endpoint", f"http://127.0.0.1:{platform_port}")
        set_quota_terms(provider_db, args.quota_credit)
        provider = start_server(provider_db, provider_port, args.workers, tmp / "provider.log")
        try:
            return measure(f"http://127.0.0.1:{provider_port}", provider_db, tokens, args,
                           cpu_meter(platform, provider))
        finally:
            stop(provider)
    finally:
        stop(platform)


def drop_databases(uris: tuple[str, ...]) -> None:
    """Drop the benchmark's PostgreSQL databases (SQLite files go with the temporary directory)."""
    from server import db as db_module

    for uri in uris:
        if not uri.startswith("sqlite:"):
            db_module.drop_database(uri)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def report(rates: dict[str, float], args: argparse.Namespace) -> None:
    free = rates["free"]
    print(f"backend {args.backend}, {args.concurrency} clients, workers {args.workers}, "
          f"{args.rounds} rounds of {args.seconds:g} s each (medians); quotas of {args.quota_credit} credits")
    print(f"uncharged lookup {FREE}: {free:8.1f} calls/s")
    for charging in CHARGINGS:
        ratio = rates[charging] / free
        goal = GOALS.get(charging)
        verdict = f"goal >= {goal}x: {'met' if ratio >= goal else 'MISSED'}" if goal else "Odoo's protocol"
        print(f"charged, {charging:<8} {CHARGED}: {rates[charging]:8.1f} calls/s  ratio {ratio:.2f}x ({verdict})")
    for path in ("free", *CHARGINGS):
        spent = {name: statistics.median(round_[name] for round_ in CPU[path]) for name in CPU[path][0]}
        print(f"  CPU ms per call, {path:<8} (medians): {per_operation(spent, 1)}")
    for charging, backlog in BACKLOG.items():
        if any(left for left, _seconds in backlog):
            print(f"  {charging}: operations still queued at the end of each round (their sending time counted) "
                  f"{', '.join(f'{left} (sent within {seconds:.1f} s)' for left, seconds in backlog)}")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
