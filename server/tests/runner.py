"""``odoo-bin.py -i|-u ADDONS --test-enable [--test-tags SPEC]``: run the addons' Odoo-style tests.

After the addons are installed or upgraded, the test modules of each of them
(``<addon>/tests/test_*.py``, imported as ``odoo.addons.<addon>.tests.<name>``)
are loaded, the test classes selected by the tags, and run on the database
just loaded.  The process exits non-zero when a test fails or errs.

Tags follow Odoo's ``--test-tags``: comma-separated ``[-][tag][/module][:class][.method]``;
without any, ``standard`` tests run (a class is ``standard`` and ``at_install``
unless ``@tagged`` says otherwise); a leading ``-`` excludes.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
import re
import sys
import unittest

from . import common

_logger = logging.getLogger(__name__)
SPEC_RE = re.compile(r"^(-)?([\w*]*)(?:/(\w+))?(?::(\w+))?(?:\.(\w+))?$")


class TagsSelector:
    """Which tests Odoo's ``--test-tags`` spec selects."""

    def __init__(self, spec: str | None):
        self.include, self.exclude = [], []
        for part in (p.strip() for p in (spec or "").split(",")):
            if not part:
                continue
            match = SPEC_RE.match(part)
            if not match:
                raise ValueError(f"invalid --test-tags element {part!r}: use [-][tag][/module][:class][.method]")
            negate, tag, module, klass, method = match.groups()
            entry = (tag or ("standard" if not (module or klass or method) else "*"), module, klass, method)
            (self.exclude if negate else self.include).append(entry)
        if not self.include:
            self.include.append(("standard", None, None, None))

    @staticmethod
    def _matches(entry, test, addon: str) -> bool:
        tag, module, klass, method = entry
        tags = set(getattr(type(test), "test_tags", common.DEFAULT_TAGS)) | {addon}
        return (tag == "*" or tag in tags) and (not module or module == addon) \
            and (not klass or klass == type(test).__name__) and (not method or method == test._testMethodName)

    def selects(self, test, addon: str) -> bool:
        return any(self._matches(e, test, addon) for e in self.include) and \
            not any(self._matches(e, test, addon) for e in self.exclude)


def test_modules(addon: str) -> list:
    """The ``tests/test_*.py`` modules of ``addon``, imported."""
    try:
        package = importlib.import_module(f"odoo.addons.{addon}.tests")
    except ModuleNotFoundError as exc:
        if exc.name == f"odoo.addons.{addon}.tests":
            return []
        raise
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if info.name.startswith("test_"))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def _flatten(suite) -> list:
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item


def collect(addons: list[str], selector: TagsSelector) -> unittest.TestSuite:
    """The selected Odoo-style tests (``BaseCase`` subclasses) of ``addons``."""
    loader = unittest.TestLoader()
    selected = []
    for addon in addons:
        for module in test_modules(addon):
            for test in _flatten(loader.loadTestsFromModule(module)):
                if isinstance(test, common.BaseCase) and selector.selects(test, addon):
                    selected.append(test)
    # HttpCase tests commit for their server: they run last, so they cannot leak into the others.
    selected.sort(key=lambda test: isinstance(test, common.HttpCase))
    return unittest.TestSuite(selected)


def run_tests(registry, addons: list[str], tags: str | None = None) -> bool:
    """Run the selected tests of ``addons`` on ``registry``'s database; True when all pass."""
    selector = TagsSelector(tags)
    common.set_registry_provider(lambda cls: registry)
    try:
        suite = collect(addons, selector)
        _logger.info("running %d tests of %s", suite.countTestCases(), ", ".join(addons))
        result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
    finally:
        common.set_registry_provider(None)
    return result.wasSuccessful()
