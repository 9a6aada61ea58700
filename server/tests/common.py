"""Odoo 17's test classes and decorators (``odoo.tests.common``), on our registries and cursors.

Where the database comes from: ``set_registry_provider(provider)`` is called by
whoever runs the tests (the ``--test-enable`` runner: the database just
installed; pytest: a database copied from a template with the test's addon).
``provider(cls)`` returns the registry for a test class.

* ``TransactionCase``: one cursor per class (``cls.cr``, ``cls.env`` as superuser,
  ``setUpClass`` data shared by the class), each test in a savepoint rolled back
  after it; everything rolled back at the end of the class.
* ``SingleTransactionCase``: the tests of a class share one transaction, no savepoints.
* ``SavepointCase``: Odoo's older name of ``TransactionCase``.
* ``HttpCase``: a ``TransactionCase`` with a threaded HTTP server on the same
  database; ``url_open`` commits the test's transaction first so that the server
  sees its data (each HttpCase class gets a database of its own for this reason).
"""
from __future__ import annotations

import functools
import itertools
import logging
import threading
import unittest
from contextlib import contextmanager

from ..orm.environment import SUPERUSER_ID, Environment

_logger = logging.getLogger(__name__)
_savepoints = itertools.count()
_provider: dict = {}
HOST = "127.0.0.1"
DEFAULT_TAGS = frozenset({"standard", "at_install"})


def set_registry_provider(provider) -> None:
    """``provider(test_class) -> Registry``: where test classes get their database."""
    _provider["registry"] = provider


def registry_for(cls):
    provider = _provider.get("registry")
    if provider is None:
        raise RuntimeError(f"{cls.__name__}: Odoo-style tests run under 'odoo-bin.py --test-enable' or pytest, "
                           "which give them a database")
    return provider(cls)


def get_db_name() -> str:
    registry = _provider.get("current")
    return registry.db_name if registry is not None else ""


def addon_of_test(cls) -> str | None:
    parts = cls.__module__.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["odoo", "addons"] else None


# -- tags --------------------------------------------------------------------------------------------
def tagged(*tags: str):
    """Tag a test class (``'post_install'``, ``'-at_install'``, ``'-standard'``, any word)."""
    def decorator(cls):
        current = set(getattr(cls, "test_tags", DEFAULT_TAGS))
        for tag in tags:
            if tag.startswith("-"):
                current.discard(tag[1:])
            else:
                current.add(tag)
        cls.test_tags = frozenset(current)
        return cls
    return decorator


# -- the classes -----------------------------------------------------------------------------------
class BaseCase(unittest.TestCase):
    """What every Odoo test class has: ``env``, ``ref``, ``browse_ref``, assertions on records."""

    test_tags = DEFAULT_TAGS
    registry = None
    env: Environment
    longMessage = True

    @classmethod
    def _open_registry(cls):
        cls.registry = registry_for(cls)
        _provider["current"] = cls.registry
        return cls.registry

    @property
    def uid(self) -> int:
        return self.env.uid

    def ref(self, xid: str) -> int:
        return self.env.ref(xid).id

    def browse_ref(self, xid: str):
        return self.env.ref(xid)

    def assertRecordValues(self, records, expected_values: list[dict]) -> None:  # noqa: N802
        """Each record's values equal the dict at its position (relational values compared by ids)."""
        self.assertEqual(len(records), len(expected_values), "wrong number of records")
        for index, (record, expected) in enumerate(zip(records, expected_values, strict=True)):
            for name, value in expected.items():
                actual = record[name]
                field = record._fields[name]
                if field.type == "many2one":
                    actual, value = actual.id, getattr(value, "id", value)
                elif field.type in ("one2many", "many2many"):
                    actual, value = sorted(actual.ids), sorted(getattr(value, "ids", value))
                self.assertEqual(actual, value, f"record #{index} ({record!r}), field {name!r}")

    @contextmanager
    def assertQueryCount(self, default: int = 0, flush: bool = True, **counters):  # noqa: N802
        """Fail if the block sends more statements than ``default`` (or ``counters[login]``) to the database."""
        expected = counters.get(self.env.user.login, default)
        with count_queries(self.env.cr) as queries:
            yield
        if len(queries) > expected:
            listing = "\n".join(queries[:50])
            self.fail(f"Query count more than expected for user {self.env.user.login}: {len(queries)} > "
                      f"{expected}\n{listing}")

    @contextmanager
    def assertRaisesOrRollback(self, exception):  # Odoo's savepoint-safe assertRaises  # noqa: N802
        with self.assertRaises(exception) as context:
            yield context


@contextmanager
def count_queries(cr):
    """Record the statements sent through ``cr``'s database in the block (a list of SQL texts)."""
    database = cr.database
    original = database.execute_sql
    sent: list[str] = []
    owner = threading.get_ident()

    def counting(sql, params=None, *args, **kwargs):
        if threading.get_ident() == owner:
            sent.append(sql)
        return original(sql, params, *args, **kwargs)

    patched_before = "execute_sql" in vars(database)
    database.execute_sql = counting
    try:
        yield sent
    finally:
        if patched_before:
            database.execute_sql = original
        else:
            del database.execute_sql


class _ClassTransaction(BaseCase):
    """One cursor for the whole class, opened as superuser, closed without a commit at its end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        registry = cls._open_registry()
        cls.cr = registry.cursor()
        cls.addClassCleanup(cls._close_cursor)
        cls.env = Environment(cls.cr, SUPERUSER_ID, {})

    @classmethod
    def _close_cursor(cls) -> None:
        cls.cr.close(commit=False)
        cls.registry.clear_local_caches()
        cls.registry.check_composition()  # models a test helper added and removed: composed again


class TransactionCase(_ClassTransaction):
    """Tests in savepoints of one transaction per class, rolled back at its end."""

    def setUp(self):
        super().setUp()
        name = f"test_{next(_savepoints)}"
        self.cr.execute(f"SAVEPOINT {name}")
        self.addCleanup(self._roll_back_to, name, self.env)

    def _roll_back_to(self, name: str, env: Environment) -> None:
        self.cr.execute(f"ROLLBACK TO SAVEPOINT {name}")
        self.cr.cache.clear()
        self.registry.clear_local_caches()
        self.registry.check_composition()
        self.__dict__.pop("env", None)  # a test's own ``self.env = ...`` does not leak into the next one


SavepointCase = TransactionCase


class SingleTransactionCase(_ClassTransaction):
    """The tests of the class run one after the other in one transaction (no savepoints)."""


class HttpCase(TransactionCase):
    """A ``TransactionCase`` with a live HTTP server on its database (``url_open``, ``authenticate``)."""

    fresh_database = True  # url_open commits: the class gets a database of its own
    _server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import requests

        cls._server = start_http_server(cls.registry.config)
        cls.addClassCleanup(cls._server.stop)
        cls.base_url_value = cls._server.url
        cls.opener = requests.Session()
        cls.addClassCleanup(cls.opener.close)

    def setUp(self):
        BaseCase.setUp(self)  # no savepoint: what the test commits for the server stays (own database)
        self.addCleanup(self._forget_cache)

    def _forget_cache(self) -> None:
        self.cr.cache.clear()
        self.registry.clear_local_caches()
        self.__dict__.pop("env", None)

    def _commit_for_server(self) -> None:
        """Commit so the server's requests see the test's data; hold no write lock meanwhile (SQLite)."""
        self.cr.commit(write_lock=False)

    def base_url(self) -> str:
        return self.base_url_value

    def url_open(self, url: str, data=None, files=None, timeout: float = 12, headers=None,
                 allow_redirects: bool = True, head: bool = False):
        """GET (or POST with ``data``/``files``) ``url`` on the test server, as the authenticated session."""
        self._commit_for_server()
        if url.startswith("/"):
            url = self.base_url() + url
        if head:
            return self.opener.head(url, timeout=timeout, headers=headers, allow_redirects=False)
        if data or files:
            return self.opener.post(url, data=data, files=files, timeout=timeout, headers=headers,
                                    allow_redirects=allow_redirects)
        return self.opener.get(url, timeout=timeout, headers=headers, allow_redirects=allow_redirects)

    def make_jsonrpc_request(self, route: str, params: dict | None = None, headers=None) -> object:
        """POST a JSON-RPC call to ``route``; its result, or an exception carrying the error."""
        self._commit_for_server()
        response = self.opener.post(self.base_url() + route, json={"jsonrpc": "2.0", "method": "call", "id": 1,
                                                                   "params": params or {}},
                                    headers=headers, timeout=30)
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise RuntimeError(body["error"].get("data", {}).get("message") or body["error"].get("message"))
        return body.get("result")

    def authenticate(self, user: str | None, password: str | None) -> None:
        """Log the opener's session in as ``user`` (None: log out)."""
        self._commit_for_server()
        self.opener.cookies.clear()
        if user is None:
            return
        result = self.make_jsonrpc_request("/web/session/authenticate",
                                           {"db": self.registry.db_name, "login": user, "password": password})
        if not result or not result.get("uid"):
            raise AssertionError(f"authentication of {user!r} failed")

    def logout(self) -> None:
        self.opener.cookies.clear()


class _HttpServer:
    def __init__(self, url: str, stop):
        self.url, self.stop = url, stop


def start_http_server(config) -> _HttpServer:
    """The application of ``config`` served by a threaded server on a free port of 127.0.0.1."""
    from ..http import Application
    from ..service.server import make_threaded_server

    server = make_threaded_server(Application(config), HOST, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(10)
        server.server_close()

    return _HttpServer(f"http://{HOST}:{server.server_port}", stop)


# -- decorators ------------------------------------------------------------------------------------
def users(*logins: str):
    """Run the decorated test once per login, with ``self.env`` (and ``self.uid``) as that user."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            original = self.env
            Users = original["res.users"].sudo().with_context(active_test=False)
            try:
                for login in logins:
                    user = Users.search([("login", "=", login)], limit=1)
                    if not user:
                        raise AssertionError(f"@users: no user with login {login!r}")
                    with self.subTest(login=login):
                        self.env = original(user=user.id, su=False)
                        func(self, *args, **kwargs)
            finally:
                self.env = original
        return wrapper
    return decorator


def warmup(func):
    """Run the test twice: once to warm the caches (``self.warm`` False), then for real."""
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        self.warm = False
        func(self, *args, **kwargs)
        self.env.invalidate_all()
        self.warm = True
        return func(self, *args, **kwargs)
    return wrapper


def new_test_user(env, login: str = "", groups: str = "base.group_user", context=None, **kwargs):
    """Create a user ``login`` (password: the login) in ``groups`` (comma-separated external ids)."""
    if not login:
        raise ValueError("new_test_user() needs a login")
    group_ids = [env.ref(xmlid.strip()).id for xmlid in groups.split(",") if xmlid.strip()]
    values = {"login": login, "name": kwargs.pop("name", login.title()), "password": kwargs.pop("password", login),
              "email": kwargs.pop("email", f"{login}@example.com"), "groups_id": [(6, 0, group_ids)], **kwargs}
    Users = env["res.users"].with_context(**(context or {})) if context else env["res.users"]
    return Users.create(values)


# Odoo 17 also offers Form from odoo.tests.common.
from .form import Form  # noqa: E402, F401
