"""Stock Odoo clients against a real server: OdooRPC, odoo-client-lib (XML-RPC and JSON-RPC), xmlrpc.client."""
import xmlrpc.client
from urllib.parse import urlsplit

import odoolib
import odoorpc
import pytest

from server.testing_http import RpcError

PASSWORD = "admin"

pytestmark = pytest.mark.addons("http_test")


def port_of(live_server) -> int:
    return urlsplit(live_server.url).port


def test_odoorpc_flow(live_server):
    odoo = odoorpc.ODOO("127.0.0.1", protocol="jsonrpc", port=port_of(live_server))
    assert odoo.version == "17.0"
    assert live_server.db in odoo.db.list()
    odoo.login(live_server.db, "admin", PASSWORD)
    assert odoo.env.user.name == "Administrator" and "res.partner" in odoo.env
    Partner = odoo.env["res.partner"]
    belgium = odoo.env.ref("base.be")
    partner_id = Partner.create({"name": "OdooRPC Partner", "is_company": True, "country_id": belgium.id})
    assert isinstance(partner_id, int)
    assert partner_id in Partner.search([("name", "=", "OdooRPC Partner")])
    partner = Partner.browse(partner_id)
    assert (partner.name, partner.is_company, partner.country_id.code, partner.comment) == (
        "OdooRPC Partner", True, "BE", False)
    partner.name = "OdooRPC Partner Renamed"
    assert Partner.read([partner_id], ["name"])[0]["name"] == "OdooRPC Partner Renamed"
    assert Partner.search_count([("name", "like", "OdooRPC Partner")]) == 1
    partner.unlink()
    assert Partner.search([("id", "=", partner_id)]) == []


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_odoo_client_lib_flow(live_server, protocol):
    connection = odoolib.get_connection(hostname="127.0.0.1", protocol=protocol, port=port_of(live_server),
                                        database=live_server.db, login="admin", password=PASSWORD)
    Partner = connection.get_model("res.partner")
    partner_id = Partner.create({"name": f"Client Lib {protocol}", "email": "lib@example.com"})
    assert isinstance(partner_id, int)
    ids = Partner.search([("name", "=", f"Client Lib {protocol}")])
    assert ids == [partner_id]
    assert Partner.read(partner_id, ["name", "email"])["email"] == "lib@example.com"
    rows = Partner.search_read([("id", "=", partner_id)], ["name"], limit=5)
    assert rows == [{"id": partner_id, "name": f"Client Lib {protocol}"}]
    assert Partner.write([partner_id], {"email": "new@example.com"}) is True
    assert Partner.read([partner_id], ["email"])[0]["email"] == "new@example.com"
    assert Partner.unlink([partner_id]) is True
    assert Partner.search_count([("id", "=", partner_id)]) == 0
    assert connection.get_user_context()["uid"] == connection.user_id


def test_xmlrpc_client_flow_of_the_external_api_docs(live_server):
    url, db, username, password = live_server.url, live_server.db, "admin", PASSWORD
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    version = common.version()
    assert version["server_version"] == "17.0" and version["protocol_version"] == 1
    uid = common.authenticate(db, username, password, {})
    assert uid == 2
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
    assert models.execute_kw(db, uid, password, "res.partner", "check_access_rights", ["read"],
                             {"raise_exception": False}) is True
    companies = models.execute_kw(db, uid, password, "res.partner", "search", [[["is_company", "=", True]]])
    assert len(companies) >= 4
    page = models.execute_kw(db, uid, password, "res.partner", "search", [[["is_company", "=", True]]],
                             {"offset": 1, "limit": 2})
    assert page == companies[1:3]
    assert models.execute_kw(db, uid, password, "res.partner", "search_count",
                             [[["is_company", "=", True]]]) == len(companies)
    ids = models.execute_kw(db, uid, password, "res.partner", "search", [[["is_company", "=", True]]], {"limit": 1})
    [record] = models.execute_kw(db, uid, password, "res.partner", "read", [ids])
    assert record["id"] == ids[0] and "display_name" in record
    [short] = models.execute_kw(db, uid, password, "res.partner", "read", [ids],
                                {"fields": ["name", "country_id", "comment"]})
    assert set(short) == {"id", "name", "country_id", "comment"}
    assert short["country_id"] is False or isinstance(short["country_id"], list)
    described = models.execute_kw(db, uid, password, "res.partner", "fields_get", [],
                                  {"attributes": ["string", "help", "type"]})
    assert described["country_id"] == {"string": "Country", "help": False, "type": "many2one"}
    assert set(record) <= set(described)
    rows = models.execute_kw(db, uid, password, "res.partner", "search_read", [[["is_company", "=", True]]],
                             {"fields": ["name", "country_id", "comment"], "limit": 5})
    assert len(rows) == min(5, len(companies))
    new_id = models.execute_kw(db, uid, password, "res.partner", "create", [{"name": "New Partner"}])
    assert isinstance(new_id, int)
    models.execute_kw(db, uid, password, "res.partner", "write", [[new_id], {"name": "Newer partner"}])
    assert models.execute_kw(db, uid, password, "res.partner", "read", [[new_id], ["display_name"]]) == [
        {"id": new_id, "display_name": "Newer partner"}]
    assert models.execute_kw(db, uid, password, "res.partner", "name_get", [[new_id]]) == [[new_id, "Newer partner"]]
    models.execute_kw(db, uid, password, "res.partner", "unlink", [[new_id]])
    assert models.execute_kw(db, uid, password, "res.partner", "search", [[["id", "=", new_id]]]) == []


def test_legacy_paths_of_the_web_services_howto(live_server):
    root = f"{live_server.url}/xmlrpc/"
    uid = xmlrpc.client.ServerProxy(root + "common").login(live_server.db, "admin", PASSWORD)
    sock = xmlrpc.client.ServerProxy(root + "object")
    partner_id = sock.execute(live_server.db, uid, PASSWORD, "res.partner", "create", {"name": "Howto"})
    assert sock.execute(live_server.db, uid, PASSWORD, "res.partner", "search_read",
                        [["id", "=", partner_id]], ["name"]) == [{"id": partner_id, "name": "Howto"}]
    db = xmlrpc.client.ServerProxy(root + "db")
    assert db.server_version() == "17.0" and live_server.db in db.list()
    assert db.db_exist(live_server.db) is True and db.db_exist("nope") is False


def test_bad_credentials(live_server):
    common = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/common")
    assert common.login(live_server.db, "admin", "wrong") is False
    assert common.authenticate(live_server.db, "nobody", "x", {}) is False
    models = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/object")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        models.execute_kw(live_server.db, 2, "wrong", "res.partner", "search", [[]])
    assert (fault.value.faultCode, fault.value.faultString) == (3, "Access Denied")
    legacy = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/object")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        legacy.execute_kw(live_server.db, 2, "wrong", "res.partner", "search", [[]])
    assert (fault.value.faultCode, fault.value.faultString) == ("AccessDenied", "Access Denied")


def fault_of(proxy, *args) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as fault:
        proxy.execute_kw(*args)
    return fault.value


def test_fault_codes(live_server):
    db = live_server.db
    new = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/object")
    old = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/object")
    private = (db, 2, PASSWORD, "res.partner", "_search", [[]])
    assert fault_of(new, *private).faultCode == 4
    assert fault_of(old, *private).faultCode.startswith("warning -- AccessError\n\nPrivate methods")
    missing = (db, 2, PASSWORD, "res.partner", "write", [[10 ** 6], {"name": "x"}])
    assert fault_of(new, *missing).faultCode == 2
    assert fault_of(old, *missing).faultCode.startswith("warning -- MissingError\n\n")
    unknown_model = fault_of(new, db, 2, PASSWORD, "no.such.model", "search", [[]])
    assert (unknown_model.faultCode, unknown_model.faultString) == (2, "Object no.such.model doesn't exist")
    unknown_method = fault_of(new, db, 2, PASSWORD, "res.partner", "no_such_method", [])
    assert unknown_method.faultCode == 1 and "res.partner.no_such_method" in unknown_method.faultString
    assert "Traceback" not in unknown_method.faultString


@pytest.mark.parametrize("method", ["sudo", "browse", "mapped", "with_context", "copy_data", "name", "ids"])
def test_orm_plumbing_is_not_callable_remotely(live_server, method):
    client = live_server.client()
    error = client.call("/jsonrpc", {"service": "object", "method": "execute_kw", "args": [
        live_server.db, 2, PASSWORD, "res.users", method, [[2], "password"]]})["error"]
    assert error["data"]["name"] in ("odoo.exceptions.AccessError", "builtins.AttributeError")


def test_call_kw_semantics(live_server):
    rpc = live_server.client().rpc
    db = live_server.db

    def kw(method, args, kwargs=None):
        return rpc("object", "execute_kw", db, 2, PASSWORD, "res.partner", method, args, *([kwargs] if kwargs else []))

    assert isinstance(kw("create", [{"name": "One"}]), int)
    many = kw("create", [[{"name": "Two"}, {"name": "Three"}]])
    assert isinstance(many, list) and len(many) == 2
    assert sorted(kw("search", [[["id", "in", many]], 0, False, False])) == sorted(many)
    assert kw("read", [many[0], ["name"]]) == [{"id": many[0], "name": "Two"}]
    assert kw("read", [many, ["parent_id"]], {"load": "_classic_write"})[0]["parent_id"] is False
    assert kw("exists", [many + [10 ** 6]]) == many
    assert kw("default_get", [["is_company", "type"]]) == {"is_company": False, "type": "contact"}
    assert "name" in kw("fields_get_keys", [])
    copied = kw("copy", [many[0]])
    assert isinstance(copied, int) and copied not in many
    assert kw("name_search", ["Thre"]) == [[many[1], "Three"]]
    fr = kw("search", [[["name", "=", "Two"]]], {"context": {"active_test": False}})
    assert many[0] in fr
    context = rpc("object", "execute", db, 2, PASSWORD, "res.users", "context_get")
    assert context == {"lang": "en_US", "tz": False, "uid": 2}
    assert rpc("object", "execute", db, 2, PASSWORD, "ir.model.data", "check_object_reference", "base", "be") == [
        "res.country", kw_ref(rpc, db)]


def kw_ref(rpc, db) -> int:
    return rpc("object", "execute_kw", db, 2, PASSWORD, "res.country", "search", [[["code", "=", "BE"]]])[0]


def test_none_never_goes_on_the_wire(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    partner = client.call_kw("res.partner", "create", [{"name": "Empty Fields"}])
    [row] = client.call_kw("res.partner", "read", [[partner]])
    assert None not in row.values()
    response = client.post("/web/dataset/call_kw/res.partner/read", (
        '{"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"model": "res.partner", "method": "read",'
        f' "args": [[{partner}]], "kwargs": {{}}}}}}'))
    assert "null" not in response.text


def test_unknown_service_and_method(live_server):
    client = live_server.client()
    assert client.call("/jsonrpc", {"service": "nope", "method": "x", "args": []})["error"]["data"][
        "name"] == "builtins.KeyError"
    error = client.call("/jsonrpc", {"service": "object", "method": "exec", "args": []})["error"]
    assert error["data"]["message"].startswith("Method not available exec")
    error = client.call("/jsonrpc", {"service": "db", "method": "drop", "args": ["wrong master", "x"]})["error"]
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_create_and_drop_a_database_with_the_master_password(db_backend, database_factory, live_server_factory):
    name = database_factory.new_name()
    config = database_factory.config(admin_passwd="master-secret", dbfilter=f"^{name}$")
    if db_backend == "postgresql":
        config.options.update(db_host="127.0.0.1", db_user="postgres")
    database_factory.created.append(config.database_uri(name))  # dropped at the end even if this test fails
    live = live_server_factory.start(config)
    rpc = live.client().rpc
    try:
        assert rpc("db", "list") == []
        assert rpc("db", "create_database", "master-secret", name, False, "en_US", "s3cret", "boss") is True
        assert rpc("db", "list") == [name] and rpc("db", "db_exist", name) is True
        assert isinstance(rpc("common", "login", name, "boss", "s3cret"), int)
        with pytest.raises(RpcError) as refused:
            rpc("db", "drop", "wrong", name)
        assert refused.value.name == "odoo.exceptions.AccessDenied"
        assert rpc("db", "drop", "master-secret", name) is True
        assert rpc("db", "list") == []
    finally:
        live.stop()
