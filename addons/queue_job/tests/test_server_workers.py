"""Workers inside the HTTP server: started with it (signal server_started), stopped with it."""
import pytest
from odoo.modules.registry import Registry

from .helpers import TEST_ADDON, committed, runs, wait_until

pytestmark = pytest.mark.addons(TEST_ADDON)


@pytest.mark.parametrize("workers", [0, 2])
def test_the_server_runs_jobs_in_its_own_processes(db_backend, database_factory, server_process, monkeypatch,
                                                   workers):
    config = database_factory.create(db_backend, (TEST_ADDON,), demo=False)
    monkeypatch.setenv("ODOO_QUEUE_JOB_CHANNELS", "root:2")
    server = server_process(config, workers=workers)
    registry = Registry.open(config)
    try:
        committed(registry, lambda env: env["test.queue.job"].create({"name": "s"}).with_delay().record_run("served"))
        wait_until(lambda: runs(registry) == ["served"], bound=120)
    finally:
        Registry.forget(registry)
    assert server.terminate() == 0
    assert "job worker" in server.log() and "stopped" in server.log()
