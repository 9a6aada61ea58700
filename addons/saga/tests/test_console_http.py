"""The saga console pages over plain HTTP: what a Saga Manager sees, what other users are refused."""
import pytest
from odoo.addons.web_console.tests.test_http_pages import browser_login

from .flow_helpers import committed, run_jobs, start

pytestmark = pytest.mark.addons("test_saga_flows")


def test_a_manager_lists_sagas_by_status_and_reads_one(fresh_live_server):
    registry = fresh_live_server.registry()
    start(registry, "web-1")
    run_jobs(registry)
    client = browser_login(fresh_live_server)
    listing = client.http.get(fresh_live_server.url + "/console/sagas?status=waiting", timeout=30)
    assert listing.status_code == 200 and "web-1" in listing.text
    assert "web-1" not in client.http.get(fresh_live_server.url + "/console/sagas?status=completed", timeout=30).text
    saga_id = committed(registry, lambda env: env["saga.instance"].search([("business_key", "=", "web-1")]).id)
    page = client.http.get(f"{fresh_live_server.url}/console/sagas/{saga_id}", timeout=30)
    assert page.status_code == 200 and "waits for <code>test.reply</code>" in page.text
    stats = client.http.get(fresh_live_server.url + "/console/sagas/stats", timeout=30)
    assert stats.status_code == 200 and "Mean duration per step" in stats.text
    missing = client.http.get(fresh_live_server.url + "/console/sagas/999999", timeout=30)
    assert missing.status_code == 404


def test_a_user_who_is_not_a_saga_manager_sees_no_sagas(fresh_live_server):
    client = browser_login(fresh_live_server, "demo", "demo")
    home = client.http.get(fresh_live_server.url + "/console", timeout=30).text
    assert 'href="/console/sagas"' not in home and "Saga incidents" not in home
    answer = client.http.get(fresh_live_server.url + "/console/sagas", allow_redirects=False, timeout=30)
    assert answer.status_code == 403
