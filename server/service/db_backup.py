"""Dump, restore and duplicate whole databases, filestore included (the ``db`` service's backups).

A dump is a zip, as Odoo's: ``manifest.json`` (database name, server version, backend, installed
addons), the database itself as ``dump.sql``, and ``filestore/`` (the attachments' files).  For
PostgreSQL ``dump.sql`` is ``pg_dump``'s plain SQL, restored with ``psql``, as Odoo does; for SQLite it
is the SQL text of a consistent copy taken with SQLite's online backup API, restored statement by
statement (dumps of earlier versions, holding the database file as ``dump.sqlite3``, still restore).
A dump restores on the backend it was taken from.

Each operation checks everything it can first (names, existence, the archive's manifest), and a
restore or duplicate that fails half-way drops what it created: nothing is left half-written.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
import zipfile
from pathlib import Path

from .. import db as db_module
from .. import release
from ..config import Config
from ..exceptions import UserError

MANIFEST = "manifest.json"
SQL_DUMP = "dump.sql"
SQLITE_DUMP = "dump.sqlite3"


def filestore_path(config: Config, db_name: str) -> Path:
    return Path(config.data_dir) / "filestore" / db_name


def _backend(uri: str) -> str:
    return "sqlite" if uri.startswith("sqlite:") else "postgresql"


def _pg_env(uri: str) -> tuple[list[str], dict]:
    params = db_module._pg_params(uri)
    args = ["-h", str(params["host"]), "-p", str(params["port"]), "-U", params["user"]]
    env = {**os.environ, **({"PGPASSWORD": params["password"]} if params["password"] else {})}
    return args, env


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise UserError(f"{what} needs the PostgreSQL client program {command[0]!r} on this server's PATH") from None
    if result.returncode != 0:
        raise UserError(f"{what} failed: {(result.stderr or result.stdout).strip().splitlines()[-1:]}")


def _installed_modules(uri: str) -> dict:
    database = db_module.open_database(uri)
    try:
        rows = database.execute_sql(
            "SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'").fetchall()
        return dict(rows)
    finally:
        db_module.dispose(database)


def dump_manifest(uri: str, db_name: str) -> dict:
    return {"odoo_dump": "1", "db_name": db_name, "version": release.version, "backend": _backend(uri),
            "major_version": release.version.split(".")[0], "modules": _installed_modules(uri)}


# -- dump -------------------------------------------------------------------------------------------------
def dump_database(config: Config, db_name: str, stream) -> None:
    """Write the zip dump of ``db_name`` (database and filestore) to the binary ``stream``."""
    uri = config.database_uri(db_name)
    if not db_module.database_exists(uri):
        raise UserError(f"Database {db_name!r} does not exist")
    with tempfile.TemporaryDirectory() as work:
        database_file = Path(work) / SQL_DUMP
        dump = _dump_sqlite if _backend(uri) == "sqlite" else _dump_postgresql
        dump(uri, database_file)
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr(MANIFEST, json.dumps(dump_manifest(uri, db_name), indent=4))
            archive.write(database_file, database_file.name)
            store = filestore_path(config, db_name)
            for path in sorted(store.rglob("*")) if store.is_dir() else ():
                if path.is_file():
                    archive.write(path, f"filestore/{path.relative_to(store).as_posix()}")


def _dump_sqlite(uri: str, target: Path) -> None:
    """Write the SQL text of a snapshot of the database (the copy is consistent even while the
    server writes; the text is what SQLite's ``.dump`` prints)."""
    snapshot = target.with_suffix(".snapshot")
    source, copy = sqlite3.connect(db_module._sqlite_path(uri)), sqlite3.connect(snapshot)
    try:
        source.backup(copy)
        with open(target, "w", encoding="utf-8") as out:
            for statement in copy.iterdump():
                out.write(statement + "\n")
    finally:
        copy.close()
        source.close()
        snapshot.unlink(missing_ok=True)


def _dump_postgresql(uri: str, target: Path) -> None:
    args, env = _pg_env(uri)
    name = db_module._pg_params(uri)["database"]
    _run(["pg_dump", *args, "--no-owner", "--format=plain", f"--file={target}", name], env, "pg_dump")


# -- restore ----------------------------------------------------------------------------------------------
def restore_database(config: Config, db_name: str, zip_path: Path, copy: bool = False) -> None:
    """Create ``db_name`` from the zip dump at ``zip_path``; ``copy``: give it a new identity (uuid)."""
    db_module.check_db_name(db_name)
    uri = config.database_uri(db_name)
    if db_module.database_exists(uri):
        raise UserError(f"Database {db_name!r} already exists")
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        raise UserError("This file is not a database dump: it is not a zip archive") from None
    with archive:
        manifest = _read_manifest(archive, uri)
        with tempfile.TemporaryDirectory() as work:
            member = SQL_DUMP if SQL_DUMP in archive.namelist() else SQLITE_DUMP
            extracted = Path(archive.extract(member, work))
            try:
                restore = _restore_postgresql if manifest["backend"] == "postgresql" else \
                    _restore_sqlite_sql if member == SQL_DUMP else _restore_sqlite
                restore(uri, extracted)
                _restore_filestore(archive, filestore_path(config, db_name))
                if copy:
                    reset_identity(uri)
            except BaseException:
                db_module.drop_database(uri)
                shutil.rmtree(filestore_path(config, db_name), ignore_errors=True)
                raise


def _read_manifest(archive: zipfile.ZipFile, uri: str) -> dict:
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise UserError("This file is not a database dump: it has no manifest.json")
    manifest = json.loads(archive.read(MANIFEST))
    backend = manifest.get("backend") or ("sqlite" if SQLITE_DUMP in names else "postgresql")
    manifest["backend"] = backend
    if backend != _backend(uri):
        raise UserError(f"This dump was taken from a {backend} database and restores only on {backend} "
                        f"(this server uses {_backend(uri)})")
    if SQL_DUMP not in names and not (backend == "sqlite" and SQLITE_DUMP in names):
        raise UserError("This dump has no database in it")
    for name in names:
        if name.startswith("filestore/") and (".." in Path(name).parts or name.startswith("/")):
            raise UserError(f"This dump has an unsafe file name: {name!r}")
    return manifest


def _restore_sqlite(uri: str, source: Path) -> None:
    target = db_module._sqlite_path(uri)
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _restore_sqlite_sql(uri: str, source: Path) -> None:
    """Run the statements of an SQL dump into a new database file, one at a time (a dump can be large)."""
    target = db_module._sqlite_path(uri)
    target.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(target, isolation_level=None)
    try:
        statement = ""
        with open(source, encoding="utf-8") as lines:
            for line in lines:
                statement += line
                if sqlite3.complete_statement(statement):
                    database.execute(statement)
                    statement = ""
        if statement.strip():
            raise UserError("This dump ends in the middle of an SQL statement")
    finally:
        database.close()


def _restore_postgresql(uri: str, source: Path) -> None:
    db_module.create_database(uri)
    args, env = _pg_env(uri)
    name = db_module._pg_params(uri)["database"]
    _run(["psql", *args, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-f", str(source), name], env,
         "Restoring with psql")


def _restore_filestore(archive: zipfile.ZipFile, target: Path) -> None:
    for name in archive.namelist():
        if name.startswith("filestore/") and not name.endswith("/"):
            path = target / name[len("filestore/"):]
            path.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source, open(path, "wb") as out:
                shutil.copyfileobj(source, out)


def reset_identity(uri: str) -> None:
    """Give a copied database its own ``database.uuid`` and ``database.secret`` (sessions and tokens of
    the original are not valid in the copy)."""
    database = db_module.open_database(uri)
    try:
        with database.atomic():
            for key in ("database.uuid", "database.secret"):
                database.execute_sql(f"UPDATE ir_config_parameter SET value = {database.param} "
                                     f"WHERE key = {database.param}", (str(uuid.uuid4()), key))
            if database.table_exists("http_session"):
                database.execute_sql("DELETE FROM http_session")
    finally:
        db_module.dispose(database)


# -- duplicate --------------------------------------------------------------------------------------------
def duplicate_database(config: Config, source_name: str, target_name: str) -> None:
    """Copy ``source_name`` (database and filestore) to the new ``target_name``, with a new identity."""
    from ..modules.registry import Registry

    db_module.check_db_name(target_name)
    source_uri, target_uri = config.database_uri(source_name), config.database_uri(target_name)
    if not db_module.database_exists(source_uri):
        raise UserError(f"Database {source_name!r} does not exist")
    if db_module.database_exists(target_uri):
        raise UserError(f"Database {target_name!r} already exists")
    try:
        if _backend(source_uri) == "sqlite":
            _restore_sqlite(target_uri, db_module._sqlite_path(source_uri))
        else:
            Registry.forget_uri(source_uri)  # a template database must have no other connection
            _copy_postgresql(source_uri, target_uri)
        source_store = filestore_path(config, source_name)
        if source_store.is_dir():
            shutil.copytree(source_store, filestore_path(config, target_name))
        reset_identity(target_uri)
    except BaseException:
        db_module.drop_database(target_uri)
        shutil.rmtree(filestore_path(config, target_name), ignore_errors=True)
        raise


def _copy_postgresql(source_uri: str, target_uri: str) -> None:
    source = db_module.check_db_name(db_module._pg_params(source_uri)["database"])
    target = db_module.check_db_name(db_module._pg_params(target_uri)["database"])
    with db_module._maintenance(source_uri) as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()", (source,))
        cur.execute(f'CREATE DATABASE "{target}" ENCODING \'UTF8\' TEMPLATE "{source}"')


def drop_filestore(config: Config, db_name: str) -> None:
    shutil.rmtree(filestore_path(config, db_name), ignore_errors=True)
