"""``Listing``: one page of a list sorted and paged in SQL, counted exactly or up to a limit."""
from odoo.addons.web_console.pages import Listing


def _partners(env, count: int):
    env["res.partner"].create([{"name": f"Listing {n}"} for n in range(count)])
    return env["res.partner"], [("name", "=like", "Listing %")]


def test_exact_count_pages_and_clamps(env):
    partners, domain = _partners(env, 5)
    listing = Listing.search(partners, domain, {"page": "9"}, {"name": "name"}, "name", page_size=2)
    assert (listing.total, listing.pages, listing.page, listing.more) == (5, 3, 3, False)
    assert listing.records.mapped("name") == ["Listing 4"] and not listing.has_next


def test_a_count_limit_says_there_is_more_and_pages_on(env):
    partners, domain = _partners(env, 5)
    first = Listing.search(partners, domain, {}, {"name": "name"}, "name", page_size=2, count_limit=3)
    assert (first.total, first.pages, first.more, first.has_next) == (3, 2, True, True)
    last = Listing.search(partners, domain, {"page": "3"}, {"name": "name"}, "name", page_size=2, count_limit=3)
    assert last.page == 3 and last.records.mapped("name") == ["Listing 4"] and not last.has_next


def test_ties_are_broken_by_id_in_the_sort_direction(env):
    partners = env["res.partner"].create([{"name": "Listing same"} for _ in range(3)])
    listing = Listing.search(env["res.partner"], [("id", "in", partners.ids)], {"desc": "1"}, {"name": "name"},
                             "name")
    assert listing.records.ids == sorted(partners.ids, reverse=True)
