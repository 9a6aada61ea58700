"""``release_write_lock``: the request's writes are committed, and others can write while it goes on reading."""
import threading

from odoo.addons.iap.tools.write_lock import release_write_lock

from server.orm.environment import SUPERUSER_ID, Environment


def write_from_another_thread(registry, name: str) -> bool:
    """Create a partner in a transaction of another thread; whether it finished within 5 seconds."""
    def write():
        with registry.cursor() as cr:
            Environment(cr, SUPERUSER_ID, {})["res.partner"].create({"name": name})

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    thread.join(5)
    return not thread.is_alive()


def test_what_was_written_is_committed_and_others_write_while_the_request_reads(fresh_registry, make_env):
    env = make_env(fresh_registry)
    env["res.partner"].create({"name": "Written before"})
    release_write_lock(env.cr)
    assert write_from_another_thread(fresh_registry, "Written meanwhile")
    assert env["res.partner"].search_count([("name", "=", "Written before")]) == 1
    env.cr.rollback()  # ends the request's reading transaction: nothing of it to undo
    names = env["res.partner"].search([("name", "like", "Written")]).mapped("name")
    assert sorted(names) == ["Written before", "Written meanwhile"]


def test_commit_callbacks_run_as_with_a_commit(fresh_registry, make_env):
    env = make_env(fresh_registry)
    ran = []
    env.cr.postcommit.append(lambda: ran.append("after commit"))
    release_write_lock(env.cr)
    assert ran == ["after commit"]
    assert write_from_another_thread(fresh_registry, "Written meanwhile")
