"""Views, actions, menus, groups with categories, settings and the rest of an Odoo 17 addon's data,
through the test addon ``test_platform`` (tests/addons)."""
import datetime as dt

import pytest

from server.exceptions import AccessError, UserError, ValidationError
from server.modules.loading import load_modules, uninstall_modules
from server.modules.registry import Registry
from server.orm.environment import SUPERUSER_ID, Environment

pytestmark = pytest.mark.addons("test_platform")
TICKET = "test_platform.ticket"


def admin_env(env):
    return env(user=env.ref("base.user_admin").id, su=False)


def test_get_views_returns_the_inherited_arch_and_its_fields(env):
    result = admin_env(env)[TICKET].get_views([[False, "form"], [False, "tree"], [False, "search"]],
                                              {"toolbar": True})
    form = result["views"]["form"]
    assert form["id"] == env.ref("test_platform.ticket_view_form").id and form["model"] == TICKET
    assert ('<field name="name"/><field name="priority"/><field name="partner_id"/>'
            '<field name="reference" readonly="1"/>') in form["arch"]
    assert form["arch"].index('name="state"') < form["arch"].index('name="notes"')
    assert set(result["models"][TICKET]) == {"name", "priority", "partner_id", "reference", "closed", "note"}
    assert result["models"][TICKET]["partner_id"]["relation"] == "res.partner"
    assert [a["name"] for a in form["toolbar"]["action"]] == ["Close tickets"]
    assert [a["name"] for a in form["toolbar"]["print"]] == ["Ticket"]
    assert "<filter name=\"open\"" in result["views"]["search"]["arch"]


def test_get_view_by_id_and_generated_defaults(env):
    extension = env.ref("test_platform.ticket_view_form_priority")
    view = env[TICKET].get_view(extension.id, "form")  # an extension answers its root, combined
    assert view["id"] == env.ref("test_platform.ticket_view_form").id and 'name="priority"' in view["arch"]
    kanban = env["res.country"].get_view(view_type="kanban")
    assert kanban["id"] is False and '<field name="name"/>' in kanban["arch"]
    with pytest.raises(ValidationError, match="is a view of test_platform.ticket, not of res.partner"):
        env["res.partner"].get_view(extension.id)
    with pytest.raises(ValidationError, match="pairs"):
        env[TICKET].get_views("form")


def test_bad_archs_are_refused_naming_the_view(env):
    views = env["ir.ui.view"]
    with pytest.raises(ValidationError, match="Invalid view arch"):
        views.create({"name": "broken", "model": TICKET, "arch": "<form><field name='name'></form>"})
    with pytest.raises(ValidationError, match="'lost': element .*cannot be located"):
        views.create({"name": "lost", "model": TICKET, "inherit_id": env.ref("test_platform.ticket_view_form").id,
                      "arch": "<xpath expr=\"//field[@name='nope']\" position='after'><field name='note'/></xpath>"})
    with pytest.raises(ValidationError, match="invalid position 'aside'"):
        views.create({"name": "odd", "model": TICKET, "inherit_id": env.ref("test_platform.ticket_view_form").id,
                      "arch": "<field name='name' position='aside'/>"})
    with pytest.raises(ValidationError, match="root must be <tree>"):
        views.create({"name": "mismatch", "model": TICKET, "type": "tree", "arch": "<form/>"})


def test_actions_read_as_the_client_wants_them(env):
    actions = admin_env(env)["ir.actions.actions"]
    window = actions._for_xml_id("test_platform.action_ticket")
    assert window["type"] == "ir.actions.act_window" and window["res_model"] == TICKET
    assert window["views"] == [[False, "tree"], [False, "form"]]
    assert window["search_view_id"][0] == env.ref("test_platform.ticket_view_search").id
    client = actions._for_xml_id("test_platform.action_ticket_dashboard")
    assert (client["tag"], client["params"]) == ("test_platform.dashboard", {"period": "week"})
    assert actions._for_xml_id("test_platform.action_ticket_docs")["url"] == "https://example.com/tickets"
    report = env.ref("test_platform.report_ticket")
    with pytest.raises(UserError, match="rendering reports .* is not supported"):
        report._render([1])
    template = env.ref("test_platform.report_ticket_document")
    assert template.type == "qweb" and 't-name="test_platform.report_ticket_document"' in template.arch


def test_server_action_bound_to_a_model_runs_on_the_active_records(env):
    tickets = env[TICKET].create([{"name": "a"}, {"name": "b"}, {"name": "c"}])
    action = env.ref("test_platform.action_ticket_close")
    action.with_context(active_model=TICKET, active_ids=tickets[:2].ids).run()
    assert tickets.mapped("closed") == [True, True, False]


def test_menus_follow_groups_and_actions(env):
    admin_menus = admin_env(env)["ir.ui.menu"].load_menus(False)
    root = env.ref("test_platform.menu_root")
    assert root.id in admin_menus["root"]["children"]
    entry = admin_menus[env.ref("test_platform.menu_tickets").id]
    assert (entry["actionModel"], entry["actionID"]) == ("ir.actions.act_window",
                                                         env.ref("test_platform.action_ticket").id)
    assert entry["name"] == "Tickets" and entry["appID"] == root.id
    assert entry["xmlid"] == "test_platform.menu_tickets"
    assert admin_menus[root.id]["webIcon"] == "test_platform,static/description/icon.png"
    demo = env["res.users"].create({"name": "Plain", "login": "plain-menus",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    plain_menus = env(user=demo.id, su=False)["ir.ui.menu"].load_menus(False)
    assert root.id not in plain_menus and root.id not in plain_menus["root"]["children"]
    assert env.ref("test_platform.menu_tickets").complete_name == "Tickets/Tickets"


def test_menu_full_names_as_odoo_gives_them(env):
    """Odoo's ``_get_full_name``: the path from the root, cut to ``...`` above six levels."""
    menu = env["ir.ui.menu"].browse()
    for n in range(1, 8):
        menu = env["ir.ui.menu"].create({"name": f"m{n}", "parent_id": menu.id})
    env.invalidate_all()
    assert menu.read(["display_name", "complete_name"])[0] == {
        "id": menu.id, "display_name": ".../m2/m3/m4/m5/m6/m7", "complete_name": ".../m2/m3/m4/m5/m6/m7"}
    assert menu.parent_id.parent_id.complete_name == "m1/m2/m3/m4/m5"


def test_groups_have_categories_and_implied_groups(env):
    user_group = env.ref("test_platform.group_ticket_user")
    assert user_group.category_id == env.ref("test_platform.module_category_helpdesk")
    assert user_group.full_name == "Tickets / User"
    assert env.ref("base.group_user") in user_group.implied_ids
    assert env.ref("test_platform.module_category_helpdesk").parent_id == env.ref("base.module_category_services")
    module = env["ir.module.module"].search([("name", "=", "test_platform")])
    assert module.category_id == env.ref("base.module_category_services_helpdesk")
    assert module.category_id.parent_id == env.ref("base.module_category_services")


def test_sequence_and_cron_come_from_the_addon_data(env):
    ticket, second = env[TICKET].create([{"name": "numbered"}, {"name": "next"}])
    prefix = f"TCK/{dt.date.today().year}/"
    assert ticket.reference.startswith(prefix) and len(ticket.reference) == len(prefix) + 5
    # A standard sequence on PostgreSQL keeps numbers taken by rolled-back transactions: gaps, never repeats.
    assert int(second.reference[len(prefix):]) > int(ticket.reference[len(prefix):])
    cron = env.ref("test_platform.ir_cron_close_stale")
    assert (cron.interval_type, cron.numbercall, cron.model_name) == ("days", -1, TICKET)
    cron.method_direct_trigger()
    assert ticket.closed


def test_settings_write_parameters_groups_and_refuse_missing_addons(env):
    settings = admin_env(env)["res.config.settings"]
    defaults = settings.default_get(["ticket_max_open", "group_ticket_priority", "module_base_import"])
    assert defaults == {"ticket_max_open": 10, "group_ticket_priority": False, "module_base_import": False}
    settings.create({"ticket_max_open": 3, "ticket_prefix_note": "  urgent  ", "group_ticket_priority": True}).execute()
    params = env["ir.config_parameter"]
    assert params.get_param("test_platform.max_open") == "3"
    assert params.get_param("test_platform.ticket_note") == "urgent"
    assert env.ref("test_platform.group_priority") in env.ref("base.group_user").implied_ids
    assert settings.default_get(["group_ticket_priority", "ticket_max_open"]) == {"group_ticket_priority": True,
                                                                                 "ticket_max_open": 3}
    settings.create({"group_ticket_priority": False}).execute()
    assert env.ref("test_platform.group_priority") not in env.ref("base.group_user").implied_ids
    with pytest.raises(UserError, match="Cannot install base_import: not found in the addons path"):
        settings.create({"module_base_import": True}).execute()
    plain = env["res.users"].create({"name": "No admin", "login": "no-admin-settings",
                                     "groups_id": [(6, 0, [env.ref("base.group_system").id])]})
    assert plain  # a system user may; a plain one may not even create the wizard
    user = env["res.users"].create({"name": "User", "login": "user-settings",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    with pytest.raises(AccessError):
        env(user=user.id, su=False)["res.config.settings"].create({})


def test_base_setup_general_settings_form_is_extended(env):
    arch = env["res.config.settings"].get_view(view_type="form")["arch"]
    assert arch.index('name="integration"') < arch.index('name="tickets"') < arch.index("developer_settings")
    action = env["ir.actions.actions"]._for_xml_id("base_setup.action_general_configuration")
    assert (action["res_model"], action["target"]) == ("res.config.settings", "inline")


def test_autovacuum_deletes_old_wizards(env):
    old = env["res.config.settings"].create({})
    fresh = env["res.config.settings"].create({})
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    env.cr.execute("UPDATE res_config_settings SET write_date = %s WHERE id = %s", (stale, old.id))
    env.invalidate_all()
    env["ir.autovacuum"]._run_vacuum_cleaner()
    assert not old.exists() and fresh.exists()
    assert env.ref("base.autovacuum_job").code == "model._run_vacuum_cleaner()"


def test_addon_installs_upgrades_and_uninstalls_cleanly(fresh_registry):
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env.ref("test_platform.seq_ticket").write({"padding": 2})  # noupdate data: kept on upgrade
        env.ref("test_platform.ticket_view_form").write({"name": "changed"})  # updatable: rewritten
        env[TICKET].create({"name": "kept"})
    registry = load_modules(fresh_registry.config, update="test_platform")
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        assert env.ref("test_platform.seq_ticket").padding == 2
        assert env.ref("test_platform.ticket_view_form").name == "test_platform.ticket.form"
        assert env[TICKET].search_count([("name", "=", "kept")]) == 1
        assert 'name="priority"' in env[TICKET].get_view()["arch"]
        ids = {xmlid: env.ref(f"test_platform.{xmlid}").id for xmlid in (
            "ticket_view_form", "action_ticket", "menu_root", "ir_cron_close_stale", "seq_ticket", "group_ticket_user",
            "module_category_helpdesk")}
    registry = uninstall_modules(registry, ["test_platform"])
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        assert TICKET not in env
        assert not env["ir.ui.view"].browse(ids["ticket_view_form"]).exists()
        assert not env["ir.actions.act_window"].browse(ids["action_ticket"]).exists()
        assert not env["ir.ui.menu"].browse(ids["menu_root"]).exists()
        assert not env["ir.cron"].with_context(active_test=False).browse(ids["ir_cron_close_stale"]).exists()
        assert not env["ir.sequence"].browse(ids["seq_ticket"]).exists()
        assert not env["res.groups"].browse(ids["group_ticket_user"]).exists()
        assert not env["ir.module.category"].browse(ids["module_category_helpdesk"]).exists()
        assert "ticket_max_open" not in env["res.config.settings"]._fields
        assert "tickets" not in env["res.config.settings"].get_view(view_type="form")["arch"]
        assert not cr.database.table_exists("test_platform_ticket")
    Registry.forget(registry)


def test_base_forms_have_odoo_s_ids_and_anchors_for_extension_views(env):
    View = env["ir.ui.view"]
    View.create({"model": "res.company", "inherit_id": env.ref("base.view_company_form").id, "arch": (
        "<xpath expr=\"//page[@name='general_info']//field[@name='email']\" position=\"after\">"
        "<field name=\"sequence\" string=\"Rank\"/></xpath>")})  # no name: named after model and type
    arch = env["res.company"].get_view(view_type="form")["arch"]
    assert 'string="Rank"' in arch and arch.index('name="email"') < arch.index('string="Rank"')
    assert env.ref("base.view_partner_form").model == "res.partner"
    assert env.ref("base.view_users_form").model == "res.users"
    assert 'name="tz_offset"' in env.ref("base.view_users_form_simple_modif").arch
    assert env["res.partner"].create({"name": "Asha", "tz": "Asia/Kolkata"}).tz_offset == "+0530"
    for xmlid in ("view_model_form", "sequence_view", "view_partner_tree", "view_company_tree"):
        assert env.ref(f"base.{xmlid}")
    assert View.search([("inherit_id", "=", env.ref("base.view_company_form").id)]).name == "res.company form"

