"""Transfers in the console, in a real browser: a failed transfer on Home, found by key, retried."""
import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("transfer_analysis")


def failed_transfer(live) -> str:
    """A transfer submitted without answers: recorded as failed, with the reason."""
    client = live.client()
    client.authenticate(live.db, "admin", "admin")
    key = f"console-{uuid.uuid4().hex[:8]}"
    answer = client.call_kw("transfer.transfer", "submit", [key, []])
    assert answer["state"] == "failed"
    return key


def test_find_a_failed_transfer_and_retry_it(console):
    key = failed_transfer(console.live)
    console.login()
    page = console.page
    page.get_by_role("row", name=re.compile("Failed transfers")).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Transfers", exact=True)).to_be_visible()
    page.get_by_label("Find by key").fill(key)
    page.get_by_role("button", name="Find").click()
    console.shoot("transfers")
    page.get_by_role("link", name=key).click()
    expect(page.get_by_role("heading", name=re.compile(key))).to_contain_text("failed")
    console.shoot("transfer-failed")
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("status")).to_contain_text("queued again")
    expect(page.get_by_role("heading", name=re.compile(key))).not_to_contain_text("failed")
    console.shoot("transfer-retried")
