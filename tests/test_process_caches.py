"""Process caches (access rights, groups, verified credentials) and their invalidation across processes.

A second ``Registry`` on the same database stands in for another server process: it has its own
models, caches and connections, and learns of changes only through the database.
"""
import pytest

from server.exceptions import AccessDenied, AccessError
from server.modules.registry import Registry
from server.orm.environment import SUPERUSER_ID, Environment


@pytest.fixture
def other_process(fresh_registry):
    """A registry of ``fresh_registry``'s database that shares nothing with it in memory."""
    other = Registry(fresh_registry.config, fresh_registry.db_name, fresh_registry.uri)
    other.load_installed()
    yield other
    other.dispose()


def run(registry, function, uid=SUPERUSER_ID, commit=False):
    """``function(env)`` in a transaction of ``registry`` that is committed or rolled back."""
    with registry.cursor() as cr:
        try:
            return function(Environment(cr, uid, {}))
        finally:
            if not commit:
                cr.rollback()


def check_password(registry, uid, password):
    run(registry, lambda env: env["res.users"].check_credentials_of(uid, password))


def demo_partner_names(env):
    return env["res.partner"].search([], limit=1).read(["name"])


def test_a_password_changed_in_one_process_is_refused_in_the_other_from_its_next_request(
        fresh_registry, other_process):
    demo = run(fresh_registry, lambda env: env.ref("base.user_demo").id)
    check_password(other_process, demo, "demo")  # verified once: the other process remembers it
    run(fresh_registry, lambda env: env["res.users"].browse(demo).write({"password": "changed"}), commit=True)

    served_by = Registry.check_signaling(other_process)

    assert served_by is other_process  # the same models: only the caches were emptied
    with pytest.raises(AccessDenied):
        check_password(other_process, demo, "demo")
    check_password(other_process, demo, "changed")


def test_access_rights_changed_in_one_process_apply_in_the_other(fresh_registry, other_process):
    demo = run(fresh_registry, lambda env: env.ref("base.user_demo").id)
    assert run(other_process, demo_partner_names, uid=demo)  # grants and demo's groups now cached there

    def revoke(env):
        env["ir.model.access"].search([("model_id.model", "=", "res.partner")]).write({"perm_read": False})
    run(fresh_registry, revoke, commit=True)
    Registry.check_signaling(other_process)

    with pytest.raises(AccessError):
        run(other_process, demo_partner_names, uid=demo)


def test_group_membership_changed_in_one_process_applies_in_the_other(fresh_registry, other_process):
    def demo_is_settings_admin(env):
        return env.ref("base.user_demo").has_group("base.group_system")
    assert run(other_process, demo_is_settings_admin) is False

    def promote(env):
        env.ref("base.user_demo").write({"groups_id": [(4, env.ref("base.group_system").id)]})
    run(fresh_registry, promote, commit=True)
    Registry.check_signaling(other_process)

    assert run(other_process, demo_is_settings_admin) is True


def test_caches_are_kept_while_nothing_changes(fresh_registry, other_process):
    demo = run(fresh_registry, lambda env: env.ref("base.user_demo").id)
    check_password(other_process, demo, "demo")
    run(fresh_registry, lambda env: env["res.partner"].create({"name": "Unrelated"}), commit=True)

    Registry.check_signaling(other_process)

    assert other_process.cache("res.users.credentials"), "an unrelated write emptied the caches"


def test_a_rolled_back_change_empties_the_caches_it_may_have_filled(fresh_registry):
    demo = run(fresh_registry, lambda env: env.ref("base.user_demo").id)

    def change_then_check(env):
        env["res.users"].browse(demo).write({"password": "never-committed"})
        env["res.users"].check_credentials_of(demo, "never-committed")  # verified against uncommitted data
    run(fresh_registry, change_then_check, commit=False)

    with pytest.raises(AccessDenied):
        check_password(fresh_registry, demo, "never-committed")
    check_password(fresh_registry, demo, "demo")


def test_odoo_17_clear_cache_without_a_cursor_reaches_other_processes(fresh_registry, other_process):
    other_process.cache("probe")["key"] = "stale"
    fresh_registry.cache("probe")["key"] = "stale"

    def clear(env):
        env.registry.clear_cache()  # Odoo 17: no cursor, the transaction under way carries the signal
        env.registry.clear_cache("default", "assets")
        assert fresh_registry.cache("probe") == {}
    run(fresh_registry, clear, commit=True)

    Registry.check_signaling(other_process)
    assert other_process.cache("probe") == {}


def test_odoo_signal_changes_without_a_cursor_makes_other_processes_reload(fresh_registry, other_process):
    def invalidate(env):
        env.registry.registry_invalidated = True
        env.registry.signal_changes()  # as Odoo addons call it, after changing what the models are
    run(fresh_registry, invalidate, commit=True)
    assert Registry.check_signaling(other_process) is not other_process
