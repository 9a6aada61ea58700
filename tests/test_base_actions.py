"""Every action has one id whatever its type, as in Odoo: ``ir.actions.actions`` finds, reads, writes and
deletes any action, and databases made when each type counted its own ids are brought over."""
from server.orm.environment import SUPERUSER_ID


def make_actions(env):
    model = env.ref("base.model_res_partner")
    window = env["ir.actions.act_window"].create({"name": "Partners here", "res_model": "res.partner"})
    url = env["ir.actions.act_url"].create({"name": "Docs", "url": "https://example.com/docs"})
    server = env["ir.actions.server"].create({"name": "Touch", "model_id": model.id, "state": "code",
                                              "code": "records.write({'comment': 'touched'})"})
    return window, url, server


def test_actions_of_every_type_share_one_id_sequence(env):
    window, url, server = make_actions(env)
    assert len({window.id, url.id, server.id}) == 3
    actions = env["ir.actions.actions"].browse([window.id, url.id, server.id])
    assert actions.read(["name", "type"]) == [
        {"id": window.id, "name": "Partners here", "type": "ir.actions.act_window"},
        {"id": url.id, "name": "Docs", "type": "ir.actions.act_url"},
        {"id": server.id, "name": "Touch", "type": "ir.actions.server"}]
    assert env["ir.actions.actions"].search([("name", "=", "Docs")]) == actions[1]
    env["ir.cron"].create({"name": "Hourly touch", "model_id": env.ref("base.model_res_partner").id,
                           "state": "code", "code": "pass", "interval_type": "hours"})
    assert not env["ir.actions.actions"].search([("name", "=", "Hourly touch")])  # a cron is not an action


def test_writing_and_deleting_go_through_to_the_action_of_its_type(env):
    window, url, _server = make_actions(env)
    url.write({"name": "Manual"})
    assert env["ir.actions.actions"].browse(url.id).name == "Manual"
    env["ir.actions.actions"].browse(window.id).write({"name": "Contacts here"})
    assert window.name == "Contacts here"
    env["ir.actions.actions"].browse(url.id).unlink()
    assert not url.exists() and not env["ir.actions.actions"].browse(url.id).exists()
    window.unlink()
    assert not env["ir.actions.actions"].browse(window.id).exists()


def test_a_users_home_action_may_be_any_action(env):
    window, _url, server = make_actions(env)
    admin = env.ref("base.user_admin")
    admin.action_id = env["ir.actions.actions"].browse(server.id)
    assert admin.action_id.type == "ir.actions.server"
    admin.action_id = window.id
    assert admin.read(["action_id"])[0]["action_id"] == [window.id, "Partners here"]
    window.unlink()
    assert not admin.action_id


def test_a_database_whose_action_types_counted_their_own_ids_is_brought_over(env):
    window, url, _server = make_actions(env)
    cr = env.cr
    # As such a database was: no ir_actions rows, and an URL action with the id of a window.
    env["ir.model.data"].create({"module": "legacy", "name": "docs", "model": "ir.actions.act_url", "res_id": url.id})
    menu = env["ir.ui.menu"].create({"name": "Docs", "action": f"ir.actions.act_url,{url.id}"})
    cr.execute("DELETE FROM ir_actions")
    cr.execute("UPDATE ir_act_url SET id = %s WHERE id = %s", (window.id, url.id))
    cr.execute("UPDATE ir_model_data SET res_id = %s WHERE module = 'legacy'", (window.id,))
    cr.execute("UPDATE ir_ui_menu SET action = %s WHERE id = %s", (f"ir.actions.act_url,{window.id}", menu.id))
    env.cr.cache.clear()
    env["ir.actions.actions"].init()
    env.cr.cache.clear()
    moved = env.ref("legacy.docs")
    assert moved.id not in (window.id, url.id) and moved.url == "https://example.com/docs"
    assert env["ir.actions.act_window"].browse(window.id).name == "Partners here"  # windows keep their ids
    assert env["ir.actions.actions"].browse(moved.id).read(["type"])[0]["type"] == "ir.actions.act_url"
    assert menu.action == moved
    env["ir.actions.actions"].init()  # once brought over, nothing more to do
    assert env(user=SUPERUSER_ID)["ir.actions.act_url"].create({"name": "New", "url": "/x"}).id > moved.id


def test_contacts_have_odoo_s_views_and_window(env):
    action = env.ref("base.action_partner_form")
    assert (action.res_model, action.view_mode) == ("res.partner", "kanban,tree,form")
    views = env["res.partner"].get_views([[False, "form"], [False, "tree"], [False, "kanban"], [False, "search"]])
    assert views["views"]["form"]["id"] == env.ref("base.view_partner_form").id
    assert 'name="internal_notes"' in views["views"]["form"]["arch"]
    assert views["views"]["search"]["id"] == env.ref("base.view_res_partner_filter").id
    menu = env["ir.ui.menu"].create({"name": "Customers", "action": f"{action._name},{action.id}"})
    assert menu.action == action
    assert menu.read(["display_name", "complete_name"])[0]["display_name"] == "Customers"
