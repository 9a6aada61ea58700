"""Start-up benchmarks of the framework core (issue: framework core).

1. Cold start: ``odoo-bin.py -d DB --stop-after-init`` on a SQLite database with
   every addon installed, in a fresh interpreter, against importing the
   dependency stack alone in a fresh interpreter.  Goal: under 1 s.
2. Fresh install of every addon into a new SQLite database.

Run: ``python bench/startup.py [--runs N]``.  Figures are medians of N runs
measured in this one run, so they compare fairly on a shared machine.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK = "import werkzeug, werkzeug.serving, jsonrpcserver, peewee, blinker, requests, psycopg2"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{result.stderr}")
    return elapsed


def median_of(runs: int, cmd: list[str]) -> float:
    return statistics.median(timed(cmd) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = ["-d", "bench_all", "--data-dir", tmp, "--log-level", "warn"]
        install = timed([sys.executable, "odoo-bin.py", *db, "-i", "all", "--stop-after-init"])
        cold = median_of(args.runs, [sys.executable, "odoo-bin.py", *db, "--stop-after-init"])
        stack = median_of(args.runs, [sys.executable, "-c", STACK])
        bare = median_of(args.runs, [sys.executable, "-c", "pass"])
    print(f"fresh install of every addon (SQLite): {install:.3f} s")
    print(f"cold start, every addon installed:     {cold:.3f} s (goal < 1 s: {'met' if cold < 1 else 'MISSED'})")
    print(f"import of the dependency stack alone:  {stack:.3f} s")
    print(f"empty interpreter:                     {bare:.3f} s")
    print(f"ratio cold start / dependency stack:   {cold / stack:.2f}x")


if __name__ == "__main__":
    main()
