"""Hostile domains: rejected with ValidationError or safely parametrized; none changes or leaks data."""
import pytest

from server.exceptions import ValidationError

REJECTED = [
    [("name; DROP TABLE res_partner; --", "=", "x")],
    [("name", "= 1 OR 1=1 --", "x")],
    [("name", "=", "x"), ("id) OR (1=1", "=", 1)],
    [("name", "union select", "x")],
    [("name", "exists", "x")],
    [("name", "regexp", ".*")],
    [("name", "=", {"$ne": None})],
    [("name", "in", [["nested"]])],
    [("name", "=", object.__name__), "&"],
    ["|", ("name", "=", "x")],
    ["!"],
    [("name", "=")],
    [("name",)],
    "name = 'x'",
    {"name": "x"},
    [("country_id.code; --", "=", "BE")],
    [("name.nothing", "=", "x")],
    [("password", "=", None), ("groups_id.name", "=", "x"), ("nope", "=", 1)],
    [(1, "=", "x")],
    [("name", 42, "x")],
    [("name", None, "x")],
    [("", "=", "x")],
    ["&", "&", "&", ("name", "=", "x")],
    ["!", "&"] * 200 + [("name", "=", "x")] * 201,
    [("display_name", "=", "x")],
    [("name", "like", ["a", "b"])],
    [("name", "=", "\x00\x01")],
]

SAFE = [
    [("name", "=", "x' OR '1'='1")],
    [("name", "ilike", "%' OR 1=1 --")],
    [("name", "in", ["a'); DROP TABLE res_partner; --", "b"])],
    [("email", "=like", "%@%'; DELETE FROM res_partner; --")],
    [("comment", "ilike", "\\' OR \\'\\'='")],
    [("country_id.name", "=", "Belgium' OR 1=1 --")],
    ["!"] * 5000 + [("name", "=", "x")],
    [("child_ids.name", "=", ("a'--", "b"))],
]


def _snapshot(env):
    return env.cr.execute("SELECT count(*), max(id) FROM res_partner").fetchone()


@pytest.mark.parametrize("domain", REJECTED, ids=[f"rejected{i}" for i in range(len(REJECTED))])
def test_hostile_domain_is_rejected(env, domain):
    before = _snapshot(env)
    with pytest.raises(ValidationError, match="(?i)domain|field|operator|order"):
        env["res.partner"].search(domain)
    assert _snapshot(env) == before


@pytest.mark.parametrize("domain", SAFE, ids=[f"safe{i}" for i in range(len(SAFE))])
def test_hostile_value_is_only_a_value(env, domain):
    before = _snapshot(env)
    leaked = env["res.partner"].with_context(active_test=False).search(domain)
    assert _snapshot(env) == before
    assert len(leaked) == 0


def test_depth_limit_names_the_problem(env):
    domain = ["!", "&"] * 100 + [("name", "=", "x")] * 101
    with pytest.raises(ValidationError, match="nested deeper"):
        env["res.partner"].search(domain)


def test_hostile_order_and_limit_rejected(env):
    for order in ["name; DROP TABLE res_partner", "name desc, (select 1)", "1", "nope"]:
        with pytest.raises(ValidationError):
            env["res.partner"].search([], order=order)
    with pytest.raises(ValidationError):
        env["res.partner"].search([], limit="1; DROP TABLE res_partner")
    assert env["res.partner"].search_count([]) > 0
