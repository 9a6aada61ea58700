"""Fixtures of the client's tests: a fake ISBN provider, and a client database pointed at it.

``client`` is a superuser environment on a database of its own: ``fetch_book_data`` commits before it
calls the provider (the request id must be durable), so these tests cannot share the ``env`` database.
"""
from __future__ import annotations

import pytest


@pytest.fixture
def fake_provider():
    """A JSON-RPC server on 127.0.0.1: ``routes['/get_book_data'] = handler(params)``, ``calls``, ``url``."""
    from odoo.addons.iap.tests.fake_iap import FakeIap

    with FakeIap().serving() as fake:
        yield fake


@pytest.fixture
def client(fresh_registry, make_env, fake_provider):
    """A superuser environment of a client database whose ISBN service is ``fake_provider``."""
    env = make_env(fresh_registry)
    env["ir.config_parameter"].set_param("iap_client.endpoint", fake_provider.url)
    env["ir.config_parameter"].set_param("iap_client.timeout", 0.5)
    env.cr.commit()
    return env
