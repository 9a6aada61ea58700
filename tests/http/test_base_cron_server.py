"""Scheduled actions in running servers: created over RPC, run at their time, once per occurrence
even with two servers on one PostgreSQL database."""
import datetime as dt
import time

import pytest

from server.testing_http import JsonRpcClient

WAIT = 60  # seconds: a generous bound on "eventually", never a speed assertion


def wait_for(predicate, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


class Admin:
    """``execute_kw`` as admin on a server."""

    def __init__(self, url: str, db: str):
        self.client, self.db = JsonRpcClient(url), db
        self.uid = self.client.rpc("common", "login", db, "admin", "admin")

    def __call__(self, model: str, method: str, *args, **kwargs):
        return self.client.execute_kw(self.db, self.uid, "admin", model, method, *args, **kwargs)

    def runs(self, name: str) -> int:
        return self("res.partner", "search_count", [["name", "=", name]])


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def create_cron(admin: Admin, code: str, nextcall: dt.datetime) -> int:
    [model_id] = admin("ir.model", "search", [["model", "=", "res.partner"]])
    return admin("ir.cron", "create", {"name": "rpc cron", "model_id": model_id, "state": "code", "code": code,
                                       "interval_number": 1, "interval_type": "days", "numbercall": -1,
                                       "nextcall": stamp(nextcall)})


@pytest.fixture
def config(db_backend, database_factory):
    config = database_factory.create(db_backend, ("web",))
    config.options["max_cron_threads"] = 1
    return config


def test_a_cron_created_over_rpc_runs_at_its_time(config, server_process):
    server = server_process(config)
    admin = Admin(server.url, config.database_name())
    due = utcnow() + dt.timedelta(seconds=3)
    cron_id = create_cron(admin, "env['res.partner'].create({'name': 'cron ran'})", due)
    assert admin.runs("cron ran") == 0  # not before its time
    assert wait_for(lambda: admin.runs("cron ran") == 1), server.log()
    [cron] = admin("ir.cron", "read", [cron_id], ["lastcall", "nextcall"])
    assert cron["lastcall"] >= stamp(due) and cron["nextcall"] > stamp(due + dt.timedelta(hours=23))


def test_crons_can_be_switched_off_over_rpc_as_odoorpc_tests_do(config, server_process):
    config.options["max_cron_threads"] = 0
    server = server_process(config)
    admin = Admin(server.url, config.database_name())
    create_cron(admin, "pass", utcnow())
    cron_ids = admin("ir.cron", "search", [])
    assert admin("ir.cron", "write", cron_ids, {"active": False}) is True
    assert admin("ir.cron", "search", []) == []


@pytest.mark.postgresql_only
def test_two_servers_on_one_database_run_each_occurrence_once(config, server_process):
    first, second = server_process(config), server_process(config)
    admin = Admin(first.url, config.database_name())
    # Slow on purpose: both servers are woken by the same NOTIFY and contend for the job while it runs.
    cron_id = create_cron(admin, "time.sleep(1)\nenv['res.partner'].create({'name': 'shared run'})", utcnow())
    for occurrence in (1, 2, 3):
        assert wait_for(lambda n=occurrence: admin.runs("shared run") >= n), first.log() + second.log()
        time.sleep(2)  # time for the other server to (wrongly) run it too
        assert admin.runs("shared run") == occurrence, first.log() + second.log()
        if occurrence < 3:
            admin("ir.cron", "write", [cron_id], {"nextcall": stamp(utcnow())})  # the next one is due now
    logs = first.log() + second.log()
    assert logs.count(f"scheduled action 'rpc cron' (ir.cron {cron_id}) done") == 3
    assert "cron: 1 thread(s)" in first.log() and "cron: 1 thread(s)" in second.log()
