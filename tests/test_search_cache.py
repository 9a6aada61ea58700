"""Searches reuse the SQL text of their domain's shape: same answers as peewee's query, every time.

Each case searches a shape twice with different values (the second run is served from the cache),
and compares the ids with the query peewee builds for the same domain.
"""
import pytest

from server.orm.search import shape_and_params

PARTNERS = [
    {"name": "Alpha", "ref": "R1", "is_company": True, "email": "alpha@example.com"},
    {"name": "Beta 50%", "ref": "R2", "is_company": False, "email": False},
    {"name": "gamma_x", "ref": False, "is_company": True, "email": "g@example.com"},
    {"name": "Delta", "ref": "R4", "is_company": False, "email": False, "active": False},
]


@pytest.fixture
def partners(env):
    model = env["res.partner"]
    be = env.ref("base.be").id
    records = model.create([{**values, "country_id": be if i % 2 else False}
                            for i, values in enumerate(PARTNERS)])
    return model, records.ids, be


def reference_ids(model, domain, offset=0, limit=None, order=None) -> list[int]:
    """What peewee's query of the same domain returns, built from scratch."""
    query = model._search_query(model._active_domain(domain), offset, limit, order)
    return [row[0] for row in query.tuples()]


def ours(model, ids, domain):
    return [("id", "in", ids)] + domain


CASES = {
    "char equality": ([("name", "=", "Alpha")], [("name", "=", "Delta")]),
    "char against False, then a value": ([("email", "=", False)], [("email", "=", "g@example.com")]),
    "char inequality with False": ([("email", "!=", False)], [("ref", "!=", "R1")]),
    "boolean true then false": ([("is_company", "=", True)], [("is_company", "=", False)]),
    "boolean negated and truthy values": ([("is_company", "!=", True)], [("is_company", "=", 0)]),
    "boolean given text": ([("is_company", "=", "yes")], [("is_company", "=", "")]),
    "membership": ([("ref", "in", ["R1", "R2"])], [("ref", "in", ["R4", "nope"])]),
    "membership with False": ([("ref", "in", ["R1", False])], [("ref", "in", ["R2", None])]),
    "empty membership": ([("ref", "in", [])], [("ref", "not in", [])]),
    "exclusion": ([("ref", "not in", ["R1"])], [("ref", "not in", ["R2"])]),
    "many2one by id and by False": ([("country_id", "=", "BE_ID")], [("country_id", "=", False)]),
    "many2one by name (a subquery)": ([("country_id", "=", "Belgium")], [("country_id", "ilike", "belg")]),
    "like with wildcards in the value": ([("name", "like", "50%")], [("name", "like", "a_x")]),
    "ilike and not ilike": ([("name", "ilike", "ALPHA")], [("name", "not ilike", "alpha")]),
    "=like and =ilike": ([("name", "=like", "Be%")], [("name", "=ilike", "GAMMA%")]),
    "comparisons": ([("id", ">", 0)], [("id", "<=", False)]),
    "optional equality": ([("ref", "=?", False)], [("ref", "=?", "R2")]),
    "or and not": (["|", ("name", "=", "Alpha"), ("ref", "=", "R2")],
                   ["!", "|", ("name", "=", "Beta 50%"), ("is_company", "=", True)]),
    "archived asked for": ([("active", "=", False)], [("active", "in", [True, False])]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_shape_answers_as_peewee_does_with_new_values(partners, name):
    model, ids, be = partners
    for domain in CASES[name]:
        domain = [tuple(be if v == "BE_ID" else v for v in term) if isinstance(term, tuple) else term
                  for term in domain]
        for _repeat in range(2):
            assert model.search(ours(model, ids, domain)).ids == reference_ids(model, ours(model, ids, domain))


def test_limit_offset_and_order_are_part_of_the_shape(partners):
    model, ids, _be = partners
    domain = [("id", "in", ids)]
    for offset, limit, order in [(0, 2, None), (1, 2, None), (1, None, "name desc"), (0, 1, "name desc"),
                                 (2, 5, "ref, id desc")]:
        assert model.search(domain, offset=offset, limit=limit, order=order).ids == \
            reference_ids(model, domain, offset, limit, order)
    rows = model.search_read(domain, ["name"], offset=1, limit=2, order="name desc")
    assert [row["id"] for row in rows] == reference_ids(model, domain, 1, 2, "name desc")


def test_plain_shapes_are_served_from_the_cache(partners):
    model, ids, _be = partners
    compiled = model.env.registry.compiled_sql
    model.search([("ref", "=", "R1")], limit=1)
    model.search([("ref", "=", "R2")], limit=1)
    shape = (("active", "=", "truth", True), ("ref", "=", "str"))
    texts = [text for key, text in compiled.items() if key[:3] == ("search", "res.partner", shape)]
    assert len(texts) == 1 and isinstance(texts[0], str) and texts[0].startswith("SELECT")
    assert shape_and_params(model, [("ref", "=", "R1")]) == shape_and_params(model, [("ref", "=", "R9")])[:1] + (
        ["R1"],)


def test_values_that_change_the_sql_change_the_shape(partners):
    model, _ids, _be = partners
    pairs = [([("email", "=", False)], [("email", "=", "x")]),
             ([("is_company", "=", True)], [("is_company", "=", False)]),
             ([("ref", "in", ["a"])], [("ref", "in", ["a", "b"])]),
             ([("ref", "in", ["a", False])], [("ref", "in", ["a", "b"])])]
    for first, second in pairs:
        assert shape_and_params(model, first)[0] != shape_and_params(model, second)[0], (first, second)


def test_invalid_limits_are_refused_on_cached_shapes_too(partners):
    from server.exceptions import ValidationError

    model, _ids, _be = partners
    model.search([("ref", "=", "R1")], limit=1)
    for bad in (-1, "2", 1.5):
        with pytest.raises(ValidationError):
            model.search([("ref", "=", "R1")], limit=bad)
