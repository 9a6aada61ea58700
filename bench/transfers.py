"""Benchmark of transfer analysis (issue: the cloudDaemon seed as addons): throughput and pickup latency.

The daemon (``odoo-bin.py transfers run --capacity 8``) runs as its own process on a fresh database,
following a fake Firebase stream; the fake analysis API answers after 100 ms.  Two measurements:

* **throughput**: 200 transfers of 3 answers put on the stream at once; answers per second from the
  first put to the last write-back received by the source.  The physical limit is capacity / latency
  = 8 / 0.1 s = 80 answers/s; the goal is at least 90 % of it.  Median of ``--runs`` bursts.
* **stream-to-first-request latency**: on an idle daemon, single transfers put on the stream one at a
  time; the time from the source sending the ``put`` to the API receiving the transfer's first
  request (both seen by the fakes, in this process).  Goal: p50 under 50 ms.

Beside them, the seed's figure measured in the same run: its single consumer thread sends the
answers one after the other (``requests.get`` per answer, as ``pscloud`` did), so 1 / latency = 10
answers/s at best.

Run: ``python bench/transfers.py [--runs 3] [--transfers 200] [--backend postgresql|sqlite]``.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import databases  # noqa: E402  (bench/databases.py)

ANSWERS, LATENCY, CAPACITY = 3, 0.100, 8
#: As the seed's questionnaires are: an introduction, then the questions (elements 1 .. ANSWERS).
QUESTIONNAIRE = {"cuestionario": [{"tipo": "intro"}] + [{"tipo": "pregunta"} for _ in range(ANSWERS)]}


def _fakes():
    path = ROOT / "addons" / "transfer_analysis" / "tests" / "fakes.py"
    spec = importlib.util.spec_from_file_location("transfer_fakes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_database(backend: str, tmp: Path) -> str:
    return databases.create_database(backend, tmp, "bench_transfers", "transfer_analysis")


def configure(uri: str, firebase, api) -> None:
    import server  # noqa: F401  (the odoo namespace)
    from server.config import Config
    from server.modules.registry import Registry

    registry = Registry.open(Config({"db_uri": uri, "addons_path": str(ROOT / "addons"), "log_level": "warn"}))
    with registry.cursor() as cr:
        env = registry.env(cr)
        params = env["ir.config_parameter"]
        params.set_param("transfer_analysis.api_url", f"{api.url}/analyse")
        params.set_param("transfer_analysis.api_auth_value", "bench-secret")
        params.set_param("transfer_analysis.max_connections", str(CAPACITY))
        env.ref("base.main_company").write({"transfer_report_email_to": False})
        env["transfer.source"].create({"name": "bench", "base_url": firebase.url, "storage_url": "https://st.example"})
    registry.dispose()


def start_daemon(uri: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "odoo-bin.py", "transfers", "run", "--capacity", str(CAPACITY), "--db-uri", uri,
               "--log-level", "warn"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"))


def item() -> dict:
    return {"processed": False, "date": int(time.time()), "key_encuesta": "q1"}


def wait_for(condition, daemon: subprocess.Popen, bound: float = 300.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if daemon.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the daemon stopped or did not finish in time")
        time.sleep(0.005)


# -- measurements ------------------------------------------------------------------------------------------
def burst(firebase, daemon, count: int, tag: str) -> float:
    """Answers per second for ``count`` transfers put at once."""
    keys = [f"{tag}{n:04d}" for n in range(count)]
    wanted = {f"Transfer/{key}" for key in keys}
    start = time.monotonic()
    for key in keys:
        firebase.add_transfer(key, item())
    wait_for(lambda: wanted <= {path for path, _values in firebase.patches}, daemon)
    return count * ANSWERS / (time.monotonic() - start)


def pickup_latencies(firebase, api, daemon, count: int, tag: str) -> list[float]:
    """Seconds from each transfer's put to its first API request, one transfer at a time on an idle daemon."""
    latencies = []
    for n in range(count):
        key = f"{tag}{n:03d}"
        firebase.add_transfer(key, item())
        urls = [f"https://st.example/cloud/{key}/{n}.wav" for n in range(1, ANSWERS + 1)]
        wait_for(lambda urls=urls: any(url in api.first_call_at for url in urls), daemon)
        first = min(api.first_call_at[url] for url in urls if url in api.first_call_at)
        latencies.append(first - firebase.first_put_at[key])
        wait_for(lambda k=key: f"Transfer/{k}" in {path for path, _values in firebase.patches}, daemon)
    return latencies


def seed_single_thread(api, answers: int) -> float:
    """The seed's consumer: one thread, one request after the other."""
    session = requests.Session()
    start = time.monotonic()
    for n in range(answers):
        session.get(f"{api.url}/analyse", params={"file": f"https://st.example/cloud/seed/{n}.wav"},
                    headers={"N-MS-AUTHCB": "bench-secret"}, timeout=10).json()
    return answers / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--transfers", type=int, default=200)
    parser.add_argument("--latency-samples", type=int, default=20)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    fakes = _fakes()
    firebase, api = fakes.FakeFirebase(keepalive_every=5).start(), fakes.FakeAnalysisApi(latency=LATENCY).start()
    firebase.db["Encuestas"]["q1"] = QUESTIONNAIRE
    tmp = Path(f"/tmp/bench_transfers_{uuid.uuid4().hex[:6]}")
    tmp.mkdir()
    load = os.getloadavg()[0]
    uri = create_database(args.backend, tmp)
    configure(uri, firebase, api)
    daemon = start_daemon(uri, tmp / "daemon.log")
    try:
        wait_for(lambda: firebase.connections >= 1 and firebase.listeners, daemon, bound=120)
        pickup_latencies(firebase, api, daemon, 3, "warm")  # the first requests open the pools
        rates = [burst(firebase, daemon, args.transfers, f"b{run}-") for run in range(args.runs)]
        latencies = sorted(pickup_latencies(firebase, api, daemon, args.latency_samples, "lat"))
        seed = seed_single_thread(api, 30)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(60)
        firebase.stop()
        api.stop()
        databases.drop_database(uri)
    report(rates, latencies, seed, args, api.max_in_flight, load)


def report(rates: list[float], latencies: list[float], seed: float, args, max_in_flight: int, load: float) -> None:
    limit = CAPACITY / LATENCY
    rate = statistics.median(rates)
    p50 = statistics.median(latencies) * 1000
    p90 = latencies[int(len(latencies) * 0.9) - 1] * 1000
    print(f"backend {args.backend}: {args.transfers} transfers x {ANSWERS} answers, API latency "
          f"{LATENCY * 1000:.0f} ms, capacity {CAPACITY} (most simultaneous requests seen: {max_in_flight}); "
          f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end, {os.cpu_count()} cores")
    print(f"throughput: {rate:.1f} answers/s (median of {len(rates)}: {', '.join(f'{r:.1f}' for r in rates)}) "
          f"= {rate / limit:.0%} of the physical limit {limit:.0f}/s (goal >= 90 %)")
    print(f"seed's single consumer thread: {seed:.1f} answers/s; ours is {rate / seed:.1f}x")
    print(f"stream-to-first-request: p50 {p50:.1f} ms, p90 {p90:.1f} ms over {len(latencies)} transfers "
          f"(goal p50 < 50 ms)")


if __name__ == "__main__":
    main()
