"""IAP charging throughput over HTTP (issue: In-App Purchase).

In one run, against one server on loopback:

* charged: authorize + capture pairs per second (``/iap/1/authorize`` then ``/iap/1/capture``, Odoo's
  payloads, one credit each, on an account funded for the whole run);
* sold: sales per second (ours: ``/iap/1/sale``, the hold and its capture in one request and one
  transaction, the same books);
* uncharged: JSON-RPC calls per second that do no money work (``/jsonrpc`` ``common.version``).

It prints the three and the ratios pairs/s / calls/s and sales/s / calls/s (a pair is two requests plus
two locked, ledgered transactions, so 0.5 would mean the money costs nothing beyond the extra request; a
sale is one request, so 1.0 would mean the same for it).

Run: ``python bench/iap.py [--backend sqlite|postgresql] [--seconds 5] [--clients 4]``.

Needs the HTTP layer serving ``iap_platform``'s routes: until ``iap_platform/__init__.py`` imports its
``controllers`` package, the charged phase stops with "the IAP routes are not served".
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URI", "postgresql://postgres@127.0.0.1:5432")


def odoo_bin(*args: str) -> str:
    """Run ``odoo-bin.py`` and return its stdout; stop the benchmark with its stderr on failure."""
    result = subprocess.run([sys.executable, "odoo-bin.py", *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"odoo-bin.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(db: list[str]) -> str:
    """Install the platform, create a service and fund an account; return the service key."""
    odoo_bin(*db, "-i", "iap_platform", "--without-demo", "all", "--stop-after-init", "--log-level", "warn")
    key = odoo_bin("iap", "create-service", "bench_svc", *db).strip().splitlines()[-1]
    odoo_bin("iap", "topup", "bench_svc", "bench_token", "100000000", *db)
    return key


def start_server(db: list[str], port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "odoo-bin.py", *db, "--http-port", str(port), "--log-level", "warn"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped:\n{server.stderr.read()}") from None
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 30 s")


def rpc(session: requests.Session, url: str, params: dict):
    body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": uuid.uuid4().hex}
    reply = session.post(url, json=body, timeout=30)
    if reply.status_code == 404:
        raise SystemExit(f"{url}: the IAP routes are not served (iap_platform's controllers are not imported yet)")
    reply.raise_for_status()
    answer = reply.json()
    if "error" in answer:
        raise SystemExit(f"{url}: {answer['error']}")
    return answer["result"]


def uncharged(base: str):
    def call(session: requests.Session) -> None:
        rpc(session, base + "/jsonrpc", {"service": "common", "method": "version", "args": []})
    return call


def charged(base: str, key: str):
    def pair(session: requests.Session) -> None:
        token = rpc(session, base + "/iap/1/authorize", {"account_token": "bench_token", "credit": 1, "key": key,
                                                         "description": "bench", "ttl": 1})
        rpc(session, base + "/iap/1/capture", {"token": token, "key": key, "credit_to_capture": 1})
    return pair


def sold(base: str, key: str):
    def sale(session: requests.Session) -> None:
        rpc(session, base + "/iap/1/sale", {"account_token": "bench_token", "credit": 1, "key": key,
                                            "description": "bench", "ttl": 1, "idempotency_key": uuid.uuid4().hex})
    return sale


def rate(operation, seconds: float, clients: int) -> float:
    """Operations per second, ``clients`` threads each with a keep-alive session, for ``seconds``."""
    counts = [0] * clients
    failures: list[BaseException] = []
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        try:
            with requests.Session() as session:
                operation(session)  # warm the connection and the server's caches
                while time.monotonic() < stop:
                    operation(session)
                    counts[index] += 1
        except BaseException as exc:  # a thread cannot stop the benchmark: hand the failure over
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        name = "bench_iap_" + uuid.uuid4().hex[:8]
        uri = f"sqlite:///{tmp}/{name}.sqlite3" if args.backend == "sqlite" else f"{PG_SERVER}/{name}"
        db = ["--db-uri", uri]
        key = prepare(db)
        port = free_port()
        server = start_server(db, port)
        try:
            base = f"http://127.0.0.1:{port}"
            calls = rate(uncharged(base), args.seconds, args.clients)
            pairs = rate(charged(base, key), args.seconds, args.clients)
            sales = rate(sold(base, key), args.seconds, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=10)
            if args.backend == "postgresql":
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False)
    print(f"backend {args.backend}, {args.clients} clients, {args.seconds:g} s per phase")
    print(f"uncharged JSON-RPC calls:   {calls:8.1f} /s")
    print(f"authorize+capture pairs:    {pairs:8.1f} /s")
    print(f"sales (hold and capture):   {sales:8.1f} /s")
    print(f"ratio pairs / calls:        {pairs / calls:8.3f}  (0.5 = a pair costs its two requests only)")
    print(f"ratio sales / calls:        {sales / calls:8.3f}  (1.0 = a sale costs its request only)")


if __name__ == "__main__":
    main()
