"""Service ``db``: list, server_version, db_exist, list_lang; create, drop, dump, restore and
duplicate_database with the master password (the backups themselves: ``db_backup``).

The master password is the ``admin_passwd`` option (plain, or a ``$scrypt$``
hash); an empty one forbids database management, and so does
``--no-database-list``.  A server started on fixed databases (``-d a,b`` or
``--db-uri``) neither creates nor drops any.
"""
from __future__ import annotations

import base64
import hmac
import io
import tempfile
from pathlib import Path

from .. import db as db_module
from .. import release
from ..config import Config
from ..exceptions import AccessDenied, UserError
from ..modules.registry import Registry
from ..tools.passwords import PREFIX, verify_password
from . import db_backup


def check_super(config: Config, password) -> None:
    """Raise AccessDenied unless ``password`` is the master password."""
    stored = config.get("admin_passwd")
    if not stored or stored is True or not isinstance(password, str) or not password:
        raise AccessDenied()
    stored = str(stored)
    valid = verify_password(password, stored) if stored.startswith(PREFIX) else hmac.compare_digest(
        password.encode("utf-8", "surrogatepass"), stored.encode("utf-8", "surrogatepass"))
    if not valid:
        raise AccessDenied()


def exp_list(ctx, document=False) -> list[str]:
    if not ctx.config.get("list_db"):
        raise AccessDenied("The database list is disabled on this server (--no-database-list)")
    return ctx.databases.list(ctx.host)


def exp_db_exist(ctx, db_name) -> bool:
    return ctx.databases.visible(db_name, ctx.host)


def exp_server_version(ctx) -> str:
    return release.version


def exp_list_lang(ctx) -> list:
    """``[[code, name]]`` of every language a new database can use (base's ``res.lang.csv``), by name."""
    import csv

    from ..config import BASE_ADDONS

    with open(BASE_ADDONS / "base" / "data" / "res.lang.csv", encoding="utf-8") as languages:
        return sorted(([row["code"], row["name"]] for row in csv.DictReader(languages)), key=lambda item: item[1])


def _refuse_fixed_databases(ctx) -> None:
    if ctx.databases.explicit_names() is not None:
        raise UserError("This server serves fixed databases (-d or --db-uri): it does not create or drop any")


def exp_create_database(ctx, db_name, demo=False, lang="en_US", user_password="admin", login="admin",
                        country_code=None, phone=None) -> bool:
    """Create ``db_name`` with base (and what auto-installs), admin's login and password as given."""
    from ..modules.loading import load_modules
    from ..orm.environment import SUPERUSER_ID, Environment

    _refuse_fixed_databases(ctx)
    if not isinstance(db_name, str):
        raise UserError(f"A database name must be text, got {type(db_name).__name__}")
    db_module.check_db_name(db_name)
    if db_module.database_exists(ctx.config.database_uri(db_name)):
        raise UserError(f"Database {db_name!r} already exists")
    options = {**ctx.config.options, "db_name": db_name, "admin_passwd": user_password,
               "without_demo": False if demo else "all"}
    registry = load_modules(Config(options, rc_file=ctx.config.rc_file), db_name, init="base")
    if login != "admin":
        with registry.cursor() as cr:
            Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin").write({"login": login})
    ctx.databases.remember(db_name)
    return True


def exp_drop(ctx, db_name) -> bool:
    """Drop ``db_name`` and its filestore; False (as Odoo answers) when there is no such database."""
    _refuse_fixed_databases(ctx)
    if not ctx.databases.visible(db_name, ctx.host):
        return False
    uri = ctx.config.database_uri(db_name)
    Registry.forget_uri(uri)
    db_module.drop_database(uri)
    db_backup.drop_filestore(ctx.config, db_name)
    ctx.databases.remember(db_name, exists=False)
    return True


def _existing(ctx, db_name) -> str:
    if not isinstance(db_name, str) or not ctx.databases.visible(db_name, ctx.host):
        raise UserError(f"Database {db_name!r} does not exist")
    return db_name


def exp_dump(ctx, db_name, format="zip") -> str:
    """The zip dump of ``db_name`` (database and filestore), base64-encoded."""
    if format != "zip":
        raise UserError(f"Backup format {format!r} is not supported: use 'zip'")
    buffer = io.BytesIO()
    db_backup.dump_database(ctx.config, _existing(ctx, db_name), buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def exp_restore(ctx, db_name, data, copy=False) -> bool:
    """Create ``db_name`` from a base64 zip dump; ``copy``: a copy with its own identity."""
    _refuse_fixed_databases(ctx)
    if not isinstance(data, str) or not data:
        raise UserError("restore needs the dump, base64-encoded")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raise UserError("The dump must be base64-encoded") from None
    with tempfile.NamedTemporaryFile(suffix=".zip") as dump:
        dump.write(raw)
        dump.flush()
        restore_file(ctx, db_name, Path(dump.name), copy)
    return True


def restore_file(ctx, db_name, path: Path, copy: bool = False) -> None:
    """Restore the zip dump at ``path`` as ``db_name`` (also used by ``/web/database/restore``)."""
    _refuse_fixed_databases(ctx)
    if not isinstance(db_name, str):
        raise UserError(f"A database name must be text, got {type(db_name).__name__}")
    if ctx.databases.visible(db_name, ctx.host):
        raise UserError(f"Database {db_name!r} already exists")
    db_backup.restore_database(ctx.config, db_name, path, copy=bool(copy))
    ctx.databases.remember(db_name)


def exp_duplicate_database(ctx, db_original_name, db_name, neutralize_database=False) -> bool:
    """Copy ``db_original_name`` and its filestore to the new ``db_name``."""
    _refuse_fixed_databases(ctx)
    if neutralize_database:
        raise UserError("neutralize_database is not supported: this server has no neutralization scripts")
    if not isinstance(db_name, str):
        raise UserError(f"A database name must be text, got {type(db_name).__name__}")
    db_backup.duplicate_database(ctx.config, _existing(ctx, db_original_name), db_name)
    ctx.databases.remember(db_name)
    return True


PUBLIC = {"list": exp_list, "db_exist": exp_db_exist, "server_version": exp_server_version,
          "list_lang": exp_list_lang}
MASTER = {"create_database": exp_create_database, "drop": exp_drop, "dump": exp_dump, "restore": exp_restore,
          "duplicate_database": exp_duplicate_database}


def dispatch(ctx, method: str, params: list):
    if method in PUBLIC:
        return PUBLIC[method](ctx, *params)
    if method not in MASTER:
        raise KeyError(f"Method not found: {method}: service db has {', '.join([*PUBLIC, *MASTER])}")
    if not ctx.config.get("list_db"):
        raise AccessDenied("Database management is disabled on this server (--no-database-list)")
    check_super(ctx.config, params[0] if params else None)
    return MASTER[method](ctx, *params[1:])
