"""``web.base.url`` follows the address administrators log in at, as Odoo's ``res.users.authenticate``
does with the request's ``base_location``: unless ``web.base.url.freeze`` is set, and never for other
users."""
import pytest

from server.orm.environment import SUPERUSER_ID, Environment

pytestmark = pytest.mark.addons("http_test")
CONFIGURED = "http://erp.example.com"


def params(live, **values) -> dict:
    """Set the parameters given (None deletes), then return the two this is about."""
    with live.registry().cursor() as cr:
        parameters = Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        for key, value in values.items():
            parameters.set_param(key.replace("_", "."), value)
        return {key: parameters.get_param(key) for key in ("web.base.url", "web.base.url.freeze")}


@pytest.fixture
def live(live_server):
    before = params(live_server)
    params(live_server, web_base_url=CONFIGURED)
    yield live_server
    params(live_server, web_base_url=before["web.base.url"], web_base_url_freeze=before["web.base.url.freeze"])


def test_an_administrator_s_login_sets_it_to_the_address_used(live):
    live.client().authenticate(live.db, "admin", "admin")
    assert params(live)["web.base.url"] == live.url  # http://127.0.0.1:<port>, no trailing slash


def test_a_frozen_address_stays(live):
    params(live, web_base_url_freeze="True")
    live.client().authenticate(live.db, "admin", "admin")
    assert params(live)["web.base.url"] == CONFIGURED


def test_a_user_s_login_leaves_it(live):
    live.client().authenticate(live.db, "demo", "demo")
    assert params(live)["web.base.url"] == CONFIGURED


def test_external_api_authenticate_takes_the_base_location_of_user_agent_env(live):
    """``common.authenticate(db, login, password, user_agent_env)`` as Odoo's: an administrator's
    ``base_location`` is kept, a user's is not."""
    import xmlrpc.client

    common = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/common")
    assert common.authenticate(live.db, "demo", "demo", {"base_location": "http://demo.example.com"})
    assert params(live)["web.base.url"] == CONFIGURED
    assert common.authenticate(live.db, "admin", "admin", {"base_location": "http://rpc.example.com"})
    assert params(live)["web.base.url"] == "http://rpc.example.com"
    assert common.authenticate(live.db, "admin", "wrong", {"base_location": "http://other.example.com"}) is False
    assert params(live)["web.base.url"] == "http://rpc.example.com"
