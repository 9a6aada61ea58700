"""``_inherits``: a user is a partner (and a library member too), read, searched and written through."""
import pytest

from server.orm import delegation


def test_creating_a_user_creates_its_partner(env):
    user = env["res.users"].create({"name": "Zed Ulrich", "login": "zed", "email": "zed@example.com"})
    assert user.partner_id.name == "Zed Ulrich" and user.partner_id.email == "zed@example.com"
    assert user.name == "Zed Ulrich" and user.lang == "en_US"
    [row] = user.read(["name", "email", "login"])
    assert row == {"id": user.id, "name": "Zed Ulrich", "email": "zed@example.com", "login": "zed"}


def test_writing_a_user_writes_its_partner(env):
    user = env["res.users"].create({"name": "Yan", "login": "yan"})
    user.write({"name": "Yanis", "city": "Lyon", "login": "yanis"})
    assert (user.partner_id.name, user.partner_id.city, user.login) == ("Yanis", "Lyon", "yanis")
    user.partner_id.phone = "123"
    assert user.phone == "123"


def test_users_are_searched_and_sorted_by_partner_fields(env):
    env["res.users"].create([{"name": "Bb Ord", "login": "bb_ord"}, {"name": "Aa Ord", "login": "aa_ord"}])
    found = env["res.users"].search([("name", "like", " Ord")])
    assert found.mapped("login") == ["aa_ord", "bb_ord"]
    descending = env["res.users"].search([("name", "like", " Ord")], order="name desc")
    assert descending.mapped("login") == ["bb_ord", "aa_ord"]
    assert "name" in env["res.users"].fields_get(["name"])


def test_user_with_a_given_partner_writes_the_partner_values_on_it(env):
    partner = env["res.partner"].create({"name": "Old"})
    user = env["res.users"].create({"login": "given", "partner_id": partner.id, "name": "New"})
    assert user.partner_id == partner and partner.name == "New"


def test_copying_a_user_copies_the_partner_values(env):
    user = env["res.users"].create({"name": "Orig", "login": "orig"})
    copy = user.copy({"login": "orig2"})
    assert copy.name == "Orig" and copy.partner_id != user.partner_id


def test_deleting_a_user_keeps_its_partner(env):
    user = env["res.users"].create({"name": "Gone", "login": "gone"})
    partner = user.partner_id
    user.unlink()
    assert partner.exists()


@pytest.mark.addons("test_library")
def test_an_addon_declares_its_own_delegation(env):
    member = env["test_library.member"].create({"name": "Mia", "email": "mia@example.com", "member_number": "7"})
    assert member.partner_id.email == "mia@example.com"
    assert member.label == "7 Mia"
    member.name = "Mia B"
    assert member.label == "7 Mia B"  # a stored compute depending on an inherited field
    member.partner_id.name = "Mia C"
    assert member.label == "7 Mia C"
    assert env["test_library.member"].search([("email", "=", "mia@example.com")]) == member
    member.partner_id.unlink()  # ondelete='cascade' on the link: the member goes with its partner
    assert not member.exists()


def test_legacy_columns_move_to_the_parent(env):
    """A database from before the delegation kept users' e-mails in res_users: they move to the partners."""
    user = env["res.users"].create({"name": "Legacy", "login": "legacy"})
    env.cr.execute('ALTER TABLE res_users ADD COLUMN "email" VARCHAR')
    env.cr.execute("UPDATE res_users SET email = %s WHERE id = %s", ("legacy@example.com", user.id))
    delegation.migrate_legacy_columns(env, env.registry.models["res.users"])
    env.invalidate_all()
    assert user.email == "legacy@example.com"
