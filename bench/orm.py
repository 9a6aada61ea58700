"""ORM benchmark: the ORM against the same operations written in plain peewee, on the same database.

    python bench/orm.py [--runs 5] [--count 10000] [--group-rows 100000] [--no-postgresql]

Model (``bench/addons/bench_orm``): ``bench.line`` with ``quantity``, ``price``, a many2one to
``bench.category`` (with a ``rate``) and two stored computes, ``subtotal = quantity * price`` and
``rated = subtotal * category_id.rate``; log-access columns included.  The plain-peewee baseline has
twin tables with the same columns and indexes, and does what a peewee user writes by hand:

1. create 10,000 lines: ORM ``create(list)``; peewee computes both values in Python and runs
   ``insert_many`` in batches;
2. write one dependency (``price``) on all of them: ORM ``write`` (both computes follow); peewee
   updates the price, selects ``id, quantity, rate`` (a join), computes, and ``bulk_update``s;
   then, as business code mostly writes, 1,000 lines one at a time: ORM ``line.write({"name": ...})``
   (a savepoint each, so a refused write leaves nothing behind); peewee one ``UPDATE`` each;
3. ``search_read`` 1,000 rows (name, quantity, price, subtotal, category as ``[id, name]``): peewee
   selects the same columns with a join for the category's name, as dicts;
4. ``read_group`` by month over 100,000 rows, summing ``subtotal``: peewee groups by
   ``strftime('%Y-%m', date)`` (SQLite) or ``date_trunc('month', date)`` (PostgreSQL).

Each operation runs ``--runs`` times (each in one transaction, committed); the figures are medians,
and the ratio is ORM / peewee (goal: at most 2).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import peewee  # noqa: E402

import server  # noqa: E402,F401  (installs the odoo alias)
from server import db as db_module  # noqa: E402
from server.config import ROOT, Config  # noqa: E402
from server.modules.loading import load_modules  # noqa: E402
from server.modules.registry import Registry  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
CATEGORIES = 20
ONE_BY_ONE = 1000


def installed(uri: str, data_dir: Path) -> Registry:
    config = Config({"db_uri": uri, "data_dir": str(data_dir), "addons_path": str(ROOT / "bench" / "addons"),
                     "admin_passwd": "admin", "log_level": "warning", "without_demo": "all"})
    return load_modules(config, init="bench_orm")


def plain_models(database):
    """Peewee twins of the two tables."""
    class Meta:
        pass

    class PlainCategory(peewee.Model):
        name = peewee.CharField(null=True)
        rate = peewee.DoubleField(null=True)

        class Meta:
            table_name = "plain_category"

    class PlainLine(peewee.Model):
        name = peewee.CharField(null=True)
        date = peewee.DateField(null=True, index=True)
        quantity = peewee.IntegerField(null=True)
        price = peewee.DoubleField(null=True)
        category_id = peewee.ForeignKeyField(PlainCategory, column_name="category_id", null=True, index=True)
        subtotal = peewee.DoubleField(null=True)
        rated = peewee.DoubleField(null=True)
        create_uid = peewee.IntegerField(null=True)
        create_date = peewee.DateTimeField(null=True)
        write_uid = peewee.IntegerField(null=True)
        write_date = peewee.DateTimeField(null=True)

        class Meta:
            table_name = "plain_line"

    database.bind([PlainCategory, PlainLine])
    database.create_tables([PlainCategory, PlainLine])
    return PlainCategory, PlainLine


def line_values(count: int, category_ids: list[int]) -> list[dict]:
    start = dt.date(2024, 1, 1)
    return [{"name": f"line {i}", "date": start + dt.timedelta(days=i % 366), "quantity": i % 7 + 1,
             "price": float(i % 50), "category_id": category_ids[i % len(category_ids)]} for i in range(count)]


def median_seconds(function, runs: int, reset) -> float:
    times = []
    for _run in range(runs):
        reset()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class OrmSide:
    def __init__(self, registry: Registry):
        self.registry = registry
        with registry.cursor() as cr:
            env = registry.env(cr)
            self.categories = env["bench.category"].create(
                [{"name": f"cat {i}", "rate": 1 + i / 10} for i in range(CATEGORIES)]).ids

    def reset(self) -> None:
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM bench_line")

    def create(self, count: int) -> None:
        values = line_values(count, self.categories)
        with self.registry.cursor() as cr:
            self.registry.env(cr)["bench.line"].create(values)

    def write_all(self) -> None:
        with self.registry.cursor() as cr:
            env = self.registry.env(cr)
            env["bench.line"].search([]).write({"price": 3.5})

    def write_one_by_one(self) -> None:
        with self.registry.cursor() as cr:
            env = self.registry.env(cr)
            for line in env["bench.line"].search([], limit=ONE_BY_ONE, order="id"):
                line.write({"name": f"renamed {line.id}"})

    def search_read(self) -> None:
        with self.registry.cursor() as cr:
            env = self.registry.env(cr)
            rows = env["bench.line"].search_read([("quantity", ">", 0)], ["name", "quantity", "price", "subtotal",
                                                                         "category_id"], limit=1000, order="id")
            assert len(rows) == 1000

    def read_group(self) -> None:
        with self.registry.cursor() as cr:
            env = self.registry.env(cr)
            groups = env["bench.line"].read_group([], ["subtotal:sum"], ["date:month"])
            assert len(groups) == 12 or len(groups) == 13


class PeeweeSide:
    def __init__(self, database):
        self.database = database
        self.Category, self.Line = plain_models(database)
        with database.atomic():
            self.categories = [self.Category.create(name=f"cat {i}", rate=1 + i / 10).id for i in range(CATEGORIES)]
        self.rates = dict(self.Category.select(self.Category.id, self.Category.rate).tuples())

    def reset(self) -> None:
        with self.database.atomic():
            self.Line.delete().execute()

    def create(self, count: int) -> None:
        now = dt.datetime.now().replace(microsecond=0)
        rows = []
        for values in line_values(count, self.categories):
            subtotal = values["quantity"] * values["price"]
            rows.append({**values, "subtotal": subtotal, "rated": subtotal * self.rates[values["category_id"]],
                         "create_uid": 1, "create_date": now, "write_uid": 1, "write_date": now})
        with self.database.atomic():
            for start in range(0, len(rows), 500):
                self.Line.insert_many(rows[start:start + 500]).execute()

    def write_all(self) -> None:
        Line, Category = self.Line, self.Category
        with self.database.atomic():
            Line.update(price=3.5, write_uid=1, write_date=dt.datetime.now().replace(microsecond=0)).execute()
            query = (Line.select(Line.id, Line.quantity, Line.price, Category.rate)
                     .join(Category, peewee.JOIN.LEFT_OUTER).tuples())
            lines = []
            for id_, quantity, price, rate in query:
                subtotal = quantity * price
                lines.append(Line(id=id_, subtotal=subtotal, rated=subtotal * (rate or 0)))
            Line.bulk_update(lines, fields=[Line.subtotal, Line.rated], batch_size=500)

    def write_one_by_one(self) -> None:
        Line = self.Line
        with self.database.atomic():
            for (id_,) in Line.select(Line.id).order_by(Line.id).limit(ONE_BY_ONE).tuples():
                Line.update(name=f"renamed {id_}", write_uid=1,
                            write_date=dt.datetime.now().replace(microsecond=0)).where(Line.id == id_).execute()

    def search_read(self) -> None:
        Line, Category = self.Line, self.Category
        with self.database.atomic():
            query = (Line.select(Line.id, Line.name, Line.quantity, Line.price, Line.subtotal, Line.category_id,
                                 Category.name.alias("category_name"))
                     .join(Category, peewee.JOIN.LEFT_OUTER).where(Line.quantity > 0).order_by(Line.id).limit(1000))
            rows = [{**row, "category_id": [row["category_id"], row.pop("category_name")]} for row in query.dicts()]
            assert len(rows) == 1000

    def read_group(self) -> None:
        Line = self.Line
        month = peewee.fn.strftime("%Y-%m", Line.date) if self.database.dialect == "sqlite" \
            else peewee.fn.date_trunc("month", Line.date)
        with self.database.atomic():
            groups = list(Line.select(month.alias("month"), peewee.fn.SUM(Line.subtotal), peewee.fn.COUNT(Line.id))
                          .group_by(month).order_by(month).tuples())
            assert len(groups) in (12, 13)


def fill_for_group(registry: Registry, database, orm: OrmSide, plain: PeeweeSide, rows: int) -> None:
    """``rows`` lines in both tables, written directly (not what is measured)."""
    values = line_values(rows, orm.categories)
    for table, categories in (("bench_line", orm.categories), ("plain_line", plain.categories)):
        param = database.param
        sql = (f"INSERT INTO {table} (name, date, quantity, price, category_id, subtotal, rated) "
               f"VALUES ({', '.join([param] * 7)})")
        data = [(v["name"], v["date"], v["quantity"], v["price"], categories[i % len(categories)],
                 v["quantity"] * v["price"], 0.0) for i, v in enumerate(values)]
        with database.atomic():
            database.cursor().executemany(sql, data)


def run_backend(name: str, uri: str, data_dir: Path, args) -> list[tuple]:
    registry = installed(uri, data_dir)
    database = db_module.open_database(uri)
    orm, plain = OrmSide(registry), PeeweeSide(database)
    results = []
    for label, orm_call, plain_call in (
            (f"create {args.count} (two stored computes)", lambda: orm.create(args.count),
             lambda: plain.create(args.count)),
    ):
        results.append((name, label, median_seconds(orm_call, args.runs, orm.reset),
                        median_seconds(plain_call, args.runs, plain.reset)))
    orm.reset()
    plain.reset()
    orm.create(args.count)
    plain.create(args.count)
    results.append((name, f"write a dependency on {args.count}", median_seconds(orm.write_all, args.runs, _nothing),
                    median_seconds(plain.write_all, args.runs, _nothing)))
    results.append((name, f"write {ONE_BY_ONE} lines one at a time", median_seconds(orm.write_one_by_one, args.runs,
                    _nothing), median_seconds(plain.write_one_by_one, args.runs, _nothing)))
    results.append((name, "search_read 1000 rows", median_seconds(orm.search_read, args.runs, _nothing),
                    median_seconds(plain.search_read, args.runs, _nothing)))
    has_read_group = hasattr(registry.models["bench.line"], "read_group")
    if has_read_group:
        orm.reset()
        plain.reset()
        fill_for_group(registry, database, orm, plain, args.group_rows)
        results.append((name, f"read_group by month over {args.group_rows}",
                        median_seconds(orm.read_group, args.runs, _nothing),
                        median_seconds(plain.read_group, args.runs, _nothing)))
    else:
        results.append((name, f"read_group by month over {args.group_rows}", None, None))
    Registry.forget(registry)
    db_module.dispose(database)
    return results


def _nothing() -> None:
    pass


def postgres_answers() -> bool:
    try:
        db_module.list_postgres_databases(PG_SERVER + "/postgres")
        return True
    except Exception:  # noqa: BLE001  (no server: the PostgreSQL rows are skipped)
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--group-rows", type=int, default=100_000)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    print(f"{'backend':<11} {'operation':<42} {'ORM s':>8} {'peewee s':>9} {'ratio':>6}  (median of {args.runs})")
    with tempfile.TemporaryDirectory() as tmp:
        print_rows(run_backend("sqlite", f"sqlite:///{tmp}/bench_orm.sqlite3", Path(tmp), args))
        if not args.no_postgresql and postgres_answers():
            uri = f"{PG_SERVER}/bench_orm_{uuid.uuid4().hex[:8]}"
            try:
                print_rows(run_backend("postgresql", uri, Path(tmp), args))
            except (db_module.DatabaseError, peewee.DatabaseError) as exc:
                print(f"postgresql  not available: {str(exc).splitlines()[0]}")
            finally:
                with contextlib.suppress(db_module.DatabaseError):
                    db_module.drop_database(uri)


def print_rows(results: list[tuple]) -> None:
    for backend, label, orm_time, plain_time in results:
        if orm_time is None:
            print(f"{backend:<11} {label:<42} {'not available':>25}", flush=True)
            continue
        ratio = orm_time / plain_time
        flag = "" if ratio <= 2 else "  > 2x"
        print(f"{backend:<11} {label:<42} {orm_time:8.3f} {plain_time:9.3f} {ratio:6.2f}{flag}", flush=True)


if __name__ == "__main__":
    main()
