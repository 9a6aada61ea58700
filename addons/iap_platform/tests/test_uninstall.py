"""Uninstalling the platform with money on its books drops everything it created, database guards included."""
from odoo import SUPERUSER_ID
from odoo.api import Environment
from odoo.modules.loading import uninstall_modules


def test_uninstall_with_data(fresh_registry):
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        key = env["iap.platform.service"].create_service("gone")["key"]
        env["iap.platform.account"].admin_topup("gone", "tok", 3)
        token = env["iap.platform.transaction"].authorize(account_token="tok", credit=1, key=key, dbuuid="db")
        env["iap.platform.transaction"].capture(token=token, key=key)
    registry = uninstall_modules(fresh_registry, "iap_platform")
    assert not registry.is_installed("iap_platform") and registry.is_installed("iap")
    assert not registry.database.table_exists("iap_platform_ledger_entry")
    if registry.database.dialect == "postgresql":
        found = registry.database.execute_sql(
            "SELECT 1 FROM pg_proc WHERE proname = %s", ("iap_platform_ledger_entry_append_only",)).fetchone()
        assert found is None
