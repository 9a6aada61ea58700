"""A failing scheduled action in the console, in a real browser: on Home, its error read, run again."""
import re

import pytest
from odoo.service.cron import CronRunner, run_job
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("web_console")


@pytest.fixture
def console_server(fresh_live_server):
    """The failing cron changes the database: this test gets a server of its own."""
    return fresh_live_server


def failing_cron(live) -> int:
    """A scheduled action whose code raises, run once by the cron service as the cron threads do."""
    registry = live.registry()
    with registry.cursor() as cr:
        env = registry.env(cr)
        cron = env["ir.cron"].create({
            "name": "Nightly partner import", "model_id": env["ir.model"].search([("model", "=", "res.partner")]).id,
            "code": "raise UserError('the import folder /srv/import is missing')", "interval_number": 1,
            "interval_type": "days", "numbercall": -1, "nextcall": "2020-01-01 00:00:00"})
        cron_id = cron.id
    runner = CronRunner(live.config, 0)
    try:
        run_job(registry, cron_id, runner.lock_database(registry) if registry.database.dialect == "postgresql"
                else None)
    finally:
        runner.stop()
    return cron_id


def test_a_failing_cron_is_on_home_with_its_error(console):
    cron_id = failing_cron(console.live)
    console.login()
    page = console.page
    row = page.get_by_role("row", name=re.compile("Failing scheduled actions"))
    expect(row).to_contain_text("1")
    console.shoot("home-failing-cron")
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Scheduled actions")).to_be_visible()
    failing = page.locator(f'tr[data-cron="{cron_id}"]')
    expect(failing).to_contain_text("the import folder /srv/import is missing")
    expect(page.locator("tr[data-cron]")).to_have_count(1)  # failing only
    console.shoot("crons-failing")
    failing.get_by_role("button", name="Run Nightly partner import now").click()
    expect(page.get_by_role("status")).to_contain_text("the cron threads will run it now")
    console.shoot("crons-triggered")
