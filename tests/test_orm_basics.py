"""Recordsets, CRUD and read formats on res.partner, as Odoo addon code uses them."""
import pytest

from server.exceptions import MissingError, ValidationError


def test_create_returns_record_and_list_returns_recordset(env):
    one = env["res.partner"].create({"name": "Alpha"})
    many = env["res.partner"].create([{"name": "Beta"}, {"name": "Gamma"}])
    assert len(one) == 1 and one.name == "Alpha"
    assert many.mapped("name") == ["Beta", "Gamma"]


def test_read_formats_many2one_by_load(env):
    belgium = env.ref("base.be")
    partner = env["res.partner"].create({"name": "Agro", "country_id": belgium.id})
    [classic] = partner.read(["country_id", "comment"])
    [plain] = partner.read(["country_id"], load="_classic_write")
    assert classic == {"id": partner.id, "country_id": [belgium.id, "Belgium"], "comment": False}
    assert plain["country_id"] == belgium.id


def test_search_domain_order_limit_offset(env):
    env["res.partner"].create([{"name": f"Zz{i}", "is_company": i % 2 == 0} for i in range(6)])
    companies = env["res.partner"].search([("name", "like", "Zz"), ("is_company", "=", True)], order="name desc")
    assert companies.mapped("name") == ["Zz4", "Zz2", "Zz0"]
    page = env["res.partner"].search([("name", "=like", "Zz%")], offset=2, limit=2, order="name")
    assert page.mapped("name") == ["Zz2", "Zz3"]
    assert env["res.partner"].search_count([("name", "=like", "Zz%")]) == 6


def test_write_and_unlink(env):
    partner = env["res.partner"].create({"name": "Old"})
    partner.write({"name": "New", "email": "new@example.com"})
    assert partner.name == "New" and partner.email == "new@example.com"
    partner.unlink()
    assert not partner.exists()
    with pytest.raises(MissingError):
        partner.name  # noqa: B018


def test_required_field_is_validation_error(env):
    with pytest.raises(ValidationError, match="name"):
        env["res.partner"].create({"email": "x@example.com"})


def test_unique_constraint_message(env):
    env["res.country"].create({"name": "Testland", "code": "QZ"})
    with pytest.raises(ValidationError, match="code of the country must be unique"):
        env["res.country"].create({"name": "Testland 2", "code": "QZ"})


def test_x2many_commands(env):
    parent = env["res.partner"].create({"name": "Parent", "is_company": True,
                                        "child_ids": [(0, 0, {"name": "Kid 1"}), (0, 0, {"name": "Kid 2"})]})
    assert sorted(parent.child_ids.mapped("name")) == ["Kid 1", "Kid 2"]
    kid1 = parent.child_ids.filtered(lambda p: p.name == "Kid 1")
    parent.write({"child_ids": [(3, kid1.id)]})
    assert parent.child_ids.mapped("name") == ["Kid 2"]
    assert kid1.exists() and not kid1.parent_id
    group = env["res.groups"].create({"name": "Testers"})
    user = env.ref("base.user_demo")
    group.write({"users": [(4, user.id)]})
    assert user in group.users
    group.write({"users": [(5,)]})
    assert not group.users
    group.write({"users": [(6, 0, [user.id])]})
    assert group.users == user


def test_display_name_and_name_search(env):
    company = env["res.partner"].create({"name": "Acme", "is_company": True})
    person = env["res.partner"].create({"name": "Wile", "parent_id": company.id})
    assert person.display_name == "Acme, Wile"
    found = env["res.partner"].name_search("Wil")
    assert (person.id, "Acme, Wile") in found


def test_dotted_path_and_child_of(env):
    root = env["res.partner"].create({"name": "Root Co", "is_company": True})
    child = env["res.partner"].create({"name": "Child", "parent_id": root.id, "country_id": env.ref("base.fr").id})
    grandchild = env["res.partner"].create({"name": "Grandchild", "parent_id": child.id})
    assert env["res.partner"].search([("id", "child_of", root.id)]) == root | child | grandchild
    assert env["res.partner"].search([("country_id.code", "=", "FR"), ("name", "=", "Child")]) == child


def test_active_records_hidden_by_default(env):
    archived = env["res.partner"].create({"name": "Archived Ltd", "active": False})
    assert not env["res.partner"].search([("name", "=", "Archived Ltd")])
    assert env["res.partner"].with_context(active_test=False).search([("name", "=", "Archived Ltd")]) == archived
    assert env["res.partner"].search([("name", "=", "Archived Ltd"), ("active", "=", False)]) == archived


def test_fields_get_and_default_get(env):
    described = env["res.partner"].fields_get(attributes=["type", "relation", "string"])
    assert described["country_id"] == {"type": "many2one", "relation": "res.country", "string": "Country"}
    assert "display_name" in described and "id" in described
    assert env["res.partner"].default_get(["active", "type", "name"]) == {"active": True, "type": "contact"}


def test_mapped_filtered_sorted(env):
    partners = env["res.partner"].create([{"name": "b"}, {"name": "a"}, {"name": "c", "is_company": True}])
    assert partners.sorted("name").mapped("name") == ["a", "b", "c"]
    assert partners.filtered("is_company").mapped("name") == ["c"]
    assert partners.sorted(key=lambda p: p.name, reverse=True)[0].name == "c"


def test_copy(env):
    original = env["res.partner"].create({"name": "Original", "email": "o@example.com"})
    duplicate = original.copy({"name": "Copy"})
    assert duplicate.id != original.id and duplicate.email == "o@example.com" and duplicate.name == "Copy"


def test_order_by_many2one_follows_comodel_order(env):
    names = {"Zed": "be", "Amy": "us", "Bob": "fr"}
    for name, code in names.items():
        env["res.partner"].create({"name": f"Order {name}", "country_id": env.ref(f"base.{code}").id})
    found = env["res.partner"].search([("name", "=like", "Order %")], order="country_id desc")
    assert found.mapped("country_id.name") == ["United States", "France", "Belgium"]


def test_attribute_access_checks_read_access(env):
    from server.exceptions import AccessError

    param = env["ir.config_parameter"].search([("key", "=", "web.base.url")])
    demo_view = param.with_user(env.ref("base.user_demo"))
    demo_view.invalidate_recordset()
    with pytest.raises(AccessError):
        demo_view.value  # noqa: B018


@pytest.mark.addons("test_inherit_a")
@pytest.mark.parametrize("payload", ["plain text", {"a": [1, 2, {"b": None}]}, [1, "two"], 3, True, 2.5])
def test_json_values_round_trip_through_the_database(env, payload):
    thing = env["test.thing"].create({"name": "json", "payload": payload})
    thing.invalidate_recordset()
    assert thing.payload == payload
    assert thing.read(["payload"])[0]["payload"] == payload


@pytest.mark.addons("test_inherit_a")
def test_binary_round_trips_as_base64(env):
    import base64

    data = bytes(range(256))
    thing = env["test.thing"].create({"name": "blob", "blob": base64.b64encode(data).decode()})
    thing.invalidate_recordset()
    assert base64.b64decode(thing.blob) == data
    assert thing.read(["blob"])[0]["blob"] == base64.b64encode(data).decode()


def test_order_by_a_many2one_whose_comodel_sorts_on_a_field_named_model(env):
    """ir.model sorts on ``model``, a name peewee's aliases also use for themselves."""
    lines = env["ir.model.access"].search([("model_id.model", "in", ["res.partner", "res.groups"])])
    models = lines.mapped("model_id.model")
    assert models == sorted(models) and set(models) == {"res.partner", "res.groups"}


def test_search_read_in_one_query_reads_what_search_then_read_reads(env):
    """search_read selects the columns in its search query: values must convert exactly as read() does."""
    partners = env["res.partner"]
    partners.create([{"name": "SR Both", "is_company": True, "email": "sr@example.com",
                      "country_id": env.ref("base.be").id},
                     {"name": "SR Neither", "is_company": False}])
    domain = [("name", "like", "SR %")]
    fields = ["name", "is_company", "email", "country_id", "create_date", "write_uid", "active"]
    expected = partners.search(domain, order="name").read(fields)
    env.cr.cache.clear()

    rows = partners.search_read(domain, fields, order="name")

    assert rows == expected and len(rows) == 2
    assert rows[0]["is_company"] is True and rows[1]["is_company"] is False
    assert rows[0]["country_id"][1] == "Belgium" and rows[1]["country_id"] is False
    assert type(rows[0]["create_date"]) is type(expected[0]["create_date"])
    assert partners.search_read(domain, order="name")[0].keys() == partners.search(domain)[:1].read()[0].keys()
    assert partners.search_read([("name", "=", "nobody at all")], fields) == []


def test_sorted_and_filtered_domain_keep_archived_records(env):
    live = env["res.partner"].create({"name": "Zb live"})
    archived = env["res.partner"].create({"name": "Za archived", "active": False})
    both = live | archived
    assert both.sorted().ids == [archived.id, live.id]
    assert both.sorted(reverse=True).ids == [live.id, archived.id]
    assert both.filtered_domain([("name", "like", "Z")]) == both
    assert both.filtered_domain([("active", "=", False)]) == archived


def test_create_multi_receives_a_single_dict_as_a_list(env):
    """The decorator wraps a dict once: overrides never check for it themselves."""
    from server.orm import api

    received = []

    @api.model_create_multi
    def create(self, vals_list):
        received.append(vals_list)
        return type(self).create(self, vals_list)

    record = create(env["res.partner"], {"name": "Single"})
    assert received == [[{"name": "Single"}]] and record.name == "Single"
