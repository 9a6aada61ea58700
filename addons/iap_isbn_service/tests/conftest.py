"""Fixtures of the ISBN service's tests.

* ``fake_iap`` / ``fake_platform``: a JSON-RPC server on 127.0.0.1 playing the IAP platform (the
  ``iap`` addon's test fake), holds kept in a dict.
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
def fake_platform(fake_iap):
    """The fake platform's state: ``balance`` (10 credits), ``holds``, ``captured``, ``cancelled``."""
    from odoo.addons.iap.tests.fake_iap import FakePlatform

    return FakePlatform(fake_iap)


@pytest.fixture
def provider(fresh_registry, make_env, fake_iap):
    """A superuser environment of a provider database whose platform is ``fake_iap``."""
    env = make_env(fresh_registry)
    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    env.cr.commit()
    return env


@pytest.fixture
def servers(db_backend, live_server_factory):
    """Platform, provider and client servers (``common.Servers``), shared per backend."""
    from odoo.addons.iap_isbn_service.tests.common import servers_for

    return servers_for(db_backend, live_server_factory)
