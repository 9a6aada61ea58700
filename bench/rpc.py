"""RPC throughput and p99 latency against a bare werkzeug + jsonrpcserver + peewee app (issue: HTTP layer).

Scenarios, each served by both apps with gunicorn (same worker count), load
from a separate process, both apps measured in this one run:

a. ``/jsonrpc`` ``execute_kw res.partner search_read`` returning 20 rows
   (bare app: the same SELECT, no authentication);
b. a public ``type='json'`` route doing one indexed lookup
   (``/http_test/partner_by_ref``; bare app: the same SELECT by ``ref``).

Run: ``python bench/rpc.py [--backend postgresql|sqlite] [--workers 2] [--seconds 4] [--rounds 2]``.
Prints req/s and p99 per app and the ratio ours / bare (goal >= 0.8).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("BENCH_PG_URI", "postgresql://postgres@127.0.0.1:5432")
FIELDS = ["name", "email", "is_company", "city"]
PARTNERS = 400


# -- the bare application -------------------------------------------------------------------------------
def bare_app(uri: str):
    """werkzeug + jsonrpcserver + peewee doing the benchmark's two queries, nothing else."""
    import peewee
    from jsonrpcserver import Success, dispatch
    from werkzeug.wrappers import Request, Response

    database = _peewee_database(uri)

    class Partner(peewee.Model):
        name = peewee.CharField()
        email = peewee.CharField(null=True)
        is_company = peewee.BooleanField()
        city = peewee.CharField(null=True)
        ref = peewee.CharField(null=True)
        active = peewee.BooleanField()

        class Meta:
            table_name = "res_partner"

    Partner._meta.set_database(database)

    def search_read(service, method, args):
        query = (Partner.select(Partner.id, Partner.name, Partner.email, Partner.is_company, Partner.city)
                 .where(Partner.is_company & Partner.active).order_by(Partner.name, Partner.id).limit(20))
        return Success(list(query.dicts()))

    def by_ref(ref):
        row = Partner.select(Partner.id, Partner.name).where(Partner.ref == ref).limit(1).dicts().first()
        return Success(row or False)

    routes = {"/jsonrpc": {"call": search_read}, "/partner_by_ref": {"call": by_ref}}

    def application(environ, start_response):
        request = Request(environ)
        body = dispatch(request.get_data(as_text=True), methods=routes[request.path])
        return Response(body, content_type="application/json")(environ, start_response)
    return application


def _peewee_database(uri: str):
    import peewee

    if uri.startswith("sqlite:"):
        return peewee.SqliteDatabase(uri[len("sqlite:///"):], pragmas={"journal_mode": "wal"})
    name = uri.rsplit("/", 1)[1]
    return peewee.PostgresqlDatabase(name, user="postgres", host="127.0.0.1", port=5432)


def serve_bare(uri: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Bare(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": workers, "worker_class": "sync",
                               "accesslog": None, "loglevel": "warning"}.items():
                self.cfg.set(key, value)

        def load(self):
            return bare_app(uri)

    Bare().run()


# -- load generation (runs in its own process) ----------------------------------------------------------
def load(port: int, path: str, body: str, seconds: float, concurrency: int) -> dict:
    """Send ``body`` to ``path`` from ``concurrency`` threads for ``seconds``; latencies in ms."""
    latencies: list[float] = []
    failures = [0]
    deadline = time.perf_counter() + seconds

    def worker():
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = _post(port, path, body)
            latencies.append((time.perf_counter() - started) * 1000)
            failures[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"rps": len(latencies) / seconds, "p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else 0,
            "failures": failures[0], "count": len(latencies)}


def _post(port: int, path: str, body: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        return response.status == 200 and b'"result"' in data
    except OSError:
        return False
    finally:
        conn.close()


def measure(port: int, path: str, body: str, seconds: float, concurrency: int) -> dict:
    """Run ``load`` in a separate process, so the load generator never shares the server's interpreter."""
    output = subprocess.run([sys.executable, __file__, "--load", str(port), path, body, str(seconds),
                             str(concurrency)], capture_output=True, text=True, check=True).stdout
    return json.loads(output)


# -- set-up ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_database(backend: str, tmp: Path) -> tuple[object, str]:
    """A database with base, web and http_test installed and PARTNERS partners; (config, uri)."""
    from server.config import Config
    from server.modules.loading import load_modules
    from server.modules.registry import Registry
    from server.orm.environment import SUPERUSER_ID, Environment

    name = "bench_rpc_" + uuid.uuid4().hex[:8]
    uri = f"{PG_SERVER}/{name}" if backend == "postgresql" else f"sqlite:///{tmp / (name + '.sqlite3')}"
    config = Config({"db_uri": uri, "data_dir": str(tmp), "admin_passwd": "admin", "log_level": "warn",
                     "addons_path": f"{ROOT / 'addons'},{ROOT / 'tests' / 'http' / 'addons'}"})
    registry = load_modules(config, init="web,http_test")
    with registry.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["res.partner"].create([
            {"name": f"Bench Partner {i:04d}", "ref": f"BENCH-{i:04d}", "is_company": i % 2 == 0,
             "email": f"p{i}@example.com", "city": "Brussels"} for i in range(PARTNERS)])
    Registry.forget_all()
    return config, uri


def start(cmd: list[str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {' '.join(cmd)}\n{log.read_text()}") from None
            time.sleep(0.1)
    raise SystemExit(f"server did not start: {' '.join(cmd)}")


def write_config(config, tmp: Path, port: int, workers: int) -> Path:
    rc = tmp / "bench.conf"
    rc.write_text("[options]\n" + "".join(f"{key} = {value}\n" for key, value in {
        "db_uri": config["db_uri"], "addons_path": config["addons_path"], "data_dir": config["data_dir"],
        "admin_passwd": "admin", "http_interface": "127.0.0.1", "http_port": port, "workers": workers,
        "log_level": "warn"}.items()))
    return rc


def scenarios(db: str) -> dict[str, tuple[tuple[str, str], tuple[str, str]]]:
    """``name: ((our path, body), (bare path, body))``."""
    args = [db, 2, "admin", "res.partner", "search_read", [[["is_company", "=", True]]],
            {"fields": FIELDS, "limit": 20}]
    search_read = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                              "params": {"service": "object", "method": "execute_kw", "args": args}})
    lookup = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"ref": "BENCH-0042"}})
    return {"a. execute_kw search_read (20 rows)": (("/jsonrpc", search_read), ("/jsonrpc", search_read)),
            "b. public json route, indexed lookup": (("/http_test/partner_by_ref", lookup),
                                                     ("/partner_by_ref", lookup))}


def check_answers(ours: int, bare: int, cases: dict) -> None:
    """Both apps must answer each scenario correctly before anything is timed."""
    for name, ((our_path, our_body), (bare_path, bare_body)) in cases.items():
        for port, path, body in ((ours, our_path, our_body), (bare, bare_path, bare_body)):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            result = json.loads(conn.getresponse().read())["result"]
            conn.close()
            rows = len(result) if isinstance(result, list) else int(bool(result))
            if rows != (20 if name.startswith("a.") else 1):
                raise SystemExit(f"{name}: unexpected answer from port {port}: {result!r}")


def report(name: str, ours: list[dict], bare: list[dict]) -> None:
    our_rps, bare_rps = statistics.median(r["rps"] for r in ours), statistics.median(r["rps"] for r in bare)
    our_p99, bare_p99 = statistics.median(r["p99"] for r in ours), statistics.median(r["p99"] for r in bare)
    failures = sum(r["failures"] for r in ours + bare)
    ratio = our_rps / bare_rps if bare_rps else 0
    verdict = "goal met" if ratio >= 0.8 else ("below goal" if ratio >= 0.6 else "DEFECT (< 0.6)")
    print(f"{name}\n  ours: {our_rps:8.1f} req/s  p99 {our_p99:6.1f} ms\n"
          f"  bare: {bare_rps:8.1f} req/s  p99 {bare_p99:6.1f} ms\n"
          f"  ratio ours/bare: {ratio:.2f}x throughput, {bare_p99 / our_p99 if our_p99 else 0:.2f}x p99 "
          f"({verdict}){f'  FAILURES: {failures}' if failures else ''}")


def run(args) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench_rpc_"))
    config, uri = create_database(args.backend, tmp)
    ours_port, bare_port = free_port(), free_port()
    servers = [
        start([sys.executable, "odoo-bin.py", "-c", str(write_config(config, tmp, ours_port, args.workers))],
              ours_port, tmp / "ours.log"),
        start([sys.executable, __file__, "--serve-bare", uri, str(bare_port), str(args.workers)], bare_port,
              tmp / "bare.log"),
    ]
    try:
        cases = scenarios(config.database_name())
        check_answers(ours_port, bare_port, cases)
        print(f"backend {args.backend}, {args.workers} gunicorn workers each, {args.concurrency} client threads, "
              f"{args.rounds} x {args.seconds:g} s per app and scenario (medians)")
        for name, ((our_path, our_body), (bare_path, bare_body)) in cases.items():
            measure(ours_port, our_path, our_body, 1, args.concurrency)  # warm both up
            measure(bare_port, bare_path, bare_body, 1, args.concurrency)
            ours, bare = [], []
            for _round in range(args.rounds):
                bare.append(measure(bare_port, bare_path, bare_body, args.seconds, args.concurrency))
                ours.append(measure(ours_port, our_path, our_body, args.seconds, args.concurrency))
            report(name, ours, bare)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
        cleanup(uri, tmp)


def cleanup(uri: str, tmp: Path) -> None:
    from server import db as db_module

    db_module.drop_database(uri)
    shutil.rmtree(tmp, ignore_errors=True)


def postgresql_answers() -> bool:
    try:
        import psycopg2

        psycopg2.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-bare":
        return serve_bare(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        port, path, body, seconds, concurrency = sys.argv[2:7]
        print(json.dumps(load(int(port), path, body, float(seconds), int(concurrency))))
        return None
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"],
                        default="postgresql" if postgresql_answers() else "sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
