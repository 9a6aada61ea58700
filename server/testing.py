"""pytest plugin: databases with chosen addons installed, on SQLite and PostgreSQL.

Loaded for every test run (``-p server.testing`` in ``pyproject.toml``).

* Every test that uses a storage fixture (``env``, ``registry``,
  ``fresh_registry``, ``db_backend``) runs once on SQLite and once on
  PostgreSQL.  PostgreSQL is 127.0.0.1:5432, user ``postgres``; when it does
  not answer, its runs are skipped, except with ``CI=true`` where they fail.
* ``env`` is a superuser environment whose transaction is rolled back after
  the test; ``registry`` is shared by the tests that want the same addons;
  ``fresh_registry`` is a new database of the test's own (for commits,
  concurrency, installs).
* The addons installed are the test's addon (for tests inside an addon) or
  ``base``, plus any named with ``@pytest.mark.addons("a", "b")``.
* Installing is done once per set of addons and backend; databases are then
  copied from that template, so a test pays milliseconds, not an install.
  With ``-n N`` (pytest-xdist) the worker processes share the templates: the
  first to need one builds it under a file lock, the others copy it, and the
  run's main process drops them at its end.
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
import queue
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from . import db as db_module
from .config import ROOT, Config
from .modules.loading import load_modules
from .modules.registry import Registry
from .orm.environment import SUPERUSER_ID, Environment
from .tests.pytest_support import odoo_test_databases  # noqa: F401  (Odoo-style test classes)

BACKENDS = ("sqlite", "postgresql")
PG_URI = os.environ.get("TEST_PG_URI", "postgresql://postgres@127.0.0.1:5432/test")
TEST_ADDONS = ROOT / "tests" / "addons"
STORAGE_FIXTURES = {"db_backend", "registry", "fresh_registry", "env", "database_factory_db"}
PARALLEL_DROPS = 4  # DROP DATABASE statements at once at the session's end (their checkpoints coalesce)


def pytest_addoption(parser):
    parser.addoption("--backend", default="all", choices=["all", *BACKENDS],
                     help="run storage tests on this backend only (default: both)")


def pytest_configure(config):
    config.addinivalue_line("markers", "addons(*names): addons to install for this test's database")
    config.addinivalue_line("markers", "postgresql_only: a storage test that only makes sense on PostgreSQL")
    config.addinivalue_line("markers", "sqlite_only: a storage test of a behaviour only SQLite has")


def pytest_generate_tests(metafunc):
    if "db_backend" not in metafunc.fixturenames:
        return
    wanted = metafunc.config.getoption("--backend")
    backends = BACKENDS if wanted == "all" else (wanted,)
    if metafunc.definition.get_closest_marker("postgresql_only"):
        backends = tuple(b for b in backends if b == "postgresql")
    if metafunc.definition.get_closest_marker("sqlite_only"):
        backends = tuple(b for b in backends if b == "sqlite")
    metafunc.parametrize("db_backend", backends, indirect=True, scope="function")


# -- addon test modules are imported under their real package name -----------------------------
def addon_test_module(path: Path) -> str | None:
    """``addons/x/tests/test_y.py`` -> ``odoo.addons.x.tests.test_y`` (None for other files)."""
    path = Path(path).resolve()
    parts = path.parts
    if "tests" not in parts[:-1] or path.suffix != ".py":
        return None
    index = len(parts) - 1 - list(reversed(parts[:-1])).index("tests") - 1
    addon_dir = Path(*parts[:index])
    if not (addon_dir / "__manifest__.py").exists():
        return None
    rest = parts[index + 1:]
    return ".".join(["odoo", "addons", addon_dir.name, "tests", *[p.removesuffix(".py") for p in rest]])


class AddonTestModule(pytest.Module):
    dotted_name = ""

    def _getobj(self):
        import server  # noqa: F401  (installs the odoo alias)

        from .addons import set_addons_path

        set_addons_path(test_config_paths())
        return importlib.import_module(self.dotted_name)


EXTRA_ADDONS_PATHS: list[Path] = []


def pytest_pycollect_makemodule(module_path, parent):
    dotted = addon_test_module(module_path)
    if dotted:
        addons_dir = _addon_dir(Path(module_path)).parent
        if addons_dir not in EXTRA_ADDONS_PATHS and addons_dir not in test_config_paths():
            EXTRA_ADDONS_PATHS.append(addons_dir)
        module = AddonTestModule.from_parent(parent, path=module_path)
        module.dotted_name = dotted
        return module
    return None


def pytest_collect_directory(path, parent):
    """Collect an addon's directories as plain directories, never as packages.

    pytest imports a package's ``__init__.py`` under a name of its own
    (``tcm_smt``), a second copy of the addon outside ``odoo.addons`` whose
    models and signal handlers no registry controls.
    """
    if any((d / "__manifest__.py").exists() for d in (Path(path), *Path(path).parents)):
        return pytest.Dir.from_parent(parent, path=Path(path))
    return None


def _addon_dir(test_file: Path) -> Path:
    for parent in test_file.resolve().parents:
        if (parent / "__manifest__.py").exists():
            return parent
    raise ValueError(f"{test_file} is not inside an addon")


def test_config_paths() -> list[Path]:
    """Addon directories for test databases: the project's, tests/addons, and those of collected addon tests."""
    paths = [ROOT / "server" / "addons", ROOT / "addons"]
    if TEST_ADDONS.is_dir():
        paths.append(TEST_ADDONS)
    return paths + [p for p in EXTRA_ADDONS_PATHS if p not in paths]


# -- backends ---------------------------------------------------------------------------------------
_pg_state: dict = {}


def postgresql_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    if "reason" not in _pg_state:
        try:
            import psycopg2

            psycopg2.connect(PG_URI, connect_timeout=3).close()
            _pg_state["reason"] = None
        except Exception as exc:  # any failure means: not available
            _pg_state["reason"] = str(exc).strip() or type(exc).__name__
    return _pg_state["reason"]


@pytest.fixture
def db_backend(request):
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        reason = postgresql_available()
        if reason:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"PostgreSQL must answer in CI: {reason}")
            pytest.skip(f"PostgreSQL not available: {reason}")
    return backend


class DatabaseFactory:
    """Creates test databases from installed templates, and drops them all at the end."""

    def __init__(self, tmp: Path, shared: Path | None = None):
        self.tmp = tmp
        self.shared = shared or tmp  # where templates are built and found (the run's, under xdist)
        self.templates: dict[tuple, str] = {}
        self.created: list[str] = []
        self.dropper = BackgroundDropper()

    def config(self, uri: str | None = None, **options) -> Config:
        base = {"data_dir": str(self.tmp / "data"),
                "addons_path": ",".join(str(p) for p in test_config_paths()[1:]),
                "admin_passwd": "admin", "log_level": "warning", "max_cron_threads": 0}
        base.update(options)
        if uri:
            base["db_uri"] = uri
        return Config(base)

    def uri(self, backend: str, name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / 'data' / (name + '.sqlite3')}"
        return PG_URI.rsplit("/", 1)[0] + "/" + name

    def new_name(self) -> str:
        return "t_" + uuid.uuid4().hex[:12]

    def template(self, backend: str, addons: tuple[str, ...], demo: bool) -> str:
        """The URI of a database with ``addons`` installed, built once for the whole run."""
        key = (backend, addons, demo)
        if key not in self.templates:
            self.templates[key] = self._shared_template(key)
        return self.templates[key]

    def _shared_template(self, key: tuple) -> str:
        backend, addons, demo = key
        digest = hashlib.sha1(f"{self.shared}|{key!r}".encode()).hexdigest()[:16]
        marker = self.shared / f"template-{digest}.uri"
        with open(self.shared / f"template-{digest}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it: wait for its end
            if marker.exists():
                return marker.read_text()
            name = f"tpl_{digest}"
            if backend == "sqlite":
                uri = f"sqlite:///{self.shared / (name + '.sqlite3')}"
            else:
                uri = self.uri(backend, name)
            config = self.config(uri, without_demo=False if demo else "all")
            registry = load_modules(config, init=",".join(addons))
            Registry.forget(registry)
            marker.write_text(uri)
            return uri

    def create(self, backend: str, addons: tuple[str, ...], demo: bool = True) -> Config:
        """A new database with ``addons`` installed; returns its configuration."""
        template = self.template(backend, addons, demo)
        name = self.new_name()
        uri = self.uri(backend, name)
        if backend == "sqlite":
            shutil.copyfile(_sqlite_path(template), _sqlite_path(uri))
        else:
            _pg_copy(template, name)
        self.created.append(uri)
        return self.config(uri, without_demo=False if demo else "all")

    def empty(self, backend: str) -> Config:
        """The configuration of a database that does not exist yet."""
        uri = self.uri(backend, self.new_name())
        self.created.append(uri)
        return self.config(uri)

    def release(self, uri: str) -> None:
        """Drop the database at ``uri`` now that its test is done (PostgreSQL's in the background)."""
        Registry.forget_uri(uri)
        if uri in self.created:
            self.created.remove(uri)
        self.dropper.drop(uri)

    def drop_all(self) -> None:
        Registry.forget_all()
        self.dropper.finish()
        with ThreadPoolExecutor(PARALLEL_DROPS) as pool:
            pool.map(_drop_quietly, self.created)
        self.created.clear()


class BackgroundDropper:
    """Drops PostgreSQL databases in a thread of its own while the tests go on.

    Why: PostgreSQL's DROP DATABASE waits for a checkpoint (every dirty page of the cluster written and
    synced): a third of a second on a busy machine, several minutes for the hundreds of databases a worker
    creates when they are all dropped at the session's end.  In a thread that waiting overlaps the tests.
    SQLite files are removed at once.
    """

    def __init__(self):
        self.pending: queue.Queue[str | None] = queue.Queue()
        self.thread: threading.Thread | None = None

    def drop(self, uri: str) -> None:
        if uri.startswith("sqlite:"):
            _drop_quietly(uri)
            return
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="test-database-dropper", daemon=True)
            self.thread.start()
        self.pending.put(uri)

    def _run(self) -> None:
        while (uri := self.pending.get()) is not None:
            _drop_quietly(uri)

    def finish(self) -> None:
        """Wait until every database handed over is dropped."""
        if self.thread is not None:
            self.pending.put(None)
            self.thread.join()
            self.thread = None


def _drop_quietly(uri: str) -> None:
    try:
        db_module.drop_database(uri)
    except Exception:  # best effort: the test is over
        pass


def _sqlite_path(uri: str) -> str:
    return uri[len("sqlite:///"):]


def _pg_copy(template_uri: str, name: str) -> None:
    import psycopg2

    template = template_uri.rsplit("/", 1)[1]
    conn = psycopg2.connect(PG_URI.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    try:
        conn.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        conn.close()


def _run_folder(tmp_path_factory) -> Path:
    """The folder of the whole run: under xdist each worker's base folder lies in the main process's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def pytest_sessionfinish(session):
    """The main process (or the only one) drops the shared templates once every worker is done."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or factory._basetemp is None:
        return  # no test asked for a folder: no template was made
    Registry.forget_all()
    for marker in factory.getbasetemp().glob("template-*.uri"):
        try:
            db_module.drop_database(marker.read_text())
        except Exception:  # best effort: the run is over
            pass


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory):
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"), _run_folder(tmp_path_factory))
    (factory.tmp / "data").mkdir(exist_ok=True)
    yield factory
    factory.drop_all()


def addons_for(request) -> tuple[str, ...]:
    """The addons a test wants: its own addon, ``base``, and any ``@pytest.mark.addons``."""
    names = []
    module_name = getattr(request.module, "__name__", "")
    parts = module_name.split(".")
    if len(parts) > 3 and parts[:2] == ["odoo", "addons"]:
        names.append(parts[2])
    for marker in request.node.iter_markers("addons"):
        names.extend(marker.args)
    return tuple(sorted(set(names) or {"base"}))


_shared: dict[tuple, Registry] = {}


@pytest.fixture
def registry(request, db_backend, database_factory):
    """A ready registry with the test's addons; shared by tests wanting the same ones (do not commit)."""
    key = (db_backend, addons_for(request))
    if key not in _shared:
        config = database_factory.create(db_backend, key[1])
        _shared[key] = Registry.open(config)
    return _shared[key]


@pytest.fixture
def fresh_registry(request, db_backend, database_factory):
    """A registry on a new database of this test's own: commit, install or uninstall freely."""
    config = database_factory.create(db_backend, addons_for(request))
    registry = Registry.open(config)
    yield registry
    database_factory.release(registry.uri)


@pytest.fixture
def env(registry):
    """A superuser environment in a transaction that is rolled back after the test."""
    cr = registry.cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.close(commit=False)


@pytest.fixture
def make_env():
    """``make_env(registry)`` opens an environment in a new transaction, closed (rolled back) at teardown."""
    cursors = []

    def factory(registry, uid: int = SUPERUSER_ID, context: dict | None = None):
        cr = registry.cursor()
        cursors.append(cr)
        return Environment(cr, uid, context or {})

    yield factory
    for cr in cursors:
        cr.close(commit=False)
