"""Odoo's test framework (``odoo.tests``): test classes, decorators and ``Form``, for addons' own tests.

``from odoo.tests import TransactionCase, HttpCase, tagged, users, Form, new_test_user``
works as in Odoo 17.  The same tests run two ways:

* ``python odoo-bin.py -d DB -i|-u ADDON --test-enable [--test-tags SPEC]`` installs the
  addons, then runs the selected tests of the addons installed or upgraded, and
  exits non-zero when one fails (``server/tests/runner.py``);
* ``python -m pytest addons/ADDON/tests`` collects them like any unittest class, on
  a database with the addon installed (``server/tests/pytest_support.py``).
"""
from .common import (  # noqa: F401
    BaseCase,
    HttpCase,
    SavepointCase,
    SingleTransactionCase,
    TransactionCase,
    get_db_name,
    new_test_user,
    tagged,
    users,
    warmup,
)
from .form import Form  # noqa: F401
