"""Fixtures of the ISBN service's tests.

* ``fake_iap`` / ``odoo_platform``: a JSON-RPC server on 127.0.0.1 playing Odoo's own IAP platform (the
  ``iap`` addon's test fake), which knows authorize, capture and cancel only.
* ``provider``: a superuser environment on a database of its own with this addon installed and
  ``iap.endpoint`` pointing at the fake platform.  Serving a request commits (on SQLite the charge
  must release the database's write lock), which is why it is not the shared ``env`` database.
* ``servers``: three real HTTP servers on 127.0.0.1 (platform, provider, client), each on its own
  database, started once per backend and shared by the tests that use them (see ``common.py``).

The test kit addon (``tests/addons/isbn_provider_testkit``) is added to the test addons path here.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from server import testing

TESTKIT_ADDONS = Path(__file__).resolve().parent / "addons"
if TESTKIT_ADDONS not in testing.EXTRA_ADDONS_PATHS:
    testing.EXTRA_ADDONS_PATHS.append(TESTKIT_ADDONS)


@pytest.fixture
def fake_iap():
    """A JSON-RPC server: ``fake_iap.routes[path] = handler(params)``, ``fake_iap.calls``, ``fake_iap.url``."""
    from odoo.addons.iap.tests.fake_iap import FakeIap

    with FakeIap().serving() as fake:
        yield fake


@pytest.fixture
def odoo_platform(fake_iap, monkeypatch):
    """Odoo's own IAP platform as the fake plays it (authorize, capture, cancel, nothing else): the demo
    service key, 10 credits on every account, ``holds``, ``charged``, ``cancelled``."""
    from odoo.addons.iap.tests.fake_iap import OdooPlatform
    from odoo.addons.iap.tools import iap_tools

    monkeypatch.setattr(iap_tools, "RETRY_DELAYS", (0, 0, 0))
    return OdooPlatform(fake_iap, "iapk_demo_book_isbn_key", balance=10)


@pytest.fixture
def provider(fresh_registry, make_env, fake_iap):
    """A superuser environment of a provider database whose platform is ``fake_iap``.

    Serving a request commits its work around the platform calls, as a request does (hence a database
    of the test's own); the provider's sender thread is stopped at the end.
    """
    from odoo.addons.iap.tools import sender

    env = make_env(fresh_registry)
    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    env.cr.commit(write_lock=False)
    yield env
    sender.stop_all()


@pytest.fixture
def servers(db_backend, live_server_factory):
    """Platform, provider and client servers (``common.Servers``), shared per backend."""
    from odoo.addons.iap_isbn_service.tests.common import servers_for

    return servers_for(db_backend, live_server_factory)


@pytest.fixture(params=["odoo", "deferred"])
def charging(request, provider, odoo_platform):
    """Each of the provider's charging settings that Odoo's own platform serves."""
    provider["ir.config_parameter"].set_param("iap_isbn_service.charging", request.param)
    provider.cr.commit(write_lock=False)
    return request.param
