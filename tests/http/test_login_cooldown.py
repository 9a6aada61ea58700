"""Login cooldown as Odoo's (issue #17, finding 4): failures per source address, counted in the database.

The cooldown lasts ``base.login_cooldown_duration`` seconds; tests set it to a few seconds and wait for it
to pass (a wait, not a timed assertion).
"""
import time
import xmlrpc.client

import pytest

from server.orm.environment import SUPERUSER_ID, Environment
from server.testing_http import RpcError

pytestmark = pytest.mark.addons("http_test")

COOLDOWN_MESSAGE = "Too many login failures, please wait a bit before trying again."
COOLDOWN_SECONDS = 3


def set_params(live, **params) -> None:
    with live.registry().cursor() as cr:
        parameters = Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        for key, value in params.items():
            parameters.set_param(f"base.{key}", value)


def authenticate_error(client, db: str, password: str) -> str | None:
    """The error message of ``/web/session/authenticate`` as demo, None if it logged in."""
    try:
        client.authenticate(db, "demo", password)
    except RpcError as exc:
        return exc.error["data"]["message"]
    return None


@pytest.fixture
def live(fresh_live_server):
    set_params(fresh_live_server, login_cooldown_duration=COOLDOWN_SECONDS)
    return fresh_live_server


def test_twelve_wrong_passwords_then_the_right_one_is_refused_until_the_cooldown_passes(live):
    client = live.client()
    answers = [authenticate_error(client, live.db, f"wrong-{i}") for i in range(12)]
    assert answers[:5] == ["Access Denied"] * 5
    assert answers[5:] == [COOLDOWN_MESSAGE] * 7
    assert authenticate_error(client, live.db, "demo") == COOLDOWN_MESSAGE
    time.sleep(COOLDOWN_SECONDS + 0.5)
    assert authenticate_error(client, live.db, "demo") is None
    assert authenticate_error(client, live.db, "wrong-again") == "Access Denied"  # the success cleared the count


def test_the_cooldown_covers_every_way_of_presenting_a_password(live):
    common = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/object")
    client = live.client()
    uid = common.login(live.db, "demo", "demo")
    key = models.execute_kw(live.db, uid, "demo", "res.users.apikeys", "generate", ["script"])
    # Five failures, one through each entry point (an unknown login and a wrong API key count too).
    assert client.rpc("common", "login", live.db, "demo", "nope") is False
    assert common.authenticate(live.db, "demo", "nope", {}) is False
    with pytest.raises(xmlrpc.client.Fault):
        models.execute_kw(live.db, uid, "nope", "res.partner", "search_count", [[]])
    with pytest.raises(RpcError):
        client.execute_kw(live.db, uid, "0" * 40, "res.partner", "search_count", [[]])
    with pytest.raises(RpcError):
        client.authenticate(live.db, "nobody-by-that-login", "nope")
    assert common.login(live.db, "demo", "demo") is False  # common.login answers False, as Odoo's does
    with pytest.raises(xmlrpc.client.Fault) as fault:
        models.execute_kw(live.db, uid, key, "res.partner", "search_count", [[]])
    assert COOLDOWN_MESSAGE in fault.value.faultString
    with pytest.raises(RpcError) as error:  # (admin's password: demo's was verified, and is remembered, above)
        client.execute_kw(live.db, 2, "admin", "res.partner", "search_count", [[]])
    assert error.value.error["data"]["message"] == COOLDOWN_MESSAGE
    assert error.value.name == "odoo.exceptions.AccessDenied"
    time.sleep(COOLDOWN_SECONDS + 0.5)
    assert models.execute_kw(live.db, uid, key, "res.partner", "search_count", [[]]) > 0


def test_the_count_is_shared_by_every_server_on_the_database(live, server_process):
    other = server_process(live.config, workers=2)
    client = live.client()
    for i in range(5):
        assert authenticate_error(client, live.db, f"wrong-{i}") == "Access Denied"
    common = xmlrpc.client.ServerProxy(f"{other.url}/xmlrpc/2/object")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        common.execute_kw(live.db, 2, "admin", "res.partner", "search_count", [[]])
    assert COOLDOWN_MESSAGE in fault.value.faultString


def test_zero_failures_disables_the_cooldown(live):
    set_params(live, login_cooldown_after=0)
    client = live.client()
    assert {authenticate_error(client, live.db, f"wrong-{i}") for i in range(8)} == {"Access Denied"}
    assert authenticate_error(client, live.db, "demo") is None

