"""Server configuration: Odoo's option names, INI file format and precedence.

Precedence, highest first: command line > environment (``ODOO_RC`` names the
file; ``ODOO_<OPTION>`` sets any option) > configuration file > defaults.
Relative paths in a configuration file are relative to that file, so the
shipped ``config/odoo.conf`` works from any current directory.
"""
from __future__ import annotations

import argparse
import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RC = ROOT / "config" / "odoo.conf"
BASE_ADDONS = ROOT / "server" / "addons"

# Options never written by ``-s``: they describe one run, not a server.
NOT_SAVED = {"init", "update", "save", "config", "stop_after_init", "shell_interface"}
PATH_OPTIONS = {"data_dir", "logfile"}


@dataclass(frozen=True)
class Option:
    dest: str
    flags: tuple[str, ...]
    default: object = False
    kind: type = str
    help: str = ""
    extra: dict = field(default_factory=dict)


OPTIONS: tuple[Option, ...] = (
    Option("config", ("-c", "--config"), help="configuration file (default: $ODOO_RC or config/odoo.conf)"),
    Option("save", ("-s", "--save"), kind=bool, help="write the effective options to the configuration file"),
    Option("db_name", ("-d", "--database"), help="database to use"),
    Option("db_uri", ("--db-uri",), help="sqlite:///path or postgresql://user:pass@host:port/db"),
    Option("db_host", ("--db_host",), help="PostgreSQL host (selects PostgreSQL)"),
    Option("db_port", ("--db_port",), kind=int, help="PostgreSQL port (selects PostgreSQL)"),
    Option("db_user", ("-r", "--db_user"), help="PostgreSQL user (selects PostgreSQL)"),
    Option("db_password", ("-w", "--db_password"), help="PostgreSQL password (selects PostgreSQL)"),
    Option("addons_path", ("--addons-path",), help="comma-separated addon directories"),
    Option("init", ("-i", "--init"), help="install modules (comma list or 'all')"),
    Option("update", ("-u", "--update"), help="upgrade modules (comma list or 'all')"),
    Option("without_demo", ("--without-demo",), help="do not load demo data ('all' or a comma list)",
           extra={"nargs": "?", "const": "all"}),
    Option("stop_after_init", ("--stop-after-init",), kind=bool, help="exit after installing/upgrading"),
    Option("log_level", ("--log-level",), default="info", help="debug, info, warn, error, critical"),
    Option("logfile", ("--logfile",), help="write the log to this file"),
    Option("data_dir", ("-D", "--data-dir",), default=str(ROOT / "data"), help="where databases and files live"),
    Option("http_interface", ("--http-interface",), default="", help="interface to listen on"),
    Option("http_port", ("-p", "--http-port"), default=8069, kind=int, help="HTTP port"),
    Option("workers", ("--workers",), default=0, kind=int, help="0: threaded server; N: N processes"),
    Option("max_cron_threads", ("--max-cron-threads",), default=2, kind=int,
           help="threads running scheduled actions (0: none)"),
    Option("threads", ("--threads",), default=0, kind=int,
           help="threads per process (default: 16 threaded, 8 per worker); more start while all are busy"),
    Option("limit_memory_soft", ("--limit-memory-soft",), default=2048 * 1024 * 1024, kind=int,
           help="worker resident memory (bytes) past which it is recycled after the request (default 2 GiB)"),
    Option("limit_memory_hard", ("--limit-memory-hard",), default=2560 * 1024 * 1024, kind=int,
           help="worker virtual memory (bytes) past which allocations fail (default 2.5 GiB)"),
    Option("limit_time_cpu", ("--limit-time-cpu",), default=60, kind=int,
           help="CPU seconds a worker's request may use before the worker is killed (default 60)"),
    Option("limit_time_real", ("--limit-time-real",), default=120, kind=int,
           help="seconds a worker's request may last before the worker is killed (default 120)"),
    Option("limit_request", ("--limit-request", "--max-requests"), default=65536, kind=int,
           help="requests a worker serves before it is recycled, with 10%% jitter (default 65536)"),
    Option("limit_request_body", ("--limit-request-body",), default=10 * 1024 * 1024, kind=int,
           help="largest request body (bytes) of a JSON or XML-RPC route unless the route declares "
                "max_content_length (default 10 MiB); 413 before reading"),
    Option("dev_mode", ("--dev",), help="developer mode: tracebacks in error responses"),
    Option("admin_passwd", ("--admin-passwd",), help="initial admin password (else generated once)"),
    Option("list_db", ("--no-database-list",), default=True, kind=bool, help="hide the database list",
           extra={"action": "store_false"}),
    Option("dbfilter", ("--db-filter",), default="", help="regular expression filtering visible databases"),
)
BY_DEST = {opt.dest: opt for opt in OPTIONS}


class ConfigError(Exception):
    """A configuration value cannot be used; the message says which and why."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare every server option on ``parser``; unset options stay absent."""
    group = parser.add_argument_group("server options")
    for opt in OPTIONS:
        kwargs = {"dest": opt.dest, "default": argparse.SUPPRESS, "help": opt.help}
        if opt.kind is bool:
            kwargs["action"] = "store_true"
        elif opt.kind is int:
            kwargs["type"] = int
        kwargs.update(opt.extra)
        group.add_argument(*opt.flags, **kwargs)


def cast(dest: str, value):
    """Turn a string from a file or the environment into the option's type."""
    opt = BY_DEST.get(dest)
    if not isinstance(value, str):
        return value
    if value.lower() in ("false", "none", ""):
        return opt.default if opt and opt.kind is int else False
    if value.lower() == "true":
        return True
    if opt and opt.kind is int:
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"option {dest!r} needs a whole number, got {value!r}") from None
    return value


class Config:
    """The effective options of one run, read like a dict (``config['db_name']``)."""

    def __init__(self, options: dict | None = None, rc_file: Path | None = None):
        self.options = {opt.dest: opt.default for opt in OPTIONS}
        self.misc: dict[str, dict] = {}
        self.rc_file = rc_file
        if options:
            self.options.update(options)

    def __getitem__(self, key: str):
        return self.options[key]

    def get(self, key: str, default=None):
        return self.options.get(key, default)

    def __setitem__(self, key: str, value) -> None:
        self.options[key] = value

    @classmethod
    def load(cls, cli: dict | None = None, environ: dict | None = None) -> Config:
        """Build the configuration from defaults, file, environment and command line."""
        cli = dict(cli or {})
        environ = os.environ if environ is None else environ
        rc_file = Path(cli.get("config") or environ.get("ODOO_RC") or DEFAULT_RC)
        config = cls(rc_file=rc_file)
        if rc_file.exists():
            config.read_file(rc_file)
        elif cli.get("config") or environ.get("ODOO_RC"):
            if not cli.get("save"):
                raise ConfigError(f"configuration file {rc_file} does not exist")
        for opt in OPTIONS:
            key = "ODOO_" + opt.dest.upper()
            if key in environ:
                config.options[opt.dest] = cast(opt.dest, environ[key])
        config.options.update(cli)
        config.options["config"] = str(rc_file)
        return config

    def read_file(self, path: Path) -> None:
        """Read Odoo's INI format: options under ``[options]``, other sections kept in ``misc``."""
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
        for section in parser.sections():
            if section != "options":
                self.misc[section] = dict(parser.items(section))
                continue
            for key, value in parser.items(section):
                value = cast(key, value)
                if key in PATH_OPTIONS and value:
                    value = str((path.parent / value).resolve())
                elif key == "addons_path" and value:
                    value = ",".join(str((path.parent / p.strip()).resolve()) for p in value.split(","))
                self.options[key] = value

    def save(self) -> Path:
        """Write the savable options to the configuration file and return its path."""
        parser = configparser.RawConfigParser()
        parser.add_section("options")
        for key in sorted(self.options):
            if key in NOT_SAVED:
                continue
            value = self.options[key]
            parser.set("options", key, "False" if value is None else str(value))
        for section, values in self.misc.items():
            parser[section] = values
        path = Path(self.rc_file or DEFAULT_RC)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            parser.write(fh)
        return path

    # -- derived values -------------------------------------------------
    @property
    def addons_paths(self) -> list[Path]:
        """The directories searched for addons; the base addon's directory always comes first."""
        paths = [BASE_ADDONS]
        for raw in (self.options.get("addons_path") or "").split(","):
            raw = raw.strip()
            if not raw:
                continue
            path = Path(raw).expanduser().resolve()
            if not path.is_dir():
                raise ConfigError(f"addons path {raw!r} is not a directory")
            if path not in paths:
                paths.append(path)
        return paths

    @property
    def data_dir(self) -> Path:
        return Path(self.options["data_dir"]).expanduser()

    @property
    def dev_mode(self) -> bool:
        return bool(self.options.get("dev_mode"))

    def demo_wanted(self) -> bool:
        """Whether modules installed now get their demo data."""
        return not self.options.get("without_demo")

    def uses_postgresql(self) -> bool:
        uri = self.options.get("db_uri") or ""
        if uri:
            return uri.startswith(("postgresql://", "postgres://"))
        return any(self.options.get(k) for k in ("db_host", "db_port", "db_user", "db_password"))

    def database_uri(self, db_name: str | None = None) -> str:
        """The connection URI for ``db_name`` (or the configured database)."""
        uri = self.options.get("db_uri")
        if uri:
            return uri
        name = db_name or self.options.get("db_name")
        if not name:
            raise ConfigError("no database given: pass -d NAME or --db-uri URI")
        if self.uses_postgresql():
            user = self.options.get("db_user") or "postgres"
            password = self.options.get("db_password") or ""
            auth = f"{user}:{password}" if password else user
            host = self.options.get("db_host") or "127.0.0.1"
            port = self.options.get("db_port") or 5432
            return f"postgresql://{auth}@{host}:{port}/{name}"
        return f"sqlite:///{(self.data_dir / (name + '.sqlite3')).resolve()}"

    def database_name(self, db_name: str | None = None) -> str:
        """The database's name as clients see it (a file's stem for SQLite URIs)."""
        if self.options.get("db_uri"):
            return uri_database_name(self.options["db_uri"])
        return db_name or self.options.get("db_name") or ""


def uri_database_name(uri: str) -> str:
    """Return the database name a URI points at (``sqlite:///x/t1.sqlite3`` -> ``t1``)."""
    parts = urlsplit(uri)
    if parts.scheme == "sqlite":
        return Path(unquote(parts.path)).stem
    return unquote(parts.path.lstrip("/"))
