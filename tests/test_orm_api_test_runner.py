"""odoo-bin.py --test-enable runs an addon's Odoo-style tests; tags select them; a failure exits 1."""
import subprocess
import sys
import unittest

import pytest

import server  # noqa: F401
from server.config import ROOT
from server.tests import TransactionCase, tagged
from server.tests.runner import TagsSelector


class _Plain(TransactionCase):
    def test_a(self):
        pass


@tagged("post_install", "-at_install", "slow")
class _Tagged(TransactionCase):
    def test_b(self):
        pass


def _selects(spec, test_class, method, addon="lib"):
    return TagsSelector(spec).selects(test_class(method), addon)


def test_tags_follow_odoo_semantics():
    assert _selects(None, _Plain, "test_a") and _selects(None, _Tagged, "test_b")  # both are standard
    assert not _selects("slow", _Plain, "test_a") and _selects("slow", _Tagged, "test_b")
    assert _selects("/lib", _Plain, "test_a") and not _selects("/other", _Plain, "test_a")
    assert _selects("/lib:_Tagged.test_b", _Tagged, "test_b") and not _selects("/lib:_Tagged", _Plain, "test_a")
    assert not _selects("standard,-slow", _Tagged, "test_b") and _selects("standard,-slow", _Plain, "test_a")
    assert _selects("post_install", _Tagged, "test_b") and not _selects("at_install", _Tagged, "test_b")
    with pytest.raises(ValueError, match="test-tags"):
        TagsSelector("a b")
    assert issubclass(_Plain, unittest.TestCase)


def _run(tmp_path, *extra):
    command = [sys.executable, str(ROOT / "odoo-bin.py"), "-d", "runner", "-D", str(tmp_path),
               "--addons-path", f"{ROOT / 'tests' / 'addons'},{ROOT / 'addons'}", "-i", "test_library_api",
               "--test-enable", "--stop-after-init", "--log-level", "warn", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_test_enable_runs_the_selected_tests(tmp_path):
    done = _run(tmp_path, "--test-tags", "library_form")
    assert done.returncode == 0, done.stderr
    assert "Ran 1 test" in done.stderr and "test_form_runs_onchanges_and_saves" in done.stderr


def test_a_failing_test_makes_the_run_exit_non_zero(tmp_path):
    done = _run(tmp_path, "--test-tags", "on_purpose")
    assert done.returncode == 1
    assert "this test fails on purpose" in done.stderr
