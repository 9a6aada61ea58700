"""The generator's console pages in a real browser: live preview, refusal, 200,000 codes, progress, CSV.

The ``console`` fixture (a browser page on a live server) comes from ``server/testing_browser.py``.
"""
import csv
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.addons("coupon_generator")

CODES = 200_000


def open_generator(console):
    console.login()
    console.page.get_by_role("navigation", name="Console").get_by_role("link", name="Coupons").click()
    console.shoot("programs")
    console.page.get_by_role("button", name="Generate coupons").click()
    expect(console.page.get_by_role("heading", name="Generate coupons")).to_be_visible()


def test_preview_follows_the_form_and_refuses_impossible_counts(console):
    open_generator(console)
    page = console.page
    page.get_by_label("Template").fill("PV-##")
    page.get_by_label("Number of codes").fill("101")
    expect(page.locator("#combinations")).to_have_text("100")
    expect(page.locator("#count-refusal")).to_contain_text("101 codes are impossible")
    expect(page.get_by_role("list", name="Sample codes").get_by_role("listitem")).to_have_count(20)
    console.shoot("generator-refusal")
    page.get_by_role("button", name="Start generating").click()
    expect(page.get_by_role("alert").first).to_contain_text("not enough codes left")
    page.get_by_label("Template").fill("PV-$$##")
    page.get_by_label("Exclude look-alike symbols (0/O, 1/I/l…)").check()
    expect(page.locator("#count-ok")).to_be_visible()
    codes = page.get_by_role("list", name="Sample codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 20 and all(re.fullmatch(r"PV-[A-Z]{2}\d{2}", code) for code in codes)
    assert not any(set(code[3:]) & set("0OI1Z2S5B8") for code in codes)


def test_generate_200000_codes_watch_progress_and_download_the_csv(console, tmp_path):
    open_generator(console)
    page = console.page
    page.get_by_label("Template").fill("BIG-$$$###")
    page.get_by_label("Number of codes").fill(str(CODES))
    expect(page.locator("#count-ok")).to_contain_text("200,000 codes can be generated")
    console.shoot("generator")
    page.get_by_role("button", name="Start generating").click()
    bar = page.locator("#progress-bar")
    expect(bar).to_be_visible()
    seen = set()
    page.wait_for_function("() => { const v = +document.querySelector('#progress-bar').value; "
                           "return v > 0 && v < 100; }", timeout=120_000)
    seen.add(float(bar.get_attribute("value")))
    console.shoot("process-running")
    expect(page.locator("#process-progress")).to_have_attribute("data-state", "done", timeout=300_000)
    expect(page.locator("#progress-text")).to_have_text("100.0 %")
    assert 0 < min(seen) < 100  # the bar was seen part-way, not only at the end
    console.shoot("process-done")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    path = tmp_path / "coupons.csv"
    download.value.save_as(path)
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][0] == "code"
    assert len(rows) - 1 == CODES
    assert len({row[0] for row in rows[1:]}) == CODES


def test_pause_resume_and_cancel(console):
    open_generator(console)
    page = console.page
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Template").fill("PAU-$$$$###")
    page.get_by_label("Number of codes").fill("2000000")
    page.get_by_role("button", name="Start generating").click()
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#process-progress")).to_contain_text("paused")
    paused_at = page.locator("#progress-bar").get_attribute("value")
    page.wait_for_timeout(1500)  # nothing drives it now: the bar must stay where it is
    assert page.locator("#progress-bar").get_attribute("value") == paused_at
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#process-progress")).to_have_attribute("data-state", "cancelled")
    console.shoot("process-cancelled")
