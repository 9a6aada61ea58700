"""``/web/database/*``: back up, restore, duplicate and drop databases from a browser form or a script,
with the master password, as Odoo's database manager does (the work is the ``db`` service's)."""
import html
import tempfile
from pathlib import Path

from odoo import http
from odoo.exceptions import AccessDenied, UserError
from odoo.http import request
from odoo.service import RpcContext, db_backup
from odoo.service import db as db_service

MANAGER = "/web/database/manager"


def _context() -> RpcContext:
    return RpcContext(request.app.databases, request.host)


def _guarded(master_pwd) -> RpcContext:
    if not request.app.config.get("list_db"):
        raise AccessDenied("Database management is disabled on this server (--no-database-list)")
    db_service.check_super(request.app.config, master_pwd)
    return _context()


def _refusal(exc: Exception):
    status = 403 if isinstance(exc, AccessDenied) else 400
    return request.make_response(str(exc), [("Content-Type", "text/plain; charset=utf-8")], status=status)


class DatabaseManager(http.Controller):
    @http.route(MANAGER, type="http", auth="none", methods=["GET"], save_session=False)
    def manager(self):
        """The visible databases, as a page (the forms post to the routes below)."""
        if not request.app.config.get("list_db"):
            return _refusal(AccessDenied("The database list is disabled on this server (--no-database-list)"))
        items = "".join(f"<li>{html.escape(name)}</li>" for name in http.db_list())
        return request.make_response(f"<!DOCTYPE html><html><body><h1>Databases</h1><ul>{items}</ul></body></html>",
                                     [("Content-Type", "text/html; charset=utf-8")])

    @http.route("/web/database/backup", type="http", auth="none", methods=["POST"], csrf=False, save_session=False)
    def backup(self, master_pwd=None, name=None, backup_format="zip", **_kw):
        """The zip dump of ``name``, as a file to save."""
        try:
            ctx = _guarded(master_pwd)
            if backup_format != "zip":
                raise UserError(f"Backup format {backup_format!r} is not supported: use 'zip'")
            db_name = db_service._existing(ctx, name)
            with tempfile.TemporaryFile() as dump:
                db_backup.dump_database(ctx.config, db_name, dump)
                dump.seek(0)
                data = dump.read()
        except (UserError, AccessDenied) as exc:
            return _refusal(exc)
        return request.make_response(data, [("Content-Type", "application/zip"),
                                            ("Content-Disposition", f'attachment; filename="{db_name}.zip"')])

    @http.route("/web/database/restore", type="http", auth="none", methods=["POST"], csrf=False, save_session=False,
                max_content_length=16 * 1024 ** 3)  # a dump is as large as its database
    def restore(self, master_pwd=None, backup_file=None, name=None, copy=False, **_kw):
        """Create ``name`` from the uploaded ``backup_file`` (``copy``: with a new identity)."""
        try:
            ctx = _guarded(master_pwd)
            if backup_file is None or not hasattr(backup_file, "save"):
                raise UserError("restore needs the dump as the uploaded file 'backup_file'")
            with tempfile.TemporaryDirectory() as work:
                path = Path(work) / "dump.zip"
                backup_file.save(str(path))
                db_service.restore_file(ctx, name, path, copy=str(copy).lower() in ("1", "true", "on"))
        except (UserError, AccessDenied) as exc:
            return _refusal(exc)
        return request.redirect(MANAGER)

    @http.route("/web/database/duplicate", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False)
    def duplicate(self, master_pwd=None, name=None, new_name=None, neutralize_database=False, **_kw):
        try:
            db_service.exp_duplicate_database(_guarded(master_pwd), name, new_name, bool(neutralize_database))
        except (UserError, AccessDenied) as exc:
            return _refusal(exc)
        return request.redirect(MANAGER)

    @http.route("/web/database/drop", type="http", auth="none", methods=["POST"], csrf=False, save_session=False)
    def drop(self, master_pwd=None, name=None, **_kw):
        try:
            if not db_service.exp_drop(_guarded(master_pwd), name):
                raise UserError(f"Database {name!r} does not exist")
        except (UserError, AccessDenied) as exc:
            return _refusal(exc)
        return request.redirect(MANAGER)
