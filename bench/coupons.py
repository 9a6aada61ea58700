"""Coupon generation benchmark: persisted codes per second against a floor measured in the same run.

    python bench/coupons.py [--count 1000000] [--repeat 1] [--no-postgresql] [--profile]

* Floor: the same number of pre-generated codes inserted with
  ``sqlite3.executemany`` into a table with the same unique index, on a
  connection with the server's own pragmas, in one transaction.
* Generation: ``coupon.process`` start -> steps -> finish through the model
  API, one transaction per step as the CLI runs it, from a template with 10
  placeholders (``SALE-$$$$##-####``).  Goal: at most 1.5x the floor.
* Also: 100 % of a 10**6 space (``FILL-######``), and the same on
  PostgreSQL when it answers (its floor: ``psycopg2.extras.execute_values``).

Each figure is the best of ``--repeat`` runs, each on a fresh copy of an
installed database.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import server  # noqa: E402,F401  (installs the odoo alias)
from server import db as db_module  # noqa: E402
from server.addons import set_addons_path  # noqa: E402
from server.config import ROOT, Config  # noqa: E402
from server.modules.loading import load_modules  # noqa: E402
from server.modules.registry import Registry  # noqa: E402

TEMPLATE = "SALE-$$$$##-####"
FILL_TEMPLATE = "FILL-######"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
STEP_CODES, STEP_SECONDS = 100_000, 10.0  # the CLI's defaults


def config_for(uri: str, data_dir: Path) -> Config:
    return Config({"db_uri": uri, "data_dir": str(data_dir), "addons_path": str(ROOT / "addons"),
                   "admin_passwd": "admin", "log_level": "warning", "without_demo": "all"})


def installed(uri: str, data_dir: Path) -> Config:
    """A database at ``uri`` with coupon_generator installed."""
    config = config_for(uri, data_dir)
    Registry.forget(load_modules(config, init="coupon_generator"))
    return config


def sample_codes(count: int) -> list[str]:
    """``count`` distinct codes of the benchmark template, made before any timing."""
    set_addons_path([ROOT / "addons"])
    from odoo.addons.coupon_generator.codes import symbols
    from odoo.addons.coupon_generator.codes.sampling import random_codes
    from odoo.addons.coupon_generator.codes.template import parse

    template = parse(TEMPLATE, {"$": symbols.english(), "#": symbols.digits()})
    codes: dict[str, None] = {}
    while len(codes) < count:
        codes.update(dict.fromkeys(random_codes(template, count - len(codes))))
    return list(codes)


# -- what is measured ------------------------------------------------------------------------------------
def floor_sqlite(uri: str, codes: list[str]) -> float:
    database = db_module.open_database(uri)
    connection = database.connection()  # the server's pragmas
    connection.execute("CREATE TABLE floor_codes (id INTEGER PRIMARY KEY AUTOINCREMENT, code VARCHAR)")
    connection.execute("CREATE UNIQUE INDEX floor_codes_code_unique ON floor_codes (code)")
    rows = [(code,) for code in codes]
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany("INSERT INTO floor_codes (code) VALUES (?)", rows)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    database.close()
    return elapsed


def floor_postgresql(uri: str, codes: list[str]) -> float:
    from psycopg2.extras import execute_values

    database = db_module.open_database(uri)
    cursor = database.connection().cursor()
    cursor.execute("CREATE TABLE floor_codes (id SERIAL PRIMARY KEY, code VARCHAR)")
    cursor.execute("CREATE UNIQUE INDEX floor_codes_code_unique ON floor_codes (code)")
    database.connection().commit()
    rows = [(code,) for code in codes]
    started = time.perf_counter()
    execute_values(cursor, "INSERT INTO floor_codes (code) VALUES %s", rows, page_size=10_000)
    database.connection().commit()
    elapsed = time.perf_counter() - started
    database.close()
    return elapsed


def generation(config: Config, template: str, count: int) -> float:
    """Seconds from ``start`` to the committed ``finish``, one transaction per step."""
    registry = Registry.open(config)
    with registry.cursor() as cr:
        program = registry.env(cr)["coupon.program"].create(
            {"name": "Bench", "discount_type": "percent", "discount_value": 10})
    started = time.perf_counter()
    with registry.cursor() as cr:
        status = registry.env(cr)["coupon.process"].start(template, count, program.id)
    while status["next_action"] == "step":
        with registry.cursor() as cr:
            status = registry.env(cr)["coupon.process"].browse(status["process_id"]).step(STEP_CODES, STEP_SECONDS)
    with registry.cursor() as cr:
        status = registry.env(cr)["coupon.process"].browse(status["process_id"]).finish()
    elapsed = time.perf_counter() - started
    assert status["state"] == "done" and status["generated"] == count, status
    Registry.forget(registry)
    return elapsed


# -- fresh databases per run ---------------------------------------------------------------------------------
class SqliteCopies:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.template = installed(f"sqlite:///{workdir / 'template.sqlite3'}", workdir)

    def fresh(self) -> Config:
        path = self.workdir / f"run_{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.workdir / "template.sqlite3", path)
        return config_for(f"sqlite:///{path}", self.workdir)


class PostgresCopies:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.names = [f"bench_coupons_{uuid.uuid4().hex[:8]}"]
        self.template = installed(f"{PG_SERVER}/{self.names[0]}", workdir)

    def fresh(self) -> Config:
        import psycopg2

        name = f"bench_coupons_{uuid.uuid4().hex[:8]}"
        connection = psycopg2.connect(f"{PG_SERVER}/postgres")
        connection.autocommit = True
        connection.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.names[0]}"')
        connection.close()
        self.names.append(name)
        return config_for(f"{PG_SERVER}/{name}", self.workdir)

    def drop(self) -> None:
        Registry.forget_all()
        for name in reversed(self.names):
            db_module.drop_database(f"{PG_SERVER}/{name}")


def best(runs: int, measure) -> float:
    return min(measure() for _ in range(runs))


# -- report --------------------------------------------------------------------------------------------------
def report(label: str, seconds: float, count: int, floor: float | None = None, goal: float | None = None) -> None:
    line = f"{label:<58} {seconds:7.2f} s  {count / seconds / 1000:8.0f} k codes/s"
    if floor:
        line += f"  {seconds / floor:5.2f}x floor"
        if goal:
            line += f" (goal <= {goal}x: {'met' if seconds / floor <= goal else 'NOT met'})"
    print(line, flush=True)


def bench_sqlite(workdir: Path, args: argparse.Namespace, codes: list[str]) -> None:
    copies = SqliteCopies(workdir)
    floor = best(args.repeat, lambda: floor_sqlite(copies.fresh()["db_uri"], codes))
    report("sqlite floor: executemany, same unique index", floor, args.count)
    ours = best(args.repeat, lambda: generation(copies.fresh(), TEMPLATE, args.count))
    report(f"sqlite generate {TEMPLATE!r} (10 placeholders)", ours, args.count, floor, 1.5)
    fill = best(args.repeat, lambda: generation(copies.fresh(), FILL_TEMPLATE, 10 ** 6))
    report(f"sqlite 100 % of a 10**6 space {FILL_TEMPLATE!r}", fill, 10 ** 6, floor * 10 ** 6 / args.count)


def bench_postgresql(workdir: Path, args: argparse.Namespace, codes: list[str]) -> None:
    try:
        copies = PostgresCopies(workdir)
    except Exception as exc:  # PostgreSQL absent: say so and stop
        print(f"postgresql skipped: {str(exc).splitlines()[0]}")
        return
    try:
        floor = best(args.repeat, lambda: floor_postgresql(copies.fresh()["db_uri"], codes))
        report("postgresql floor: execute_values, same unique index", floor, args.count)
        ours = best(args.repeat, lambda: generation(copies.fresh(), TEMPLATE, args.count))
        report(f"postgresql generate {TEMPLATE!r}", ours, args.count, floor)
    finally:
        copies.drop()


def profile(workdir: Path, args: argparse.Namespace) -> None:
    copies = SqliteCopies(workdir)
    profiler = cProfile.Profile()
    config = copies.fresh()
    profiler.runcall(generation, config, TEMPLATE, args.count)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs for each figure")
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profile one SQLite generation and stop")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench_coupons_"))
    try:
        if args.profile:
            profile(workdir, args)
            return 0
        codes = sample_codes(args.count)
        bench_sqlite(workdir, args, codes)
        if not args.no_postgresql:
            bench_postgresql(workdir, args, codes)
    finally:
        Registry.forget_all()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
