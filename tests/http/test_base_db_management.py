"""Database management over the ``db`` service: dump, restore, duplicate and drop, filestore included."""
import base64
import io
import json
import sqlite3
import zipfile

import pytest
import requests

from server.testing_http import RpcError

MASTER = "master-secret"
SLOW = 300  # seconds: CREATE/DROP DATABASE wait for a checkpoint, slow on a loaded machine


def rpc_for(live):
    """``rpc(service, method, *args)`` with a timeout for database-sized operations."""
    client = live.client()

    def rpc(service: str, method: str, *args):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1,
                   "params": {"service": service, "method": method, "args": list(args)}}
        envelope = client.http.post(live.url + "/jsonrpc", json=payload, timeout=SLOW).json()
        if "error" in envelope:
            raise RpcError(envelope["error"])
        return envelope["result"]
    return rpc


@pytest.fixture
def managed(db_backend, database_factory, live_server_factory):
    """A server with a master password whose --db-filter shows only this test's databases."""
    prefix = database_factory.new_name()
    config = database_factory.config(admin_passwd=MASTER, dbfilter=f"^{prefix}")
    if db_backend == "postgresql":
        config.options.update(db_host="127.0.0.1", db_user="postgres")
    for suffix in ("", "_restored", "_copy", "_bad"):
        database_factory.created.append(config.database_uri(prefix + suffix))  # dropped even if the test fails
    live = live_server_factory.start(config)
    yield live, prefix
    live.stop()


def install_base(database_factory, db_backend: str, name: str) -> None:
    """Database ``name`` with ``base`` and its demo data (user admin/admin), copied from the run's template.

    ``create_database`` itself (an install of ``base`` in the request) is tested in test_external_api.py.
    """
    database_factory.create(db_backend, ("base",), name=name)


def snapshot(rpc, db: str) -> dict:
    """What a client reads from a database: a partner and an attachment's content."""
    uid = rpc("common", "login", db, "admin", "admin")
    call = lambda *args, **kwargs: rpc("object", "execute_kw", db, uid, "admin", *args, kwargs)  # noqa: E731
    partners = call("res.partner", "search_read", [[["name", "=", "Dumped partner"]]], fields=["name", "email"])
    attachments = call("ir.attachment", "search_read", [[["name", "=", "kept.txt"]]],
                       fields=["datas", "checksum", "mimetype"])
    return {"partners": [{k: v for k, v in p.items() if k != "id"} for p in partners],
            "attachments": [{k: v for k, v in a.items() if k != "id"} for a in attachments]}


def test_dump_restore_and_duplicate_round_trip_with_the_filestore(managed, database_factory, db_backend):
    live, name = managed
    rpc = rpc_for(live)
    install_base(database_factory, db_backend, name)
    uid = rpc("common", "login", name, "admin", "admin")
    rpc("object", "execute_kw", name, uid, "admin", "res.partner", "create",
        [{"name": "Dumped partner", "email": "d@example.com"}], {})
    rpc("object", "execute_kw", name, uid, "admin", "ir.attachment", "create",
        [{"name": "kept.txt", "datas": base64.b64encode(b"file content survives").decode()}], {})
    original = snapshot(rpc, name)
    assert original["attachments"][0]["datas"] == base64.b64encode(b"file content survives").decode()

    dump = base64.b64decode(rpc("db", "dump", MASTER, name, "zip"))
    with zipfile.ZipFile(io.BytesIO(dump)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        sql = archive.read("dump.sql").decode()
    checksum = original["attachments"][0]["checksum"]
    assert f"filestore/{checksum[:2]}/{checksum}" in names
    assert "CREATE TABLE" in sql and "Dumped partner" in sql  # Odoo's layout: the SQL text as dump.sql
    assert manifest["db_name"] == name and manifest["modules"]["base"]

    assert rpc("db", "restore", MASTER, f"{name}_restored", base64.b64encode(dump).decode(), True) is True
    assert rpc("db", "duplicate_database", MASTER, name, f"{name}_copy") is True
    assert snapshot(rpc, f"{name}_restored") == original
    assert snapshot(rpc, f"{name}_copy") == original
    assert rpc("db", "list") == sorted([name, f"{name}_copy", f"{name}_restored"])

    for db in (name, f"{name}_restored", f"{name}_copy"):
        assert rpc("db", "drop", MASTER, db) is True
    assert rpc("db", "list") == []
    assert rpc("db", "drop", MASTER, name) is False  # unknown database: False, as Odoo answers


def test_a_dump_holding_the_sqlite_file_of_earlier_versions_still_restores(managed, db_backend, tmp_path):
    if db_backend != "sqlite":
        pytest.skip("dump.sqlite3 was SQLite's layout only")
    live, name = managed
    rpc = rpc_for(live)
    assert rpc("db", "create_database", MASTER, name, False, "en_US", "admin") is True
    uid = rpc("common", "login", name, "admin", "admin")
    rpc("object", "execute_kw", name, uid, "admin", "res.partner", "create", [{"name": "Dumped partner"}], {})
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(rpc("db", "dump", MASTER, name, "zip")))) as archive:
        manifest, sql = archive.read("manifest.json"), archive.read("dump.sql").decode()
    database_file = tmp_path / "dump.sqlite3"
    with sqlite3.connect(database_file) as database:
        database.executescript(sql)
    old_layout = io.BytesIO()
    with zipfile.ZipFile(old_layout, "w") as archive:
        archive.writestr("manifest.json", manifest)
        archive.write(database_file, "dump.sqlite3")
    assert rpc("db", "restore", MASTER, f"{name}_restored", base64.b64encode(old_layout.getvalue()).decode())
    assert snapshot(rpc, f"{name}_restored")["partners"] == [{"name": "Dumped partner", "email": False}]


def test_bad_dumps_and_names_are_refused_leaving_nothing(managed):
    live, name = managed
    rpc = rpc_for(live)
    not_a_zip = base64.b64encode(b"certainly not a zip").decode()
    with pytest.raises(RpcError, match="not a zip archive"):
        rpc("db", "restore", MASTER, f"{name}_bad", not_a_zip)
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(RpcError, match="no manifest.json"):
        rpc("db", "restore", MASTER, f"{name}_bad", base64.b64encode(empty_zip.getvalue()).decode())
    assert rpc("db", "list") == []
    with pytest.raises(RpcError, match="does not exist"):
        rpc("db", "dump", MASTER, f"{name}_missing", "zip")
    with pytest.raises(RpcError, match="does not exist"):
        rpc("db", "duplicate_database", MASTER, f"{name}_missing", f"{name}_copy")
    with pytest.raises(RpcError) as denied:
        rpc("db", "dump", "wrong", name, "zip")
    assert denied.value.name == "odoo.exceptions.AccessDenied"


def test_web_database_routes_back_up_restore_and_drop(managed, database_factory, db_backend):
    live, name = managed
    rpc = rpc_for(live)
    install_base(database_factory, db_backend, name)
    http = requests.Session()
    refused = http.post(f"{live.url}/web/database/backup", data={"master_pwd": "wrong", "name": name}, timeout=SLOW)
    assert refused.status_code == 403
    backup = http.post(f"{live.url}/web/database/backup", data={"master_pwd": MASTER, "name": name}, timeout=SLOW)
    assert backup.status_code == 200 and backup.headers["Content-Type"] == "application/zip"
    assert f'filename="{name}.zip"' in backup.headers["Content-Disposition"]
    restored = http.post(f"{live.url}/web/database/restore", data={"master_pwd": MASTER, "name": f"{name}_restored",
                                                                  "copy": "true"},
                         files={"backup_file": ("dump.zip", backup.content, "application/zip")}, timeout=SLOW,
                         allow_redirects=False)
    assert restored.status_code in (302, 303) and restored.headers["Location"].endswith("/web/database/manager")
    assert isinstance(rpc("common", "login", f"{name}_restored", "admin", "admin"), int)
    again = http.post(f"{live.url}/web/database/restore", data={"master_pwd": MASTER, "name": f"{name}_restored"},
                      files={"backup_file": ("dump.zip", backup.content, "application/zip")}, timeout=SLOW)
    assert again.status_code == 400 and "already exists" in again.text
    for db in (name, f"{name}_restored"):
        dropped = http.post(f"{live.url}/web/database/drop", data={"master_pwd": MASTER, "name": db}, timeout=SLOW,
                            allow_redirects=False)
        assert dropped.status_code in (302, 303)
    assert rpc("db", "list") == []
    assert name not in http.get(f"{live.url}/web/database/manager", timeout=SLOW).text
