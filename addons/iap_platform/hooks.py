"""Database-level guards of the books, installed with the addon.

The ORM already refuses to change ledger lines and never lets a balance go negative; these guards make
the database refuse it too, so that plain SQL (a shell, a migration, a bug) cannot corrupt the books.
"""
from __future__ import annotations

LEDGER = "iap_platform_ledger_entry"
ACCOUNT = "iap_platform_account"

SQLITE_GUARDS = (
    f"CREATE TRIGGER IF NOT EXISTS {LEDGER}_no_update BEFORE UPDATE ON {LEDGER} "
    "BEGIN SELECT RAISE(ABORT, 'the IAP ledger is append-only'); END",
    f"CREATE TRIGGER IF NOT EXISTS {LEDGER}_no_delete BEFORE DELETE ON {LEDGER} "
    "BEGIN SELECT RAISE(ABORT, 'the IAP ledger is append-only'); END",
    f"CREATE TRIGGER IF NOT EXISTS {ACCOUNT}_non_negative BEFORE UPDATE ON {ACCOUNT} "
    "WHEN NEW.available < 0 OR NEW.held < 0 OR NEW.quota_held < 0 "
    "BEGIN SELECT RAISE(ABORT, 'IAP account balances cannot be negative'); END",
)
POSTGRES_GUARDS = (
    f"ALTER TABLE {ACCOUNT} ADD CONSTRAINT {ACCOUNT}_non_negative "
    "CHECK (available >= 0 AND held >= 0 AND quota_held >= 0)",
    f"CREATE OR REPLACE FUNCTION {LEDGER}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the IAP ledger is append-only'; END $$",
    f"CREATE TRIGGER {LEDGER}_append_only BEFORE UPDATE OR DELETE ON {LEDGER} "
    f"FOR EACH ROW EXECUTE FUNCTION {LEDGER}_append_only()",
)


def install_guards(env) -> None:
    """Create the triggers and constraints guarding the ledger and the balances (post-install hook)."""
    guards = POSTGRES_GUARDS if env.cr.database.dialect == "postgresql" else SQLITE_GUARDS
    for statement in guards:
        env.cr.execute(statement)


def remove_guards(env) -> None:
    """Drop what the tables' removal does not (PostgreSQL's trigger function; uninstall hook)."""
    if env.cr.database.dialect == "postgresql":
        env.cr.execute(f"DROP FUNCTION IF EXISTS {LEDGER}_append_only() CASCADE")
