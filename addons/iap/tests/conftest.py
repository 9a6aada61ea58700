"""Fixtures of the ``iap`` tests: a fake IAP server (``fake_iap.py``) and a fake platform behind it.

Imports of the addon happen inside the fixtures: the ``odoo.addons`` path is set up once the first
test module is collected.
"""
from __future__ import annotations

import pytest


@pytest.fixture
def fake_iap():
    """A JSON-RPC server on 127.0.0.1: ``fake_iap.routes[path] = handler``, ``fake_iap.calls``."""
    from odoo.addons.iap.tests.fake_iap import FakeIap

    with FakeIap().serving() as fake:
        yield fake


@pytest.fixture
def no_backoff(monkeypatch):
    """Retries without pauses, so tests of the retry paths stay fast."""
    from odoo.addons.iap.tools import iap_tools

    monkeypatch.setattr(iap_tools, "RETRY_DELAYS", (0, 0, 0))


@pytest.fixture
def fake_platform(env, fake_iap, no_backoff):
    """A fake platform (holds in a dict) that the ``env`` database's ``iap.endpoint`` points at."""
    from odoo.addons.iap.tests.fake_iap import FakePlatform

    env["ir.config_parameter"].set_param("iap.endpoint", fake_iap.url)
    return FakePlatform(fake_iap)
