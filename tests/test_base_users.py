"""res.users as Odoo clients read it: login date and state, companies, home action, partner fields,
and the API-key wizard."""
import base64

import pytest

from server.exceptions import UserError


def test_login_sets_login_date_and_state(env):
    user = env["res.users"].create({"name": "Logger", "login": "logger", "password": "pw-logger",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    assert (user.state, user.login_date) == ("new", False)
    assert env["res.users"]._login("logger", "pw-logger") == user.id
    assert user.state == "active" and user.login_date


def test_users_read_companies_home_action_and_partner_fields(env):
    user = env["res.users"].create({"name": "Reader", "login": "reader", "lang": "en_US", "tz": "Europe/Paris",
                                    "image_1920": base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()})
    values = user.read(["company_ids", "action_id", "lang", "tz", "image_1920", "state"])[0]
    assert values["company_ids"] == [env.ref("base.main_company").id]
    assert values["action_id"] is False and (values["lang"], values["tz"]) == ("en_US", "Europe/Paris")
    assert base64.b64decode(values["image_1920"]).startswith(b"\x89PNG")
    assert user.partner_id.tz == "Europe/Paris" and user.partner_id.image_1920 == user.image_1920


def test_partners_have_odoo_17_contact_fields_and_users_read_them_through_delegation(env):
    company = env["res.partner"].create({"name": "Ridge Ltd", "is_company": True, "country_id": env.ref("base.us").id})
    tag = env["res.partner.category"].create({"name": "Gold", "parent_id": env["res.partner.category"].create(
        {"name": "Customers"}).id})
    contact = env["res.partner"].create({"name": "Ann", "parent_id": company.id, "email": "ann@ridge.example",
                                         "title": env.ref("base.res_partner_title_doctor").id, "function": "CTO",
                                         "date": "2024-05-01", "category_id": [(6, 0, tag.ids)]})
    assert (contact.title.shortcut, contact.function, str(contact.date)) == ("Dr.", "CTO", "2024-05-01")
    assert tag.display_name == "Customers / Gold" and contact.category_id == tag
    assert contact.commercial_partner_id == company and contact.commercial_company_name == "Ridge Ltd"
    assert contact.email_formatted == '"Ann" <ann@ridge.example>' and contact.country_code is False
    assert (company.company_type, contact.company_type, company.country_code) == ("company", "person", "US")
    contact.company_type = "company"
    assert contact.is_company and contact.partner_share
    user = env["res.users"].create({"name": "Ann", "login": "ann", "partner_id": contact.id,
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    assert user.title == contact.title and not contact.partner_share
    assert not env["res.users"].browse(1).title  # an empty many2one, as odoorpc expects


def test_api_key_wizard_works_over_http_only_as_in_odoo(env):
    user = env["res.users"].create({"name": "Keyed", "login": "keyed",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    wizard = env(user=user.id, su=False)["res.users.apikeys.description"].create({"name": "backup script"})
    with pytest.raises(UserError, match="only be accessed over HTTP"):
        wizard.make_key()
    with pytest.raises(UserError, match="only shows a key"):
        env["res.users.apikeys.show"].create({"key": "x"})
