"""pytest plugin: Playwright for Python driving Debian's Chromium against a real server on 127.0.0.1.

Loaded with ``-p server.testing_browser`` (see pyproject.toml), next to ``server.testing_http`` whose
``live_server`` it drives.  ``console`` is a ``Console`` (a Playwright page plus helpers); ``shoot(name)`` saves a
screenshot of the current page under the session's artefacts folder (``$BROWSER_ARTEFACTS``, else
``browser-artefacts`` in pytest's base temporary folder), printed at the end of the run.  A
failing browser test always leaves ``FAILED-<test>.png`` there.  Playwright's own browser download does
not work on our machines: the tests launch ``/usr/bin/chromium`` (``apt-get install chromium``), and
skip when it is missing unless ``CI`` is set, where a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CONSOLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS: list[Path] = []


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def artefacts_dir(tmp_path_factory) -> Path:
    chosen = os.environ.get("BROWSER_ARTEFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "browser-artefacts"
    folder.mkdir(parents=True, exist_ok=True)
    if folder not in ARTEFACTS:
        ARTEFACTS.append(folder)
    return folder


@pytest.fixture(scope="session")
def system_browser():
    """Chromium of the system, launched once per session (headless) by Playwright's sync API."""
    if not _browser_available():
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need playwright and Chromium at {CHROMIUM} (.ci/run installs them)")
        pytest.skip(f"playwright or Chromium ({CHROMIUM}) not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(system_browser):
    """A page in a new browser context (own cookies): what one user sees."""
    context = system_browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Console:
    """A browser page on the console of ``live``, with the steps every test repeats."""

    def __init__(self, page, live, artefacts: Path, test_name: str):
        self.page, self.live, self.artefacts, self.test_name = page, live, artefacts, test_name

    def url(self, path: str) -> str:
        return self.live.url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def login(self, login: str = "admin", password: str | None = None) -> None:
        self.goto("/web/login?redirect=/console")
        self.page.get_by_label("Login").fill(login)
        self.page.get_by_label("Password").fill(password or login)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(re.compile(r".*/console$"))

    def shoot(self, name: str) -> Path:
        path = self.artefacts / f"{self.test_name}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def console_server(live_server):
    """The server ``console`` drives: the shared ``live_server``; override it (``fresh_live_server``) to change it."""
    return live_server


@pytest.fixture
def console(request, browser_page, console_server, artefacts_dir):
    """The browser on ``console_server`` (the test's ``@pytest.mark.addons``); not logged in yet."""
    page = browser_page
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    yield Console(page, console_server, artefacts_dir, test_name)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(artefacts_dir / f"FAILED-{test_name}.png"), full_page=True)


def pytest_terminal_summary(terminalreporter):
    for folder in ARTEFACTS:
        shots = sorted(folder.glob("*.png"))
        if shots:
            terminalreporter.write_line(f"browser screenshots ({len(shots)}): {folder}")
