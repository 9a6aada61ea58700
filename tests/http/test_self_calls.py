"""A server whose requests call the same server over HTTP never runs out of threads (issue #17, finding 2).

Twenty parallel requests each hold their thread while calling another route of the same server; with a
fixed pool of fewer threads every thread waits for an inner call queued behind it, until the clients time
out.  The client timeout here is generous: the deadlock case would reach it, a working server answers in
well under a second.
"""
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.service.threads import ElasticThreadPool

pytestmark = pytest.mark.addons("http_hardening_test")

PARALLEL = 20
CLIENT_TIMEOUT = 30


@pytest.fixture
def config(db_backend, database_factory):
    return database_factory.create(db_backend, ("http_hardening_test", "web"))


def relay(url: str) -> dict:
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {"hold": 0.3}, "id": 1})
    response = requests.post(url + "/http_hardening_test/relay", data=body, timeout=CLIENT_TIMEOUT,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def relay_in_parallel(url: str) -> list[dict]:
    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(lambda _i: relay(url), range(PARALLEL)))


@pytest.mark.parametrize("workers", [0, 2], ids=["threaded", "workers-2"])
def test_twenty_parallel_self_calls_are_all_answered(config, server_process, workers):
    server = server_process(config, workers=workers)
    answers = relay_in_parallel(server.url)
    assert len(answers) == PARALLEL
    assert all(isinstance(answer["inner"], int) for answer in answers), answers


def test_workers_run_several_threads_by_default(config, server_process):
    server = server_process(config, workers=1)
    assert "workers of 8 threads" in server.log()
    answers = relay_in_parallel(server.url)  # one process: outer and inner calls share its threads
    assert {answer["outer"] for answer in answers} == {answers[0]["inner"]}


def test_the_pool_grows_while_every_thread_is_busy_and_shrinks_back():
    pool = ElasticThreadPool(2, max_threads=8, idle_timeout=0.2)
    inner_results = []

    def outer(i):
        inner_results.append(pool.submit(lambda: i * 10).result(timeout=CLIENT_TIMEOUT))
        return i

    futures = [pool.submit(outer, i) for i in range(6)]
    assert sorted(f.result(timeout=CLIENT_TIMEOUT) for f in futures) == list(range(6))
    assert sorted(inner_results) == [i * 10 for i in range(6)]
    assert pool.size > 2
    pool.submit(lambda: None).result(timeout=CLIENT_TIMEOUT)
    for _attempt in range(100):
        if pool.size == 2:
            break
        pool.submit(lambda: None).result(timeout=CLIENT_TIMEOUT)
        time.sleep(0.1)
    assert pool.size == 2
    pool.shutdown(wait=True)
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
