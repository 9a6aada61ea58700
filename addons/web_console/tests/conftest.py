"""Browser fixtures: Playwright for Python driving Debian's Chromium against a real server on 127.0.0.1.

``console`` is a logged-in ``Console`` (a Playwright page plus helpers); ``shoot(name)`` saves a
screenshot of the current page under the session's artefacts folder, printed at the end of the run.  A
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
    folder = tmp_path_factory.getbasetemp() / "console-artefacts"
    folder.mkdir(exist_ok=True)
    if folder not in ARTEFACTS:
        ARTEFACTS.append(folder)
    return folder


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, with the system's Chromium instead of a downloaded one."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture
def browser_ready():
    if not _browser_available():
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need playwright and Chromium at {CHROMIUM} (.ci/run installs them)")
        pytest.skip(f"playwright or Chromium ({CHROMIUM}) not installed")


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
def console(request, browser_ready, live_server, artefacts_dir):
    page = request.getfixturevalue("page")
    page.set_default_timeout(30_000)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    yield Console(page, live_server, artefacts_dir, test_name)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(artefacts_dir / f"FAILED-{test_name}.png"), full_page=True)


def pytest_terminal_summary(terminalreporter):
    for folder in ARTEFACTS:
        shots = sorted(folder.glob("*.png"))
        if shots:
            terminalreporter.write_line(f"console screenshots ({len(shots)}): {folder}")
