"""Fresh benchmark databases, made with the server's own command line (``odoo-bin.py -i ...``)."""
from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_PREFIX = "postgresql://postgres@127.0.0.1:5432/"


def odoo_bin(db_uri: str, *args: str) -> None:
    """Run ``odoo-bin.py ARGS --db-uri DB_URI``; exit with its output if it fails."""
    command = [sys.executable, "odoo-bin.py", *args, "--db-uri", db_uri, "--log-level", "warn"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}{done.stderr}")


def create_database(backend: str, folder: Path, prefix: str, addons: str) -> str:
    """A new database (SQLite file in ``folder``, or PostgreSQL) with ``addons`` and no demo data; its URI."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    uri = f"sqlite:///{folder / (name + '.sqlite3')}" if backend == "sqlite" else PG_PREFIX + name
    odoo_bin(uri, "-i", addons, "--without-demo", "all", "--stop-after-init")
    return uri


def drop_database(uri: str) -> None:
    """Remove a database made by ``create_database`` (a PostgreSQL one: SQLite files stay in their folder)."""
    if uri.startswith("postgresql:"):
        sys.path.insert(0, str(ROOT))
        from server import db as db_module

        db_module.drop_database(uri)
