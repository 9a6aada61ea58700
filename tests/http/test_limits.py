"""Limits as Odoo has them (issue #17, finding 3): request bodies, worker memory and time, requests per worker.

A body past the route's limit is refused with 413 before it is read: the 120 MB test announces its size
and sends only a few bytes of it, so a server that tried to read it would wait for the rest (and the
client's timeout would fail the test).
"""
import http.client
import json
from urllib.parse import urlsplit

import pytest
import requests

from server.http.application import DEFAULT_BODY_LIMIT

pytestmark = pytest.mark.addons("http_hardening_test")

CLIENT_TIMEOUT = 30
MB = 1024 * 1024


@pytest.fixture
def config(db_backend, database_factory):
    return database_factory.create(db_backend, ("http_hardening_test", "web"))


def call(url: str, path: str, timeout: float = CLIENT_TIMEOUT, **params) -> requests.Response:
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1})
    return requests.post(url + path, data=body, headers={"Content-Type": "application/json"}, timeout=timeout)


def announce_body(url: str, path: str, length: int, content_type: str = "application/json") -> tuple[int, bytes]:
    """Send headers announcing ``length`` bytes, then only 16 of them; the status and body of the answer."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=CLIENT_TIMEOUT)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    connection.send(b'[{},{},{},{},{},')
    response = connection.getresponse()
    status, body = response.status, response.read()
    connection.close()
    return status, body


def send_chunked(url: str, path: str, total: int) -> tuple[int, bytes]:
    """POST ``total`` bytes of a JSON string with chunked transfer encoding (no Content-Length)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=CLIENT_TIMEOUT)

    def chunks():
        yield b'{"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"data": "'
        sent = 0
        while sent < total:
            piece = min(MB, total - sent)
            yield b"x" * piece
            sent += piece
        yield b'"}}'

    connection.request("POST", path, body=chunks(), headers={"Content-Type": "application/json"},
                       encode_chunked=True)
    response = connection.getresponse()
    status, body = response.status, response.read()
    connection.close()
    return status, body


# -- request bodies ---------------------------------------------------------------------------------
@pytest.mark.parametrize("workers", [0, 1], ids=["threaded", "workers"])
def test_a_120_mb_body_is_refused_with_413_before_it_is_read(config, server_process, workers):
    server = server_process(config, workers=workers)
    status, body = announce_body(server.url, "/http_hardening_test/size", 120 * MB)
    assert status == 413
    error = json.loads(body)["error"]
    assert error["code"] == 413 and "120" not in error["data"]["name"]
    assert str(DEFAULT_BODY_LIMIT) in error["data"]["message"]
    status, _body = announce_body(server.url, "/xmlrpc/2/common", 120 * MB, "text/xml")
    assert status == 413
    assert call(server.url, "/http_hardening_test/size", data="still serving").json()["result"] == 13


def test_a_chunked_body_is_cut_at_the_limit(config, server_process):
    server = server_process(config, workers=1)
    status, body = send_chunked(server.url, "/http_hardening_test/size", DEFAULT_BODY_LIMIT + MB)
    assert status == 413, body[:300]
    assert json.loads(body)["error"]["code"] == 413
    status, body = send_chunked(server.url, "/http_hardening_test/size", MB)
    assert status == 200 and json.loads(body)["result"] == MB


def test_a_route_may_declare_a_larger_body_and_the_option_sets_the_default(config, server_process):
    server = server_process(config, workers=0, limit_request_body=2 * MB)
    data = "y" * (3 * MB)
    assert call(server.url, "/http_hardening_test/size", data=data).status_code == 413
    assert call(server.url, "/http_hardening_test/large", data=data).json()["result"] == 3 * MB
    form = requests.post(server.url + "/http_hardening_test/form", data={"data": data}, timeout=CLIENT_TIMEOUT)
    assert form.status_code == 413
    assert call(server.url, "/http_hardening_test/size", data="small").json()["result"] == 5


# -- worker limits -------------------------------------------------------------------------------------
def worker(url: str) -> dict:
    return call(url, "/http_hardening_test/worker").json()["result"]


def test_limit_memory_hard_bounds_the_worker_address_space(config, server_process):
    server = server_process(config, workers=1, limit_memory_hard=3 * 1024 * MB)
    assert worker(server.url)["address_space"] == 3 * 1024 * MB
    assert worker(server.url)["thread"].startswith("http-")


def test_limit_memory_soft_recycles_the_worker_after_its_request(config, server_process):
    server = server_process(config, workers=1, limit_memory_soft=1 * MB)  # every worker is past it at once
    pids = {worker(server.url)["pid"] for _ in range(4)}  # a request already accepted is still served
    assert len(pids) >= 2, server.log()
    assert "past limit_memory_soft" in server.log()


def test_limit_request_recycles_the_worker_after_that_many_requests(config, server_process):
    server = server_process(config, workers=1, limit_request=2)
    pids = [worker(server.url)["pid"] for _ in range(6)]
    assert len(set(pids)) >= 3, (pids, server.log())


def test_limit_time_real_kills_a_worker_whose_request_lasts_too_long(config, server_process):
    server = server_process(config, workers=1, limit_time_real=1)
    before = worker(server.url)["pid"]
    with pytest.raises(requests.ConnectionError):
        call(server.url, "/http_hardening_test/nap", seconds=6)
    assert "went past limit_time_real (1 s)" in server.log()
    assert worker(server.url)["pid"] != before


def test_limit_time_cpu_kills_a_worker_whose_request_burns_too_much_cpu(config, server_process):
    server = server_process(config, workers=1, limit_time_cpu=1, limit_time_real=60)
    before = worker(server.url)["pid"]
    assert call(server.url, "/http_hardening_test/nap", seconds=2).json()["result"] == before  # wall time is free
    with pytest.raises(requests.ConnectionError):
        call(server.url, "/http_hardening_test/burn", seconds=8)
    assert "went past limit_time_cpu (1 s)" in server.log()
    assert worker(server.url)["pid"] != before
