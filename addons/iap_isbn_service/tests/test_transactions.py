"""While the provider talks to the platform, its database stays writable by others (the platform may live there)."""
import threading

from odoo.addons.iap_isbn_service.tools.transactions import write_lock_released

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


def test_others_write_while_the_block_reads(provider):
    provider["res.partner"].create({"name": "Written before"})
    with write_lock_released(provider.cr):
        assert write_from_another_thread(provider.registry, "Written meanwhile")
        assert provider["res.partner"].search_count([("name", "=", "Written before")]) == 1
    provider["res.partner"].create({"name": "Written after"})
    provider.cr.rollback()
    names = provider["res.partner"].search([("name", "like", "Written")]).mapped("name")
    assert sorted(names) == ["Written before", "Written meanwhile"]
