"""The server as operators run it: ``odoo-bin.py --workers N`` (gunicorn) and ``--workers 0`` (threads)."""
import contextlib
import json
import time
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.testing_http import JsonRpcClient

pytestmark = pytest.mark.addons("http_test")


def rpc_body(**params) -> str:
    return json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1})


def post(url: str, **params) -> requests.Response:
    return requests.post(url, data=rpc_body(**params), headers={"Content-Type": "application/json"}, timeout=30)


def answers_from_every_worker(call, workers: int = 2, rounds: int = 20) -> list:
    """Call ``call()`` concurrently until answers came from ``workers`` different processes.

    Each worker serves many requests at once (threads), so under load one of them may accept a whole
    round: the rounds go on until the other one answered too."""
    answers = []
    with ThreadPoolExecutor(8) as pool:
        for _round in range(rounds):
            answers += list(pool.map(lambda _i: call(), range(24)))
            if len({answer["pid"] for answer in answers}) >= workers:
                break
    return answers


@pytest.fixture
def config(db_backend, database_factory):
    return database_factory.create(db_backend, ("http_test", "web"))


def test_sessions_are_shared_by_two_worker_processes(config, server_process):
    server = server_process(config, workers=2)
    client = JsonRpcClient(server.url)
    client.authenticate(config.database_name(), "demo", "demo")
    # A kept-alive connection stays with the worker that accepted it: each call opens its own.
    def whoami():
        return client.call("/http_test/whoami", headers={"Connection": "close"})["result"]

    answers = answers_from_every_worker(whoami)
    assert len({answer["pid"] for answer in answers}) == 2, server.log()
    assert {answer["login"] for answer in answers} == {"demo"}
    client.result("/web/session/destroy")
    errors = {client.call("/http_test/whoami")["error"]["code"] for _ in range(6)}
    assert errors == {100}


def test_addon_installed_over_rpc_is_served_by_every_worker(config, server_process):
    server = server_process(config, workers=2)
    db = config.database_name()
    assert post(server.url + "/http_test_extra/ping").status_code == 404
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    module_ids = models.execute_kw(db, 2, "admin", "ir.module.module", "search", [[["name", "=", "http_test_extra"]]])
    assert models.execute_kw(db, 2, "admin", "ir.module.module", "button_immediate_install", [module_ids]) is True

    def ping():
        response = post(server.url + "/http_test_extra/ping")
        assert response.status_code == 200, response.text
        return response.json()["result"]

    answers = answers_from_every_worker(ping)
    assert len({answer["pid"] for answer in answers}) == 2, server.log()
    overridden = {post(server.url + "/http_test/echo").json()["result"]["by"] for _ in range(8)}
    assert overridden == {"http_test_extra"}


def test_a_password_changed_through_one_worker_is_refused_by_every_worker(config, server_process):
    """Each worker remembers verified passwords; a change empties every worker's cache before its next call."""
    server = server_process(config, workers=2)
    db = config.database_name()
    uid = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(db, "demo", "demo", {})

    def check(password):
        return lambda: post(server.url + "/http_test/check_password", uid=uid, password=password).json()["result"]

    before = answers_from_every_worker(check("demo"))
    assert len({a["pid"] for a in before}) == 2 and {a["accepted"] for a in before} == {True}, server.log()
    admin = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    # Dozens of refused checks follow: no login cooldown here (test_login_cooldown.py tests it).
    admin.execute_kw(db, 2, "admin", "ir.config_parameter", "set_param", ["base.login_cooldown_after", "0"])
    admin.execute_kw(db, 2, "admin", "res.users", "write", [[uid], {"password": "rotated"}])

    after = answers_from_every_worker(check("demo"))
    assert len({a["pid"] for a in after}) == 2, server.log()
    assert {a["accepted"] for a in after} == {False}
    assert {a["accepted"] for a in answers_from_every_worker(check("rotated"))} == {True}


def test_sigterm_lets_the_running_request_finish(config, server_process):
    server = server_process(config, workers=2)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(post, server.url + "/http_test/sleep", seconds=1.5)
        time.sleep(0.4)
        exit_code = server.terminate()
        response = slow.result()
    assert response.status_code == 200 and isinstance(response.json()["result"], int)
    assert exit_code == 0, server.log()


def test_threaded_server_serves_logs_and_stops_on_sigterm(config, server_process):
    server = server_process(config, workers=0)
    client = JsonRpcClient(server.url)
    assert client.result("/web/webclient/version_info")["server_version"] == "17.0"
    assert client.authenticate(config.database_name(), "admin", "admin")["uid"] == 2
    assert server.terminate() == 0
    log = server.log()
    assert " POST /web/webclient/version_info 200 " in log and "ms" in log


def test_threaded_server_stop_waits_for_requests_not_for_idle_connections(config, server_process):
    """SIGTERM: the request in flight is answered; a connection that never sent a request does not hold the
    stop (it stays open far longer than ``terminate`` waits)."""
    import socket
    from urllib.parse import urlsplit

    server = server_process(config, workers=0)
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port)), ThreadPoolExecutor(1) as pool:
        slow = pool.submit(post, server.url + "/http_test/sleep", seconds=1.5)
        time.sleep(0.4)
        exit_code = server.terminate(timeout=30)
        response = slow.result()
    assert response.status_code == 200 and isinstance(response.json()["result"], int)
    assert exit_code == 0, server.log()


def descendant_pids(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        found = [int(child) for child in children.read().split()]
    return found + [grandchild for child in found for grandchild in descendant_pids(child)]


def test_a_storm_of_sigterms_still_stops_the_server(config, server_process):
    """Every process of a ``--workers`` server is sent SIGTERM over and over (an init system, a shell's
    kill loop, the master forwarding the group's signal): the server still stops, its cron process too.
    The cron process once set an Event from its signal handler and deadlocked when a signal came while
    an earlier one's handler held the Event's lock (seen in bench/saga.py: the server never exited); that
    window is too narrow to hit on demand, so this only shows that the stop holds under the storm."""
    import os
    import signal
    import time

    server = server_process(config, workers=2)
    assert post(server.url + "/http_test/sleep", seconds=0).status_code == 200
    deadline = time.monotonic() + 30  # the first worker answers while the next processes may still be forking
    while len(children := descendant_pids(server.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(children) >= 2, children  # the cron process and the workers
    for _round in range(200):
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    assert server.terminate(timeout=30) == 0, server.log()
    assert not [pid for pid in children if os.path.exists(f"/proc/{pid}") and not _zombie(pid)]


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1].startswith("Z")
    return True


BOOTING_WORKER = """
import os, queue, signal, sys
import server  # noqa: F401
from gunicorn.config import Config
from gunicorn.glogging import Logger
from server.service.workers import LimitedThreadWorker
cfg = Config()
worker = LimitedThreadWorker(1, os.getpid(), [], None, 30, cfg, Logger(cfg))
worker.PIPE = os.pipe()
for fd in worker.PIPE:
    os.set_blocking(fd, False)
inherited = queue.SimpleQueue()  # the master's queue as the fork copied it, with what its handler caught
for name in sys.argv[1:]:
    inherited.put_nowait(getattr(signal, name))
worker.note_master_signals(inherited)
worker.init_signals()
print(worker.alive)
"""


@pytest.mark.parametrize(("caught", "alive"), [(["SIGHUP", "SIGTERM"], False), (["SIGINT"], False),
                                               (["SIGHUP"], True), ([], True)], ids=["term", "int", "hup", "none"])
def test_a_stop_signal_caught_while_a_worker_booted_stops_it(caught, alive):
    """Until a worker installs its handlers it runs the master's, which queue a signal on the master's queue
    (the worker's copy of it): a SIGTERM sent then was lost, and the worker served on until the master's
    graceful timeout killed it (seen once in the storm test above: the stop took over 30 s)."""
    import subprocess
    import sys

    from server.config import ROOT

    done = subprocess.run([sys.executable, "-c", BOOTING_WORKER, *caught], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == str(alive), done.stderr
