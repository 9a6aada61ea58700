"""Jobs in the console, in a real browser: a failed job on Home, its traceback and history, requeued."""
import re

import pytest
from odoo.addons.queue_job.worker.worker import drain
from playwright.sync_api import expect

from .helpers import committed, job_row

pytestmark = pytest.mark.addons("queue_job")


def failed_job(live) -> str:
    registry = live.registry()
    job_uuid = committed(registry, lambda env: env["queue.job"].with_delay(description="Console failing job")
                         ._test_job(failure_rate=1).uuid)
    drain(registry)
    assert job_row(registry, job_uuid)["state"] == "failed"
    return job_uuid


def test_requeue_a_failed_job(console):
    job_uuid = failed_job(console.live)
    console.login()
    page = console.page
    page.get_by_role("row", name=re.compile("Failed jobs")).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    expect(page.locator("#job-channels table")).to_contain_text("root")  # the figures, loaded after the list
    console.shoot("jobs")
    page.get_by_role("link", name="Console failing job").first.click()
    expect(page.get_by_role("alert")).to_contain_text("Job failed")
    expect(page.locator("pre.traceback")).to_contain_text("Traceback")
    console.shoot("job-failed")
    page.get_by_role("button", name="Requeue").click()
    expect(page.get_by_role("status")).to_contain_text("Requeue: done")
    expect(page.locator("table").last).to_contain_text("requeued")
    console.shoot("job-requeued")
    assert job_row(console.live.registry(), job_uuid)["state"] in ("pending", "enqueued", "started", "failed")
    assert job_row(console.live.registry(), job_uuid)["retry"] <= 1
