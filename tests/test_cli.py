"""odoo-bin.py as a user runs it: install, shell, config get/set, module list, scaffold, misuse."""
import subprocess
import sys

import pytest

from server.config import ROOT


def odoo_bin(*args, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "odoo-bin.py", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def db_args(db_backend, database_factory, tmp_path):
    """Options selecting a new, empty database on the backend under test, the way a user writes them."""
    config = database_factory.empty(db_backend)
    if db_backend == "sqlite":
        return ["-d", config.database_name(), "--data-dir", str(config.data_dir)]
    return ["-d", config.database_name(), "--db_host", "127.0.0.1", "--db_user", "postgres",
            "--data-dir", str(tmp_path)]


def test_install_base_then_use_it(db_args):
    result = odoo_bin(*db_args, "-i", "base", "--stop-after-init")
    assert result.returncode == 0, result.stderr
    listed = odoo_bin("module", "list", *db_args)
    assert "base" in listed.stdout and "installed" in listed.stdout.splitlines()[0]
    assert odoo_bin("config", "set", "my.key", "my value", *db_args).returncode == 0
    got = odoo_bin("config", "get", "my.key", *db_args)
    assert got.stdout == "my value\n"
    shell = odoo_bin("shell", *db_args, stdin="print(env['res.country'].search_count([]), env.user.login)\n")
    assert shell.stdout.strip() == "249 __system__"


def test_shell_rolls_back_unless_committed(db_args):
    assert odoo_bin(*db_args, "-i", "base", "--stop-after-init").returncode == 0
    odoo_bin("shell", *db_args, stdin="env['res.partner'].create({'name': 'Ghost'})\n")
    odoo_bin("shell", *db_args, stdin="env['res.partner'].create({'name': 'Kept'}); env.cr.commit()\n")
    count = "print(env['res.partner'].search_count([('name', 'in', ['Ghost', 'Kept'])]))\n"
    assert odoo_bin("shell", *db_args, stdin=count).stdout.strip() == "1"


@pytest.mark.parametrize("args, fragment", [
    (["nosuchcommand"], "unknown command"),
    (["config", "get", "x"], "needs a database"),
    (["-i", "base", "--stop-after-init"], "need a database"),
    (["shell", "-d", "never_created_db"], "not initialised"),
    (["--http-port", "notanumber"], "invalid int value"),
    (["scaffold", "Bad-Name"], "invalid addon name"),
])
def test_misuse_exits_non_zero_with_one_line(args, fragment, tmp_path):
    result = odoo_bin(*args, "--data-dir", str(tmp_path)) if args[0] not in ("scaffold",) else odoo_bin(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert fragment in last


def test_scaffolded_addon_installs_works_in_shell_and_its_test_passes(db_backend, db_args, tmp_path):
    dest = tmp_path / "custom"
    dest.mkdir()
    assert odoo_bin("scaffold", "library_x", str(dest)).returncode == 0
    paths = ["--addons-path", str(dest)]
    result = odoo_bin(*db_args, *paths, "-i", "library_x", "--stop-after-init")
    assert result.returncode == 0, result.stderr
    shell = odoo_bin("shell", *db_args, *paths, stdin="print(env['library_x.library_x'].search([]).mapped('value2'))\n")
    assert shell.stdout.strip() == "[0.1, 0.2]"
    if db_backend == "sqlite":
        tests = subprocess.run([sys.executable, "-m", "pytest", str(dest / "library_x"), "-p", "no:cacheprovider",
                                "--backend", "sqlite", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml")],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert "2 passed" in tests.stdout, tests.stdout + tests.stderr


# -- a newcomer's first hour (issue #17) --------------------------------------------------------------
def test_a_missing_database_hint_repeats_the_connection_options(db_args):
    """The suggested command must reach the same database: on PostgreSQL, without --db_host it would
    create a SQLite file instead."""
    result = odoo_bin(*db_args, "-u", "base", "--stop-after-init")
    assert result.returncode != 0
    hint = result.stderr.strip().splitlines()[-1]
    suggested = hint.split("run '", 1)[1].rstrip("'").split()
    assert suggested[:2] == ["python", "odoo-bin.py"] and "-i" in suggested
    connection = [arg for arg in db_args if arg != "--data-dir" and arg not in db_args[-1:]]
    assert all(arg in suggested for arg in connection), (suggested, connection)
    assert odoo_bin(*suggested[2:], *db_args[-2:]).returncode == 0  # the hint works as printed
    assert odoo_bin(*db_args, "-u", "base", "--stop-after-init").returncode == 0


def test_module_commands_say_what_they_did(db_args):
    assert odoo_bin(*db_args, "-i", "base", "--stop-after-init").returncode == 0
    installed = odoo_bin("module", "install", "mail", *db_args)
    assert installed.returncode == 0 and installed.stdout.strip() == "installed: mail", installed.stderr
    again = odoo_bin("module", "install", "mail", *db_args)
    assert again.stdout.strip() == "nothing to do: mail already installed"
    upgraded = odoo_bin("module", "upgrade", "mail", *db_args)
    assert upgraded.stdout.startswith("upgraded: mail ")
    removed = odoo_bin("module", "uninstall", "mail", *db_args)
    assert removed.returncode == 0 and removed.stdout.strip() == "uninstalled: mail"


def test_top_level_help_shows_the_server_options():
    result = odoo_bin("--help")
    assert result.returncode == 0
    for option in ("--http-port", "--workers", "--threads", "--limit-request", "--limit-request-body",
                   "--limit-memory-soft", "--limit-memory-hard", "--limit-time-cpu", "--limit-time-real"):
        assert option in result.stdout, option
    assert "Commands:" in result.stdout


def test_help_read_by_a_reader_that_stops_early_ends_without_a_traceback():
    process = subprocess.Popen([sys.executable, "odoo-bin.py", "--help"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.read(10)
    process.stdout.close()  # as ``| head -c 10`` does
    assert process.wait(timeout=60) in (0, 1)
    assert b"Traceback" not in process.stderr.read()


def test_a_port_in_use_is_one_clear_line_and_a_non_zero_exit(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for workers in ("0", "2"):
            result = odoo_bin("--http-interface", "127.0.0.1", "-p", str(port), "--workers", workers,
                              "--data-dir", str(tmp_path))
            assert result.returncode == 1
            assert "Traceback" not in result.stderr and "AttributeError" not in result.stderr
            assert result.stderr.strip().splitlines()[-1] == (
                f"error: port {port} on 127.0.0.1 is already in use by another process: stop it or pass another "
                "--http-port")
