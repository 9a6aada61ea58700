"""Sagas in the console, in a real browser: a compensated saga's compensation steps in order, an
incident seen on Home and retried from its page."""
import re

import pytest
from playwright.sync_api import expect

from .flow_helpers import committed, reply, run_jobs, script, start, state

pytestmark = pytest.mark.addons("test_saga_flows")


@pytest.fixture
def console_server(fresh_live_server):
    return fresh_live_server


def saga_id(registry, key: str) -> int:
    return committed(registry, lambda env: env["saga.instance"].search([("business_key", "=", key)]).id)


def test_a_compensated_saga_shows_its_compensation_steps_in_order(console):
    registry = console.live.registry()
    script(registry, "order-b1", "a", phase="compensate", fail_times=1)  # a's compensation succeeds on try 2
    start(registry, "order-b1")
    run_jobs(registry)
    reply(registry, "order-b1", "msg-b1", ok=False)
    run_jobs(registry)
    assert state(registry, "order-b1")["status"] == "compensated"
    console.login()
    page = console.page
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Sagas").click()
    expect(page.get_by_role("heading", name="Sagas", exact=True)).to_be_visible()
    page.get_by_role("combobox", name="Status").select_option("compensated")
    page.get_by_role("button", name="Filter").click()
    console.shoot("sagas-compensated")
    page.get_by_role("link", name="order-b1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("compensated")
    steps = page.get_by_role("table", name="Compensation steps").locator("tbody tr")
    expect(steps).to_have_count(3)
    rows = [re.sub(r"\s+", " ", text).strip() for text in steps.all_inner_texts()]
    assert [row.split(" ")[:4] for row in rows] == [
        ["1", "b", "1", "succeeded"], ["2", "a", "1", "failed"], ["3", "a", "2", "succeeded"]]
    expect(page.get_by_role("table", name="Forward steps")).to_contain_text("rejected")
    expect(page.get_by_role("table", name="Messages")).to_contain_text("msg-b1")
    expect(page.get_by_text("Failure reason: b: the reply said no")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Duration of each execution"))).to_be_visible()
    console.shoot("saga-compensated")


def test_an_incident_is_on_home_and_retried_from_its_page(console):
    registry = console.live.registry()
    script(registry, "order-b2", "b", phase="compensate", fail_times=-1)
    start(registry, "order-b2")
    run_jobs(registry)
    reply(registry, "order-b2", "msg-b2", ok=False)
    run_jobs(registry)
    assert state(registry, "order-b2")["status"] == "incident"
    console.login()
    page = console.page
    page.get_by_role("row", name=re.compile("Saga incidents")).get_by_role("link").click()
    page.get_by_role("link", name="order-b2").click()
    expect(page.get_by_role("alert")).to_contain_text("compensate b failed 3 times")
    console.shoot("saga-incident")
    script(registry, "order-b2", "b", phase="compensate", fail_times=0)
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("status")).to_contain_text("Retry: done. The saga is now compensating.")
    run_jobs(registry)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("compensated")
    console.shoot("saga-retried")
    assert state(registry, "order-b2")["status"] == "compensated"
    assert saga_id(registry, "order-b2")
